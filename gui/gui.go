// Package gui is GJW Uploader's window: the Uploads, Articles, Account and
// Settings tabs, the sign-in banner and the window-wide drop target. It
// drives the upload engine (core) and reads and writes preferences and the
// session through persist.DB; it never talks HTTP or Badger itself.
//
// Threading: widget code runs on Fyne's UI goroutine only. Engine events
// arrive on engine goroutines at Events.Push, which keeps the latest event
// per job and schedules one flush with fyne.Do; the flush refreshes only the
// rows that changed (see events.go). Work that may block (ffmpeg frames,
// poster decoding, token refresh, saving Settings, edits that go out with
// update-content) runs on its own goroutine and comes back through the
// same fyne.Do path.
package gui

import (
	"context"
	"image/color"
	"maps"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/ask"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Deps are what the window works with. Engine must have been built with
// Events.Push as its core.Options.OnEvent.
type Deps struct {
	App    fyne.App
	Engine *core.Engine
	DB     *persist.DB
	// Accounts are the destination accounts and their sessions; the engine
	// must use the same Manager (account.DefaultGJWStore). Nil: New opens
	// one on DB.
	Accounts *account.Manager
	Events   *Events
	// DataDir is the app's data folder; poster frames taken with ffmpeg are
	// kept in DataDir/posters. Empty means a temporary folder.
	DataDir string
}

// UI is the main window's content and state.
type UI struct {
	ctx    context.Context
	cancel context.CancelFunc
	deps   Deps
	app    fyne.App
	win    fyne.Window
	do     func(func())

	settings persist.Settings

	tabs        *container.AppTabs
	uploadsTab  *container.TabItem
	articlesTab *container.TabItem
	accountTab  *container.TabItem
	settingsTab *container.TabItem

	banner     *fyne.Container
	bannerText *widget.Label
	signedOut  bool
	ended      map[string]bool // accounts whose session ended (the banner names them)
	uploads    *uploadsView
	account    *accountView
	prefs      *settingsView
	articles   articlesPane
	content    fyne.CanvasObject

	watch watchers // the watch folders' watchers

	// lastEdit is closed when the latest metadata edit has been applied;
	// the next edit waits for it (UI goroutine only).
	lastEdit chan struct{}
}

// articlesPane is the Articles tab (package gui/articles).
type articlesPane interface {
	Content() fyne.CanvasObject
	Drop(paths []string)
	Close()
}

// New builds the window's content, makes the whole window a drop target,
// loads every job the engine knows (finished ones too) and starts taking
// engine events. Call it on the UI goroutine before Engine.Start. ctx bounds
// background work (frames, refreshes, edits); Close ends it too.
func New(ctx context.Context, win fyne.Window, d Deps) (*UI, error) {
	if d.Events == nil {
		d.Events = NewEvents()
	}
	if d.App == nil {
		d.App = fyne.CurrentApp()
	}
	if d.Accounts == nil {
		m, err := account.Open(d.DB, account.Options{})
		if err != nil {
			return nil, err
		}
		d.Accounts = m
	}
	settings, err := d.DB.Settings()
	if err != nil {
		return nil, err
	}
	if settings.Version == 0 {
		settings.Notify = true // nothing saved yet: notifications default on
	}
	ctx, cancel := context.WithCancel(ctx)
	u := &UI{ctx: ctx, cancel: cancel, deps: d, app: d.App, win: win, do: d.Events.do, settings: settings, ended: map[string]bool{}}

	siteHosts = d.Engine.Client().Hosts
	u.uploads = newUploadsView(u)
	u.account = newAccountView(u)
	u.prefs = newSettingsView(u)
	u.articles = newArticlesPane(ctx, win, d, u.categoryNames)

	u.uploadsTab = container.NewTabItemWithIcon("Uploads", theme.UploadIcon(), u.uploads.content)
	u.articlesTab = container.NewTabItemWithIcon("Articles", theme.DocumentIcon(), u.articles.Content())
	u.accountTab = container.NewTabItemWithIcon("Account", theme.AccountIcon(), u.account.content)
	u.settingsTab = container.NewTabItemWithIcon("Settings", theme.SettingsIcon(), u.prefs.content)
	u.tabs = container.NewAppTabs(u.uploadsTab, u.articlesTab, u.accountTab, u.settingsTab)
	u.tabs.OnSelected = func(t *container.TabItem) {
		switch t {
		case u.accountTab:
			u.account.refreshStatus()
		case u.settingsTab: // accounts may have been added since
			u.prefs.loadDests()
			u.prefs.watch.loadDests()
		}
	}

	// The banner has its place in the tab bar's empty space (tabRow), so
	// showing it moves nothing: a click meant for a row never lands on
	// what slid into its place.
	u.bannerText = widget.NewLabel("")
	u.bannerText.Truncation = fyne.TextTruncateEllipsis
	u.bannerText.TextStyle.Bold = true
	signIn := widget.NewButtonWithIcon("Sign in again", theme.LoginIcon(), u.showSignIn)
	signIn.Importance = widget.HighImportance
	bg := canvas.NewRectangle(color.NRGBA{0xff, 0xc1, 0x07, 0x40})
	bg.CornerRadius = theme.InputRadiusSize()
	u.banner = container.NewStack(bg, container.NewBorder(nil, nil,
		container.NewCenter(widget.NewIcon(theme.WarningIcon())), container.NewCenter(signIn), u.bannerText))
	u.banner.Hide()

	u.content = u.withTabRow(u.tabs, u.banner)
	win.SetContent(u.content)
	win.SetOnDropped(u.dropAt)
	u.keys()

	jobs, err := d.Engine.Jobs()
	if err != nil {
		cancel()
		return nil, err
	}
	u.uploads.load(jobs)
	waitsForSession := false
	for _, j := range jobs {
		if anyWaitsFor(j, dest.ReasonSignedOut) {
			waitsForSession = true
		}
	}
	if _, ok, _ := (account.DefaultGJWStore{DB: d.DB, Accounts: d.Accounts}).Credentials(); !ok && len(jobs) > 0 {
		for _, j := range jobs {
			waitsForSession = waitsForSession || core.Unfinished(j)
		}
	}
	if waitsForSession {
		u.setSignedOut(true)
	}
	d.Events.attach(u.applyEvents)
	folders, err := d.DB.WatchFolders()
	if err != nil {
		fyne.LogError("reading the watch folders", err)
	}
	u.startWatchers(folders)
	return u, nil
}

// Content is the window content (also set on the window by New).
func (u *UI) Content() fyne.CanvasObject { return u.content }

// Close stops background work and event delivery; the engine and the
// database belong to the caller.
func (u *UI) Close() {
	u.deps.Events.detach()
	u.cancel()
	u.watch.wg.Wait() // no watcher queues anything once Close returns
	u.articles.Close()
}

// Drop takes dropped files and folders. Drops go to the tab on show: the
// Articles tab gets them on its own tab; anywhere else they are videos for
// the upload queue, and the Uploads tab comes to the front.
func (u *UI) Drop(paths []string) {
	if len(paths) == 0 {
		return
	}
	if u.tabs.Selected() == u.articlesTab {
		u.articles.Drop(paths)
		return
	}
	u.tabs.Select(u.uploadsTab)
	u.uploads.Drop(paths)
}

// dropAt is the window's drop handler: an image dropped on an upload (its
// row, or the details panel) becomes its poster; anything else goes to
// DropURIs (a dragged web link arrives as a file URI that names no file).
func (u *UI) dropAt(pos fyne.Position, uris []fyne.URI) {
	if len(uris) == 1 && uris[0].Scheme() == "file" && isPosterImage(uris[0].Path()) && u.tabs.Selected() == u.uploadsTab {
		if fi, err := os.Stat(uris[0].Path()); err == nil && fi.Mode().IsRegular() && u.uploads.dropPoster(pos, uris[0].Path()) {
			return
		}
	}
	u.DropURIs(uris)
}

// DropURIs takes dropped URIs: local files become paths, as for
// Drop; anything else (a link dragged from a browser) is refused with a
// message by the tab that gets the drop.
func (u *UI) DropURIs(uris []fyne.URI) {
	var paths, links []string
	for _, uri := range uris {
		switch {
		case uri.Scheme() != "file":
			links = append(links, uri.String())
		case webLink(uri.Path()) != "":
			links = append(links, webLink(uri.Path()))
		default:
			paths = append(paths, uri.Path())
		}
	}
	if u.tabs.Selected() == u.articlesTab {
		u.articles.Drop(append(paths, links...)) // it refuses URLs itself
		return
	}
	u.tabs.Select(u.uploadsTab)
	var refused []string
	for _, l := range links {
		refused = append(refused, l+" (a link, not a file on this computer: download it first)")
	}
	u.uploads.drop(paths, refused)
}

// schemeInPath finds a web link's scheme in a file path: "/https:/".
var schemeInPath = regexp.MustCompile(`(^|/)(https?):/+`)

// webLink is the web address a dropped "file" really is, or "". Fyne's
// GLFW driver makes every dropped name a file URI, so a link dragged from
// a browser ("https://example.com/a.mp4") arrives as the path
// "<working folder>/https:/example.com/a.mp4". A path that exists is a
// file, whatever its folders are called.
func webLink(path string) string {
	m := schemeInPath.FindStringSubmatchIndex(path)
	if m == nil {
		return ""
	}
	if _, err := os.Stat(path); err == nil {
		return ""
	}
	return path[m[4]:m[5]] + "://" + path[m[1]:]
}

// applyEvents is the UI half of Events: it runs on the UI goroutine.
func (u *UI) applyEvents(batch []core.Event, signedOut bool) {
	if assertUI != nil {
		assertUI()
	}
	u.uploads.apply(batch)
	if signedOut {
		u.setSignedOut(true)
	}
}

// setSignedOut shows or hides the one sign-in banner.
func (u *UI) setSignedOut(out bool) {
	u.signedOut = out
	clear(u.ended)
	if !out {
		u.banner.Hide()
		return
	}
	// Name the accounts whose uploads wait (the other accounts go on), in
	// the words that fit: a session that ended, or one the creator signed
	// out of (the account is gone).
	waiting, gone, ended := 0, map[string]bool{}, map[string]bool{}
	for _, r := range u.uploads.rows {
		for _, t := range r.job.Targets {
			if t.State == core.StateWaiting && dest.Reason(t.Reason) == dest.ReasonSignedOut {
				waiting++
				if u.accountGone(t.Account) {
					gone[t.Account] = true
				} else {
					ended[t.Account] = true
				}
			}
		}
	}
	maps.Copy(u.ended, ended)
	msg := "You are signed out of Gan Jing World. Sign in to upload."
	if waiting > 0 {
		var why []string
		if len(ended) > 0 {
			why = append(why, "The session of "+strings.Join(slices.Sorted(maps.Keys(ended)), ", ")+" has ended")
		}
		if len(gone) > 0 {
			why = append(why, "You signed out of "+strings.Join(slices.Sorted(maps.Keys(gone)), ", "))
		}
		msg = strings.Join(why, "; ") + ": " + plural(waiting, "upload waits", "uploads wait") + " until you sign in again, nothing is lost."
	}
	u.bannerText.SetText(msg)
	u.banner.Show()
}

// accountGone reports whether account is not (or no longer) set up: the
// creator signed out of it or removed it (the Manager reads memory).
func (u *UI) accountGone(account string) bool {
	_, ok, err := u.deps.Accounts.Get(account)
	return err == nil && !ok
}

// inLineForSignIn reports whether queued target t cannot start before
// someone signs in: its account is gone, or its session has ended.
func (u *UI) inLineForSignIn(t persist.Target) bool {
	return t.State == core.StateQueued && (u.ended[t.Account] || u.accountGone(t.Account))
}

// signInText is what a target that waits for sign-in says.
func (u *UI) signInText(t persist.Target) string {
	if u.accountGone(t.Account) {
		return "You signed out of " + t.Account + ": sign in again on the Account tab and this upload continues by itself."
	}
	return explain(nil, persist.Target{Platform: t.Platform, Reason: string(dest.ReasonSignedOut)})
}

// showSignIn brings the sign-in form to the front.
func (u *UI) showSignIn() {
	u.tabs.Select(u.accountTab)
	u.account.focus()
}

// signedIn is called after new credentials are stored: the banner goes and
// every job that waited for a session is queued again.
func (u *UI) signedIn() {
	u.setSignedOut(false)
	u.uploads.refreshShown()
	u.deps.Engine.SignedIn()
}

// notify sends a desktop notification if the creator wants them.
// categoryNames are the creator's names of Gan Jing World's categories
// (UI goroutine).
func (u *UI) categoryNames() gjw.CategoryNames { return u.settings.CategoryNames }

func (u *UI) notify(title, content string) {
	if u.settings.Notify {
		u.app.SendNotification(fyne.NewNotification(title, content))
	}
}

// openURL opens a link in the browser. Where none opens (a desktop
// without xdg-open), it says so and offers to copy the link instead.
func (u *UI) openURL(link string) {
	p, err := url.Parse(link)
	if err != nil {
		return
	}
	if err := u.app.OpenURL(p); err != nil {
		fyne.LogError("opening "+link, err)
		ask.Confirm(u.win, "No browser opened", "GJW Uploader could not open "+link+" in a web browser: "+
			ask.WhyNoBrowser(err)+". Copy the link, to paste it into one?", "Copy link", "Close",
			ask.Then(func() { u.app.Clipboard().SetContent(link) }))
	}
}

// go runs fn off the UI goroutine; fn reports back through u.do.
func (u *UI) goBackground(fn func(ctx context.Context)) { go fn(u.ctx) }

// assertUI, when set by tests, checks that event application runs inside
// the UI scheduler (fyne.Do), never directly on an engine goroutine.
var assertUI func()

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
