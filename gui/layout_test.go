package gui

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/uitest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// frame lays the window out as the driver does before drawing a frame.
func (h *harness) frame() {
	h.pump()
	uitest.Layout(h.win.Content())
}

// drawnRow scrolls job id's row into view and returns the template that
// draws it, found through the widgets' own renderers. (h.rowView goes
// through test.LaidOutObjects, which gives every widget a new renderer: a
// label gets a new text object outside any theme override.)
func (h *harness) drawnRow(id string) *rowView {
	h.t.Helper()
	i, ok := h.ui.uploads.index[id]
	if !ok {
		h.t.Fatalf("no row for job %s", id)
	}
	h.ui.uploads.list.ScrollTo(i)
	h.frame()
	var found *rowView
	uitest.Walk(h.ui.uploads.list, func(o fyne.CanvasObject) {
		if rv, ok := o.(*rowView); ok && rv.id == id && rv.Visible() {
			found = rv
		}
	})
	if found == nil {
		h.t.Fatalf("no row drawn for job %s", id)
	}
	return found
}

// watch is uitest.Watch on the window, after the UI's pending work.
func (h *harness) watch(objs map[string]fyne.CanvasObject) func(when string) {
	h.pump()
	check := uitest.Watch(h.t, h.win.Content(), objs)
	return func(when string) {
		h.t.Helper()
		h.pump()
		check(when)
	}
}

// storeJobs stores hand-written one-target GJW jobs (in this order) for a
// harness to load.
func storeJobs(t *testing.T, jobs ...persist.Job) *persist.DB {
	t.Helper()
	db, err := persist.OpenInMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.PutCredentials(persist.Credentials{AccessToken: "a", RefreshToken: "r", ChannelID: "demo-channel", ExpiresAt: time.Now().Add(240 * time.Hour)})
	for i := range jobs {
		j := &jobs[i]
		if j.ID == "" {
			j.ID = "seed" + string(rune('a'+i))
		}
		j.Position, j.CreatedAt, j.Rev = int64(i), time.Now(), 1
		if j.VideoPath == "" {
			j.VideoPath = filepath.Join("/videos", j.ID+".mp4")
		}
		if j.Meta.Lang == "" {
			j.Meta = persist.VideoMeta{Title: j.Meta.Title, Lang: "en-US", Visibility: "public"}
		}
		if err := db.PutJob(*j); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// seedJob is a one-target GJW job in state at step.
func seedJob(t *testing.T, title, state, step string, cp gjw.Checkpoint) persist.Job {
	j := persist.Job{Meta: persist.VideoMeta{Title: title}, State: state, Size: 50 << 20}
	j.Targets = []persist.Target{gjwTarget(t, step, state, cp)}
	if state == core.StateDone {
		j.Targets[0].Result = persist.TargetResult{ID: cp.ContentID, URL: core.VideoURL(cp.ContentID)}
		j.Targets[0].Offset = j.Size
	}
	return j
}

// Defect 7: neither the message bar nor the sign-in banner moves the queue
// or the tabs: both have a place of their own.
func TestMessageBarAndBannerDoNotMoveTheQueue(t *testing.T) {
	db := storeJobs(t, seedJob(t, "one", core.StateQueued, "", gjw.Checkpoint{}))
	h := newHarness(t, nil, harnessOpts{db: db, noStart: true})
	list, tabs := h.ui.uploads.list, h.ui.tabs
	if list.Size().Height < 100 {
		t.Fatalf("the list is %v tall", list.Size().Height)
	}
	check := h.watch(map[string]fyne.CanvasObject{"the list": list, "the tabs": tabs})
	h.ui.uploads.say(widget.SuccessImportance, "Queued 3 videos.")
	if !h.ui.uploads.msgBar.Visible() {
		t.Fatal("no message shown")
	}
	check("a message")
	h.ui.uploads.say(widget.WarningImportance, "Not queued: "+strings.Repeat("a-long-file-name.txt (not a video file); ", 12)+
		"only video files can be uploaded here.")
	check("a long message")
	h.ui.uploads.hideMessage()
	check("the message closed")

	h.ui.setSignedOut(true)
	if !h.ui.banner.Visible() || h.ui.bannerText.Text == "" {
		t.Fatal("no banner")
	}
	check("the banner")
	// The banner is all on screen and clear of the tab buttons.
	win := h.win.Canvas().Size()
	b := uitest.PlaceOf(h.ui.banner)
	if b.Pos.X < 0 || b.Pos.Y < 0 || b.Pos.X+b.Size.Width > win.Width || b.Size.Width < 300 {
		t.Errorf("the banner is at %+v in a %v window", b, win)
	}
	uitest.Walk(tabs, func(o fyne.CanvasObject) {
		if typeName(o) != "*container.tabButton" || !o.Visible() {
			return
		}
		if tb := uitest.PlaceOf(o); tb.Overlaps(b) {
			t.Errorf("the banner %+v covers a tab button %+v", b, tb)
		}
	})
	h.ui.setSignedOut(false)
	check("the banner gone")
}

// Defect 7: the split between the queue and the details panel stays where
// it is when the selection changes or a row publishes.
func TestSplitStaysPutWhenTheSelectionChangesOrARowPublishes(t *testing.T) {
	long := strings.Repeat("9f3e", 16)
	running := seedJob(t, "Interview with the orchestra conductor", core.StateRunning, gjw.StepUpload, gjw.Checkpoint{ContentID: long})
	done := seedJob(t, "Spring festival in the old town, the whole parade from start to end", core.StateDone, gjw.StepDone, gjw.Checkpoint{ContentID: long + "aa"})
	db := storeJobs(t, running, done, seedJob(t, "c", core.StateQueued, "", gjw.Checkpoint{}))
	h := newHarness(t, nil, harnessOpts{db: db, noStart: true})
	if err := h.accts.SetDefaults([]string{"gjw"}); err != nil {
		t.Fatal(err)
	}
	u := h.ui.uploads
	u.list.Select(0)
	check := h.watch(map[string]fyne.CanvasObject{"the queue": u.list, "the details panel": u.details.content})
	u.list.Select(1)
	check("selecting the published row")
	u.list.Select(2)
	check("selecting a queued row")
	u.list.Select(0)
	j := h.row("seeda").job
	j.State, j.Rev = core.StateDone, j.Rev+1
	j.Targets[0].State, j.Targets[0].Step = core.StateDone, gjw.StepDone
	j.Targets[0].Result = persist.TargetResult{ID: long, URL: core.VideoURL(long)}
	h.events.Push(core.Event{Job: j})
	h.eventuallyRow("seeda", "the row to publish", func(rv *rowView) bool { return rv.copyLink.Visible() })
	check("the selected row publishing")
}

// Defect 7: rows a drop adds are scrolled into view and highlighted.
func TestNewRowsAreScrolledIntoViewAndHighlighted(t *testing.T) {
	var jobs []persist.Job
	for i := range 30 {
		jobs = append(jobs, seedJob(t, "old "+string(rune('A'+i)), core.StateDone, gjw.StepDone, gjw.Checkpoint{ContentID: "c" + string(rune('a'+i))}))
	}
	h := newHarness(t, nil, harnessOpts{db: storeJobs(t, jobs...), noStart: true})
	old := h.rowShown("seeda")
	if old == nil || old.highlight.Visible() {
		t.Fatal("the first old row is not shown, or is highlighted")
	}
	video := sandboxtest.WriteRandom(t, filepath.Join(t.TempDir(), "new clip.mp4"), testSize)
	h.ui.Drop([]string{video})
	h.waitDrops()
	var id string
	for _, r := range h.ui.uploads.rows {
		if r.job.VideoPath == video {
			id = r.job.ID
		}
	}
	if id == "" {
		t.Fatal("the video was not queued")
	}
	rv := h.rowShown(id)
	if rv == nil {
		t.Fatal("the new row was not scrolled into view")
	}
	if !rv.highlight.Visible() {
		t.Fatal("the new row is not highlighted")
	}
	// The highlight fades by itself.
	h.eventually("the highlight to go", func() bool { rv := h.rowShown(id); return rv != nil && !rv.highlight.Visible() })
}

// The preparing line has its place beside the total line under the queue:
// it coming, counting and going moves neither the queue nor the details
// panel, and it stays inside the queue's width, clear of the total line.
func TestPreparingLineDoesNotMoveTheQueue(t *testing.T) {
	const n = 20
	h := newHarness(t, nil, harnessOpts{db: storeJobs(t, seedJob(t, "already here", core.StateQueued, "", gjw.Checkpoint{})), noStart: true})
	gate := holdPosters(h)
	videos := scrambledDrop(t, n)
	u := h.ui.uploads
	check := h.watch(map[string]fyne.CanvasObject{"the list": u.list, "the details panel": u.details.content, "the tabs": h.ui.tabs})

	h.ui.Drop(videos)
	check("“Preparing videos…”")
	h.eventually("the count", func() bool { _, _, ok := prepCount(h); return ok })
	check("“Preparing 20 of 20 videos…”")
	h.frame()
	line, total, queue := uitest.PlaceOf(u.prepLine), uitest.PlaceOf(u.total), uitest.PlaceOf(u.list)
	if line.Overlaps(total) || line.Pos.X < queue.Pos.X || line.Pos.X+line.Size.Width > queue.Pos.X+queue.Size.Width+1 {
		t.Errorf("the preparing line %+v overlaps the total line %+v or leaves the queue %+v", line, total, queue)
	}
	if w := fyne.MeasureText(u.prepLine.Text, theme.CaptionTextSize(), u.prepLine.TextStyle).Width; line.Size.Width < w {
		t.Errorf("the preparing line is %v wide, its text %v", line.Size.Width, w)
	}
	for i := range 3 {
		gate.let(videos[i])
	}
	h.eventually("three rows", func() bool { return len(u.rows) == 4 })
	check("three rows added")
	for _, v := range videos[3:] {
		gate.let(v)
	}
	h.eventually("the preparing line to go", func() bool { return !u.prepLine.Visible() })
	h.waitDrops()
	check("the preparing line gone")
}

// rowShown is the row template showing job id inside the list's visible
// area, without scrolling (nil if it is off screen). Rows are one-target
// rows, all of the same height.
func (h *harness) rowShown(id string) *rowView {
	h.frame()
	u := h.ui.uploads
	i, ok := u.index[id]
	if !ok {
		return nil
	}
	step := u.baseHeight() + theme.Padding()
	top, offset := float32(i)*step, u.list.GetScrollOffset()
	if top < offset-1 || top+u.baseHeight() > offset+u.list.Size().Height+1 {
		return nil
	}
	var found *rowView
	uitest.Walk(u.list, func(o fyne.CanvasObject) {
		if rv, ok := o.(*rowView); ok && rv.id == id && rv.Visible() {
			found = rv
		}
	})
	return found
}

func typeName(o any) string { return fmt.Sprintf("%T", o) }
