package gui

import (
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// stepDone is the step the engine stores in a published target.
const stepDone = "done"

// stepBook names a target's step from its platform's registered steps
// (dest.StepOf): a plain map read, so rows ask it on the UI goroutine for
// every tick without touching the engine.
type stepBook struct{}

func newStepBook() *stepBook { return &stepBook{} }

// step is platform's step id; the empty id (not started) is the driver's
// first step, the one that runs first. ok is false for an unknown step.
func (b *stepBook) step(platform, id string) (dest.Step, bool) {
	if id == stepDone {
		return dest.Step{ID: stepDone, Title: "published"}, true
	}
	return dest.StepOf(platform, id)
}

// label is the step text of target t ("Step 4 of 8 · creating content
// entry"); "" for a step its driver does not know.
func (b *stepBook) label(t persist.Target) string {
	if st, ok := b.step(t.Platform, t.Step); ok {
		return stepText(st)
	}
	return ""
}

// transfer is what a target's latest events said: the bytes its platform
// has acknowledged (events come between the stored records' writes), and
// the engine's speed and ETA of them.
type transfer struct {
	sent    int64
	speed   float64
	eta     time.Duration
	retryIn time.Duration
	err     error // the latest event's error (the target keeps its text)
	// reconnecting: the retry is for a connection error (the platform
	// cannot be reached), and it goes at once when the connection is back
	reconnecting bool
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
	st, ok := b.step(t.Platform, t.Step)
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
