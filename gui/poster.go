package gui

import (
	"context"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"

	"fyne.io/fyne/v2"

	"github.com/gjw-uploader/gjw-uploader/core"
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

// extractFrame is core.ExtractFrame; tests replace it.
var extractFrame = core.ExtractFrame

// haveFFmpeg reports whether frames can be taken (tests replace it).
var haveFFmpeg = func() bool { _, err := core.FFmpegPath(); return err == nil }

// wantsFrame reports whether a row needs a poster frame taken: it has no
// poster, it is unfinished, and no frame was tried in this session.
func (u *uploadsView) wantsFrame(r *row) bool {
	j := r.job
	if j.ThumbnailPath != "" || !core.Unfinished(j) || r.framing || r.noFrame {
		return false
	}
	if !haveFFmpeg() {
		r.noFrame = true
		return false
	}
	return true
}

// takeFrame runs ffmpeg off the UI goroutine and gives the job the frame as
// its poster; if that fails the row asks the creator to pick one.
func (u *uploadsView) takeFrame(r *row) {
	r.framing = true
	id, video := r.job.ID, r.job.VideoPath
	dir := u.ui.deps.DataDir
	u.ui.goBackground(func(ctx context.Context) {
		var out string
		var err error
		if dir == "" {
			dir, err = os.MkdirTemp("", "gjw-posters-")
		} else {
			dir = filepath.Join(dir, "posters")
			err = os.MkdirAll(dir, 0o700)
		}
		if err == nil {
			out = filepath.Join(dir, id+".jpg")
			err = extractFrame(ctx, video, out)
		}
		u.ui.do(func() {
			r.framing = false
			cur := u.row(id)
			if cur == nil {
				return
			}
			if err != nil {
				if ctx.Err() == nil {
					fyne.LogError("poster frame for "+video, err)
				}
				cur.noFrame = true
				u.refreshRow(id)
				return
			}
			cur.framing = false
			if cur.job.ThumbnailPath == "" { // the creator may have picked one meanwhile
				u.edit(id, nil, out)
			}
			u.refreshRow(id)
		})
	})
}
