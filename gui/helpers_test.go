package gui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/awake"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	_ "github.com/gjw-uploader/gjw-uploader/gui/locale" // quiet Fyne under LANG=C.UTF-8
	"github.com/gjw-uploader/gjw-uploader/persist"
)

const (
	testChunk = 64 << 10
	testSize  = 6*testChunk + 4321
)

var fastDelays = []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond}

// platform is the in-process sandbox (real tusd) behind httptest servers.
// slowPatch delays every TUS PATCH, so a test can act mid-upload.
type platform struct {
	sb        *sandbox.Server
	hosts     gjw.Hosts
	slowPatch atomic.Int64 // nanoseconds
	// gate, while not nil, holds every TUS PATCH until it is closed (or
	// the client gives up); see holdPatches.
	gateMu sync.Mutex
	gate   chan struct{}
}

// holdPatches holds every TUS PATCH until releasePatches, so a test can
// look at the queue while an upload is mid-transfer.
func (p *platform) holdPatches() {
	p.gateMu.Lock()
	if p.gate == nil {
		p.gate = make(chan struct{})
	}
	p.gateMu.Unlock()
}

func (p *platform) releasePatches() {
	p.gateMu.Lock()
	if p.gate != nil {
		close(p.gate)
		p.gate = nil
	}
	p.gateMu.Unlock()
}

func newPlatform(t testing.TB) *platform {
	t.Helper()
	return newPlatformWith(t, sandbox.Config{TranscodePolls: 2})
}

// newPlatformWith is newPlatform with the sandbox configured by cfg.
func newPlatformWith(t testing.TB, cfg sandbox.Config) *platform {
	t.Helper()
	cfg.Dir = t.TempDir()
	sb, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := &platform{sb: sb}
	vod := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := p.slowPatch.Load(); d > 0 && r.Method == http.MethodPatch {
			time.Sleep(time.Duration(d))
		}
		p.gateMu.Lock()
		gate := p.gate
		p.gateMu.Unlock()
		if gate != nil && r.Method == http.MethodPatch {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		sb.VOD().ServeHTTP(w, r)
	})
	api, img, v := httptest.NewServer(sb.API()), httptest.NewServer(sb.Image()), httptest.NewServer(vod)
	t.Cleanup(func() { p.releasePatches(); api.Close(); img.Close(); v.Close(); sb.Close() })
	p.hosts = gjw.Hosts{API: api.URL, Image: img.URL, VOD: v.URL}
	return p
}

// fakeArticles stands in for the Articles tab and records drops.
type fakeArticles struct {
	content fyne.CanvasObject
	drops   [][]string
	closed  bool
}

func (f *fakeArticles) Content() fyne.CanvasObject { return f.content }
func (f *fakeArticles) Drop(paths []string)        { f.drops = append(f.drops, paths) }
func (f *fakeArticles) Close()                     { f.closed = true }

func init() {
	newArticlesPane = func(context.Context, fyne.Window, Deps, func() gjw.CategoryNames) articlesPane {
		return &fakeArticles{content: widget.NewLabel("Articles")}
	}
}

// recordingApp is Fyne's test app that also keeps every notification.
type recordingApp struct {
	fyne.App
	mu      sync.Mutex
	notes   []fyne.Notification
	openErr error
	opened  []string
}

// OpenURL fails with openErr when set (no xdg-open), else records u.
func (a *recordingApp) OpenURL(u *url.URL) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.openErr != nil {
		return a.openErr
	}
	a.opened = append(a.opened, u.String())
	return nil
}

func (a *recordingApp) SendNotification(n *fyne.Notification) {
	a.mu.Lock()
	a.notes = append(a.notes, *n)
	a.mu.Unlock()
}

func (a *recordingApp) notifications() []fyne.Notification {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]fyne.Notification(nil), a.notes...)
}

// harness is one app instance: DB, engine, window and a UI scheduler that
// the test goroutine drains. Fyne's test driver runs fyne.Do inline on the
// caller's goroutine, which would let an engine goroutine touch widgets;
// here every scheduled function waits in a queue until pump runs it on the
// test goroutine (the "UI goroutine"), and the race detector reports any
// widget touched from elsewhere.
type harness struct {
	t       testing.TB
	p       *platform
	app     *recordingApp
	db      *persist.DB
	accts   *account.Manager
	events  *Events
	engine  *core.Engine
	win     fyne.Window
	ui      *UI
	ctx     context.Context
	stop    context.CancelFunc
	closed  bool
	started bool

	mu    sync.Mutex
	queue []func()
	inDo  bool // only read and written on the test goroutine
}

type harnessOpts struct {
	db        *persist.DB // nil: a fresh in-memory DB, signed in
	noStart   bool
	noSession bool
	parallel  int
	onEvent   func(core.Event) // sees every engine event before the window does
	delays    []time.Duration  // the retry delays; nil: fastDelays
	// awake is the system's keep-awake hold the engine takes while
	// uploading; nil: one that is always granted (this machine's own may
	// have no logind, and would put a note in the message bar).
	awake awake.Inhibitor
}

// grantedAwake is a keep-awake hold the system always grants.
type grantedAwake struct{}

func (grantedAwake) Inhibit(string) (func(), error) { return func() {}, nil }

// newHarness builds the window on a fresh app (or on the given DB).
func newHarness(t testing.TB, p *platform, o harnessOpts) *harness {
	t.Helper()
	h := &harness{t: t, p: p}
	h.app = &recordingApp{App: test.NewTempApp(t)}
	h.db = o.db
	if h.db == nil {
		db, err := persist.OpenInMemory()
		if err != nil {
			t.Fatal(err)
		}
		h.db = db
		t.Cleanup(func() { db.Close() })
		if !o.noSession && p != nil {
			acct := p.sb.DemoAccount()
			if err := db.PutCredentials(persist.Credentials{
				AccessToken: acct.AccessToken, RefreshToken: acct.RefreshToken, ChannelID: acct.ChannelID,
				ExpiresAt: time.Now().Add(time.Duration(acct.ExpiresIn) * time.Second),
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	h.events = NewEvents()
	h.events.do = h.schedule
	delays := fastDelays
	if o.delays != nil {
		delays = o.delays
	}
	opts := core.Options{ChunkSize: testChunk, PollInterval: time.Millisecond, RetryDelays: delays,
		Parallel: o.parallel, OnEvent: h.events.Push, Awake: o.awake}
	if opts.Awake == nil {
		opts.Awake = grantedAwake{}
	}
	if o.onEvent != nil {
		opts.OnEvent = func(ev core.Event) { o.onEvent(ev); h.events.Push(ev) }
	}
	if p != nil {
		opts.Hosts = p.hosts
	} else {
		opts.Hosts = gjw.Hosts{API: "http://127.0.0.1:1", Image: "http://127.0.0.1:1", VOD: "http://127.0.0.1:1"}
	}
	accts, err := account.Open(h.db, account.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h.accts = accts
	// Wired as the app is: a driver per account, the accounts' defaults.
	h.engine = core.New(account.DefaultGJWStore{DB: h.db, Accounts: accts}, account.Wire(accts, h.db, opts))
	accts.OnRemove(h.engine.StopAccount)
	h.ctx, h.stop = context.WithCancel(context.Background())
	h.win = test.NewTempWindow(t, nil)
	h.win.Resize(fyne.NewSize(1120, 720))
	ui, err := New(h.ctx, h.win, Deps{App: h.app, Engine: h.engine, DB: h.db, Accounts: accts, Events: h.events, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	h.ui = ui
	assertUI = func() {
		if !h.inDo {
			t.Error("engine events were applied outside the UI scheduler")
		}
	}
	t.Cleanup(h.close)
	if !o.noStart {
		h.start()
	}
	h.pump()
	return h
}

// start starts the engine's queue.
func (h *harness) start() {
	h.t.Helper()
	h.started = true
	if err := h.engine.Start(h.ctx); err != nil {
		h.t.Fatal(err)
	}
}

// close stops the app like quitting it: the context ends, running jobs
// record that they stopped, and the window goes.
func (h *harness) close() {
	if h.closed {
		return
	}
	h.closed = true
	h.stop()
	h.ui.Close()
	deadline := time.Now().Add(5 * time.Second)
	for h.started && time.Now().Before(deadline) {
		jobs, err := h.db.Jobs()
		if err != nil {
			break
		}
		running := false
		for _, j := range jobs {
			running = running || j.State == core.StateRunning
		}
		if !running {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.pump()
	assertUI = nil
}

// schedule is the UI scheduler given to Events (fyne.Do's stand-in): it
// never blocks and never runs fn on the caller's goroutine.
func (h *harness) schedule(fn func()) {
	h.mu.Lock()
	h.queue = append(h.queue, fn)
	h.mu.Unlock()
}

// waitDrops waits until every drop has been scanned and queued, then runs
// the UI updates they scheduled.
func (h *harness) waitDrops() {
	h.ui.uploads.dropping.Wait()
	h.pump()
}

// add queues a video with a poster, as a drop followed by choosing a poster
// does.
func (h *harness) add(video, thumbnail string) error {
	meta := h.ui.settings.Defaults
	meta.Title = core.TitleFromFilename(video)
	j, err := h.engine.Add(core.NewUpload{VideoPath: video, ThumbnailPath: thumbnail, Meta: meta})
	if err == nil {
		h.ui.uploads.upsert(j)
	}
	return err
}

// pump runs everything scheduled so far on the test goroutine.
func (h *harness) pump() {
	for {
		h.mu.Lock()
		q := h.queue
		h.queue = nil
		h.mu.Unlock()
		if len(q) == 0 {
			return
		}
		for _, fn := range q {
			h.inDo = true
			fn()
			h.inDo = false
		}
	}
}

// waitFor is how long eventually and eventuallyRow wait: long, because a
// loaded 2-core machine running the race detector is slow, and a passing
// test never waits that long.
const waitFor = 30 * time.Second

// eventually pumps the UI until cond holds.
func (h *harness) eventually(what string, cond func() bool) {
	h.t.Helper()
	if !h.poll(cond) {
		h.t.Fatalf("timed out waiting for %s", what)
	}
}

// poll pumps the UI until cond holds (true) or waitFor has passed (false).
// cond runs on the test goroutine, after each pump, so it may read widgets.
func (h *harness) poll(cond func() bool) bool {
	deadline := time.Now().Add(waitFor)
	for {
		h.pump()
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// job reads a job from the DB.
func (h *harness) job(id string) persist.Job {
	h.t.Helper()
	j, ok, err := h.db.Job(id)
	if err != nil || !ok {
		h.t.Fatalf("job %s: %v %v", id, ok, err)
	}
	return j
}

// rowView finds the rendered row of a job (it must be scrolled into view).
func (h *harness) rowView(id string) *rowView {
	h.t.Helper()
	if rv := h.findRowView(id); rv != nil {
		return rv
	}
	h.t.Fatalf("no row shown for job %s", id)
	return nil
}

// findRowView is rowView that returns nil when the job has no row on screen.
func (h *harness) findRowView(id string) *rowView {
	if i, ok := h.ui.uploads.index[id]; ok {
		h.ui.uploads.list.ScrollTo(i)
	}
	for _, o := range test.LaidOutObjects(h.ui.uploads.list) {
		if rv, ok := o.(*rowView); ok && rv.id == id && rv.Visible() {
			return rv
		}
	}
	return nil
}

// eventuallyRow pumps the UI until the job's row on screen satisfies cond,
// and returns that row. The engine changes state before its event reaches
// the UI, so a test that saw the engine (or the DB) change must wait here
// for the row instead of reading it at once. On timeout it reports what the
// row showed.
func (h *harness) eventuallyRow(id, what string, cond func(rv *rowView) bool) *rowView {
	h.t.Helper()
	var rv *rowView
	ok := h.poll(func() bool {
		rv = h.findRowView(id)
		return rv != nil && cond(rv)
	})
	if !ok {
		if rv == nil {
			h.t.Fatalf("timed out waiting for %s: no row shown for job %s", what, id)
		}
		h.t.Fatalf("timed out waiting for %s: the row shows %q / %q", what, rv.status.Text, rv.detail.Text)
	}
	return rv
}

// tapButton taps a visible button by its label in the top dialog.
func (h *harness) tapDialogButton(label string) {
	h.t.Helper()
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		h.t.Fatal("no dialog shown")
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == label && b.Visible() {
			test.Tap(b)
			return
		}
	}
	h.t.Fatalf("no %q button in the dialog", label)
}

// rowJob returns the row's job as the UI shows it.
func (h *harness) row(id string) *row {
	h.t.Helper()
	r := h.ui.uploads.row(id)
	if r == nil {
		h.t.Fatalf("no row for job %s", id)
	}
	return r
}

// findButton finds a button by its label under o.
func findButton(t testing.TB, o fyne.CanvasObject, label string) *widget.Button {
	t.Helper()
	for _, c := range test.LaidOutObjects(o) {
		if b, ok := c.(*widget.Button); ok && b.Text == label {
			return b
		}
	}
	t.Fatalf("no %q button", label)
	return nil
}
