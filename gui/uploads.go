package gui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/ask"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/slot"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// row is one job as the list shows it: the stored job plus the transfer
// figures of each target's latest event. Rows live on the UI goroutine only.
type row struct {
	job  persist.Job
	live map[string]*transfer // by target account

	framing bool // ffmpeg is taking a poster frame
	noFrame bool // no frame could be taken: ask for a poster
	fresh   bool // just added by a drop: highlighted for a moment
}

func newRow(j persist.Job) *row {
	r := &row{job: j}
	for _, t := range j.Targets {
		r.transfer(t.Account).sent = t.Offset
	}
	return r
}

// transfer is the live figures of the target of account.
func (r *row) transfer(account string) *transfer {
	if r.live == nil {
		r.live = map[string]*transfer{}
	}
	tr := r.live[account]
	if tr == nil {
		tr = &transfer{}
		r.live[account] = tr
	}
	return tr
}

// eventTarget is the account ev is about: its target, or the only target
// of a one-target job; "" for a whole-job event of several targets.
func eventTarget(ev core.Event) string {
	if ev.Target == "" && len(ev.Job.Targets) == 1 {
		return ev.Job.Targets[0].Account
	}
	return ev.Target
}

// apply takes a job event into the row. Events of one job come from
// several goroutines (one per target, the creator's edits, the queue) and
// may arrive out of order; each carries the whole job as one write left it
// (Job.Rev), so the row takes the job of the highest revision it has seen,
// and an older one brings only its live bytes.
func (r *row) apply(ev core.Event, steps *stepBook) {
	prev := r.job
	acct := eventTarget(ev)
	if ev.Job.Rev < prev.Rev {
		tr := r.transfer(acct)
		if ev.Sent > 0 {
			tr.sent, tr.speed, tr.eta, tr.retryIn, tr.reconnecting = ev.Sent, ev.Speed, ev.ETA, ev.RetryIn, ev.Reconnecting
		}
		if ev.RetryIn > 0 { // a wait before a retry, and why
			tr.retryIn, tr.err, tr.reconnecting = ev.RetryIn, ev.Err, ev.Reconnecting
		}
		return
	}
	r.job = ev.Job
	for _, t := range r.job.Targets {
		if ev.Target != "" && t.Account != ev.Target {
			continue
		}
		tr := r.transfer(t.Account)
		uploading := t.State == core.StateRunning && steps.phase(t) == phaseTransfer
		pt := prev.Target(t.Account)
		switch {
		case ev.Sent > 0 && t.Account == acct:
			tr.sent, tr.speed, tr.eta = ev.Sent, ev.Speed, ev.ETA
		case uploading && pt != nil && pt.State == core.StateRunning && steps.phase(*pt) == phaseTransfer:
			// a state event between ticks: keep the last speed and ETA
			tr.sent = max(tr.sent, t.Offset)
		default:
			tr.sent, tr.speed, tr.eta = t.Offset, 0, 0
		}
		if t.Account == acct {
			tr.retryIn, tr.err, tr.reconnecting = ev.RetryIn, ev.Err, ev.Reconnecting
		} else {
			tr.retryIn, tr.reconnecting = 0, false
			if t.State != core.StateFailed && t.State != core.StateWaiting {
				tr.err = nil
			}
		}
	}
}

// uploadsView is the Uploads tab: toolbar, message bar, the queue and the
// details panel.
type uploadsView struct {
	ui      *UI
	rows    []*row
	index   map[string]int
	removed map[string]bool // cleared rows: late events must not revive them
	// shown maps a job to the row template displaying it (the list binds
	// templates to rows in UpdateItem and recycles them while scrolling).
	shown map[string]*rowView

	list    *queueList
	hint    fyne.CanvasObject
	msg     *widget.Label
	msgBar  *fyne.Container
	notes   []note // what msg says
	top     *fyne.Container
	content *fyne.Container
	summary *widget.Label
	// total is the line under the queue: files, bytes, speed and ETA of
	// the whole list, measured by totals from the engine's events.
	total    *widget.Label
	totals   core.Totals
	clearBtn *widget.Button
	bulk     *bulkBar // Pause all, Resume all, Retry failed, Cancel all
	details  *detailsPanel
	posters  *posterCache
	lengths  *lengths
	selected string
	steps    *stepBook
	// heights are the list heights set for rows of cross-posted jobs (by
	// index); measure is a template used to measure them, base the height
	// of a one-target row.
	heights map[int]float32
	measure *rowView
	base    float32
	// dropMu serialises drops, which queue videos off the UI goroutine;
	// dropping counts them (tests wait on it).
	dropMu   sync.Mutex
	dropping sync.WaitGroup
	// awake is what the message bar did about the system refusing to keep
	// the computer awake, since uploads last started running.
	awake struct{ closed, logged bool }
	// prepLine, beside the total line, says how many videos of the drops
	// being readied (posters made, then added in order) are still to come.
	prepLine  *widget.Label
	statusRow *fyne.Container // the total line and the preparing line
	preparing []*preparing
	// makePoster makes the poster of a video without one (makePoster;
	// tests hold it to look at a drop half-way).
	makePoster func(ctx context.Context, dir, name, video, title, channel string) (string, error)
}

func newUploadsView(ui *UI) *uploadsView {
	u := &uploadsView{ui: ui, index: map[string]int{}, removed: map[string]bool{}, shown: map[string]*rowView{},
		steps: newStepBook(), heights: map[int]float32{}, makePoster: makePoster}
	u.posters = newPosterCache(ui, u.posterLoaded)
	u.lengths = newLengths(u)
	u.list = &queueList{onDelete: u.deleteSelected}
	u.list.Length = func() int { return len(u.rows) }
	u.list.CreateItem = func() fyne.CanvasObject { return newRowView(u) }
	u.list.UpdateItem = func(i widget.ListItemID, o fyne.CanvasObject) {
		if i < len(u.rows) {
			rv := o.(*rowView)
			if u.shown[rv.id] == rv {
				delete(u.shown, rv.id)
			}
			rv.set(i, u.rows[i])
			u.shown[rv.id] = rv
		}
	}
	u.list.ExtendBaseWidget(u.list)
	u.list.OnSelected = func(i widget.ListItemID) {
		if i < len(u.rows) && u.rows[i].job.ID != u.selected {
			u.selected = u.rows[i].job.ID
			u.details.show(u.rows[i])
		}
	}
	u.details = newDetailsPanel(u)

	add := widget.NewButtonWithIcon("Add videos…", theme.ContentAddIcon(), u.chooseVideos)
	add.Importance = widget.HighImportance
	addFolder := widget.NewButtonWithIcon("Add folder…", theme.FolderOpenIcon(), u.chooseFolder)
	u.clearBtn = widget.NewButtonWithIcon("Clear finished", theme.DeleteIcon(), u.clearFinished)
	u.summary = widget.NewLabel("")
	u.bulk = newBulkBar(u)
	toolbar := container.NewHBox(add, addFolder, u.clearBtn, u.bulk.box, layout.NewSpacer(), u.summary)

	// The message bar has a slot of its own, two lines tall, shown or not,
	// so a message never pushes the queue down under the pointer. A longer
	// message scrolls inside it.
	u.msg = widget.NewLabel("")
	u.msg.Wrapping = fyne.TextWrapWord
	closeMsg := widget.NewButtonWithIcon("", theme.CancelIcon(), u.closeMessage)
	closeMsg.Importance = widget.LowImportance
	u.msgBar = container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(theme.InfoIcon())), container.NewCenter(closeMsg), u.msg)
	u.msgBar.Hide()
	msgSlot := slot.Lines(2, u.msgBar)

	hintIcon := widget.NewIcon(theme.UploadIcon())
	hintTitle := widget.NewLabelWithStyle("Drop videos or folders anywhere in this window", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	hintTitle.SizeName = theme.SizeNameSubHeadingText
	hintText := widget.NewLabelWithStyle("They upload in order and carry on by themselves after a restart.\nOr use “Add videos…” above.", fyne.TextAlignCenter, fyne.TextStyle{})
	u.hint = container.NewCenter(container.NewVBox(
		container.NewCenter(container.NewGridWrap(fyne.NewSize(96, 96), hintIcon)), hintTitle, hintText))

	u.total = widget.NewLabel("")
	u.total.SizeName = theme.SizeNameCaptionText
	u.prepLine = newPrepLine()
	u.statusRow = container.New(statusRow{}, u.total, u.prepLine)
	queue := container.NewBorder(nil, u.statusRow, nil, nil, container.NewStack(u.list, u.hint))
	split := container.NewHSplit(queue, u.details.content)
	split.Offset = 0.64
	u.top = container.NewVBox(toolbar, msgSlot)
	u.content = container.NewBorder(u.top, nil, nil, nil, split)
	u.refreshSummary()
	return u
}

// load shows the engine's jobs (on start: finished ones too, with links).
func (u *uploadsView) load(jobs []persist.Job) {
	for _, j := range jobs {
		r := newRow(j)
		u.rows = append(u.rows, r)
		if u.wantsFrame(r) {
			u.takeFrame(r)
		}
	}
	u.reindex()
	u.list.Refresh()
	u.refreshSummary()
}

// apply takes a batch of engine events (UI goroutine). Only changed rows are
// refreshed, unless the order changed.
func (u *uploadsView) apply(batch []core.Event) {
	resort := false
	lineMoved := false // a row joined or left the line: the others' places change
	for _, ev := range batch {
		id := ev.Job.ID
		if u.removed[id] {
			continue
		}
		i, ok := u.index[id]
		if !ok {
			u.rows = append(u.rows, &row{})
			i = len(u.rows) - 1
			u.index[id] = i
			resort = true
		}
		r := u.rows[i]
		prev := r.job
		u.totals.Observe(ev)
		r.apply(ev, u.steps)
		if prev.Position != r.job.Position {
			resort = true
		}
		if (prev.State == core.StateQueued) != (r.job.State == core.StateQueued) || core.NotStarted(prev) != core.NotStarted(r.job) {
			lineMoved = true
		}
		u.transition(prev, r)
		if !resort {
			u.refreshIndex(i)
		}
		if id == u.selected {
			u.details.update(r)
		}
	}
	switch {
	case resort:
		u.reindex()
		u.list.Refresh()
	case lineMoved:
		u.refreshShown()
	}
	u.refreshSummary()
}

// transition notifies and logs when a job is published, or one of its
// targets fails.
func (u *uploadsView) transition(prev persist.Job, r *row) {
	j := r.job
	if prev.ID == "" {
		return
	}
	if prev.State != j.State && j.State == core.StateDone {
		u.ui.notify("Published: "+j.Meta.Title, jobLink(j))
	}
	for _, t := range j.Targets {
		pt := prev.Target(t.Account)
		if pt == nil || pt.State == t.State {
			continue
		}
		switch t.State {
		case core.StateFailed:
			err := r.transfer(t.Account).err
			if err != nil {
				fyne.LogError("upload "+j.ID+" to "+t.Account+" failed", err)
			}
			title := "Upload failed: " + j.Meta.Title
			if len(j.Targets) > 1 {
				title += " (" + t.Account + ")"
			}
			u.ui.notify(title, explain(err, t))
		case core.StateWaiting:
			if waitsFor(t, dest.ReasonOffline) {
				u.ui.notify("Reconnecting: "+j.Meta.Title, explain(nil, t))
			}
		}
	}
}

// reindex sorts rows in queue order and rebuilds the id index.
func (u *uploadsView) reindex() {
	sort.SliceStable(u.rows, func(a, b int) bool {
		ja, jb := u.rows[a].job, u.rows[b].job
		if ja.Position != jb.Position {
			return ja.Position < jb.Position
		}
		if !ja.CreatedAt.Equal(jb.CreatedAt) {
			return ja.CreatedAt.Before(jb.CreatedAt)
		}
		return ja.ID < jb.ID
	})
	clear(u.index)
	for i, r := range u.rows {
		u.index[r.job.ID] = i
	}
	u.fitHeights()
	if i, ok := u.index[u.selected]; ok {
		u.list.Select(i)
	}
}

// refreshRow redraws one job's row, if it is in the list.
func (u *uploadsView) refreshRow(id string) {
	if i, ok := u.index[id]; ok {
		u.refreshIndex(i)
	}
}

// refreshShown redraws the rows on screen (after a sign-in or sign-out:
// what a row says depends on its account too).
func (u *uploadsView) refreshShown() {
	for id := range u.shown {
		u.refreshRow(id)
	}
}

// refreshIndex redraws row i if a template shows it; rows off screen are
// drawn when scrolled into view. This is List.RefreshItem without its
// list-wide Refresh: in Fyne 2.7 RefreshItem also refreshes the whole list
// (every visible row again), so a tick across N rows would cost N × the
// visible rows instead of the visible rows once.
func (u *uploadsView) refreshIndex(i int) {
	r := u.rows[i]
	if rv, ok := u.shown[r.job.ID]; ok && rv.id == r.job.ID {
		rv.set(i, r)
	}
}

// refreshSummary updates the counts, the empty-queue hint, the buttons and
// the message bar (notes no longer true go).
func (u *uploadsView) refreshSummary() {
	u.refreshNotes()
	var running, queued, attention, done int
	for _, r := range u.rows {
		switch r.job.State {
		case core.StateRunning:
			running++
		case core.StateQueued:
			queued++
		case core.StateFailed, core.StateWaiting:
			attention++
		case core.StateDone:
			done++
		}
	}
	var parts []string
	if running > 0 {
		parts = append(parts, fmt.Sprintf("%d uploading", running))
	}
	if queued > 0 {
		parts = append(parts, fmt.Sprintf("%d in line", queued))
	}
	if attention > 0 {
		parts = append(parts, fmt.Sprintf("%d need attention", attention))
	}
	if done > 0 {
		parts = append(parts, fmt.Sprintf("%d published", done))
	}
	u.summary.SetText(strings.Join(parts, " · "))
	u.noteAwake(running > 0)
	setText(u.total, totalText(u.totals.Sum(u.jobs)))
	if len(u.rows) == 0 {
		u.hint.Show()
	} else {
		u.hint.Hide()
	}
	finished := false
	for _, r := range u.rows {
		finished = finished || !core.Unfinished(r.job)
	}
	if finished {
		u.clearBtn.Enable()
	} else {
		u.clearBtn.Disable()
	}
	u.bulk.refresh()
}

// jobs yields the list's jobs.
func (u *uploadsView) jobs(yield func(*persist.Job) bool) {
	for _, r := range u.rows {
		if !yield(&r.job) {
			return
		}
	}
}

// say shows a message above the queue.
func (u *uploadsView) say(imp widget.Importance, msg string) { u.tell(imp, note{text: msg}) }

// note is one sentence of the message bar. live, when set, tells whether
// it is still true: a note that stops being true goes by itself ("Queued 3
// videos" once none of them waits in line). key, when set, names it.
type note struct {
	text string
	live func() bool
	key  string
}

// awakeKey names the note that the computer may sleep during uploads.
const awakeKey = "awake"

// noteAwake keeps one calm line in the message bar, beside what else it
// says, while uploads run and the system refused to keep the computer
// awake: it goes when they stop or the system allows it, and once closed
// it stays away until uploads start again.
func (u *uploadsView) noteAwake(running bool) {
	if !running {
		u.awake.closed, u.awake.logged = false, false
		return
	}
	if u.awake.closed || slices.ContainsFunc(u.notes, func(n note) bool { return n.key == awakeKey }) {
		return
	}
	err := u.ui.deps.Engine.KeepAwakeErr()
	if err == nil {
		return
	}
	if !u.awake.logged {
		u.awake.logged = true
		fyne.LogError("keeping the computer awake during uploads", err)
	}
	if len(u.notes) == 0 {
		u.msg.Importance = widget.MediumImportance
	}
	u.notes = append(u.notes, note{key: awakeKey, text: awakeText(err), live: func() bool {
		return slices.ContainsFunc(u.rows, func(r *row) bool { return r.job.State == core.StateRunning }) &&
			u.ui.deps.Engine.KeepAwakeErr() != nil
	}})
	u.showNotes()
}

// closeMessage is the message bar's close button.
func (u *uploadsView) closeMessage() {
	if slices.ContainsFunc(u.notes, func(n note) bool { return n.key == awakeKey }) {
		u.awake.closed = true
	}
	u.hideMessage()
}

// tell shows notes in the message bar, in place of what it said.
func (u *uploadsView) tell(imp widget.Importance, notes ...note) {
	u.notes = notes
	u.msg.Importance = imp
	u.showNotes()
}

// refreshNotes drops the notes that stopped being true.
func (u *uploadsView) refreshNotes() {
	kept := slices.DeleteFunc(slices.Clone(u.notes), func(n note) bool { return n.live != nil && !n.live() })
	if len(kept) != len(u.notes) {
		u.notes = kept
		u.showNotes()
	}
}

func (u *uploadsView) showNotes() {
	if len(u.notes) == 0 {
		u.hideMessage()
		return
	}
	texts := make([]string, len(u.notes))
	for i, n := range u.notes {
		texts[i] = n.text
	}
	u.msg.SetText(strings.Join(texts, " "))
	u.msgBar.Show()
}

// hideMessage empties the message bar (its slot stays).
func (u *uploadsView) hideMessage() {
	u.notes = nil
	u.msgBar.Hide()
}

// Drop queues dropped videos and the videos inside dropped folders; other
// files are refused with a message saying why, and are not queued. The disk
// work (reading folders, making posters, checking files, saving jobs) runs
// off the UI goroutine; the rows and the message arrive through fyne.Do.
func (u *uploadsView) Drop(paths []string) { u.drop(paths, nil) }

// drop is Drop with reasons for items already refused. Every video gets
// its poster (makePoster: a frame, or a title card) before it is queued, so
// no upload starts without one, and the queue keeps the order of the drop.
func (u *uploadsView) drop(paths, refused []string) { u.queueDrop(paths, refused, false) }

// queueDrop is drop; with again, videos already published are queued too
// (the creator said to upload them again), else they are set aside and
// the creator is asked.
func (u *uploadsView) queueDrop(paths, refused []string, again bool) {
	defaults := u.ui.settings.Defaults
	engine := u.ui.deps.Engine
	ctx := u.ui.ctx
	channel := u.channelOf(u.ui.deps.Accounts.DefaultNames())
	// The preparing line shows at once and counts the videos down as they
	// are added; it goes with the drop's report.
	prep := u.startPreparing()
	u.dropping.Add(1)
	go func() {
		defer u.dropping.Done()
		// One drop at a time, so a video in the queue, or being queued by
		// an earlier drop, is not queued twice.
		u.dropMu.Lock()
		defer u.dropMu.Unlock()
		videos, refused := scanDrop(paths, refused)
		skip, published := map[string]bool{}, map[string]string{} // published: video -> link
		if queued, err := engine.Jobs(); err == nil {
			for _, j := range queued {
				switch {
				case core.Unfinished(j):
					skip[j.VideoPath] = true
				case j.State == core.StateDone:
					published[j.VideoPath] = jobLink(j)
				}
			}
		}
		var todo, republish []string
		var metas []persist.VideoMeta
		already := 0
		for _, v := range videos {
			if skip[v] {
				already++
				continue
			}
			if _, ok := published[v]; ok && !again {
				republish = append(republish, v)
				continue
			}
			skip[v] = true
			meta := defaults
			if meta.Title = core.TitleFromFilename(v); meta.Title == "" {
				meta.Title = filepath.Base(v)
			}
			todo = append(todo, v)
			metas = append(metas, meta)
		}
		n := len(todo)
		u.ui.do(func() { u.prepared(prep, n, n) })
		posters := u.makePosters(ctx, todo, metas, channel, dropPosterWorkers)
		var jobs []persist.Job
		for i, v := range todo {
			var poster string
			select {
			case poster = <-posters[i]:
			case <-ctx.Done():
				u.ui.do(func() { u.endPreparing(prep) })
				return // the window is closing
			}
			j, err := engine.Add(core.NewUpload{VideoPath: v, ThumbnailPath: poster, Meta: metas[i]})
			// After Add: its event, and so its row, is scheduled first.
			left := n - i - 1
			u.ui.do(func() { u.prepared(prep, left, n) })
			if err != nil {
				refused = append(refused, filepath.Base(v)+" ("+strings.TrimSuffix(err.Error(), ".")+")")
				continue
			}
			jobs = append(jobs, j)
		}
		u.ui.do(func() {
			u.endPreparing(prep)
			var ids []string
			for _, j := range jobs {
				if r := u.upsert(j); u.wantsFrame(r) {
					u.takeFrame(r)
				}
				ids = append(ids, j.ID)
			}
			u.showNew(ids)
			u.report(ids, already, refused)
			if len(republish) > 0 {
				u.askRepublish(republish, published)
			}
		})
	}()
}

// askRepublish asks before uploading videos again that are already
// published (links: video -> its page).
func (u *uploadsView) askRepublish(videos []string, links map[string]string) {
	var msg string
	if len(videos) == 1 {
		msg = fmt.Sprintf("“%s” is already published", filepath.Base(videos[0]))
		if l := links[videos[0]]; l != "" {
			msg += " (" + l + ")"
		}
		msg += ". Upload it again as a new video?"
	} else {
		names := make([]string, len(videos))
		for i, v := range videos {
			names[i] = filepath.Base(v)
		}
		msg = fmt.Sprintf("%d videos are already published: %s. Upload them again as new videos?", len(videos), strings.Join(names, ", "))
	}
	ask.Confirm(u.ui.win, "Upload again?", msg, "Upload again", "Skip", ask.Then(func() { u.queueDrop(videos, nil, true) }))
}

// highlightFor is how long the rows a drop added stay highlighted.
var highlightFor = 4 * time.Second

// showNew scrolls the first of the rows just added into view and
// highlights them all for a moment, so a drop on a long queue shows where
// its rows went.
func (u *uploadsView) showNew(ids []string) {
	first := -1
	for _, id := range ids {
		if i, ok := u.index[id]; ok {
			u.rows[i].fresh = true
			u.refreshIndex(i)
			if first < 0 || i < first {
				first = i
			}
		}
	}
	if first < 0 {
		return
	}
	u.list.ScrollTo(first)
	time.AfterFunc(highlightFor, func() {
		u.ui.do(func() {
			for _, id := range ids {
				if i, ok := u.index[id]; ok {
					u.rows[i].fresh = false
					u.refreshIndex(i)
				}
			}
		})
	})
}

// dropPosterWorkers is how many posters of a drop are made at once. On
// 2 vCPUs, 4 made a drop's frames 1.26-1.52× as fast as one at a time and
// 2 only 1.17-1.31× (BenchmarkDropPosters50; docs/benchmarks.md): an
// ffmpeg run is partly start-up and probing, which others overlap.
const dropPosterWorkers = 4

// makePosters makes the posters of videos, workers at a time, and returns
// one channel per video that yields its poster's path ("" if none could be
// made: that upload waits for one to be picked). The caller takes them in
// order, so the jobs are added in the order of the drop.
func (u *uploadsView) makePosters(ctx context.Context, videos []string, metas []persist.VideoMeta, channel string, workers int) []chan string {
	out := make([]chan string, len(videos))
	for i := range out {
		out[i] = make(chan string, 1)
	}
	dir, err := u.posterDir()
	if err != nil {
		fyne.LogError("no folder for posters", err)
		for _, c := range out {
			c <- ""
		}
		return out
	}
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range videos {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range max(1, workers) {
		go func() {
			for i := range next {
				p, err := u.makePoster(ctx, dir, newPosterName(), videos[i], metas[i].Title, channel)
				if err != nil {
					if ctx.Err() == nil {
						fyne.LogError("poster for "+videos[i], err)
					}
					p = ""
				}
				out[i] <- p
			}
		}()
	}
	return out
}

// newPosterName is a fresh file name for a poster made before its job
// exists.
func newPosterName() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// scanDrop sorts dropped paths into videos (those inside folders included)
// and refusals with their reasons.
func scanDrop(paths, refused []string) (videos, _ []string) {
	for _, p := range paths {
		name := filepath.Base(p)
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			refused = append(refused, name+" (cannot be read)")
		case fi.IsDir():
			found := videosIn(p)
			if len(found) == 0 {
				refused = append(refused, name+" (folder without videos)")
			}
			videos = append(videos, found...)
		case !core.IsVideo(p):
			refused = append(refused, name+" (not a video file)")
		default:
			videos = append(videos, p)
		}
	}
	return videos, refused
}

// report says in one message what a drop queued (ids) and refused. The
// "Queued" sentence goes once none of them waits in line any more.
func (u *uploadsView) report(ids []string, already int, refused []string) {
	var notes []note
	if len(ids) > 0 {
		notes = append(notes, note{text: "Queued " + plural(len(ids), "video", "videos") + ".", live: func() bool {
			for _, id := range ids {
				if r := u.row(id); r != nil && (r.job.State == core.StateQueued || r.job.State == core.StateWaiting) {
					return true
				}
			}
			return false
		}})
	}
	if already > 0 {
		notes = append(notes, note{text: plural(already, "video was", "videos were") + " already in the queue."})
	}
	imp := widget.SuccessImportance
	if len(refused) > 0 {
		imp = widget.WarningImportance
		notes = append(notes, note{text: "Not queued: " + strings.Join(refused, "; ") +
			". Only video files (MP4, MOV, MKV, WebM, AVI…) can be uploaded here."})
	}
	// A drop's report replaces the last one's, even when there is nothing
	// to say (the question about published videos is all).
	u.tell(imp, notes...)
}

// videosIn lists the video files in dir and its subfolders, by name,
// skipping hidden ones.
func videosIn(dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && core.IsVideo(p) {
			out = append(out, p)
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// upsert puts a job's latest state into its row, adding the row if new.
func (u *uploadsView) upsert(j persist.Job) *row {
	delete(u.removed, j.ID)
	if i, ok := u.index[j.ID]; ok {
		r := u.rows[i]
		if j.Rev < r.job.Rev {
			// The row's events were written after j (the queue starts a
			// job at once, and reports it, before Add's caller shows it):
			// j would take the row back.
			return r
		}
		prev := r.job
		r.apply(core.Event{Job: j}, u.steps)
		if prev.Position != j.Position {
			u.reindex()
			u.list.Refresh()
		} else {
			u.refreshIndex(i)
		}
		u.refreshSummary()
		return r
	}
	r := newRow(j)
	u.rows = append(u.rows, r)
	u.reindex()
	u.list.Refresh()
	u.refreshSummary()
	return r
}

// chooseVideos is "Add videos…": a file dialog showing videos.
func (u *uploadsView) chooseVideos() {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		rc.Close()
		u.ui.DropURIs([]fyne.URI{rc.URI()})
	}, u.ui.win)
	d.SetFilter(storage.NewExtensionFileFilter(videoExtensions()))
	d.SetConfirmText("Add")
	d.Resize(fyne.NewSize(760, 520))
	d.Show()
}

// chooseFolder is "Add folder…": every video inside is queued.
func (u *uploadsView) chooseFolder() {
	d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil || l == nil {
			return
		}
		u.tabDrop([]string{l.Path()})
	}, u.ui.win)
	d.SetConfirmText("Add videos in folder")
	d.Resize(fyne.NewSize(760, 520))
	d.Show()
}

func (u *uploadsView) tabDrop(paths []string) {
	u.ui.tabs.Select(u.ui.uploadsTab)
	u.Drop(paths)
}

func videoExtensions() []string {
	var out []string
	for _, e := range []string{".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".wmv", ".flv", ".mpg", ".mpeg", ".ts", ".3gp", ".mts"} {
		out = append(out, e, strings.ToUpper(e))
	}
	return out
}

// clearFinished removes published and canceled rows.
func (u *uploadsView) clearFinished() {
	kept := u.rows[:0]
	var failed []string
	for _, r := range u.rows {
		if core.Unfinished(r.job) {
			kept = append(kept, r)
			continue
		}
		if err := u.ui.deps.Engine.Remove(r.job.ID); err != nil {
			failed = append(failed, r.job.Meta.Title+": "+err.Error())
			kept = append(kept, r)
			continue
		}
		u.removed[r.job.ID] = true
		if r.job.ID == u.selected {
			u.selected = ""
			u.details.show(nil)
		}
	}
	clear(u.rows[len(kept):])
	u.rows = kept
	u.list.UnselectAll()
	u.reindex()
	u.list.Refresh()
	u.refreshSummary()
	if len(failed) > 0 {
		u.say(widget.WarningImportance, "Could not clear "+strings.Join(failed, "; "))
	}
}

// act runs an engine action on a job and reports a refusal in the message bar.
func (u *uploadsView) act(id, what string, fn func(string) error) {
	if err := fn(id); err != nil {
		u.say(widget.WarningImportance, "Could not "+what+": "+err.Error())
	}
}

func (u *uploadsView) row(id string) *row {
	if i, ok := u.index[id]; ok {
		return u.rows[i]
	}
	return nil
}

func (u *uploadsView) pause(id string)  { u.act(id, "pause", u.ui.deps.Engine.Pause) }
func (u *uploadsView) resume(id string) { u.act(id, "resume", u.ui.deps.Engine.Resume) }
func (u *uploadsView) retry(id string)  { u.act(id, "retry", u.ui.deps.Engine.Retry) }
func (u *uploadsView) moveUp(id string) {
	u.act(id, "move", func(id string) error { return u.ui.deps.Engine.Move(id, -1) })
}
func (u *uploadsView) moveDown(id string) {
	u.act(id, "move", func(id string) error { return u.ui.deps.Engine.Move(id, 1) })
}

// cancel asks first when the platform already has a content entry.
func (u *uploadsView) cancel(id string) {
	r := u.row(id)
	if r == nil {
		return
	}
	if !hasRemote(r.job) {
		u.act(id, "cancel", u.ui.deps.Engine.Cancel)
		return
	}
	ask.Confirm(u.ui.win, "Cancel this upload?",
		fmt.Sprintf("“%s” will stop for good. Its unpublished entry stays in your channel's drafts.", r.job.Meta.Title),
		"Cancel upload", "Keep uploading", ask.Then(func() { u.act(id, "cancel", u.ui.deps.Engine.Cancel) }))
}

// remove removes one finished or canceled upload.
func (u *uploadsView) remove(id string) {
	if err := u.ui.deps.Engine.Remove(id); err != nil {
		u.say(widget.WarningImportance, "Could not remove: "+err.Error())
		return
	}
	u.forget(id)
}

// forget takes a removed upload's row out of the list.
func (u *uploadsView) forget(id string) {
	i, ok := u.index[id]
	if !ok {
		return
	}
	u.removed[id] = true
	u.rows = slices.Delete(u.rows, i, i+1)
	if id == u.selected {
		u.selected = ""
		u.details.show(nil)
		u.list.UnselectAll()
	}
	u.reindex()
	u.list.Refresh()
	u.refreshSummary()
}

func (u *uploadsView) copyLink(id string) {
	if r := u.row(id); r != nil {
		if link := jobLink(r.job); link != "" {
			u.ui.app.Clipboard().SetContent(link)
			u.say(widget.SuccessImportance, "Link to “"+r.job.Meta.Title+"” copied.")
		}
	}
}

func (u *uploadsView) open(id string) {
	if r := u.row(id); r != nil {
		if link := jobLink(r.job); link != "" {
			u.ui.openURL(link)
		}
	}
}

// choosePoster opens an image dialog and gives the job that poster.
func (u *uploadsView) choosePoster(id string) {
	if r := u.row(id); r != nil {
		u.posterDialog(r.job.VideoPath, func(path string) { u.setPoster(id, path) })
	}
}

// posterDialog asks for a poster image, starting in the folder of video
// (where a creator keeps the pictures that go with it).
func (u *uploadsView) posterDialog(video string, chosen func(path string)) {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		rc.Close()
		chosen(rc.URI().Path())
	}, u.ui.win)
	var exts []string
	for _, e := range posterExtensions {
		exts = append(exts, e, strings.ToUpper(e))
	}
	d.SetFilter(storage.NewExtensionFileFilter(exts))
	if dir, err := storage.ListerForURI(storage.NewFileURI(filepath.Dir(video))); err == nil {
		d.SetLocation(dir)
	}
	d.SetConfirmText("Use as poster")
	d.Resize(fyne.NewSize(760, 520))
	d.Show()
}

// dropPoster gives the upload under pos (window coordinates), its row or
// the details panel showing it, the dropped image as its poster; false
// when pos is over neither.
func (u *uploadsView) dropPoster(pos fyne.Position, image string) bool {
	drv := u.ui.app.Driver()
	over := func(o fyne.CanvasObject) bool {
		p, s := drv.AbsolutePositionForObject(o), o.Size()
		return o.Visible() && pos.X >= p.X && pos.Y >= p.Y && pos.X < p.X+s.Width && pos.Y < p.Y+s.Height
	}
	if u.details.id != "" && over(u.details.content) {
		u.details.choose(image)
		return true
	}
	if !over(u.list) {
		return false
	}
	if i, ok := u.rowAt(pos.Y - drv.AbsolutePositionForObject(u.list).Y); ok {
		u.setPoster(u.rows[i].job.ID, image)
		return true
	}
	return false
}

// rowAt is the row at height y in the list as it is scrolled, laid out as
// the list lays out its items: each one's height, then the padding.
func (u *uploadsView) rowAt(y float32) (int, bool) {
	y += u.list.GetScrollOffset()
	gap := u.list.Theme().Size(theme.SizeNamePadding)
	top := float32(0)
	for i := range u.rows {
		h := u.heights[i]
		if h == 0 {
			h = u.baseHeight()
		}
		if y >= top && y < top+h {
			return i, true
		}
		top += h + gap
	}
	return 0, false
}

// setPoster gives a job a poster image; a job waiting for one goes on.
func (u *uploadsView) setPoster(id, path string) {
	r := u.row(id)
	if r == nil {
		return
	}
	u.edit(id, nil, path)
}

// edit sends new metadata (nil: keep the stored metadata) and poster (""
// keeps it) to the engine off the UI goroutine; after publishing they go out
// with update-content. Edits are serialised so a poster-only edit never
// overwrites metadata saved just before it.
func (u *uploadsView) edit(id string, meta *persist.VideoMeta, poster string) {
	eng, db := u.ui.deps.Engine, u.ui.deps.DB
	// Edits apply in the order they were made: each waits for the one
	// before it (a newer edit must not be overwritten by an older one).
	prev, done := u.ui.lastEdit, make(chan struct{})
	u.ui.lastEdit = done
	u.ui.goBackground(func(ctx context.Context) {
		defer close(done)
		if prev != nil {
			<-prev
		}
		var j persist.Job
		stored, ok, err := db.Job(id)
		if err == nil && !ok {
			err = fmt.Errorf("the upload is no longer in the queue")
		}
		if err == nil {
			m := stored.Meta
			if meta != nil {
				m = *meta
			}
			j, err = eng.Edit(ctx, id, m, poster)
		}
		u.ui.do(func() {
			if id == u.selected {
				u.details.saved(j, err)
			}
			if err != nil {
				if id != u.selected {
					u.say(widget.WarningImportance, "Could not save the changes: "+err.Error())
				}
				return
			}
			if j.ID != "" && !u.removed[id] {
				u.upsert(j)
			}
		})
	})
}

// Per-target actions, from the lines of a cross-posted job's row.

func (u *uploadsView) pauseTarget(id, account string) {
	u.act(id, "pause", func(id string) error { return u.ui.deps.Engine.PauseTarget(id, account) })
}

// resumeTarget resumes a paused target, or retries a failed one.
func (u *uploadsView) resumeTarget(id, account string) {
	u.act(id, "resume", func(id string) error { return u.ui.deps.Engine.ResumeTarget(id, account) })
}

// cancelTarget asks first when the target's platform already has an entry.
func (u *uploadsView) cancelTarget(id, account string) {
	r := u.row(id)
	if r == nil {
		return
	}
	t := r.job.Target(account)
	if t == nil {
		return
	}
	do := func() {
		u.act(id, "cancel", func(id string) error { return u.ui.deps.Engine.CancelTarget(id, account) })
	}
	if remoteID(*t) == "" {
		do()
		return
	}
	ask.Confirm(u.ui.win, "Cancel this upload to "+account+"?",
		fmt.Sprintf("“%s” will stop for good on %s. Its unpublished entry stays in that channel's drafts.", r.job.Meta.Title, account),
		"Cancel upload", "Keep uploading", ask.Then(do))
}

func (u *uploadsView) copyTargetLink(id, account string) {
	r := u.row(id)
	if r == nil {
		return
	}
	if t := r.job.Target(account); t != nil {
		if link := targetLink(*t); link != "" {
			u.ui.app.Clipboard().SetContent(link)
			u.say(widget.SuccessImportance, "Link to “"+r.job.Meta.Title+"” on "+account+" copied.")
		}
	}
}

// fitHeights gives the rows of cross-posted jobs the height of their
// target lines (the list's template is a one-target row). Rows of one
// target keep the template's height, so a queue without cross-posts
// lays out as before.
func (u *uploadsView) fitHeights() {
	for i, r := range u.rows {
		want := float32(0)
		if len(r.job.Targets) > 1 {
			if u.measure == nil {
				u.measure = newRowView(u)
			}
			u.measure.set(i, r)
			want = u.measure.MinSize().Height
		}
		if want == 0 && u.heights[i] == 0 {
			continue
		}
		if want == 0 {
			want = u.baseHeight()
		}
		if u.heights[i] != want {
			u.heights[i] = want
			u.list.SetItemHeight(i, want)
		}
	}
}

// baseHeight is the height of a one-target row.
func (u *uploadsView) baseHeight() float32 {
	if u.base == 0 {
		u.base = newRowView(u).MinSize().Height
	}
	return u.base
}
