package articles

import (
	"html"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core/article"
)

// Writing modes, as the mode switch names them.
const (
	modeMarkdown = "Markdown"
	modeHTML     = "HTML"
)

// sourceEntry is the body editor. In Markdown mode Enter starts a new
// paragraph (a blank line, as Markdown separates paragraphs), and
// Shift+Enter a new line in the same one.
type sourceEntry struct {
	widget.Entry
	markdown func() bool
	shift    bool
}

func newSourceEntry(markdown func() bool) *sourceEntry {
	e := &sourceEntry{markdown: markdown}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	return e
}

func (e *sourceEntry) TypedKey(k *fyne.KeyEvent) {
	if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && !e.shift && e.markdown() && !e.Disabled() {
		before := []rune(e.Text)[:e.CursorTextOffset()]
		brk := "\n\n"
		if len(before) > 0 && before[len(before)-1] == '\n' {
			brk = "\n" // at a line's start: one more makes the blank line
		}
		e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: textClipboard(brk)})
		return
	}
	e.Entry.TypedKey(k)
}

func (e *sourceEntry) KeyDown(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = true
	}
	e.Entry.KeyDown(k)
}

func (e *sourceEntry) KeyUp(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = false
	}
	e.Entry.KeyUp(k)
}

// markup is what the toolbar inserts in one writing mode: the text before
// and after the selection for a paragraph, bold, italic and underline, and
// how a link and an image are written.
type markup struct {
	para, bold, italic, under [2]string
	link                      func(href, text string) string
	image                     func(src, alt string) string
	// escape makes plain text (a link's address as its text) safe.
	escape func(string) string
}

var (
	htmlMarkup = markup{
		para: [2]string{`<p style="margin-left:0px;">`, "</p>"}, bold: [2]string{"<strong>", "</strong>"},
		italic: [2]string{"<em>", "</em>"}, under: [2]string{"<u>", "</u>"},
		link: linkTag, image: imgTag, escape: html.EscapeString,
	}
	// Markdown has no underline: <u> is HTML, which Markdown keeps.
	markdownMarkup = markup{
		para: [2]string{"\n\n", "\n\n"}, bold: [2]string{"**", "**"},
		italic: [2]string{"*", "*"}, under: [2]string{"<u>", "</u>"},
		link: article.MarkdownLink, image: article.MarkdownImage, escape: func(s string) string { return s },
	}
)

// markupOf is the markup for a draft written in Markdown (md) or HTML.
func markupOf(md bool) markup {
	if md {
		return markdownMarkup
	}
	return htmlMarkup
}
