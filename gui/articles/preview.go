package articles

import (
	"context"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // decoders for previewed pictures
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	_ "golang.org/x/image/webp"

	"github.com/gjw-uploader/gjw-uploader/core/article"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
)

// previewWidth is the widest an image is shown in the preview.
const previewWidth = 480

// preview renders the sanitized article with Fyne widgets: runs of
// paragraphs as RichText (bold, italic, underline, links), images as
// canvas.Image. Pictures are read (local files) or fetched (CDN URLs) off
// the UI goroutine and cached; until then a placeholder with the alt text
// stands in.
type preview struct {
	v      *View
	box    *fyne.Container
	scroll *container.Scroll

	html, base string
	images     map[string]*loaded // by file path or URL; nil while loading
	pending    []pendingLoad      // found by the current show
}

type pendingLoad struct {
	key    string
	remote bool
}

type loaded struct {
	img image.Image
	err error
}

func newPreview(v *View) *preview {
	p := &preview{v: v, box: container.NewVBox(), images: map[string]*loaded{}}
	// Scrolling both ways, a wide picture never widens the preview's side
	// of the split (a vertical scroll is as wide as its content).
	p.scroll = container.NewScroll(p.box)
	return p
}

// show renders src (the draft's HTML; base resolves relative image paths).
// Each paragraph is its own RichText, so paragraphs stand apart as on the
// site; a spacer is an empty line's height.
func (p *preview) show(src, base string) {
	p.html, p.base = src, base
	p.pending = p.pending[:0]
	var objs []fyne.CanvasObject
	for _, b := range article.Parse(src) {
		switch {
		case b.Image != nil:
			objs = append(objs, p.image(*b.Image))
		case len(b.Runs) == 0:
			gap := canvas.NewRectangle(color.Transparent)
			gap.SetMinSize(fyne.NewSize(1, theme.TextSize()))
			objs = append(objs, gap)
		default:
			rt := widget.NewRichText(paragraph(b.Runs))
			rt.Wrapping = fyne.TextWrapWord
			objs = append(objs, rt)
		}
	}
	p.box.Objects = objs
	p.box.Refresh()
	for _, l := range p.pending { // after the widgets are done with
		p.load(l.key, l.remote)
	}
}

// paragraph is one block of runs.
func paragraph(runs []article.Run) widget.RichTextSegment {
	para := &widget.ParagraphSegment{}
	for _, r := range runs {
		if r.Link != "" {
			if u, err := url.Parse(r.Link); err == nil {
				para.Texts = append(para.Texts, &widget.HyperlinkSegment{Text: r.Text, URL: u})
				continue
			}
		}
		style := widget.RichTextStyleInline
		style.TextStyle = fyne.TextStyle{Bold: r.Bold, Italic: r.Italic, Underline: r.Underline}
		para.Texts = append(para.Texts, &widget.TextSegment{Style: style, Text: r.Text})
	}
	return para
}

// image returns the picture for ref, or a placeholder while it loads.
func (p *preview) image(ref article.ImageRef) fyne.CanvasObject {
	label := func(format string, args ...any) fyne.CanvasObject {
		l := widget.NewLabel(fmt.Sprintf(format, args...))
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.LowImportance
		return l
	}
	name := ref.Alt
	if name == "" {
		name = filepath.Base(ref.Src)
	}
	key, remote := "", article.IsRemote(ref.Src)
	if remote {
		if !article.IsCDNURL(p.v.deps.Engine.Client().Hosts.Image, ref.Src) {
			return label("[Image %s is on another site: it will be refused when publishing. Insert the file instead.]", ref.Src)
		}
		if u, err := url.Parse(ref.Src); err != nil || !article.IsImageFile(u.Path) {
			// Likely a URL still being typed: fetch nothing yet.
			return label("[Image: %s]", name)
		}
		key = ref.Src
	} else {
		path, ok := article.LocalPath(ref.Src)
		if !ok {
			return label("[Image %q: not a usable source]", ref.Src)
		}
		if !filepath.IsAbs(path) {
			if p.base == "" {
				return label("[Image %q: a relative path, but the draft has no folder]", ref.Src)
			}
			path = filepath.Join(p.base, path)
		}
		key = path
	}
	l, ok := p.images[key]
	switch {
	case !ok:
		p.images[key] = nil // loading
		p.pending = append(p.pending, pendingLoad{key, remote})
		return label("[Loading image: %s]", name)
	case l == nil:
		return label("[Loading image: %s]", name)
	case l.err != nil:
		return label("[Image %s: %v]", name, l.err)
	}
	img := canvas.NewImageFromImage(l.img)
	img.FillMode = canvas.ImageFillContain
	b := l.img.Bounds()
	w := float32(min(b.Dx(), previewWidth))
	img.SetMinSize(fyne.NewSize(w, w*float32(b.Dy())/float32(max(b.Dx(), 1))))
	return img
}

// load reads or fetches one picture off the UI goroutine, then renders
// the preview again.
func (p *preview) load(key string, remote bool) {
	ctx := p.v.ctx
	client := p.v.deps.Engine.Client().HTTP
	if client == nil {
		client = httpx.Client()
	}
	p.v.bg(func() {
		img, err := loadImage(ctx, client, key, remote)
		p.v.do(func() {
			p.images[key] = &loaded{img: img, err: err}
			p.show(p.html, p.base)
		})
	})
}

func loadImage(ctx context.Context, client *http.Client, key string, remote bool) (image.Image, error) {
	var r io.Reader
	if remote {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, key, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("not reachable")
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("the CDN answered %s", resp.Status)
		}
		r = io.LimitReader(resp.Body, 50<<20)
	} else {
		f, err := os.Open(key)
		if err != nil {
			return nil, fmt.Errorf("%s cannot be read", key)
		}
		defer f.Close()
		r = f
	}
	img, _, err := image.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("not a JPEG, PNG, GIF or WebP picture")
	}
	return img, nil
}
