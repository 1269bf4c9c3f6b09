package gui

import (
	"sync"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// stepDone is the step the engine stores in a published target.
const stepDone = "done"

// stepBook answers "which step is this?" for a target from its driver
// (Engine.StepInfo), remembering every answer: a driver's steps never
// change, and the rows ask on the UI goroutine for every tick, where the
// engine's lock (held while it writes to disk) must not be waited for more
// than once per step. Safe for concurrent use, so it can be filled off the
// UI goroutine.
type stepBook struct {
	eng *core.Engine

	mu    sync.Mutex
	known map[stepKey]stepAnswer
}

type stepKey struct{ account, id string }

type stepAnswer struct {
	st dest.Step
	ok bool
	at time.Time // when an unknown answer was given; it is asked again later
}

// unknownFor is how long "no such step" (the account's driver could not be
// built, say) is believed before the engine is asked again.
const unknownFor = 5 * time.Second

func newStepBook(eng *core.Engine) *stepBook {
	return &stepBook{eng: eng, known: map[stepKey]stepAnswer{}}
}

// step is account's step id; the empty id (not started) is the driver's
// first step, the one that runs first. ok is false for an unknown step.
func (b *stepBook) step(account, id string) (dest.Step, bool) {
	if id == stepDone {
		return dest.Step{ID: stepDone, Title: "published"}, true
	}
	k := stepKey{account, id}
	b.mu.Lock()
	a, seen := b.known[k]
	b.mu.Unlock()
	if seen && (a.ok || time.Since(a.at) < unknownFor) {
		return a.st, a.ok
	}
	a = b.ask(account, id)
	b.mu.Lock()
	b.known[k] = a
	b.mu.Unlock()
	return a.st, a.ok
}

func (b *stepBook) ask(account, id string) stepAnswer {
	if b.eng == nil {
		return stepAnswer{at: time.Now()}
	}
	if id == "" {
		d, err := b.eng.Driver(account)
		if err != nil {
			return stepAnswer{at: time.Now()}
		}
		if steps := d.Steps(); len(steps) > 0 {
			return stepAnswer{st: steps[0], ok: true}
		}
		return stepAnswer{at: time.Now()}
	}
	st, ok := b.eng.StepInfo(account, id)
	return stepAnswer{st: st, ok: ok, at: time.Now()}
}

// learn asks in advance about the steps the targets of jobs are at (call
// it off the UI goroutine, or before the engine starts).
func (b *stepBook) learn(jobs ...persist.Job) {
	for _, j := range jobs {
		for _, t := range j.Targets {
			b.step(t.Account, "")
			b.step(t.Account, t.Step)
		}
	}
}

// label is the step text of target t ("Step 4 of 8 · creating content
// entry"); "" for a step its driver does not know.
func (b *stepBook) label(t persist.Target) string {
	if st, ok := b.step(t.Account, t.Step); ok {
		return stepText(st)
	}
	return ""
}

// transfer is what a target's latest events said about its bytes in
// flight (the stored target keeps only acknowledged bytes).
type transfer struct {
	sent    int64
	speed   float64
	eta     time.Duration
	retryIn time.Duration
	err     error // the latest event's error (the target keeps its text)
}

// phase is where a target's step sits in its driver's work.
type phase int

const (
	phaseBefore     phase = iota // before the bytes move (token, entry...)
	phaseTransfer                // sending the file
	phaseProcessing              // the platform processes it
	phaseFinal                   // the last step (publishing), or published
)

// phase is target t's phase.
func (b *stepBook) phase(t persist.Target) phase {
	if t.State == core.StateDone || t.Step == stepDone {
		return phaseFinal
	}
	st, ok := b.step(t.Account, t.Step)
	switch {
	case !ok:
		return phaseBefore
	case st.Transfer:
		return phaseTransfer
	case st.Processing:
		return phaseProcessing
	case st.N > 0 && st.N == st.Of:
		return phaseFinal
	}
	return phaseBefore
}
