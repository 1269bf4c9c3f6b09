package gui

import (
	"cmp"
	"slices"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/gjw-uploader/gjw-uploader/core"
)

// Events carries engine events to the window. Its Push is the engine's
// core.Options.OnEvent: it runs on engine goroutines, never touches a
// widget and never blocks. It keeps only the latest event per job target
// (per job and account: a cross-posted video's targets report on their
// own, and one's ticks must not drop another's) in a mutex-guarded map and,
// if no flush is pending, schedules one with fyne.Do. The flush runs on the
// UI goroutine, takes the whole batch, in the order the events came, and
// hands it to the window, which refreshes only the rows that changed.
//
// So however fast the engine reports (every chunk and four times a second
// per running target), the UI does at most one batch per turn of its event
// loop, and a batch costs one RefreshItem per changed row.
type Events struct {
	mu        sync.Mutex
	pending   map[eventKey]queuedEvent
	spare     map[eventKey]queuedEvent
	buf       []core.Event // the batch handed to apply, reused
	seq       uint64
	signedOut bool
	scheduled bool
	apply     func(batch []core.Event, signedOut bool)

	// do schedules fn on the UI goroutine: fyne.Do, or in tests a queue
	// that the test goroutine drains (Fyne's test driver runs fyne.Do
	// inline on the calling goroutine, which would hide a threading bug).
	do func(fn func())
}

// eventKey is what an event is about: a job's target, or (target "") the
// whole job.
type eventKey struct{ job, target string }

type queuedEvent struct {
	seq uint64
	ev  core.Event
}

// NewEvents returns an empty event bridge; pass its Push as
// core.Options.OnEvent before building the engine.
func NewEvents() *Events {
	return &Events{pending: map[eventKey]queuedEvent{}, spare: map[eventKey]queuedEvent{}, do: fyne.Do}
}

// Push records ev for the next UI flush. Safe from any goroutine.
func (e *Events) Push(ev core.Event) {
	e.mu.Lock()
	e.seq++
	e.pending[eventKey{ev.Job.ID, ev.Target}] = queuedEvent{e.seq, ev}
	if ev.SignedOut {
		e.signedOut = true
	}
	schedule := !e.scheduled && e.apply != nil
	if schedule {
		e.scheduled = true
	}
	e.mu.Unlock()
	if schedule {
		e.do(e.flush)
	}
}

// attach sets the UI-side consumer and delivers anything that arrived
// before the window existed. Call it on the UI goroutine.
func (e *Events) attach(apply func([]core.Event, bool)) {
	e.mu.Lock()
	e.apply = apply
	schedule := !e.scheduled && (len(e.pending) > 0 || e.signedOut)
	if schedule {
		e.scheduled = true
	}
	e.mu.Unlock()
	if schedule {
		e.do(e.flush)
	}
}

// detach stops deliveries (the window is closing).
func (e *Events) detach() {
	e.mu.Lock()
	e.apply = nil
	e.mu.Unlock()
}

// flush runs on the UI goroutine: it swaps the pending map out under the
// lock and applies the batch, oldest event first, without holding it.
func (e *Events) flush() {
	e.mu.Lock()
	pending, signedOut, apply := e.pending, e.signedOut, e.apply
	if e.spare == nil { // a flush nested inside apply (inline fyne.Do)
		e.spare = map[eventKey]queuedEvent{}
	}
	e.pending, e.spare = e.spare, nil
	e.signedOut, e.scheduled = false, false
	buf := e.buf
	e.buf = nil
	e.mu.Unlock()
	order := make([]queuedEvent, 0, len(pending))
	for _, q := range pending {
		order = append(order, q)
	}
	slices.SortFunc(order, func(a, b queuedEvent) int { return cmp.Compare(a.seq, b.seq) })
	batch := buf[:0]
	for _, q := range order {
		batch = append(batch, q.ev)
	}
	if apply != nil && (len(batch) > 0 || signedOut) {
		apply(batch, signedOut)
	}
	clear(pending)
	clear(batch)
	e.mu.Lock()
	if e.spare == nil {
		e.spare = pending
	}
	if e.buf == nil {
		e.buf = batch[:0]
	}
	e.mu.Unlock()
}
