package batch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// ManifestName is a folder's manifest: one row per video in that folder.
const ManifestName = "manifest.csv"

// DefaultTitle is the title template when none is set.
const DefaultTitle = "{filename}"

// posterExts are the same-name poster images looked for, in this order.
var posterExts = []string{".jpg", ".jpeg", ".png", ".webp", ".gif", ".JPG", ".JPEG", ".PNG", ".WEBP", ".GIF"}

// Companions are the files beside video that change what it is published
// with: its sidecar, same-name images and its folder's manifest. A watcher
// waits for them to settle too.
func Companions(video string) []string {
	base := strings.TrimSuffix(video, filepath.Ext(video))
	out := []string{SidecarPath(video), filepath.Join(filepath.Dir(video), ManifestName)}
	for _, ext := range posterExts {
		out = append(out, base+ext)
	}
	return out
}

// Belongings are the files that go with video when it is moved: its
// sidecar and its same-name image, those that exist.
func Belongings(video string) []string {
	var out []string
	if fi, err := os.Stat(SidecarPath(video)); err == nil && fi.Mode().IsRegular() {
		out = append(out, SidecarPath(video))
	}
	if img := sameNameImage(video); img != "" {
		out = append(out, img)
	}
	return out
}

// sameNameImage is the first image named like video (clip.jpg for
// clip.mp4), or "".
func sameNameImage(video string) string {
	base := strings.TrimSuffix(video, filepath.Ext(video))
	for _, ext := range posterExts {
		if fi, err := os.Stat(base + ext); err == nil && fi.Mode().IsRegular() {
			return base + ext
		}
	}
	return ""
}

var placeholder = regexp.MustCompile(`\{[^{}]*\}`)

// Expand fills a template: {filename} is the video's name without its
// extension, {dirname} its folder's name, {date} the day it was last
// written (YYYY-MM-DD, local time).
func Expand(tmpl, video string, mod time.Time) string {
	return placeholder.ReplaceAllStringFunc(tmpl, func(p string) string {
		switch p {
		case "{filename}":
			return strings.TrimSuffix(filepath.Base(video), filepath.Ext(video))
		case "{dirname}":
			return filepath.Base(filepath.Dir(video))
		case "{date}":
			return mod.Local().Format(time.DateOnly)
		}
		return p
	})
}

// CheckTemplate reports a placeholder Expand does not know, naming the
// template (field) it is in.
func CheckTemplate(field, tmpl string) error {
	for _, p := range placeholder.FindAllString(tmpl, -1) {
		if p != "{filename}" && p != "{dirname}" && p != "{date}" {
			return fmt.Errorf("%s template: %s is not a placeholder: use {filename}, {dirname} or {date}", field, p)
		}
	}
	return nil
}

// Resolver turns videos into uploads with the settings' template and
// defaults, checking everything an upload needs before it is queued.
type Resolver struct {
	// Accounts are the destinations; each one named must exist and be
	// signed in.
	Accounts *account.Manager
	// Destinations are used when neither the sidecar nor the row names any
	// (a watch folder's, or --to); empty means the default accounts.
	Destinations []string
	// Template is the title and description of videos without a sidecar
	// or row giving them; Defaults give the other fields.
	Template persist.MetaTemplate
	Defaults persist.VideoMeta
	// CategoryNames are the creator's names of Gan Jing World's category
	// ids: a sidecar or row may give a category by name.
	CategoryNames gjw.CategoryNames
	// PosterDir keeps frames taken with ffmpeg; empty takes none.
	PosterDir string
	// Frame takes a poster frame (default core.ExtractFrame).
	Frame func(ctx context.Context, video, out string) error
}

// Item is one video resolved: the upload to queue, where its metadata and
// poster came from, and its problems (an item with problems is not queued).
type Item struct {
	Video  string
	Upload core.NewUpload
	// From names the sources of its metadata, highest first ("clip.json",
	// "list.csv row 3", "template").
	From []string
	// PosterFrom says where the poster came from, or is "" when it has none.
	PosterFrom string
	// Companions are the files that go with the video (Belongings): a
	// watch folder's --move-done moves them too.
	Companions []string
	Problems   []Problem
}

// Err is the item's problems as one error, a line each (nil when none).
func (it Item) Err() error { return Errors(it.Problems) }

// Plan is one line saying what will be queued.
func (it Item) Plan() string {
	m := it.Upload.Meta
	to := strings.Join(it.Upload.Targets, ", ")
	poster := "no poster"
	if it.Upload.ThumbnailPath != "" {
		poster = fmt.Sprintf("poster %s (%s)", filepath.Base(it.Upload.ThumbnailPath), it.PosterFrom)
	}
	return fmt.Sprintf("%s -> %s: %q (%s, %s); %s; from %s", it.Video, to, m.Title, m.Visibility, m.Lang, poster, strings.Join(it.From, ", "))
}

// Video resolves one video of a folder: its sidecar, else its row in the
// folder's manifest.csv, else the template.
func (r *Resolver) Video(ctx context.Context, video string) Item {
	var row *Fields
	var pre []Problem
	manifest := filepath.Join(filepath.Dir(video), ManifestName)
	if _, err := os.Stat(manifest); err == nil {
		rows, problems := ReadManifest(manifest)
		for _, f := range rows {
			if filepath.Clean(filepath.Join(f.dir, f.File)) == filepath.Clean(video) {
				row = f
			}
		}
		for _, p := range problems {
			if p.video == "" || p.video == filepath.Clean(video) { // the whole manifest's, or this video's row's
				pre = append(pre, p)
			}
		}
	}
	return r.resolve(ctx, video, row, pre)
}

// Manifest resolves every row of a manifest (a row's video may still have
// a sidecar, which comes first). The problems are those of rows that could
// not be read; each item has its own.
func (r *Resolver) Manifest(ctx context.Context, path string) ([]Item, []Problem) {
	rows, problems := ReadManifest(path)
	var items []Item
	for _, f := range rows {
		video := filepath.Join(f.dir, f.File)
		if abs, err := filepath.Abs(video); err == nil {
			video = abs
		}
		items = append(items, r.resolve(ctx, video, f, nil))
	}
	return items, problems
}

func (r *Resolver) resolve(ctx context.Context, video string, row *Fields, pre []Problem) Item {
	it := Item{Video: video, Problems: pre}
	vat := Problem{File: video} // problems of the video itself
	if row != nil {
		vat = row.at
		vat.Field = "file"
	}
	fi, err := core.CheckVideoFile(video)
	if err != nil {
		it.Problems = append(it.Problems, vat.with(vat.Field, err.Error()))
		return it
	}
	if !core.IsVideo(video) {
		it.Problems = append(it.Problems, vat.with(vat.Field, fmt.Sprintf("%q is not a video file (MP4, MOV, MKV, WebM, AVI…): name a video", video)))
		return it
	}
	if vat.Field == "file" {
		vat.Field = "" // past the file itself, problems are of the row
	}

	var layers []*Fields
	side, _, problems := ReadSidecar(SidecarPath(video))
	it.Problems = append(it.Problems, problems...)
	it.Companions = Belongings(video)
	if side != nil {
		layers = append(layers, side)
	}
	if row != nil {
		layers = append(layers, row)
	}
	for _, l := range layers {
		it.From = append(it.From, l.at.origin())
	}
	// pick is the first layer's non-empty value of a field.
	pick := func(get func(*Fields) string) (string, *Fields) {
		for _, l := range layers {
			if v := strings.TrimSpace(get(l)); v != "" {
				return v, l
			}
		}
		return "", nil
	}
	// at is where a problem with a field is reported: the layer that set
	// it, else the video.
	at := func(l *Fields) Problem {
		if l == nil {
			return vat
		}
		return l.at
	}

	meta := core.DefaultVideoMeta
	meta.Extras = nil
	if r.Defaults.Lang != "" {
		meta.Lang = r.Defaults.Lang
	}
	if r.Defaults.Visibility != "" {
		meta.Visibility = r.Defaults.Visibility
	}
	meta.MadeForKids = r.Defaults.MadeForKids
	fromTemplate := false
	var tl *Fields
	if meta.Title, tl = pick(func(f *Fields) string { return f.Title }); tl == nil {
		tmpl := r.Template.Title
		if strings.TrimSpace(tmpl) == "" {
			tmpl = DefaultTitle
		}
		meta.Title, fromTemplate = strings.TrimSpace(Expand(tmpl, video, fi.ModTime())), true
	}
	if _, l := pick(func(f *Fields) string { return f.Description }); l != nil {
		meta.Description = l.Description
	} else if r.Template.Description != "" {
		meta.Description, fromTemplate = Expand(r.Template.Description, video, fi.ModTime()), true
	}
	if fromTemplate {
		it.From = append(it.From, "template")
	}
	if v, l := pick(func(f *Fields) string { return f.Visibility }); l != nil {
		if v != "public" && v != "private" {
			it.Problems = append(it.Problems, at(l).with("visibility", fmt.Sprintf("%q is not allowed for videos: use public or private", v)))
		}
		meta.Visibility = v
	}
	if v, l := pick(func(f *Fields) string { return f.Language }); l != nil {
		meta.Lang = v
	}
	for _, l := range layers {
		if l.MadeForKids != nil {
			meta.MadeForKids = *l.MadeForKids
			break
		}
	}
	// Extras field by field: the settings' defaults, then the row's, then
	// the sidecar's. A category may be one of the creator's names.
	var catFrom *Fields
	extras := func(l *Fields, extras map[string]map[string]string) {
		for platform, fields := range extras {
			for field, v := range fields {
				if v = strings.TrimSpace(v); v != "" {
					meta = meta.WithExtra(platform, field, v)
					if platform == gjw.Platform && field == gjw.CategoryField {
						catFrom = l
					}
				}
			}
		}
	}
	extras(nil, r.Defaults.Extras)
	for _, l := range slices.Backward(layers) {
		extras(l, l.Extras)
	}
	if c := meta.Extra(gjw.Platform, gjw.CategoryField); c != "" {
		if err := r.CategoryNames.Check(c); err != nil {
			it.Problems = append(it.Problems, at(catFrom).with("gjw.category", err.Error()))
		}
		meta = gjw.WithCategory(meta, r.CategoryNames.ID(c))
	}
	if meta.Title == "" {
		it.Problems = append(it.Problems, at(tl).with("title", "empty: give the video a title (in its sidecar, its manifest row or the title template)"))
	}

	dests, dl := r.Destinations, (*Fields)(nil)
	for _, l := range layers {
		if len(l.Destinations) > 0 {
			dests, dl = l.Destinations, l
			break
		}
	}
	dests, platforms, problems := r.checkDestinations(dests, at(dl))
	it.Problems = append(it.Problems, problems...)

	poster, pl := pick(func(f *Fields) string { return f.Thumbnail })
	switch {
	case pl != nil:
		if !filepath.IsAbs(poster) {
			poster = filepath.Join(pl.dir, poster)
		}
		it.PosterFrom = pl.at.origin()
		if err := checkPoster(poster); err != nil {
			it.Problems = append(it.Problems, pl.at.with("thumbnail", err.Error()))
		}
	case sameNameImage(video) != "":
		poster = sameNameImage(video)
		it.PosterFrom = "same-name image"
		if err := checkPoster(poster); err != nil {
			it.Problems = append(it.Problems, Problem{File: poster, Msg: err.Error()})
		}
	case r.PosterDir != "":
		// The upload never waits for a poster: a frame, else for Gan Jing
		// World a title card (the creator can change it later).
		var err error
		if poster, err = r.frame(ctx, video, fi); err == nil {
			it.PosterFrom = "ffmpeg frame"
			break
		}
		poster = ""
		if !slices.Contains(platforms, account.GJW) {
			break // the others make their own from the video
		}
		if poster, err = r.card(video, fi, meta.Title, dests[0]); err == nil {
			it.PosterFrom = "title card"
			break
		}
		fallthrough
	default:
		poster = ""
		if slices.Contains(platforms, account.GJW) {
			name := strings.TrimSuffix(filepath.Base(video), filepath.Ext(video))
			it.Problems = append(it.Problems, vat.with("poster", fmt.Sprintf("none: put %s.jpg beside the video or name a thumbnail in its sidecar", name)))
		}
	}
	it.Upload = core.NewUpload{VideoPath: video, ThumbnailPath: poster, Meta: meta, Targets: dests}
	return it
}

// origin names where fields were read: "clip.json", "list.csv row 3".
func (p Problem) origin() string {
	s := filepath.Base(p.File)
	if p.Row != "" {
		s += " " + p.Row
	}
	return s
}

// checkDestinations checks that every account exists and is signed in,
// and returns the names (the defaults when none are given) and their
// platforms.
func (r *Resolver) checkDestinations(names []string, at Problem) ([]string, []string, []Problem) {
	if r.Accounts == nil {
		return names, nil, nil
	}
	if len(names) == 0 {
		defs, _ := r.Accounts.Defaults()
		for _, a := range defs {
			names = append(names, a.Name)
		}
		if len(names) == 0 {
			return nil, nil, []Problem{at.with("destinations", "no account to publish to: add one (gjw account add, or Account in the app)")}
		}
	}
	var platforms []string
	var problems []Problem
	for _, name := range names {
		a, ok, _ := r.Accounts.Get(name)
		if !ok {
			problems = append(problems, at.with("destinations", fmt.Sprintf("no account named %q: add it (gjw account add) or fix the name (gjw account list)", name)))
			continue
		}
		platforms = append(platforms, a.Platform)
		if !signedIn(r.Accounts, a) {
			problems = append(problems, at.with("destinations", fmt.Sprintf("account %q (%s) is not signed in: add it again (gjw account add %s ... --name %s, or Account in the app)", name, account.Title(a.Platform), a.Platform, name)))
		}
	}
	return names, platforms, problems
}

// signedIn reports whether a's secrets are stored: a GJW session, or every
// key its platform needs.
func signedIn(m *account.Manager, a account.Account) bool {
	if a.Platform == account.GJW {
		_, ok, err := m.GJWCredentials(a.Name).Credentials()
		return ok && err == nil
	}
	s, err := m.Secret(a.Name)
	if err != nil {
		return false
	}
	for _, k := range account.SecretFields(a.Platform) {
		if s[k] == "" {
			return false
		}
	}
	return true
}

// checkPoster checks that p is a picture the platforms take, decoded in
// full (a truncated file fails here, not at upload).
func checkPoster(p string) error {
	if err := gjw.ValidateImage(p); err != nil {
		return err
	}
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("image %q cannot be read: check its permissions", p)
	}
	defer f.Close()
	if _, _, err := image.Decode(f); err != nil {
		return fmt.Errorf("image %q is damaged (%v): choose another file", p, err)
	}
	return nil
}

// frame takes (or reuses) the poster frame of video, named after the
// video's path, size and time, so a dry run's frame serves the real run.
func (r *Resolver) frame(ctx context.Context, video string, fi os.FileInfo) (string, error) {
	out, ok, err := r.posterFile("frame", video, fi)
	if ok || err != nil {
		return out, err
	}
	take := r.Frame
	if take == nil {
		take = core.ExtractFrame
	}
	if err := take(ctx, video, out); err != nil {
		return "", err
	}
	return out, nil
}

// card draws (or reuses) a title card for video: its title and channel on
// a plain background.
func (r *Resolver) card(video string, fi os.FileInfo, title, channel string) (string, error) {
	out, ok, err := r.posterFile("card", video, fi)
	if ok || err != nil {
		return out, err
	}
	return out, core.TitleCard(out, title, channel)
}

// posterFile is where the kind ("frame", "card") of poster of video goes,
// named after the video's path, size and time; ok when a valid one is
// already there.
func (r *Resolver) posterFile(kind, video string, fi os.FileInfo) (out string, ok bool, err error) {
	sum := sha256.Sum256([]byte(video + "\x00" + strconv.FormatInt(fi.Size(), 10) + "\x00" + strconv.FormatInt(fi.ModTime().UnixNano(), 10)))
	out = filepath.Join(r.PosterDir, kind+"-"+hex.EncodeToString(sum[:8])+".jpg")
	if gjw.ValidateImage(out) == nil {
		return out, true, nil
	}
	return out, false, os.MkdirAll(r.PosterDir, 0o700)
}
