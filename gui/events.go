package gui

import (
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
	mu sync.Mutex
	// queue holds the events in the order they came; index is where each
	// key's latest one is (an older one is marked dead when a newer comes).
	queue      []queuedEvent
	index      map[eventKey]int
	spareQueue []queuedEvent // the other buffers, swapped in by flush
	spareIndex map[eventKey]int
	buf        []core.Event // the batch handed to apply, reused
	signedOut  bool
	scheduled  bool
	apply      func(batch []core.Event, signedOut bool)

	// do schedules fn on the UI goroutine: fyne.Do, or in tests a queue
	// that the test goroutine drains (Fyne's test driver runs fyne.Do
	// inline on the calling goroutine, which would hide a threading bug).
	do func(fn func())
}

// eventKey is what an event is about: a job's target, or (target "") the
// whole job.
type eventKey struct{ job, target string }

type queuedEvent struct {
	ev   core.Event
	dead bool // a newer event of its key came
}

// NewEvents returns an empty event bridge; pass its Push as
// core.Options.OnEvent before building the engine.
func NewEvents() *Events {
	return &Events{index: map[eventKey]int{}, spareIndex: map[eventKey]int{}, do: fyne.Do}
}

// Push records ev for the next UI flush. Safe from any goroutine.
func (e *Events) Push(ev core.Event) {
	k := eventKey{ev.Job.ID, ev.Target}
	e.mu.Lock()
	if i, ok := e.index[k]; ok {
		if old := e.queue[i].ev; old.Job.Rev > ev.Job.Rev {
			// Reported after a newer write of the job (targets report from
			// their own goroutines): keep the newer job, take the news.
			ev = newerJob(old, ev)
		}
		e.queue[i] = queuedEvent{dead: true}
	}
	e.index[k] = len(e.queue)
	e.queue = append(e.queue, queuedEvent{ev: ev})
	if n := len(e.queue); n > 64 && n > 4*len(e.index) { // the UI is slow to flush
		e.compact()
	}
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

// newerJob is old (of a newer revision) with the live transfer figures of
// late, an event of an older revision reported after it.
func newerJob(old, late core.Event) core.Event {
	if late.Sent > 0 {
		old.Sent, old.Speed, old.ETA, old.RetryIn = late.Sent, late.Speed, late.ETA, late.RetryIn
	}
	return old
}

// compact drops the dead events from the queue (e.mu held).
func (e *Events) compact() {
	live := e.queue[:0]
	for _, q := range e.queue {
		if !q.dead {
			e.index[eventKey{q.ev.Job.ID, q.ev.Target}] = len(live)
			live = append(live, q)
		}
	}
	clear(e.queue[len(live):])
	e.queue = live
}

// attach sets the UI-side consumer and delivers anything that arrived
// before the window existed. Call it on the UI goroutine.
func (e *Events) attach(apply func([]core.Event, bool)) {
	e.mu.Lock()
	e.apply = apply
	schedule := !e.scheduled && (len(e.index) > 0 || e.signedOut)
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

// flush runs on the UI goroutine: it swaps the pending events out under
// the lock and applies them, oldest first, without holding it.
func (e *Events) flush() {
	e.mu.Lock()
	queue, index, signedOut, apply := e.queue, e.index, e.signedOut, e.apply
	if e.spareIndex == nil { // a flush nested inside apply (inline fyne.Do)
		e.spareIndex = map[eventKey]int{}
	}
	e.queue, e.index = e.spareQueue[:0], e.spareIndex
	e.spareQueue, e.spareIndex = nil, nil
	e.signedOut, e.scheduled = false, false
	batch := e.buf[:0]
	e.buf = nil
	e.mu.Unlock()
	for _, q := range queue {
		if !q.dead {
			batch = append(batch, q.ev)
		}
	}
	if apply != nil && (len(batch) > 0 || signedOut) {
		apply(batch, signedOut)
	}
	clear(queue)
	clear(index)
	clear(batch)
	e.mu.Lock()
	if e.spareIndex == nil {
		e.spareQueue, e.spareIndex = queue[:0], index
	}
	if e.buf == nil {
		e.buf = batch[:0]
	}
	e.mu.Unlock()
}
