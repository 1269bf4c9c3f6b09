package article

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Defaults for the fields the creator may leave empty.
const (
	DefaultCategory   = "cat22"
	DefaultLang       = "en-US"
	DefaultVisibility = "public"
)

// Visibilities are the values the guide allows for an article.
var Visibilities = []string{"public", "unlisted", "private"}

// NewsURL is where a published article can be read.
func NewsURL(contentID string) string { return "https://www.ganjingworld.com/news/" + contentID }

// NewDraftID returns a random draft ID.
func NewDraftID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// NewDraft returns an empty draft with a fresh ID and the defaults.
func NewDraft(now time.Time) persist.Draft {
	return WithDefaults(persist.Draft{ID: NewDraftID(), CreatedAt: now, UpdatedAt: now})
}

// WithDefaults fills in the category, language and visibility when empty.
func WithDefaults(d persist.Draft) persist.Draft {
	if strings.TrimSpace(d.Category) == "" {
		d.Category = DefaultCategory
	}
	if strings.TrimSpace(d.Lang) == "" {
		d.Lang = DefaultLang
	}
	if strings.TrimSpace(d.Visibility) == "" {
		d.Visibility = DefaultVisibility
	}
	return d
}

// IsArticleFile reports whether path names a Markdown or HTML file that
// DraftFromFile can import.
func IsArticleFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".md", ".markdown", ".html", ".htm":
		return true
	}
	return false
}

// IsImageFile reports whether path has the extension of an image the
// image CDN accepts (JPEG, PNG, GIF, WebP). The content is checked when it
// is uploaded.
func IsImageFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp":
		return true
	}
	return false
}

// IsMarkdown reports whether d is written in Markdown.
func IsMarkdown(d persist.Draft) bool { return d.Format == persist.FormatMarkdown }

// Source is d's body as the creator writes it: its Markdown, or its HTML.
func Source(d persist.Draft) string {
	if IsMarkdown(d) {
		return d.Markdown
	}
	return d.HTML
}

// SetSource sets d's body as written, in d's format.
func SetSource(d *persist.Draft, src string) {
	if IsMarkdown(*d) {
		d.Markdown = src
	} else {
		d.HTML = src
	}
}

// Body is d's body in the subset, as it is sent: Markdown through
// FromMarkdown, HTML through Sanitize.
func Body(d persist.Draft) (string, error) {
	if IsMarkdown(d) {
		return FromMarkdown(d.Markdown)
	}
	return Sanitize(d.HTML), nil
}

// SetMarkdown switches d to Markdown (on) or HTML (off), converting its
// body. HTML becomes Markdown with ToMarkdown, which loses nothing;
// Markdown becomes the subset's HTML, so headings and lists become the
// platform's paragraphs.
func SetMarkdown(d *persist.Draft, on bool) error {
	switch {
	case on == IsMarkdown(*d):
	case on:
		d.Format, d.Markdown, d.HTML = persist.FormatMarkdown, ToMarkdown(d.HTML), ""
	default:
		body, err := FromMarkdown(d.Markdown)
		if err != nil {
			return err
		}
		d.Format, d.Markdown, d.HTML = "", "", body
	}
	return nil
}

// ReadFile sets d's body from a Markdown (.md, .markdown) or HTML (.html,
// .htm) file: a Markdown draft with the file's text, or an HTML draft with
// it sanitized. BaseDir becomes the file's folder, so that relative image
// paths resolve.
func ReadFile(d *persist.Draft, path string) error {
	if !IsArticleFile(path) {
		return fmt.Errorf("%s is not an article: use a .md, .markdown, .html or .htm file", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("article %s cannot be read: %w", path, unwrapPathErr(err))
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	d.BaseDir = filepath.Dir(abs)
	switch strings.ToLower(filepath.Ext(path)) {
	case ".md", ".markdown":
		d.Format, d.Markdown, d.HTML = persist.FormatMarkdown, string(data), ""
	default:
		d.Format, d.Markdown, d.HTML = "", "", Sanitize(string(data))
	}
	return nil
}

// DraftFromFile makes a new draft from a Markdown or HTML file (see
// ReadFile). A Markdown file's title is its first heading, which leaves
// the body when it is the first thing in it; otherwise the title is the
// file name without the extension.
func DraftFromFile(path string, now time.Time) (persist.Draft, error) {
	d := NewDraft(now)
	if err := ReadFile(&d, path); err != nil {
		return persist.Draft{}, err
	}
	d.Title = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if IsMarkdown(d) {
		if title, body := TitleFromMarkdown(d.Markdown); title != "" {
			d.Title, d.Markdown = title, body
		}
	}
	return d, nil
}

// Duplicate returns a copy of d as a new, unpublished draft.
func Duplicate(d persist.Draft, now time.Time) persist.Draft {
	c := d
	c.ID = NewDraftID()
	c.Title = strings.TrimSpace(d.Title + " (copy)")
	c.Hashtags = append([]string(nil), d.Hashtags...)
	c.Keywords = append([]string(nil), d.Keywords...)
	c.ContentID, c.PublishedAt = "", time.Time{}
	c.CreatedAt, c.UpdatedAt = now, now
	return c
}

// unwrapPathErr drops the *PathError's repetition of the path.
func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
