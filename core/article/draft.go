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

// BodyFromFile reads a Markdown (.md, .markdown) or HTML (.html, .htm)
// file and returns its body in the subset: Markdown through FromMarkdown,
// HTML through Sanitize. Local image paths in it stay relative to the
// file's folder.
func BodyFromFile(path string) (string, error) {
	if !IsArticleFile(path) {
		return "", fmt.Errorf("%s is not an article: use a .md, .markdown, .html or .htm file", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("article %s cannot be read: %w", path, unwrapPathErr(err))
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".md", ".markdown":
		return FromMarkdown(string(data))
	}
	return Sanitize(string(data)), nil
}

// DraftFromFile makes a new draft from a Markdown or HTML file (see
// BodyFromFile). Its title is the file name without the extension, and its
// BaseDir the file's folder, so relative image paths resolve.
func DraftFromFile(path string, now time.Time) (persist.Draft, error) {
	body, err := BodyFromFile(path)
	if err != nil {
		return persist.Draft{}, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return persist.Draft{}, err
	}
	d := NewDraft(now)
	d.Title = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	d.HTML = body
	d.BaseDir = filepath.Dir(abs)
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
