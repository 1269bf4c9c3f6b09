package articles

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core/article"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

type fixture struct {
	v   *View
	win fyne.Window
	env *sandboxtest.Env
	db  *persist.DB
	dir string
}

// uiQueue stands in for the UI goroutine's queue: View.do posts here from
// background goroutines, and wait runs the posted functions on the test
// goroutine, as the real driver runs them on its main goroutine.
var uiQueue struct {
	sync.Mutex
	fns []func()
}

func queuePost(fn func()) {
	uiQueue.Lock()
	uiQueue.fns = append(uiQueue.fns, fn)
	uiQueue.Unlock()
}

// wait runs posted functions until v has no background work left.
func (v *View) wait() {
	for {
		idle := v.active.Load() == 0 // posts happen before a goroutine ends
		uiQueue.Lock()
		fns := uiQueue.fns
		uiQueue.fns = nil
		uiQueue.Unlock()
		for _, fn := range fns {
			fn()
		}
		if idle && len(fns) == 0 {
			return
		}
		if len(fns) == 0 {
			time.Sleep(time.Millisecond)
		}
	}
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	old, oldPost := autosaveDelay, post
	autosaveDelay = time.Hour // no timer saves while the test looks at widgets; Close saves
	post = queuePost
	t.Cleanup(func() { autosaveDelay, post = old, oldPost })
	// The test theme has fonts for a few exact styles only; underlined text
	// needs one that maps any style, as the built-in theme does.
	test.NewTempApp(t).Settings().SetTheme(theme.DefaultTheme())
	env := sandboxtest.New(t)
	db := env.Store(t)
	win := test.NewTempWindow(t, widget.NewLabel(""))
	v := New(win, Deps{Ctx: context.Background(), Engine: env.Engine(db), DB: db})
	t.Cleanup(func() { v.Close(); v.wait() }) // before the DB closes (cleanups run last first)
	v.wait()                                  // the test driver's fyne.Do runs on the loading goroutine
	win.SetContent(v.Content())
	win.Resize(fyne.NewSize(1200, 800))
	return &fixture{v: v, win: win, env: env, db: db, dir: t.TempDir()}
}

func (f *fixture) png(t *testing.T, name string, seed int) string {
	return sandboxtest.WritePNG(t, filepath.Join(f.dir, name), seed)
}

// keyed is an entry that takes key presses.
type keyed interface {
	desktop.Keyable
	TypedKey(*fyne.KeyEvent)
}

// selectLeft selects n runes to the left of the cursor, as shift+← does.
func selectLeft(e keyed, n int) {
	e.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	for range n {
		e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
	}
	e.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
}

func selectRight(e keyed, n int) {
	e.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	for range n {
		e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	}
	e.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
}

func key(e keyed, k fyne.KeyName, n int) {
	for range n {
		e.TypedKey(&fyne.KeyEvent{Name: k})
	}
}

// previewParagraphs are the segments of every RichText paragraph in the
// preview, a slice each.
func previewParagraphs(v *View) [][]widget.RichTextSegment {
	var out [][]widget.RichTextSegment
	for _, o := range v.preview.box.Objects {
		rt, ok := o.(*widget.RichText)
		if !ok {
			continue
		}
		for _, seg := range rt.Segments {
			if p, ok := seg.(*widget.ParagraphSegment); ok {
				out = append(out, p.Texts)
			} else {
				out = append(out, []widget.RichTextSegment{seg})
			}
		}
	}
	return out
}

// previewText is the text of every RichText in the preview.
func previewText(v *View) string {
	var b strings.Builder
	for _, p := range previewParagraphs(v) {
		for _, s := range p {
			b.WriteString(s.Textual())
		}
		b.WriteString("\n")
	}
	return b.String()
}

func previewImages(v *View) int {
	n := 0
	for _, o := range v.preview.box.Objects {
		if _, ok := o.(*canvas.Image); ok {
			n++
		}
	}
	return n
}

// findButton finds a button by its label anywhere under o.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	switch x := o.(type) {
	case *widget.Button:
		if x.Text == text {
			return x
		}
	case *fyne.Container:
		for _, c := range x.Objects {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
	}
	return nil
}

func TestArticleEditorTypingAndToolbar(t *testing.T) {
	f := newFixture(t)
	v := f.v
	if v.editor.Visible() || !v.publishBtn.Disabled() {
		t.Fatal("the editor shows without a draft")
	}
	test.Tap(v.newBtn)
	if v.current == nil || !v.editor.Visible() || len(v.drafts) != 1 {
		t.Fatal("New did not open a draft")
	}
	v.mode.SetSelected(modeHTML) // as a tap on it does
	test.Type(v.title, "My article")
	test.Type(v.source, "Hello world")
	if d := v.current.Draft(); d.Title != "My article" || d.HTML != "Hello world" || !v.current.Dirty() {
		t.Fatalf("draft after typing: %+v", d)
	}
	if !strings.Contains(previewText(v), "Hello world") {
		t.Fatalf("preview %q", previewText(v))
	}
	if got := v.list.Length(); got != 1 || listLabel(v.draftAt(0)) != "My article" {
		t.Fatalf("list %d %q", got, listLabel(v.draftAt(0)))
	}

	// Select "world" (cursor at the end, selecting leftwards) and embolden it.
	selectLeft(v.source, 5)
	if v.source.SelectedText() != "world" {
		t.Fatalf("selected %q", v.source.SelectedText())
	}
	test.Tap(v.boldBtn)
	if v.source.Text != "Hello <strong>world</strong>" || v.current.Draft().HTML != v.source.Text {
		t.Fatalf("after bold: %q", v.source.Text)
	}
	// Select "Hello" from the start, rightwards, and make it italic.
	key(v.source, fyne.KeyHome, 1)
	selectRight(v.source, 5)
	test.Tap(v.italicBtn)
	if v.source.Text != "<em>Hello</em> <strong>world</strong>" {
		t.Fatalf("after italic: %q", v.source.Text)
	}
	// No selection: the tags go in with the cursor between them.
	key(v.source, fyne.KeyEnd, 1)
	test.Tap(v.underBtn)
	test.Type(v.source, "!")
	if v.source.Text != "<em>Hello</em> <strong>world</strong><u>!</u>" {
		t.Fatalf("after underline: %q", v.source.Text)
	}
	// Select all, make it a paragraph.
	v.source.TypedShortcut(&fyne.ShortcutSelectAll{})
	test.Tap(v.paraBtn)
	want := `<p style="margin-left:0px;"><em>Hello</em> <strong>world</strong><u>!</u></p>`
	if v.source.Text != want || v.current.Draft().HTML != want {
		t.Fatalf("after paragraph: %q", v.source.Text)
	}
	// The preview renders the styles.
	var bold, italic, under bool
	for _, p := range previewParagraphs(v) {
		for _, s := range p {
			if ts, ok := s.(*widget.TextSegment); ok {
				bold = bold || (ts.Text == "world" && ts.Style.TextStyle.Bold)
				italic = italic || (ts.Text == "Hello" && ts.Style.TextStyle.Italic)
				under = under || (ts.Text == "!" && ts.Style.TextStyle.Underline)
			}
		}
	}
	if !bold || !italic || !under {
		t.Fatalf("preview styles bold %v italic %v underline %v", bold, italic, under)
	}
	// A link around a selection, as the link dialog's Insert does.
	key(v.source, fyne.KeyEnd, 1)
	v.insertText(linkTag("https://example.com/?a=1&b=2", "site"))
	if !strings.HasSuffix(v.source.Text, `<a target="_blank" rel="noopener noreferrer" href="https://example.com/?a=1&amp;b=2">site</a>`) {
		t.Fatalf("link: %q", v.source.Text)
	}
	if _, err := checkLink("javascript:alert(1)"); err == nil {
		t.Fatal("javascript: link accepted")
	}
	if u, err := checkLink("example.com/x"); err != nil || u != "https://example.com/x" {
		t.Fatalf("checkLink: %q %v", u, err)
	}

	// Close saves what the (hour-long) autosave has not.
	id := v.current.Draft().ID
	v.Close()
	d, ok, err := f.db.Draft(id)
	if err != nil || !ok || d.Title != "My article" || !strings.Contains(d.HTML, "<strong>world</strong>") {
		t.Fatalf("saved on Close: %+v %v %v", d, ok, err)
	}
}

func TestArticleDropImageInsertsAtCursor(t *testing.T) {
	f := newFixture(t)
	v := f.v
	test.Tap(v.newBtn)
	v.mode.SetSelected(modeHTML)
	test.Type(v.source, "<p>Before</p><p>After</p>")
	key(v.source, fyne.KeyLeft, len("<p>After</p>"))
	pic := f.png(t, "my pic.png", 1)

	v.Drop([]string{pic})
	v.wait()
	if st := f.env.Sandbox.Stats(); st.Images != 1 {
		t.Fatalf("images uploaded: %d", st.Images)
	}
	imgs := article.Images(v.source.Text)
	if len(imgs) != 1 || !article.IsCDNURL(f.env.Hosts.Image, imgs[0]) || !strings.HasSuffix(imgs[0], "/960.webp") {
		t.Fatalf("source %q", v.source.Text)
	}
	want := `<p>Before</p><img src="` + imgs[0] + `" alt="my pic" /><p>After</p>`
	if v.source.Text != want || v.current.Draft().HTML != want {
		t.Fatalf("source %q, want %q", v.source.Text, want)
	}
	if n := previewImages(v); n != 1 {
		t.Fatalf("preview shows %d images; objects %#v", n, v.preview.box.Objects)
	}
	// The cursor is after the inserted tag: typing goes there.
	test.Type(v.source, "X")
	if !strings.Contains(v.source.Text, `/>X<p>After</p>`) {
		t.Fatalf("cursor after insert: %q", v.source.Text)
	}

	// The same picture again is not uploaded again.
	v.Drop([]string{pic})
	v.wait()
	if st := f.env.Sandbox.Stats(); st.Images != 1 || len(article.Images(v.source.Text)) != 1 || strings.Count(v.source.Text, "<img") != 2 {
		t.Fatalf("second drop: %d uploads, %q", st.Images, v.source.Text)
	}

	// With the poster field focused, a dropped image becomes the poster.
	poster := f.png(t, "cover.png", 2)
	f.win.Canvas().Focus(v.poster)
	v.Drop([]string{poster})
	v.wait()
	if v.poster.Text != poster || v.current.Draft().PosterPath != poster || strings.Count(v.source.Text, "<img") != 2 {
		t.Fatalf("poster drop: %q %q", v.poster.Text, v.source.Text)
	}

	// A picture the CDN refuses now is inserted as a local file, for Publish.
	f.env.Sandbox.Inject(sandbox.Fault{Host: "image", Path: "/api/v2/image", Status: 400})
	f.win.Canvas().Focus(v.source)
	other := f.png(t, "offline.png", 3)
	v.Drop([]string{other})
	v.wait()
	if !strings.Contains(v.source.Text, `src="`+fileURL(other)+`"`) || v.status.Importance != widget.DangerImportance {
		t.Fatalf("offline drop: %q, status %q", v.source.Text, v.status.Text)
	}
	if n := previewImages(v); n != 3 {
		t.Fatalf("preview images %d", n)
	}

	// A link dragged from a browser is refused, even one ending in .png.
	before := v.source.Text
	v.Drop([]string{"https://example.com/cat.png"})
	v.wait()
	if v.source.Text != before || v.status.Importance != widget.DangerImportance || !strings.Contains(v.status.Text, "https://example.com/cat.png") {
		t.Fatalf("link drop: %q, status %q", v.source.Text, v.status.Text)
	}

	// A Markdown file becomes a new Markdown draft titled by its first
	// heading; anything else is refused.
	md := filepath.Join(f.dir, "notes-2026.md")
	os.WriteFile(md, []byte("# Spring *notes*\n\n*hi*"), 0o644)
	v.Drop([]string{md, filepath.Join(f.dir, "clip.mp4")})
	v.wait()
	if d := v.current.Draft(); len(v.drafts) != 2 || d.Title != "Spring notes" || v.title.Text != "Spring notes" ||
		v.source.Text != "*hi*" || v.mode.Selected != modeMarkdown || d.Markdown != "*hi*" {
		t.Fatalf("markdown drop: %d drafts, %+v, source %q, mode %s", len(v.drafts), d, v.source.Text, v.mode.Selected)
	}
	if !strings.Contains(previewText(v), "hi") {
		t.Fatalf("preview of the dropped file: %q", previewText(v))
	}
	if !strings.Contains(v.status.Text, "Imported notes-2026.md") && !strings.Contains(v.status.Text, "clip.mp4") {
		t.Fatalf("status %q", v.status.Text)
	}
}

func TestArticlePublishShowsLink(t *testing.T) {
	f := newFixture(t)
	v := f.v
	test.Tap(v.newBtn)
	test.Tap(v.publishBtn)
	v.wait()
	if !strings.Contains(v.status.Text, "title is empty") || f.env.Sandbox.Stats().AddContent != 0 {
		t.Fatalf("status %q", v.status.Text)
	}

	test.Type(v.title, "Published from the GUI")
	v.poster.SetText(f.png(t, "cover.png", 1))
	test.Type(v.hashtags, "gui, #test")
	v.visibility.SetSelected("unlisted")
	test.Type(v.source, `<p>Body with an image</p>`)
	v.insertText(imgTag(fileURL(f.png(t, "in.png", 2)), "in"))
	v.wait() // the preview reads the picture
	test.Tap(v.publishBtn)
	v.wait()
	d := v.current.Draft()
	if d.ContentID == "" || v.status.Importance == widget.DangerImportance {
		t.Fatalf("not published: %q", v.status.Text)
	}
	url := f.env.Hosts.API + "/news/" + d.ContentID // the sandbox's page: its hosts are on this computer
	if !v.linkRow.Visible() || v.link.Text != url || v.link.URL.String() != url {
		t.Fatalf("link %q visible %v", v.link.Text, v.linkRow.Visible())
	}
	if !v.publishBtn.Disabled() || v.updateBtn.Disabled() || !v.progress.Hidden {
		t.Fatal("buttons after publishing")
	}
	stored, _, _ := f.db.Draft(d.ID)
	if stored.ContentID != d.ContentID {
		t.Fatalf("content id not saved at once: %+v", stored)
	}
	c, _ := f.env.Sandbox.Content(d.ContentID)
	if c.Fields["visibility"] != "unlisted" || c.Fields["title"] != "Published from the GUI" {
		t.Fatalf("content %+v", c.Fields)
	}
	test.Tap(v.copyBtn)
	if got := fyne.CurrentApp().Clipboard().Content(); got != url {
		t.Fatalf("clipboard %q", got)
	}

	// Edit and Update: every field goes again.
	test.Type(v.title, " (fixed)")
	test.Tap(v.updateBtn)
	v.wait()
	c, _ = f.env.Sandbox.Content(d.ContentID)
	if c.Updates != 1 || c.Fields["title"] != "Published from the GUI (fixed)" || c.Fields["visibility"] != "unlisted" {
		t.Fatalf("after update: %d %v", c.Updates, c.Fields)
	}
	if st := f.env.Sandbox.Stats(); st.Images != 2 {
		t.Fatalf("images uploaded %d, want 2 (poster and inline, once each)", st.Images)
	}

	// Duplicate is a fresh draft; Delete asks first.
	test.Tap(v.dupBtn)
	dup := v.current.Draft()
	if dup.ContentID != "" || dup.ID == d.ID || v.publishBtn.Disabled() || v.linkRow.Visible() {
		t.Fatalf("duplicate %+v", dup)
	}
	// A schedule turns Publish into Schedule.
	future := time.Now().Add(48 * time.Hour).Truncate(time.Minute)
	v.sched.SetText(future.Format(scheduleLayout))
	if !v.publishBtn.Disabled() || v.scheduleBtn.Disabled() {
		t.Fatal("Schedule button not offered")
	}
	test.Tap(v.scheduleBtn)
	v.wait()
	dup = v.current.Draft()
	c, _ = f.env.Sandbox.Content(dup.ContentID)
	if dup.ContentID == "" || c.Fields["use_schedule"] != true || c.Fields["time_scheduled"] != float64(future.UnixMilli()) ||
		!strings.Contains(v.status.Text, "Scheduled") {
		t.Fatalf("scheduled: %q %v", v.status.Text, c.Fields)
	}

	test.Tap(v.delBtn)
	yes := findButton(f.win.Canvas().Overlays().Top(), "Delete draft")
	if yes == nil {
		t.Fatal("no confirmation dialog")
	}
	test.Tap(yes)
	v.wait()
	if _, ok, _ := f.db.Draft(dup.ID); ok || len(v.drafts) != 1 || v.current != nil {
		t.Fatalf("deleted draft still there: %d drafts", len(v.drafts))
	}
}

func TestArticleDraftsReload(t *testing.T) {
	f := newFixture(t)
	d := article.NewDraft(time.Now())
	d.Title, d.HTML = "Stored", "<p>stored body</p>"
	f.db.PutDraft(d)
	v := New(f.win, Deps{Engine: f.env.Engine(f.db), DB: f.db})
	defer v.Close()
	v.wait()
	if v.list.Length() != 1 {
		t.Fatalf("drafts %d", v.list.Length())
	}
	v.list.Select(0)
	if v.title.Text != "Stored" || !strings.Contains(previewText(v), "stored body") || v.visibility.Selected != "public" {
		t.Fatalf("opened %q %q", v.title.Text, previewText(v))
	}
	// Filling the widgets is not an edit.
	if v.current.Dirty() {
		t.Fatal("opening a draft marked it dirty")
	}
	// Stored before Markdown drafts (no format): it is HTML, as written.
	if v.mode.Selected != modeHTML || v.source.Text != d.HTML {
		t.Fatalf("a draft without a format opens in %s: %q", v.mode.Selected, v.source.Text)
	}
	test.Tap(v.italicBtn)
	if !strings.Contains(v.source.Text, "<em></em>") {
		t.Fatalf("italic in an HTML draft: %q", v.source.Text)
	}
}

func TestArticleScheduleBeingTypedIsNotSent(t *testing.T) {
	f := newFixture(t)
	v := f.v
	test.Tap(v.newBtn)
	test.Type(v.title, "Later")
	v.poster.SetText(f.png(t, "cover.png", 1))
	test.Type(v.source, "<p>Soon</p>")
	v.sched.SetText(time.Now().Add(48 * time.Hour).Format(scheduleLayout))
	// The field no longer parses; the draft still holds the earlier time.
	v.sched.SetText("next tuesday")
	if v.current.Draft().Schedule.IsZero() || v.scheduleBtn.Disabled() {
		t.Fatal("setup: the draft should keep the last valid schedule")
	}
	test.Tap(v.scheduleBtn)
	v.wait()
	if n := f.env.Sandbox.Stats().AddContent; n != 0 || v.current.Draft().ContentID != "" {
		t.Fatalf("scheduled at a time the field does not show (%d add-content)", n)
	}
	if v.status.Importance != widget.DangerImportance || !strings.Contains(v.status.Text, "Schedule: write a date and time such as") {
		t.Fatalf("status %q", v.status.Text)
	}
}

func TestArticleCloseWaitsForAPublishToRecordItsContentID(t *testing.T) {
	f := newFixture(t)
	v := f.v
	test.Tap(v.newBtn)
	s := v.current
	d := s.Draft()
	// A publish the platform has just accepted: it records the content ID
	// a moment after the app starts quitting.
	v.bg(func() {
		time.Sleep(200 * time.Millisecond)
		d.ContentID = "c-late"
		s.Published(d)
	})
	v.Close()
	if stored, _, _ := f.db.Draft(d.ID); stored.ContentID != "c-late" {
		t.Fatalf("Close returned before the content ID was saved: %+v", stored)
	}
}

func TestArticleCategoryByName(t *testing.T) {
	f := newFixture(t)
	names, _ := gjw.ParseCategoryNames("cat22 = News\ncat31 = Opinion")
	v := New(f.win, Deps{Engine: f.env.Engine(f.db), DB: f.db, CategoryNames: func() gjw.CategoryNames { return names }})
	t.Cleanup(func() { v.Close(); v.wait() })
	v.wait()
	test.Tap(v.newBtn)
	if v.category.Text != "News (cat22)" {
		t.Fatalf("a new draft's default category shows as %q, want its name", v.category.Text)
	}
	test.Type(v.title, "Letters")
	v.poster.SetText(f.png(t, "cover.png", 1))
	test.Type(v.source, `<p>Dear editor</p>`)
	v.category.SetText("Opinio") // half-typed
	test.Tap(v.publishBtn)
	v.wait()
	if !strings.Contains(v.status.Text, `"Opinio" is no category`) || f.env.Sandbox.Stats().AddContent != 0 {
		t.Fatalf("a half-typed category was not refused before publishing: %q", v.status.Text)
	}
	v.category.SetText("opinion")
	test.Tap(v.publishBtn)
	v.wait()
	d := v.current.Draft()
	c, _ := f.env.Sandbox.Content(d.ContentID)
	if d.ContentID == "" || c.Fields["category_id"] != "cat31" {
		t.Fatalf("published with category %v (status %q), want cat31", c.Fields["category_id"], v.status.Text)
	}
}
