// Package awake keeps the computer from sleeping while uploads run: the
// engine holds a Keeper busy while any target runs, and the Keeper takes
// the operating system's hold (Linux: a logind inhibitor over D-Bus;
// Windows: SetThreadExecutionState; macOS: caffeinate) and gives it back
// when the queue is idle or paused. Everything here is pure Go.
package awake

import (
	"errors"
	"sync"
)

// Why the system would not stay awake: an Inhibit error matches one of
// these (errors.Is), so the app can say it in people's words; its text is
// the technical one.
var (
	// ErrNoService: the system's power service could not be reached (no
	// system bus or logind, no caffeinate, no SetThreadExecutionState).
	ErrNoService = errors.New("the power service could not be reached")
	// ErrRefused: the power service answered no.
	ErrRefused = errors.New("the power service refused")
	// ErrUnsupported: this system has no way to be asked.
	ErrUnsupported = errors.New("keeping the computer awake is not supported on this system")
)

// refusal is an Inhibit error of a kind (one of the Err values above).
type refusal struct {
	kind error
	what string // the step that failed: "no system bus", "logind refused"
	err  error
}

func refused(kind error, what string, err error) error { return &refusal{kind, what, err} }

func (r *refusal) Error() string {
	return "keeping the computer awake: " + r.what + ": " + r.err.Error()
}
func (r *refusal) Unwrap() []error { return []error{r.kind, r.err} }

// Inhibitor is the operating system's "do not sleep" hold.
type Inhibitor interface {
	// Inhibit takes the hold, saying why; release gives it back.
	Inhibit(why string) (release func(), err error)
}

// System is this operating system's inhibitor (one that fails on systems
// with none).
func System() Inhibitor { return system{} }

// Keeper holds an Inhibitor while it is busy and enabled. Its methods
// return at once: the hold is taken and given back on a goroutine of its
// own, so a slow D-Bus never holds up the engine.
type Keeper struct {
	inh Inhibitor
	why string

	mu      sync.Mutex
	busy    bool
	enabled bool
	release func() // non-nil while held (a no-op if Inhibit failed)
	err     error  // the last Inhibit failure
	working bool   // the reconciling goroutine runs
	idle    *sync.Cond
}

// NewKeeper returns an enabled Keeper of inh.
func NewKeeper(inh Inhibitor, why string) *Keeper {
	k := &Keeper{inh: inh, why: why, enabled: true}
	k.idle = sync.NewCond(&k.mu)
	return k
}

// Busy says whether any upload runs.
func (k *Keeper) Busy(busy bool) { k.change(func() { k.busy = busy }) }

// Enable turns keeping awake on or off (the setting).
func (k *Keeper) Enable(on bool) { k.change(func() { k.enabled = on }) }

// Err is why the system refused the hold it holds now, while busy and
// enabled (nil when it took it, and once the hold is given back).
func (k *Keeper) Err() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.err
}

// Wait returns once the hold matches the last Busy and Enable (tests).
func (k *Keeper) Wait() {
	k.mu.Lock()
	for k.working {
		k.idle.Wait()
	}
	k.mu.Unlock()
}

func (k *Keeper) change(fn func()) {
	k.mu.Lock()
	defer k.mu.Unlock()
	fn()
	if !k.working {
		k.working = true
		go k.reconcile()
	}
}

// reconcile takes or gives back the hold until it matches what is wanted.
func (k *Keeper) reconcile() {
	k.mu.Lock()
	defer k.mu.Unlock()
	for {
		want := k.busy && k.enabled
		if want == (k.release != nil) {
			k.working = false
			k.idle.Broadcast()
			return
		}
		k.mu.Unlock()
		if want {
			rel, err := k.inh.Inhibit(k.why)
			if err != nil {
				rel = func() {}
			}
			k.mu.Lock()
			k.release, k.err = rel, err
		} else {
			k.release()
			k.mu.Lock()
			k.release, k.err = nil, nil
		}
	}
}
