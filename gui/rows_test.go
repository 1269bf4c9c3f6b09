package gui

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// requireFFmpeg skips a test that needs the real ffmpeg where it is not
// installed; make test sets GJW_REQUIRE_FFMPEG (make deps installs it), so
// there the test runs or fails, never skips.
func requireFFmpeg(t *testing.T) {
	t.Helper()
	if _, err := core.FFmpegPath(); err != nil {
		if os.Getenv("GJW_REQUIRE_FFMPEG") != "" {
			t.Fatal("ffmpeg is not installed (make deps installs it)")
		}
		t.Skip("ffmpeg is not installed")
	}
}

// ffmpegInstalled lets the app find the real ffmpeg for this test.
func ffmpegInstalled(t *testing.T) {
	t.Helper()
	requireFFmpeg(t)
	findFFmpeg = core.FFmpegPath
	t.Cleanup(func() { findFFmpeg = noFFmpeg })
}

// noFFmpeg is findFFmpeg where ffmpeg is not installed.
func noFFmpeg() (string, error) { return "", core.ErrNoFFmpeg }

// ffmpegMissing makes the app find no ffmpeg (the tests' default, so that
// a test runs the same with ffmpeg installed or not).
func ffmpegMissing(*testing.T) { findFFmpeg = noFFmpeg }

// posterWatch records, from the engine's events, every job that waited for
// a poster and the order in which jobs first started.
type posterWatch struct {
	mu      sync.Mutex
	waited  map[string]bool
	started []string
	seen    map[string]bool
}

func newPosterWatch() *posterWatch {
	return &posterWatch{waited: map[string]bool{}, seen: map[string]bool{}}
}

func (w *posterWatch) event(ev core.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, tg := range ev.Job.Targets {
		if dest.Reason(tg.Reason) == dest.ReasonNeedPoster {
			w.waited[ev.Job.ID] = true
		}
		if tg.State == core.StateRunning && !w.seen[ev.Job.ID] {
			w.seen[ev.Job.ID] = true
			w.started = append(w.started, ev.Job.ID)
		}
	}
}

func (w *posterWatch) waitedFor() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for id := range w.waited {
		out = append(out, id)
	}
	return out
}

func (w *posterWatch) startOrder() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.started...)
}

// assertRowsMatchEngine waits until every row holds its job as the engine
// has it now (the same revision and state: the engine reports a write just
// after making it, so a row may be a moment behind), then checks at once,
// before the engine moves on, that the rows on screen, as the list is
// scrolled and at its end, say what those jobs give (the transfer figures
// of a running row aside, which move). Rows off screen are drawn from
// their job when scrolled into view.
func (h *harness) assertRowsMatchEngine() {
	h.t.Helper()
	var problem string
	if !h.poll(func() bool { problem = h.rowsBehind(); return problem == "" }) {
		h.t.Fatal(problem)
	}
	if problem = h.rowsMisdrawn(); problem != "" {
		h.t.Fatal(problem)
	}
}

// rowsBehind says how a row's job differs from the engine's, or "".
func (h *harness) rowsBehind() string {
	jobs, err := h.engine.Jobs()
	if err != nil {
		return err.Error()
	}
	u := h.ui.uploads
	if len(u.rows) != len(jobs) {
		return fmt.Sprintf("%d rows for %d jobs", len(u.rows), len(jobs))
	}
	for _, j := range jobs {
		r := u.row(j.ID)
		if r == nil {
			return "no row for " + j.Meta.Title
		}
		if r.job.Rev != j.Rev || r.job.State != j.State {
			return fmt.Sprintf("row of %s shows rev %d %s; the engine has rev %d %s", j.Meta.Title, r.job.Rev, r.job.State, j.Rev, j.State)
		}
	}
	return ""
}

// rowsMisdrawn says how a row on screen differs from what its job gives,
// or "": as the list is first, then at the end of it.
func (h *harness) rowsMisdrawn() string {
	u := h.ui.uploads
	shown := h.shownRows(-1)
	for id, r := range h.shownRows(len(u.rows) - 1) {
		if _, ok := shown[id]; !ok {
			shown[id] = r
		}
	}
	for id, rv := range shown {
		i := u.index[id]
		j := u.rows[i].job
		status, detail, _ := describe(u, i, newRow(j))
		status, detail = clip(status, 72), clip(detail, 96)
		if rv.status != status || (j.State != core.StateRunning && rv.detail != detail) {
			return fmt.Sprintf("row of %s says %q / %q; its state says %q / %q", j.Meta.Title, rv.status, rv.detail, status, detail)
		}
		if want := (j.ThumbnailPath == "" && core.Unfinished(j)) || anyFailedFor(j, dest.ReasonPosterRefused); rv.pickPoster != want {
			return fmt.Sprintf("row of %s: Choose poster shown %v, want %v", j.Meta.Title, rv.pickPoster, want)
		}
	}
	return ""
}

// shownRow is what a job's row said on screen.
type shownRow struct {
	status, detail string
	pickPoster     bool
}

// shownRows is what the rows on screen say, scrolled to row i (as the list
// is, for i < 0: scrolling draws the rows that come into view afresh).
func (h *harness) shownRows(i int) map[string]shownRow {
	u := h.ui.uploads
	if i >= 0 {
		u.list.ScrollTo(i)
	}
	shown := map[string]shownRow{}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if !o.Visible() {
			return
		}
		if rv, ok := o.(*rowView); ok {
			if rv.id != "" && u.shown[rv.id] == rv { // else a template the list keeps for reuse
				shown[rv.id] = shownRow{rv.status.Text, rv.detail.Text, rv.pickPoster.Visible()}
			}
			return
		}
		var kids []fyne.CanvasObject
		switch c := o.(type) {
		case *fyne.Container:
			kids = c.Objects
		case fyne.Widget:
			kids = test.WidgetRenderer(c).Objects()
		}
		for _, k := range kids {
			walk(k)
		}
	}
	if i >= 0 {
		for _, o := range test.LaidOutObjects(u.list) {
			walk(o)
		}
	} else {
		walk(u.list) // walked, not laid out: a layout would draw the rows afresh
	}
	if i >= 0 {
		if _, ok := shown[u.rows[i].job.ID]; !ok {
			h.t.Fatalf("row %d (%s) not shown when scrolled to", i, u.rows[i].job.Meta.Title)
		}
	}
	return shown
}

// states summarises the engine's jobs by state, for failure messages.
func (h *harness) states() string {
	jobs, _ := h.engine.Jobs()
	n := map[string]int{}
	for _, j := range jobs {
		s := j.State
		if len(j.Targets) > 0 && j.Targets[0].Reason != "" {
			s += "(" + j.Targets[0].Reason + ")"
		}
		n[s]++
	}
	return fmt.Sprint(n)
}

// eventuallyAllPublished waits until the engine has published every job.
func (h *harness) eventuallyAllPublished(n int) []persist.Job {
	h.t.Helper()
	var jobs []persist.Job
	if !h.poll(func() bool {
		jobs, _ = h.engine.Jobs()
		for _, j := range jobs {
			if j.State != core.StateDone {
				return false
			}
		}
		return len(jobs) == n
	}) {
		h.t.Fatalf("timed out waiting for %d uploads to publish: %s", n, h.states())
	}
	return jobs
}

// A drop of 50 videos, ffmpeg installed: every upload starts with a frame
// of its video as poster (none waits for one, none is picked by hand), and
// every row shows the engine's latest state, mid-queue and at the end.
func TestFiftyFileDropWithFFmpeg(t *testing.T) {
	ffmpegInstalled(t)
	testFiftyFileDrop(t, true)
}

// The same drop without ffmpeg: every upload starts with a title card as
// poster.
func TestFiftyFileDropWithoutFFmpeg(t *testing.T) {
	ffmpegMissing(t)
	testFiftyFileDrop(t, false)
}

func testFiftyFileDrop(t *testing.T, withFFmpeg bool) {
	const n = 50
	w := newPosterWatch()
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{parallel: 1, onEvent: w.event})
	dir := filepath.Join(t.TempDir(), "clips")
	var sample []byte
	if withFFmpeg {
		b, err := os.ReadFile(sandboxtest.WriteVideo(t, filepath.Join(t.TempDir(), "sample.mp4"), 2))
		if err != nil {
			t.Fatal(err)
		}
		sample = b
	}
	for i := range n {
		path := filepath.Join(dir, fmt.Sprintf("clip_%02d.mp4", i+1))
		if withFFmpeg {
			os.MkdirAll(dir, 0o755)
			if err := os.WriteFile(path, sample, 0o644); err != nil {
				t.Fatal(err)
			}
		} else {
			sandboxtest.WriteRandom(t, path, 20<<10)
		}
	}
	// The first upload is held mid-transfer until the rows are checked.
	p.holdPatches()
	h.ui.Drop([]string{dir})
	h.waitDrops()
	if len(h.ui.uploads.rows) != n {
		t.Fatalf("%d rows after dropping %d videos", len(h.ui.uploads.rows), n)
	}
	first := h.ui.uploads.rows[0].job.ID
	second := h.ui.uploads.rows[1].job.ID
	h.eventually("the first upload to send its bytes, the others to wait in line", func() bool {
		jobs, _ := h.engine.Jobs()
		for _, j := range jobs {
			if j.ID == first {
				if j.State != core.StateRunning || view(j).Step != gjw.StepUpload {
					return false
				}
			} else if !core.NotStarted(j) {
				return false
			}
		}
		return true
	})
	h.assertRowsMatchEngine()

	// Pausing the first starts the second: every row's place in line moves.
	test.Tap(h.rowView(first).pause)
	h.eventually("the second upload to send its bytes", func() bool {
		j := h.job(second)
		return h.job(first).State == core.StatePaused && j.State == core.StateRunning && view(j).Step == gjw.StepUpload
	})
	h.assertRowsMatchEngine()

	p.releasePatches()
	h.engine.SetParallel(4) // the rest at the pace of the machine
	if err := h.engine.Resume(first); err != nil {
		t.Fatal(err)
	}
	jobs := h.eventuallyAllPublished(n)
	h.assertRowsMatchEngine()
	if waited := w.waitedFor(); len(waited) > 0 {
		t.Fatalf("%d uploads waited for a poster", len(waited))
	}
	for _, j := range jobs {
		if j.ThumbnailPath == "" || view(j).PosterURL == "" {
			t.Fatalf("%s published without a poster (%q)", j.Meta.Title, j.ThumbnailPath)
		}
		if isCard := strings.Contains(filepath.Base(j.ThumbnailPath), "card"); isCard == withFFmpeg {
			t.Fatalf("%s has poster %s (ffmpeg installed: %v)", j.Meta.Title, j.ThumbnailPath, withFFmpeg)
		}
	}
}

// With ffmpeg, a dropped video's poster frame is taken before its upload
// starts: uploads start in queue order, none waits for a poster, and ↑/↓
// move the ones that have not started.
func TestUploadsStartInQueueOrderWithTheirPosters(t *testing.T) {
	ffmpegInstalled(t)
	w := newPosterWatch()
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{parallel: 1, onEvent: w.event})
	dir := filepath.Join(t.TempDir(), "talks")
	sample := sandboxtest.WriteVideo(t, filepath.Join(dir, "a.mp4"), 1)
	b, _ := os.ReadFile(sample)
	for _, name := range []string{"b.mp4", "c.mp4", "d.mp4"} {
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	p.holdPatches()
	h.ui.Drop([]string{dir})
	h.waitDrops()
	u := h.ui.uploads
	if len(u.rows) != 4 {
		t.Fatalf("%d rows", len(u.rows))
	}
	first := u.rows[0].job.ID
	h.eventually("the first upload to send its bytes, the others to wait in line", func() bool {
		jobs, _ := h.engine.Jobs()
		for _, j := range jobs {
			if (j.ID == first) != (j.State == core.StateRunning) || (j.ID != first && !core.NotStarted(j)) {
				return false
			}
		}
		return view(h.job(first)).Step == gjw.StepUpload
	})
	// d goes before b: ↑ twice on the last row.
	last := u.rows[3].job.ID
	h.eventuallyRow(last, "↑ on the last row", func(rv *rowView) bool { return rv.up.Visible() })
	test.Tap(h.rowView(last).up)
	h.pump()
	test.Tap(h.rowView(last).up)
	h.pump()
	if u.msgBar.Visible() && strings.Contains(u.msg.Text, "Could not") {
		t.Fatalf("moving a queued upload: %s", u.msg.Text)
	}
	var titles []string
	for _, r := range u.rows {
		titles = append(titles, r.job.Meta.Title)
	}
	if got := strings.Join(titles, ","); got != "a,d,b,c" {
		t.Fatalf("queue after moving d up twice: %s", got)
	}
	p.releasePatches()
	h.eventuallyAllPublished(4)
	var started []string
	for _, id := range w.startOrder() {
		started = append(started, h.job(id).Meta.Title)
	}
	if got := strings.Join(started, ","); got != "a,d,b,c" {
		t.Fatalf("uploads started in the order %s, want the queue's a,d,b,c", got)
	}
	if waited := w.waitedFor(); len(waited) > 0 {
		t.Fatalf("%d uploads waited for a poster", len(waited))
	}
}

// centre is the middle of o in window coordinates (where a drop on it lands).
func (h *harness) centre(o fyne.CanvasObject) fyne.Position {
	p := h.app.Driver().AbsolutePositionForObject(o)
	return p.AddXY(o.Size().Width/2, o.Size().Height/2)
}

// After publishing, the creator changes the title card: an image dropped
// on the row is sent to the platform with update-content; one dropped on
// the details panel is taken into the form, and Save sends it.
func TestPosterChangedByDroppingAnImage(t *testing.T) {
	ffmpegMissing(t)
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{})
	dir := t.TempDir()
	video := sandboxtest.WriteRandom(t, filepath.Join(dir, "my_trip_to_Taipei.mp4"), testSize)
	h.ui.Drop([]string{video})
	h.waitDrops()
	id := h.ui.uploads.rows[0].job.ID
	h.eventually("the upload to publish", func() bool { return h.job(id).State == core.StateDone })
	j := h.job(id)
	card := j.ThumbnailPath
	if !strings.HasSuffix(card, "-card.jpg") {
		t.Fatalf("poster %q, want a title card", card)
	}
	if err := gjw.ValidateImage(card); err != nil {
		t.Fatal(err)
	}
	c, _ := p.sb.Content(view(j).ContentID)
	cardURL, updates := c.Fields["poster_url"], c.Updates
	if cardURL == "" || cardURL == nil {
		t.Fatalf("published without a poster URL: %v", c.Fields)
	}

	// An image dropped on the row: its poster, sent at once.
	photo := sandboxtest.WritePoster(t, filepath.Join(dir, "photo.png"), color.NRGBA{200, 60, 60, 255})
	h.eventuallyRow(id, "the published row", func(rv *rowView) bool { return rv.copyLink.Visible() })
	// The only row, at the top of the list: its middle.
	h.ui.uploads.list.ScrollToTop()
	onRow := h.app.Driver().AbsolutePositionForObject(h.ui.uploads.list).Add(fyne.NewPos(200, h.rowView(id).Size().Height/2))
	h.ui.dropAt(onRow, []fyne.URI{storage.NewFileURI(photo)})
	h.eventually("the new poster to reach the platform", func() bool {
		c, _ := p.sb.Content(view(j).ContentID)
		return h.job(id).ThumbnailPath == photo && c.Updates > updates && c.Fields["poster_url"] != cardURL
	})
	if n := len(h.ui.uploads.rows); n != 1 {
		t.Fatalf("the dropped image was queued as a video: %d rows", n)
	}

	// An image dropped on the details panel: chosen in the form, sent by Save.
	h.ui.uploads.list.Select(0)
	d := h.ui.uploads.details
	other := sandboxtest.WritePoster(t, filepath.Join(dir, "other.png"), color.NRGBA{60, 200, 60, 255})
	h.ui.dropAt(h.centre(d.content), []fyne.URI{storage.NewFileURI(other)})
	if d.newPoster != other || !strings.Contains(d.result.Text, "save to use it") {
		t.Fatalf("after a drop on the details panel: new poster %q, %q", d.newPoster, d.result.Text)
	}
	c, _ = p.sb.Content(view(j).ContentID)
	photoURL, updates := c.Fields["poster_url"], c.Updates
	test.Tap(d.save)
	h.eventually("Save to send the new poster", func() bool {
		c, _ := p.sb.Content(view(j).ContentID)
		return h.job(id).ThumbnailPath == other && c.Updates > updates && c.Fields["poster_url"] != photoURL
	})

	// Without ffmpeg the panel offers no frames, says why, and its file
	// dialog opens in the video's folder.
	if d.frames[0].box.Visible() || !strings.Contains(d.frameNote.Text, "ffmpeg") {
		t.Fatalf("no ffmpeg: a frame is offered (%v) or the note is %q", d.frames[0].box.Visible(), d.frameNote.Text)
	}
	test.Tap(findButton(t, d.content, "Choose file…"))
	assertDialogIn(t, h, filepath.Base(dir))
}

// assertDialogIn checks that the file dialog on top shows folder.
func assertDialogIn(t *testing.T, h *harness, folder string) {
	t.Helper()
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no file dialog shown")
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == folder && b.Visible() {
			h.win.Canvas().Overlays().Remove(top)
			return
		}
	}
	t.Fatalf("the file dialog does not open in the folder %q", folder)
}

// With ffmpeg the details panel offers three frames of the video (10 %,
// 50 % and 90 % in); the one picked becomes the poster, before or after
// publishing.
func TestDetailsOfferThreeFrames(t *testing.T) {
	ffmpegInstalled(t)
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{})
	dir := filepath.Join(t.TempDir(), "footage")
	video := sandboxtest.WriteVideo(t, filepath.Join(dir, "harbour.mp4"), 10)
	p.holdPatches()
	h.ui.Drop([]string{video})
	h.waitDrops()
	id := h.ui.uploads.rows[0].job.ID
	first := h.job(id).ThumbnailPath
	h.ui.uploads.list.Select(0)
	d := h.ui.uploads.details
	h.eventually("three frames offered", func() bool {
		for _, f := range d.frames {
			if !f.box.Visible() || f.img.Image == noPoster {
				return false
			}
		}
		return d.frameNote.Text == ""
	})
	seen := map[string]bool{}
	for _, f := range d.frames {
		if err := gjw.ValidateImage(f.path); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(f.path)
		seen[string(b)] = true
	}
	if len(seen) != 3 {
		t.Fatalf("the three frames are %d different pictures", len(seen))
	}
	test.Tap(d.frames[1].btn)
	if d.newPoster != d.frames[1].path {
		t.Fatalf("tapping the middle frame chose %q", d.newPoster)
	}
	test.Tap(d.save)
	h.eventually("the middle frame to be the poster", func() bool { return h.job(id).ThumbnailPath == d.frames[1].path })
	if first == d.frames[1].path {
		t.Fatal("the drop's poster was not another file")
	}
	p.releasePatches()
	h.eventually("the upload to publish", func() bool { return h.job(id).State == core.StateDone })
	j := h.job(id)
	c, _ := p.sb.Content(view(j).ContentID)
	if view(j).PosterURL == "" || c.Fields["poster_url"] != view(j).PosterURL {
		t.Fatalf("published poster %v, checkpoint %q", c.Fields["poster_url"], view(j).PosterURL)
	}
	// The last frame, after publishing: update-content.
	updates := c.Updates
	test.Tap(d.frames[2].btn)
	test.Tap(d.save)
	h.eventually("the last frame to reach the platform", func() bool {
		c, _ := p.sb.Content(view(j).ContentID)
		return h.job(id).ThumbnailPath == d.frames[2].path && c.Updates > updates && c.Fields["poster_url"] != view(j).PosterURL
	})
	// The row's own "Choose poster…" is gone (it has one), and the file
	// dialog of the panel opens in the video's folder.
	test.Tap(findButton(t, d.content, "Choose file…"))
	assertDialogIn(t, h, "footage")
}

// A job queued without a poster (by an older version, or gjw) gets a title
// card when the app starts, and publishes without one being picked.
func TestJobWithoutPosterGetsOneAtStart(t *testing.T) {
	ffmpegMissing(t)
	p := newPlatform(t)
	first := newHarness(t, p, harnessOpts{noStart: true})
	video := sandboxtest.WriteRandom(t, filepath.Join(t.TempDir(), "old_clip.mp4"), testSize)
	j, err := first.engine.Add(core.NewUpload{VideoPath: video, Meta: persist.VideoMeta{Title: "old clip"}})
	if err != nil {
		t.Fatal(err)
	}
	first.close()
	h := newHarness(t, p, harnessOpts{db: first.db})
	h.eventually("the upload to publish", func() bool { return h.job(j.ID).State == core.StateDone })
	if got := h.job(j.ID).ThumbnailPath; !strings.HasSuffix(got, j.ID+"-card.jpg") {
		t.Fatalf("poster %q, want a title card", got)
	}
	h.assertRowsMatchEngine()
}

// When a row leaves the line (it starts), the rows after it move up: the
// rows on screen say their new place at once, with no other change of
// their own.
func TestPlaceInLineFollowsTheQueue(t *testing.T) {
	h := newHarness(t, newPlatform(t), harnessOpts{noStart: true})
	u := h.ui.uploads
	var jobs []persist.Job
	for i := range 3 {
		j := persist.Job{ID: fmt.Sprintf("j%d", i), Rev: 1, Position: int64(i), Size: 100, ThumbnailPath: "/none.jpg",
			Meta: persist.VideoMeta{Title: fmt.Sprintf("clip %d", i)}, State: core.StateQueued,
			Targets: []persist.Target{{Account: "gjw", Platform: gjw.Platform, State: core.StateQueued}}}
		jobs = append(jobs, j)
		u.apply([]core.Event{{Job: j}})
	}
	h.rowView("j0") // lays the list out: every row on screen
	if got := u.shown["j2"].detail.Text; got != "Number 3 in line" {
		t.Fatalf("the last row says %q", got)
	}
	running := jobs[0]
	running.Rev, running.State = 2, core.StateRunning
	running.Targets = []persist.Target{{Account: "gjw", Platform: gjw.Platform, State: core.StateRunning, Step: gjw.StepToken}}
	u.apply([]core.Event{{Job: running, Target: "gjw"}})
	// Read from the templates as they are (a layout would draw them afresh).
	if got := u.shown["j2"].detail.Text; got != "Number 2 in line" {
		t.Fatalf("after the first started, the last row says %q", got)
	}
	if got := u.shown["j1"].detail.Text; got != "Number 1 in line" {
		t.Fatalf("the second row says %q", got)
	}
}

// Reports of one job arrive out of order (a target's report from its own
// goroutine after a newer write): the row keeps the newest job, whole, and
// an older report brings only its bytes; Events keeps the newer of two
// reports of one target.
func TestOutOfOrderReportsKeepTheNewestJob(t *testing.T) {
	at := func(rev int64, a, b string) persist.Job {
		return persist.Job{ID: "j", Rev: rev, Size: 100, State: core.StateRunning, Targets: []persist.Target{
			{Account: "a", Platform: gjw.Platform, State: a, Step: gjw.StepUpload},
			{Account: "b", Platform: gjw.Platform, State: b, Step: gjw.StepUpload}}}
	}
	r := &row{}
	steps := newStepBook()
	r.apply(core.Event{Job: at(3, core.StateRunning, core.StateQueued), Target: "a"}, steps)
	// b started at rev 4, a sent bytes at rev 5; a's report comes first.
	r.apply(core.Event{Job: at(5, core.StateRunning, core.StateRunning), Target: "a", Sent: 50}, steps)
	r.apply(core.Event{Job: at(4, core.StateRunning, core.StateRunning), Target: "b"}, steps)
	if r.job.Rev != 5 || r.job.Target("b").State != core.StateRunning || r.transfer("a").sent != 50 {
		t.Fatalf("row at rev %d, b %s, a sent %d", r.job.Rev, r.job.Target("b").State, r.transfer("a").sent)
	}
	r.apply(core.Event{Job: at(4, core.StateRunning, core.StateRunning), Target: "a", Sent: 60}, steps)
	if r.job.Rev != 5 || r.transfer("a").sent != 60 {
		t.Fatalf("an older tick: row at rev %d, a sent %d", r.job.Rev, r.transfer("a").sent)
	}

	e := NewEvents()
	var queued []func()
	e.do = func(fn func()) { queued = append(queued, fn) }
	var got []core.Event
	e.attach(func(batch []core.Event, _ bool) { got = append(got, batch...) })
	e.Push(core.Event{Job: at(7, core.StateDone, core.StateRunning), Target: "a"})
	e.Push(core.Event{Job: at(6, core.StateRunning, core.StateRunning), Target: "a", Sent: 90})
	queued[0]()
	if len(got) != 1 || got[0].Job.Rev != 7 || got[0].Sent != 90 {
		t.Fatalf("batch %+v", got)
	}
}
