package article

import (
	"bytes"
	"fmt"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
)

// FromMarkdown converts Markdown (CommonMark plus the GitHub extensions:
// tables, strikethrough, autolinks, task lists) to the subset. goldmark
// renders ordinary HTML and Sanitize maps it: headings become bold
// paragraphs, list items "• " or "1. " paragraphs, code plain text, hard
// breaks new paragraphs. There is no typographer (quotes and dashes stay
// as typed). Raw HTML in the Markdown is passed to Sanitize rather than
// omitted, since Sanitize is the gate anyway and <u> has no Markdown
// syntax.
func FromMarkdown(md string) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("article: markdown: %v", r)
		}
	}()
	conv := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
	)
	var buf bytes.Buffer
	if err := conv.Convert([]byte(md), &buf); err != nil {
		return "", fmt.Errorf("article: markdown: %w", err)
	}
	return Sanitize(buf.String()), nil
}
