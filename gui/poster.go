package gui

import (
	"context"
	"fmt"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"

	"fyne.io/fyne/v2"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
)

// noPoster is drawn while there is no poster (a canvas.Image must not be
// nil for every painter).
var noPoster image.Image = image.NewNRGBA(image.Rect(0, 0, 1, 1))

// posterCache decodes poster images off the UI goroutine, shrunk to the
// row's size, and keeps the most recent ones (rows only ask for the posters
// they show, so a long queue decodes only what is scrolled into view).
type posterCache struct {
	ui      *UI
	loaded  func(path string)
	imgs    map[string]image.Image
	order   []string
	loading map[string]bool
	max     int
}

func newPosterCache(ui *UI, loaded func(path string)) *posterCache {
	return &posterCache{ui: ui, loaded: loaded, imgs: map[string]image.Image{}, loading: map[string]bool{}, max: 64}
}

// get returns the decoded poster, or nil while it loads (UI goroutine).
func (c *posterCache) get(path string) image.Image {
	if path == "" {
		return nil
	}
	if img, ok := c.imgs[path]; ok {
		return img
	}
	if !c.loading[path] {
		c.loading[path] = true
		w, h := int(posterSize.Width*2), int(posterSize.Height*2) // sharp on HiDPI
		c.ui.goBackground(func(ctx context.Context) {
			img := decodeThumb(path, w, h)
			c.ui.do(func() { c.put(path, img) })
		})
	}
	return nil
}

func (c *posterCache) put(path string, img image.Image) {
	delete(c.loading, path)
	if img == nil {
		img = image.NewNRGBA(image.Rect(0, 0, 1, 1)) // unreadable: an empty poster, not a retry loop
	}
	if _, ok := c.imgs[path]; !ok {
		c.order = append(c.order, path)
	}
	c.imgs[path] = img
	for len(c.order) > c.max {
		delete(c.imgs, c.order[0])
		c.order = c.order[1:]
	}
	c.loaded(path)
}

// decodeThumb reads an image and scales it to fit w×h.
func decodeThumb(path string, w, h int) image.Image {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	src, _, err := image.Decode(f)
	if err != nil {
		return nil
	}
	b := src.Bounds()
	if b.Dx() <= w && b.Dy() <= h {
		return src
	}
	scale := min(float64(w)/float64(b.Dx()), float64(h)/float64(b.Dy()))
	dst := image.NewNRGBA(image.Rect(0, 0, max(1, int(float64(b.Dx())*scale)), max(1, int(float64(b.Dy())*scale))))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	return dst
}

// posterLoaded redraws the rows (and details) using a poster just decoded.
func (u *uploadsView) posterLoaded(path string) {
	for i, r := range u.rows {
		if r.job.ThumbnailPath == path {
			u.refreshIndex(i)
		}
	}
	u.details.posterLoaded(path)
}

// findFFmpeg finds ffmpeg (core.FFmpegPath); tests replace it to run the
// app as if ffmpeg were missing.
var findFFmpeg = core.FFmpegPath

// probeDuration is how long a video plays (core.VideoDuration with the
// ffmpeg found); tests replace it.
var probeDuration = func(ctx context.Context, video string) (time.Duration, error) {
	ff, err := findFFmpeg()
	if err != nil {
		return 0, err
	}
	return core.VideoDuration(ctx, ff, video)
}

// lengths measures the videos of the rows shown, off the UI goroutine and
// two at a time, and keeps what it found (0: unknown, as without ffmpeg).
type lengths struct {
	u     *uploadsView
	known map[string]time.Duration
	asked map[string]bool
	slots chan struct{}
}

func newLengths(u *uploadsView) *lengths {
	return &lengths{u: u, known: map[string]time.Duration{}, asked: map[string]bool{}, slots: make(chan struct{}, 2)}
}

// get is the length of video, or 0 while unknown (UI goroutine).
func (l *lengths) get(video string) time.Duration {
	if d, ok := l.known[video]; ok || l.asked[video] {
		return d
	}
	l.asked[video] = true
	if _, err := findFFmpeg(); err != nil {
		return 0 // nothing to measure with
	}
	l.u.ui.goBackground(func(ctx context.Context) {
		l.slots <- struct{}{}
		d, err := probeDuration(ctx, video)
		<-l.slots
		if err != nil {
			d = 0
		}
		l.u.ui.do(func() {
			l.known[video] = d
			for i, r := range l.u.rows {
				if r.job.VideoPath == video {
					l.u.refreshIndex(i)
				}
			}
		})
	})
	return 0
}

// posterExtensions are the image files a poster can be chosen from.
var posterExtensions = []string{".jpg", ".jpeg", ".png", ".gif", ".webp"}

// isPosterImage reports whether path names an image file a poster can be.
func isPosterImage(path string) bool {
	return slices.Contains(posterExtensions, strings.ToLower(filepath.Ext(path)))
}

// posterDir is where posters made by the app are kept: DataDir/posters,
// or a temporary folder.
func (u *uploadsView) posterDir() (string, error) {
	if u.ui.deps.DataDir == "" {
		return os.MkdirTemp("", "gjw-posters-")
	}
	dir := filepath.Join(u.ui.deps.DataDir, "posters")
	return dir, os.MkdirAll(dir, 0o700)
}

// makePoster makes a poster for video so its upload never waits for one:
// a frame at 10 % of the video when ffmpeg can take one, else a title card
// with title and channel. name is the file name to use, without extension.
// It blocks (ffmpeg); call it off the UI goroutine.
func makePoster(ctx context.Context, dir, name, video, title, channel string) (string, error) {
	if ff, err := findFFmpeg(); err == nil {
		at := time.Second
		if d, err := core.VideoDuration(ctx, ff, video); err == nil {
			at = core.FrameTimes(d)[0]
		}
		out := filepath.Join(dir, name+".jpg")
		err := core.ExtractFrameAt(ctx, ff, video, out, at)
		if err == nil {
			return out, nil
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		fyne.LogError("poster frame for "+video+" (a title card is used)", err)
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	out := filepath.Join(dir, name+"-card.jpg")
	return out, core.TitleCard(out, title, channel)
}

// takeFrames takes the frames offered as posters of a video (10 %, 50 %
// and 90 % in) into dir, named after job id; nil without ffmpeg. It blocks.
func takeFrames(ctx context.Context, dir, id, video string) ([]string, error) {
	ff, err := findFFmpeg()
	if err != nil {
		return nil, err
	}
	d, err := core.VideoDuration(ctx, ff, video)
	if err != nil {
		return nil, err
	}
	var out []string
	for k, at := range core.FrameTimes(d) {
		p := filepath.Join(dir, fmt.Sprintf("%s-frame%d.jpg", id, k+1))
		if err := core.ExtractFrameAt(ctx, ff, video, p, at); err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

// channelOf names where a job goes, for its title card: its accounts, a
// platform's own name for an account named after the platform.
func (u *uploadsView) channelOf(accounts []string) string {
	all, _ := u.ui.deps.Accounts.List()
	var names []string
	for _, name := range accounts {
		label := name
		for _, a := range all {
			if a.Name == name && name == a.Platform {
				label = account.Title(a.Platform)
			}
		}
		names = append(names, label)
	}
	return strings.Join(names, " · ")
}

// wantsFrame reports whether a row needs a poster made: a job queued
// without one (by an older version, or the command line) that waits for
// one or has not started, and no poster was tried in this session.
func (u *uploadsView) wantsFrame(r *row) bool {
	j := r.job
	return j.ThumbnailPath == "" && (anyWaitsFor(j, dest.ReasonNeedPoster) || core.NotStarted(j)) && !r.framing && !r.noFrame
}

// posterSlots bounds the posters made at once outside a drop (a restart
// may find many jobs without one).
var posterSlots = make(chan struct{}, 2)

// takeFrame makes a poster for a job without one (makePoster, off the UI
// goroutine) and gives it to the job; if even that fails the row asks the
// creator to pick one.
func (u *uploadsView) takeFrame(r *row) {
	r.framing = true
	j := r.job
	channel := u.channelOf(targetAccounts(j))
	mk := u.makePoster
	u.ui.goBackground(func(ctx context.Context) {
		posterSlots <- struct{}{}
		defer func() { <-posterSlots }()
		dir, err := u.posterDir()
		out := ""
		if err == nil {
			out, err = mk(ctx, dir, j.ID, j.VideoPath, j.Meta.Title, channel)
		}
		u.ui.do(func() {
			r.framing = false
			cur := u.row(j.ID)
			if cur == nil {
				return
			}
			cur.framing = false
			if err != nil {
				if ctx.Err() == nil {
					fyne.LogError("poster for "+j.VideoPath, err)
				}
				cur.noFrame = true
			} else if cur.job.ThumbnailPath == "" { // the creator may have picked one meanwhile
				u.edit(j.ID, nil, out)
			}
			u.refreshRow(j.ID)
		})
	})
}
