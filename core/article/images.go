package article

import (
	"errors"
	"fmt"
)

// ErrBadImageSource is returned by RewriteImages when the rewrite function
// returns something that cannot be an image source.
var ErrBadImageSource = errors.New("article: unusable image source")

// Images returns the src of every image of the sanitized article, in
// document order, without duplicates. Sources Sanitize would drop (data:,
// javascript:, ...) are not returned; the others are in their canonical
// form (see LocalPath and IsRemote to tell local files from URLs).
func Images(html string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range sanitizeDoc(html) {
		for _, it := range p {
			if it.img != nil && !seen[it.img.Src] {
				seen[it.img.Src] = true
				out = append(out, it.img.Src)
			}
		}
	}
	return out
}

// RewriteImages sanitizes html and replaces the src of each image by
// rewrite(src), calling rewrite once per distinct src in document order.
// It stops at the first error and returns it wrapped with the src. A
// result that is not a usable image source is an error matching
// ErrBadImageSource. The output is in the subset.
func RewriteImages(html string, rewrite func(src string) (string, error)) (string, error) {
	doc := sanitizeDoc(html)
	done := map[string]string{}
	for _, p := range doc {
		for i := range p {
			img := p[i].img
			if img == nil {
				continue
			}
			to, ok := done[img.Src]
			if !ok {
				v, err := rewrite(img.Src)
				if err != nil {
					return "", fmt.Errorf("article: image %q: %w", img.Src, err)
				}
				c, valid := cleanSrc(v)
				if !valid {
					return "", fmt.Errorf("%w: image %q rewritten to %q", ErrBadImageSource, img.Src, v)
				}
				done[img.Src], to = c, c
			}
			cp := *img
			cp.Src = to
			p[i].img = &cp
		}
	}
	return Sanitize(render(doc)), nil
}
