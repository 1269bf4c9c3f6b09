// Package articles is the Articles view of GJW Uploader: a list of drafts
// and an editor for one of them (metadata, the body written in Markdown or
// as HTML source with a formatting toolbar, a live preview), with Publish,
// Schedule and Update.
//
// The work is done by core/article: Autosaver keeps each opened draft
// saved about a second after a change and on Close; Publisher uploads the
// images and sends the article. This package only turns that into
// widgets. Threading: widget code runs on Fyne's UI goroutine; all disk
// and network work runs in goroutines started by bg, whose results come
// back through fyne.Do (View.do). The one exception is Close, which saves the
// drafts before it returns, as the app is about to quit.
//
// Drops: the main window calls Drop while this view is shown. An image is
// uploaded and inserted at the cursor of the body editor, or becomes the
// poster when the poster field has the keyboard focus; a Markdown or HTML
// file becomes a new draft.
package articles

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/article"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/ask"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/catfield"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/slot"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Deps is what the view needs from the app.
type Deps struct {
	// Ctx ends uploads and publishing when cancelled (the app quits);
	// nil means context.Background().
	Ctx context.Context
	// Engine provides the platform client of each account (Engine.Driver).
	Engine *core.Engine
	// Accounts lists the Gan Jing World accounts a draft can go to; nil
	// means the engine's default client only.
	Accounts *account.Manager
	// DB stores the drafts and the uploaded-image map.
	DB *persist.DB
	// CategoryNames are the creator's names of the platform's categories,
	// read when a draft opens (UI goroutine); nil means none.
	CategoryNames func() gjw.CategoryNames
}

// autosaveDelay is the Autosaver delay; tests make it long so that no
// timer fires while they look at the widgets.
var autosaveDelay = article.AutosaveDelay

// scheduleLayout is how the schedule field shows a time (local time).
const scheduleLayout = "2006-01-02 15:04"

// scheduleExample is a time written as the schedule field takes it:
// tomorrow at nine (Go's reference time in a hint reads as a real date in
// 2006).
func scheduleExample() string {
	y, m, d := time.Now().AddDate(0, 0, 1).Date()
	return time.Date(y, m, d, 9, 0, 0, 0, time.Local).Format(scheduleLayout)
}

// View is the Articles view. Create it with New; call its methods on the
// UI goroutine.
type View struct {
	win    fyne.Window
	deps   Deps
	ctx    context.Context
	cancel context.CancelFunc
	active atomic.Int32 // goroutines started by bg and still running
	uiMu   sync.Mutex   // see do

	drafts  []persist.Draft               // list order; the saver's copy wins for opened drafts
	savers  map[string]*article.Autosaver // every draft opened this session
	current *article.Autosaver            // nil when no draft is open
	loading bool                          // filling the widgets: ignore their OnChanged
	busy    bool                          // publishing or updating
	// stale is set when the status tells why a publish or update failed:
	// the next edit of the draft clears it, as the creator is fixing what
	// it said (a missing poster, an empty body).
	stale   bool
	uploads int // image uploads running
	closed  bool

	list                                                     *widget.List
	newBtn, dupBtn, delBtn                                   *widget.Button
	title, desc, poster, hashtags, keywords, sched           *widget.Entry
	category                                                 *catfield.Field
	channel                                                  *widget.Select // the GJW account
	posterBtn                                                *widget.Button
	visibility                                               *widget.Select
	kids, premium                                            *widget.Check
	source                                                   *sourceEntry
	mode                                                     *widget.RadioGroup // Markdown or HTML
	paraBtn, boldBtn, italicBtn, underBtn, linkBtn, imageBtn *widget.Button
	preview                                                  *preview
	publishBtn, scheduleBtn, updateBtn                       *widget.Button
	progress                                                 *widget.ProgressBar
	status                                                   *widget.Label
	link                                                     *widget.Hyperlink
	copyBtn, openBtn                                         *widget.Button
	linkRow                                                  *fyne.Container
	editor, empty                                            fyne.CanvasObject
	editorBox                                                *fyne.Container // lays out the actions again when they grow or shrink
	content                                                  fyne.CanvasObject
}

// New builds the view and starts loading the drafts. win is used for
// dialogs.
func New(win fyne.Window, deps Deps) *View {
	ctx := deps.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	v := &View{win: win, deps: deps, savers: map[string]*article.Autosaver{}}
	v.ctx, v.cancel = context.WithCancel(ctx)
	v.build()
	v.showDraft(nil)
	v.bg(func() {
		drafts, err := deps.DB.Drafts()
		v.do(func() {
			if err != nil {
				v.fail("Drafts could not be loaded", err)
				return
			}
			v.addLoaded(drafts)
		})
	})
	return v
}

// Content is the view's root object.
func (v *View) Content() fyne.CanvasObject { return v.content }

// closeWait bounds how long Close waits for background work to end.
const closeWait = 3 * time.Second

// Close stops work in progress, waits (briefly) for it to end, and saves
// every opened draft. Call it before closing the DB: a publish that the
// platform accepted just before the cancel still stores its content ID,
// which would otherwise be lost and the article published twice.
func (v *View) Close() {
	if v.closed {
		return
	}
	v.closed = true
	v.cancel()
	for deadline := time.Now().Add(closeWait); v.active.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	for _, s := range v.savers {
		if err := s.Close(); err != nil {
			fyne.LogError("saving a draft", err)
		}
	}
}

// bg runs fn off the UI goroutine.
func (v *View) bg(fn func()) {
	v.active.Add(1)
	go func() {
		defer v.active.Add(-1)
		fn()
	}()
}

// post hands a function to the UI goroutine. Fyne's test driver runs
// fyne.Do at once in the calling goroutine, so tests replace post with a
// queue that they run on the test goroutine, as the real driver would.
var post = fyne.Do

// do runs fn on the UI goroutine. The lock keeps two results from running
// at once where fyne.Do runs them in the calling goroutine instead (the
// real driver while the app shuts down). fn must not wait for another do.
func (v *View) do(fn func()) {
	post(func() {
		v.uiMu.Lock()
		defer v.uiMu.Unlock()
		fn()
	})
}

// ---- building ----

func (v *View) build() {
	v.list = widget.NewList(
		func() int { return len(v.drafts) },
		func() fyne.CanvasObject { return widget.NewLabel("Draft title — state") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(listLabel(v.draftAt(i)))
		})
	v.list.OnSelected = func(i widget.ListItemID) { v.open(i) }
	v.newBtn = widget.NewButtonWithIcon("New", theme.ContentAddIcon(), v.newDraft)
	v.dupBtn = widget.NewButtonWithIcon("Duplicate", theme.ContentCopyIcon(), v.duplicate)
	v.delBtn = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), v.confirmDelete)
	left := container.NewBorder(container.NewHBox(v.newBtn, v.dupBtn, v.delBtn), nil, nil, nil, v.list)

	v.title = widget.NewEntry()
	v.title.SetPlaceHolder("Article title")
	v.desc = widget.NewMultiLineEntry()
	v.desc.SetPlaceHolder("Short description (optional)")
	v.desc.SetMinRowsVisible(2)
	v.desc.Wrapping = fyne.TextWrapWord
	v.poster = widget.NewEntry()
	v.poster.SetPlaceHolder("Poster image: choose, or click here and drop one")
	v.posterBtn = widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), v.choosePoster)
	v.hashtags = widget.NewEntry()
	v.hashtags.SetPlaceHolder("#news, #topic")
	v.keywords = widget.NewEntry()
	v.keywords.SetPlaceHolder("keyword, another")
	v.category = catfield.New(article.DefaultCategory)
	v.visibility = widget.NewSelect(article.Visibilities, nil)
	v.sched = widget.NewEntry()
	v.sched.SetPlaceHolder("empty: publish now; or a time such as " + scheduleExample())
	v.sched.Validator = func(s string) error { _, err := parseSchedule(s); return err }
	v.kids = widget.NewCheck("Made for kids", nil)
	v.premium = widget.NewCheck("Premium", nil)
	v.channel = widget.NewSelect(nil, nil)
	form := widget.NewForm(
		widget.NewFormItem("Account", v.channel),
		widget.NewFormItem("Title", v.title),
		widget.NewFormItem("Description", v.desc),
		widget.NewFormItem("Poster", container.NewBorder(nil, nil, nil, v.posterBtn, v.poster)),
		widget.NewFormItem("Hashtags", v.hashtags),
		widget.NewFormItem("Keywords", v.keywords),
		widget.NewFormItem("Category", container.NewGridWithColumns(2, v.category,
			container.NewBorder(nil, nil, widget.NewLabel("Visibility"), nil, v.visibility))),
		widget.NewFormItem("", container.NewHBox(v.kids, v.premium)),
		widget.NewFormItem("Schedule", v.sched),
	)

	v.source = newSourceEntry(v.markdown)
	v.source.SetPlaceHolder("Write your article here, or drop a Markdown or HTML file on the window.")
	v.paraBtn = widget.NewButton("¶", func() { v.wrapSelection(v.markup().para) })
	v.boldBtn = widget.NewButton("B", func() { v.wrapSelection(v.markup().bold) })
	v.italicBtn = widget.NewButton("I", func() { v.wrapSelection(v.markup().italic) })
	v.underBtn = widget.NewButton("U", func() { v.wrapSelection(v.markup().under) })
	v.linkBtn = widget.NewButtonWithIcon("Link", theme.MailAttachmentIcon(), v.askLink)
	v.imageBtn = widget.NewButtonWithIcon("Image", theme.FileImageIcon(), v.chooseImage)
	v.mode = widget.NewRadioGroup([]string{modeMarkdown, modeHTML}, v.switchMode)
	v.mode.Horizontal = true
	v.mode.Required = true
	tools := container.NewBorder(nil, nil, container.NewHBox(v.paraBtn, v.boldBtn, v.italicBtn, v.underBtn, v.linkBtn, v.imageBtn),
		v.mode)
	v.preview = newPreview(v)
	body := container.NewHSplit(
		container.NewBorder(tools, nil, nil, nil, v.source),
		container.NewBorder(widget.NewLabelWithStyle("Preview", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			nil, nil, nil, v.preview.scroll),
	)

	v.publishBtn = widget.NewButtonWithIcon("Publish", theme.UploadIcon(), func() { v.publish(false) })
	v.publishBtn.Importance = widget.HighImportance
	v.scheduleBtn = widget.NewButtonWithIcon("Schedule", theme.HistoryIcon(), func() { v.publish(true) })
	v.updateBtn = widget.NewButtonWithIcon("Update", theme.ViewRefreshIcon(), v.update)
	v.progress = widget.NewProgressBar()
	v.progress.Hide()
	v.status = widget.NewLabel("")
	v.status.Wrapping = fyne.TextWrapWord
	v.link = widget.NewHyperlink("", nil)
	v.copyBtn = widget.NewButtonWithIcon("Copy link", theme.ContentCopyIcon(), v.copyLink)
	v.openBtn = widget.NewButtonWithIcon("Open", theme.ComputerIcon(), v.openLink)
	v.linkRow = container.NewHBox(v.link, v.copyBtn, v.openBtn)
	// The progress bar shares the buttons' row and the status has a slot
	// of its own, so an upload starting or a longer message never moves
	// the editor above them.
	actions := container.NewVBox(
		container.NewBorder(nil, nil, container.NewHBox(v.publishBtn, v.scheduleBtn, v.updateBtn), nil, v.progress),
		slot.Lines(2, v.status), v.linkRow,
	)

	v.editorBox = container.NewBorder(form, actions, nil, nil, body)
	v.editor = v.editorBox
	v.empty = container.NewCenter(widget.NewLabel("Create a draft with New, or drop a Markdown or HTML file here."))
	split := container.NewHSplit(left, container.NewStack(v.editor, v.empty))
	split.Offset = 0.22
	v.content = split
	v.connect()
}

// connect wires each field to the open draft.
func (v *View) connect() {
	text := func(e *widget.Entry, set func(d *persist.Draft, s string)) {
		e.OnChanged = func(s string) { v.edit(func(d *persist.Draft) { set(d, s) }) }
	}
	text(v.title, func(d *persist.Draft, s string) { d.Title = s })
	text(v.desc, func(d *persist.Draft, s string) { d.Description = s })
	text(v.poster, func(d *persist.Draft, s string) { d.PosterPath = strings.TrimSpace(s) })
	text(v.hashtags, func(d *persist.Draft, s string) { d.Hashtags = article.SplitList(s) })
	text(v.keywords, func(d *persist.Draft, s string) { d.Keywords = article.SplitList(s) })
	text(&v.category.Entry, func(d *persist.Draft, s string) { d.Category = v.category.ID() })
	v.sched.OnChanged = func(s string) {
		t, err := parseSchedule(s)
		if err == nil {
			v.edit(func(d *persist.Draft) { d.Schedule = t })
		}
	}
	v.source.OnChanged = func(s string) {
		v.edit(func(d *persist.Draft) { article.SetSource(d, s) })
		if !v.loading {
			v.showPreview()
		}
	}
	v.visibility.OnChanged = func(s string) { v.edit(func(d *persist.Draft) { d.Visibility = s }) }
	v.kids.OnChanged = func(b bool) { v.edit(func(d *persist.Draft) { d.MadeForKids = b }) }
	v.premium.OnChanged = func(b bool) { v.edit(func(d *persist.Draft) { d.Premium = b }) }
	v.channel.OnChanged = func(s string) { v.edit(func(d *persist.Draft) { d.Account = s }) }
}

// gjwAccounts are the names of the GJW accounts, the default one first.
func (v *View) gjwAccounts() []string {
	if v.deps.Accounts == nil {
		return nil
	}
	accts, _ := v.deps.Accounts.List() // in memory: no disk read
	def, _, _ := v.deps.Accounts.DefaultOf(account.GJW)
	names := []string{}
	for _, a := range accts {
		if a.Platform != account.GJW {
			continue
		}
		if a.Name == def.Name {
			names = append([]string{a.Name}, names...)
		} else {
			names = append(names, a.Name)
		}
	}
	return names
}

// edit changes the open draft (unless the widgets are being filled).
func (v *View) edit(fn func(d *persist.Draft)) {
	if v.loading || v.current == nil {
		return
	}
	v.current.Edit(fn)
	if v.stale {
		v.setStatus("")
	}
	if i := v.index(v.current.Draft().ID); i >= 0 {
		v.list.RefreshItem(i)
	}
	v.refreshActions()
}

// ---- drafts ----

func (v *View) draftAt(i int) persist.Draft {
	if i < 0 || i >= len(v.drafts) {
		return persist.Draft{}
	}
	if s := v.savers[v.drafts[i].ID]; s != nil {
		return s.Draft()
	}
	return v.drafts[i]
}

func (v *View) index(id string) int {
	return slices.IndexFunc(v.drafts, func(d persist.Draft) bool { return d.ID == id })
}

func listLabel(d persist.Draft) string {
	title := strings.TrimSpace(d.Title)
	if title == "" {
		title = "Untitled"
	}
	switch {
	case d.ContentID != "" && d.PublishedAt.After(time.Now()):
		return title + " — scheduled"
	case d.ContentID != "":
		return title + " — published"
	}
	return title
}

// addLoaded appends the stored drafts not already in the list.
func (v *View) addLoaded(drafts []persist.Draft) {
	for _, d := range drafts {
		if v.index(d.ID) < 0 {
			v.drafts = append(v.drafts, d)
		}
	}
	v.list.Refresh()
}

// addDraft puts a new draft at the top, saves it soon and opens it.
func (v *View) addDraft(d persist.Draft) {
	v.drafts = append([]persist.Draft{d}, v.drafts...)
	s := v.saver(d)
	s.Edit(func(*persist.Draft) {}) // not stored yet: mark it for the autosave
	v.list.Refresh()
	v.list.UnselectAll() // Select(0) would do nothing if the old first row was selected
	v.list.Select(0)
}

func (v *View) saver(d persist.Draft) *article.Autosaver {
	if s := v.savers[d.ID]; s != nil {
		return s
	}
	s := article.NewAutosaver(v.deps.DB, d)
	s.Delay = autosaveDelay
	s.OnSave = func(_ persist.Draft, err error) {
		if err != nil {
			v.do(func() { v.fail("The draft could not be saved", err) })
		}
	}
	v.savers[d.ID] = s
	return s
}

// newDraft opens a new draft, written in Markdown.
func (v *View) newDraft() {
	v.addDraft(newMarkdownDraft())
	v.win.Canvas().Focus(v.title)
}

func newMarkdownDraft() persist.Draft {
	d := article.NewDraft(time.Now())
	d.Format = persist.FormatMarkdown
	return d
}

func (v *View) duplicate() {
	if v.current == nil {
		return
	}
	v.addDraft(article.Duplicate(v.current.Draft(), time.Now()))
}

func (v *View) confirmDelete() {
	if v.current == nil {
		return
	}
	d := v.current.Draft()
	msg := fmt.Sprintf("Delete the draft %q? This cannot be undone.", listTitle(d))
	if d.ContentID != "" {
		msg += "\nThe article stays on Gan Jing World; only the draft here is deleted."
	}
	ask.Confirm(v.win, "Delete draft", msg, "Delete draft", "Keep it", ask.Then(func() { v.deleteDraft(d.ID) }))
}

func listTitle(d persist.Draft) string {
	if t := strings.TrimSpace(d.Title); t != "" {
		return t
	}
	return "Untitled"
}

// deleteDraft removes a draft from the list and the store.
func (v *View) deleteDraft(id string) {
	i := v.index(id)
	if i < 0 {
		return
	}
	s := v.savers[id]
	delete(v.savers, id)
	v.drafts = slices.Delete(v.drafts, i, i+1)
	if v.current == s {
		v.current = nil
		v.list.UnselectAll()
		v.showDraft(nil)
	}
	v.list.Refresh()
	v.bg(func() {
		if s != nil {
			s.Discard()
		}
		if err := v.deps.DB.DeleteDraft(id); err != nil {
			v.do(func() { v.fail("The draft could not be deleted", err) })
		}
	})
}

// open shows the draft at list index i in the editor.
func (v *View) open(i int) {
	if i < 0 || i >= len(v.drafts) {
		return
	}
	s := v.saver(v.drafts[i])
	if s == v.current {
		return
	}
	v.showDraft(s)
}

// showDraft fills the editor from s (nil: no draft open).
func (v *View) showDraft(s *article.Autosaver) {
	v.current = s
	v.setStatus("")
	if s == nil {
		v.editor.Hide()
		v.empty.Show()
		v.refreshActions()
		return
	}
	d := article.WithDefaults(s.Draft())
	v.loading = true
	v.title.SetText(d.Title)
	v.desc.SetText(d.Description)
	v.poster.SetText(d.PosterPath)
	v.hashtags.SetText(strings.Join(d.Hashtags, ", "))
	v.keywords.SetText(strings.Join(d.Keywords, ", "))
	if v.deps.CategoryNames != nil {
		v.category.SetNames(v.deps.CategoryNames())
	}
	v.category.SetID(d.Category)
	v.visibility.SetSelected(d.Visibility)
	v.sched.SetText(formatSchedule(d.Schedule))
	v.kids.SetChecked(d.MadeForKids)
	v.premium.SetChecked(d.Premium)
	v.channel.Options = v.gjwAccounts()
	switch {
	case d.Account != "":
		v.channel.SetSelected(d.Account)
	case len(v.channel.Options) > 0:
		v.channel.SetSelected(v.channel.Options[0])
	default:
		v.channel.ClearSelected()
	}
	v.showSource(d)
	v.empty.Hide()
	v.editor.Show()
	v.refreshActions()
}

// showSource fills the body editor and the mode switch from d and renders
// the preview; v.loading is set, and is cleared.
func (v *View) showSource(d persist.Draft) {
	v.loading = true
	if article.IsMarkdown(d) {
		v.mode.SetSelected(modeMarkdown)
	} else {
		v.mode.SetSelected(modeHTML)
	}
	v.source.SetText(article.Source(d))
	v.loading = false
	v.showPreview()
}

// showPreview renders the open draft's body as it will be sent.
func (v *View) showPreview() {
	if v.current == nil {
		return
	}
	d := v.current.Draft()
	body, err := article.Body(d)
	if err != nil {
		v.fail("The preview could not be made", err)
	}
	v.preview.show(body, d.BaseDir)
}

// markdown reports whether the open draft is written in Markdown.
func (v *View) markdown() bool {
	return v.current != nil && article.IsMarkdown(v.current.Draft())
}

// markup is what the toolbar inserts in the open draft's mode.
func (v *View) markup() markup { return markupOf(v.markdown()) }

// switchMode converts the open draft to the mode chosen. Markdown to HTML
// asks first: headings and lists become the platform's paragraphs, and
// coming back does not restore them.
func (v *View) switchMode(mode string) {
	if v.loading || v.current == nil || (mode == modeMarkdown) == v.markdown() {
		return
	}
	convert := func() {
		var err error
		v.current.Edit(func(d *persist.Draft) { err = article.SetMarkdown(d, mode == modeMarkdown) })
		if err != nil {
			v.fail("The article could not be converted", err)
		}
		v.showSource(v.current.Draft())
		v.refreshActions()
	}
	if mode == modeMarkdown || strings.TrimSpace(v.current.Draft().Markdown) == "" {
		convert()
		return
	}
	s := v.current
	ask.Confirm(v.win, "Write in HTML?",
		"The Markdown becomes the platform's HTML: headings and lists turn into plain paragraphs, and switching back to Markdown does not bring them back.",
		"Yes", "No", func(ok bool) {
			switch {
			case v.current != s: // another draft was opened meanwhile
			case ok:
				convert()
			default:
				v.showSource(s.Draft()) // the switch shows Markdown again
			}
		})
}

// ---- drops and files ----

// Drop handles files dropped on the window while this view is shown. A
// URL among them (a link dragged from a browser) is refused.
func (v *View) Drop(paths []string) {
	var images, docs, videos, other []string
	for _, p := range paths {
		switch {
		case strings.Contains(p, "://"):
			other = append(other, p)
		case article.IsArticleFile(p):
			docs = append(docs, p)
		case article.IsImageFile(p):
			images = append(images, p)
		case core.IsVideo(p):
			videos = append(videos, filepath.Base(p))
		default:
			other = append(other, filepath.Base(p))
		}
	}
	var refusals []string
	if len(videos) > 0 {
		refusals = append(refusals, fmt.Sprintf("%s: videos are uploaded from the Uploads tab; drop them there", strings.Join(videos, ", ")))
	}
	if len(other) > 0 {
		refusals = append(refusals, fmt.Sprintf("%s: not an image (JPEG, PNG, GIF, WebP) or an article (.md, .html) on this computer; nothing was added (save a picture from the web first)", strings.Join(other, ", ")))
	}
	if len(refusals) > 0 {
		v.setError(strings.Join(refusals, ". ") + ".")
	}
	if len(images) > 0 && v.win.Canvas().Focused() == v.poster && v.current != nil {
		v.poster.SetText(images[0])
		images = images[1:]
	}
	if len(images) > 0 && v.current == nil {
		v.addDraft(newMarkdownDraft())
	}
	// Background work starts last, once the widgets are left alone.
	if len(images) > 0 {
		v.insertImages(images)
	}
	for _, p := range docs {
		v.importFile(p)
	}
}

// importFile makes a new draft of a Markdown or HTML file.
func (v *View) importFile(path string) {
	v.bg(func() {
		d, err := article.DraftFromFile(path, time.Now())
		v.do(func() {
			if err != nil {
				v.fail("The file could not be imported", err)
				return
			}
			v.addDraft(d)
			v.setStatus(fmt.Sprintf("Imported %s as a new draft.", filepath.Base(path)))
		})
	})
}

func (v *View) choosePoster() {
	v.openImageDialog(func(path string) { v.poster.SetText(path) })
}

func (v *View) chooseImage() {
	v.openImageDialog(func(path string) { v.insertImages([]string{path}) })
}

func (v *View) openImageDialog(then func(path string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		then(r.URI().Path())
	}, v.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".jpg", ".jpeg", ".png", ".gif", ".webp"}))
	d.Show()
}

// insertImages uploads the images one after another (each picture once:
// an earlier upload is reused) and inserts an <img> for each at the
// editor's cursor. An image that cannot be uploaded now (signed out,
// offline) is inserted as a local file, which Publish uploads.
func (v *View) insertImages(paths []string) {
	if v.current == nil {
		return
	}
	id := v.current.Draft().ID
	v.uploads++
	v.progress.SetValue(0)
	v.showProgress(true)
	v.setStatus(fmt.Sprintf("Uploading %s…", filepath.Base(paths[0])))
	acct := v.current.Draft().Account
	if acct == "" {
		acct = v.channel.Selected
	}
	pub := v.publisher(nil)
	v.bg(func() {
		client, cerr := v.client(acct)
		pub.Client = client
		for i, p := range paths {
			src, err := "", cerr
			if err == nil {
				src, err = pub.UploadImage(v.ctx, p)
			}
			v.do(func() {
				if err != nil {
					if v.ctx.Err() != nil {
						return
					}
					src = fileURL(p)
					v.fail(fmt.Sprintf("%s was not uploaded; it is inserted as a local file and will be uploaded when you publish", filepath.Base(p)), err)
				}
				v.insertImage(id, src, altFor(p))
				v.progress.SetValue(float64(i+1) / float64(len(paths)))
				if err == nil {
					if i+1 < len(paths) {
						v.setStatus(fmt.Sprintf("Uploading %s…", filepath.Base(paths[i+1])))
					} else {
						v.setStatus(fmt.Sprintf("Inserted %d image(s).", len(paths)))
					}
				}
			})
		}
		v.do(func() {
			v.uploads--
			if v.uploads == 0 && !v.busy {
				v.showProgress(false)
			}
		})
	})
}

// insertImage inserts the image src, in the draft's markup, at the cursor
// when draft id is open, or at the end of its body otherwise.
func (v *View) insertImage(id, src, alt string) {
	if v.current != nil && v.current.Draft().ID == id {
		v.insertText(v.markup().image(src, alt))
		return
	}
	if s := v.savers[id]; s != nil {
		s.Edit(func(d *persist.Draft) {
			article.SetSource(d, article.Source(*d)+"\n\n"+markupOf(article.IsMarkdown(*d)).image(src, alt))
		})
	}
}

func imgTag(src, alt string) string {
	return `<img src="` + html.EscapeString(src) + `" alt="` + html.EscapeString(alt) + `" />`
}

func altFor(path string) string {
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

// fileURL is path as a file: URL, which article.LocalPath understands.
func fileURL(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x -> /C:/x
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// ---- editing the source ----

// textClipboard hands a fixed text to the entry's paste, which replaces
// the selection (or inserts at the cursor), moves the cursor after the
// text, keeps undo working and calls OnChanged, without touching the
// system clipboard.
type textClipboard string

func (c textClipboard) Content() string   { return string(c) }
func (c textClipboard) SetContent(string) {}

// insertText replaces the selection of the body editor by s, or inserts s
// at its cursor.
func (v *View) insertText(s string) {
	if v.current == nil {
		return
	}
	v.source.TypedShortcut(&fyne.ShortcutPaste{Clipboard: textClipboard(s)})
	v.win.Canvas().Focus(v.source)
}

// wrapSelection puts tags[0] and tags[1] around the selected text; with no
// selection it inserts both and leaves the cursor between them.
func (v *View) wrapSelection(tags [2]string) {
	if v.current == nil {
		return
	}
	sel := v.source.SelectedText()
	v.insertText(tags[0] + sel + tags[1])
	if sel == "" {
		for range []rune(tags[1]) {
			v.source.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
		}
	}
}

// linkTag is the guide's link markup around text.
func linkTag(href, text string) string {
	return `<a target="_blank" rel="noopener noreferrer" href="` + html.EscapeString(href) + `">` + text + `</a>`
}

// checkLink accepts http(s) URLs with a host and mailto: addresses, as
// the sanitizer does.
func checkLink(s string) (string, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err == nil && u.Scheme == "" && strings.Contains(s, ".") && !strings.ContainsAny(s, " @") {
		s = "https://" + s
		u, err = url.Parse(s)
	}
	switch {
	case err != nil:
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
		return s, nil
	case u.Scheme == "mailto" && u.Opaque != "":
		return s, nil
	}
	return "", errors.New("enter a web address (https://…) or mailto:")
}

func (v *View) askLink() {
	if v.current == nil {
		return
	}
	entry := widget.NewEntry()
	entry.SetPlaceHolder("https://example.com")
	entry.Validator = func(s string) error { _, err := checkLink(s); return err }
	dialog.ShowForm("Insert link", "Insert", "Cancel", []*widget.FormItem{widget.NewFormItem("Address", entry)},
		func(ok bool) {
			if !ok {
				return
			}
			href, err := checkLink(entry.Text)
			if err != nil {
				return
			}
			m := v.markup()
			text := v.source.SelectedText() // the selection outlives the dialog
			if text == "" {
				text = m.escape(href)
			}
			v.insertText(m.link(href, text))
		}, v.win)
}

// ---- schedule ----

func parseSchedule(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation(scheduleLayout, s, time.Local); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, errors.New("write a date and time such as " + scheduleExample() + " (local time), or leave it empty to publish now")
}

func formatSchedule(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format(scheduleLayout)
}

// ---- status ----

// showProgress shows or hides the progress bar.
func (v *View) showProgress(on bool) {
	if on == v.progress.Visible() {
		return
	}
	if on {
		v.progress.Show()
	} else {
		v.progress.Hide()
	}
	v.editorBox.Refresh()
}

func (v *View) setStatus(s string) {
	v.stale = false
	v.status.Importance = widget.MediumImportance
	v.status.SetText(s)
}

func (v *View) setError(s string) {
	v.stale = false
	v.status.Importance = widget.DangerImportance
	v.status.SetText(s)
}

// fail shows err as one plain sentence under the buttons and logs it.
func (v *View) fail(what string, err error) {
	fyne.LogError(what, err)
	v.setError(what + ": " + err.Error())
}
