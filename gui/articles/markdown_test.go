package articles

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core/article"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// findEntry finds the first entry under o (a dialog's form field).
func findEntry(o fyne.CanvasObject) *widget.Entry {
	switch x := o.(type) {
	case *widget.Entry:
		return x
	case *fyne.Container:
		for _, c := range x.Objects {
			if e := findEntry(c); e != nil {
				return e
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			if e := findEntry(c); e != nil {
				return e
			}
		}
	}
	return nil
}

// press sends a key to whatever has the keyboard focus, as the window does.
func (f *fixture) press(t *testing.T, k fyne.KeyName) {
	t.Helper()
	focused := f.win.Canvas().Focused()
	if focused == nil {
		t.Fatal("nothing has the keyboard focus")
	}
	focused.TypedKey(&fyne.KeyEvent{Name: k})
}

// boldTexts are the bold text segments of the preview.
func boldTexts(v *View) []string {
	var out []string
	for _, p := range previewParagraphs(v) {
		for _, s := range p {
			if ts, ok := s.(*widget.TextSegment); ok && ts.Style.TextStyle.Bold {
				out = append(out, ts.Text)
			}
		}
	}
	return out
}

// Issue 13: a writer writes in Markdown: a new draft is in Markdown, the
// placeholder is plain words, Enter makes a paragraph, the toolbar and a
// dropped picture insert Markdown, and the article is sent in the
// platform's HTML.
func TestArticleMarkdownWriting(t *testing.T) {
	f := newFixture(t)
	v := f.v
	test.Tap(v.newBtn)
	if v.mode.Selected != modeMarkdown || !article.IsMarkdown(v.current.Draft()) {
		t.Fatalf("a new draft is written in %q (format %q)", v.mode.Selected, v.current.Draft().Format)
	}
	if ph := v.source.PlaceHolder; strings.ContainsAny(ph, "<>") || !strings.HasPrefix(ph, "Write your article here") {
		t.Fatalf("placeholder %q", ph)
	}

	f.win.Canvas().Focus(v.source)
	test.Type(v.source, "The first paragraph.")
	f.press(t, fyne.KeyReturn)
	test.Type(v.source, "A second one")
	// Shift+Enter: a new line in the same paragraph.
	v.source.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	f.press(t, fyne.KeyReturn)
	v.source.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	test.Type(v.source, "goes on.")
	want := "The first paragraph.\n\nA second one\ngoes on."
	if d := v.current.Draft(); v.source.Text != want || d.Markdown != want || d.HTML != "" {
		t.Fatalf("source %q, draft %+v", v.source.Text, d)
	}
	if got := previewText(v); got != "The first paragraph.\nA second one goes on.\n" {
		t.Fatalf("preview %q", got)
	}
	// Enter at the start of a line adds just the blank line.
	f.press(t, fyne.KeyReturn)
	f.press(t, fyne.KeyReturn)
	if !strings.HasSuffix(v.source.Text, "goes on.\n\n\n") {
		t.Fatalf("two Enters: %q", v.source.Text)
	}
	v.source.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})

	// The toolbar writes Markdown.
	test.Type(v.source, "Words")
	selectLeft(v.source, 5)
	test.Tap(v.boldBtn)
	test.Type(v.source, " and ")
	test.Tap(v.italicBtn)
	test.Type(v.source, "more")
	key(v.source, fyne.KeyRight, 1)
	test.Tap(v.underBtn)
	test.Type(v.source, "u")
	key(v.source, fyne.KeyEnd, 1)
	test.Type(v.source, " site")
	selectLeft(v.source, 4)
	test.Tap(v.linkBtn)
	form := f.win.Canvas().Overlays().Top()
	addr, insert := findEntry(form), findButton(form, "Insert")
	if addr == nil || insert == nil {
		t.Fatal("no link dialog")
	}
	test.Type(addr, "https://example.com/a b")
	test.Tap(insert)
	body := "**Words** and *more*<u>u</u> [site](<https://example.com/a b>)"
	if !strings.HasSuffix(v.source.Text, "\n\n"+body) {
		t.Fatalf("after the toolbar: %q", v.source.Text)
	}
	if b := boldTexts(v); len(b) != 1 || b[0] != "Words" {
		t.Fatalf("bold in the preview: %q", b)
	}

	// A dropped picture goes in as a Markdown image at the cursor.
	key(v.source, fyne.KeyHome, 1)
	pic := f.png(t, "my pic.png", 1)
	v.Drop([]string{pic})
	v.wait()
	imgs := article.Images(mustBody(t, v.current.Draft()))
	if len(imgs) != 1 || !article.IsCDNURL(f.env.Hosts.Image, imgs[0]) {
		t.Fatalf("images %q in %q", imgs, v.source.Text)
	}
	if !strings.Contains(v.source.Text, "\n\n![my pic]("+imgs[0]+")"+body) || previewImages(v) != 1 {
		t.Fatalf("after the drop: %q (%d images in the preview)", v.source.Text, previewImages(v))
	}

	// Published: the platform gets its HTML subset.
	test.Type(v.title, "Markdown from the GUI")
	v.poster.SetText(f.png(t, "cover.png", 2))
	test.Tap(v.publishBtn)
	v.wait()
	d := v.current.Draft()
	if d.ContentID == "" {
		t.Fatalf("not published: %q", v.status.Text)
	}
	c, _ := f.env.Sandbox.Content(d.ContentID)
	text := c.Fields["meta"].(map[string]any)["text"].(string)
	sent, _ := article.FromMarkdown(d.Markdown)
	if text != sent || !strings.Contains(text, "<strong>Words</strong> and <em>more</em><u>u</u>") ||
		strings.Count(text, "<p ") != 3 || !article.IsMarkdown(d) {
		t.Fatalf("meta.text %s\nwant %s", text, sent)
	}

	// Close stores the Markdown; a new view opens it in Markdown again.
	v.Close()
	stored, _, _ := f.db.Draft(d.ID)
	if stored.Format != persist.FormatMarkdown || stored.Markdown != d.Markdown || stored.HTML != "" {
		t.Fatalf("stored %+v", stored)
	}
	v2 := New(f.win, Deps{Engine: f.env.Engine(f.db), DB: f.db})
	defer v2.Close()
	v2.wait()
	v2.list.Select(0)
	if v2.mode.Selected != modeMarkdown || v2.source.Text != d.Markdown {
		t.Fatalf("reopened in %s: %q", v2.mode.Selected, v2.source.Text)
	}
}

func mustBody(t *testing.T, d persist.Draft) string {
	t.Helper()
	b, err := article.Body(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Switching modes converts the body: to HTML after a confirmation (No
// keeps the Markdown), back to Markdown at once and losing nothing.
func TestArticleSwitchMarkdownAndHTML(t *testing.T) {
	f := newFixture(t)
	v := f.v
	test.Tap(v.newBtn)
	test.Type(v.source, "# Big news\n\nA **bold** claim.\n\n- one\n- two")
	md := v.source.Text

	v.mode.SetSelected(modeHTML) // as a tap on it does
	no := findButton(f.win.Canvas().Overlays().Top(), "No")
	if no == nil {
		t.Fatal("no confirmation before Markdown becomes HTML")
	}
	test.Tap(no)
	if v.mode.Selected != modeMarkdown || v.source.Text != md || !article.IsMarkdown(v.current.Draft()) {
		t.Fatalf("after No: mode %s, source %q", v.mode.Selected, v.source.Text)
	}

	v.mode.SetSelected(modeHTML)
	test.Tap(findButton(f.win.Canvas().Overlays().Top(), "Yes"))
	html, _ := article.FromMarkdown(md)
	if d := v.current.Draft(); v.source.Text != html || d.HTML != html || d.Markdown != "" || article.IsMarkdown(d) {
		t.Fatalf("after Yes: source %q, draft %+v", v.source.Text, d)
	}
	test.Tap(v.boldBtn) // the toolbar writes HTML now
	if !strings.HasSuffix(v.source.Text, "<strong></strong>") {
		t.Fatalf("bold in HTML mode: %q", v.source.Text)
	}
	v.source.SetText(html)

	v.mode.SetSelected(modeMarkdown)
	if top := f.win.Canvas().Overlays().Top(); top != nil && findButton(top, "Yes") != nil {
		t.Fatal("HTML to Markdown asked for a confirmation; it loses nothing")
	}
	back := "**Big news**\n\nA **bold** claim.\n\n• one\n\n• two"
	if d := v.current.Draft(); v.source.Text != back || d.Markdown != back || !article.IsMarkdown(d) {
		t.Fatalf("back in Markdown: %q", v.source.Text)
	}
	if again, _ := article.FromMarkdown(v.source.Text); again != html {
		t.Fatalf("the Markdown reads differently: %s\nwant %s", again, html)
	}
}
