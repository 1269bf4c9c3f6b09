package awake

import (
	"errors"
	"sync"
	"testing"
)

// fake is an Inhibitor that records what it holds.
type fake struct {
	mu    sync.Mutex
	held  int // holds taken and not released
	taken int
	fail  error
}

func (f *fake) Inhibit(string) (func(), error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	f.held++
	f.taken++
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			f.held--
			f.mu.Unlock()
		})
	}, nil
}

func (f *fake) state() (held, taken int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.held, f.taken
}

func TestKeeperHoldsWhileBusyAndEnabled(t *testing.T) {
	f := &fake{}
	k := NewKeeper(f, "test")
	for i, step := range []struct {
		do    func()
		held  int
		taken int
	}{
		{func() { k.Busy(true) }, 1, 1},
		{func() { k.Busy(true) }, 1, 1}, // still one hold
		{func() { k.Busy(false) }, 0, 1},
		{func() { k.Enable(false); k.Busy(true) }, 0, 1},
		{func() { k.Enable(true) }, 1, 2},
		{func() { k.Enable(false) }, 0, 2},
		{func() { k.Busy(false); k.Enable(true) }, 0, 2}, // enabled while idle: no hold (the other order races the goroutine)
	} {
		step.do()
		k.Wait()
		if held, taken := f.state(); held != step.held || taken != step.taken {
			t.Fatalf("step %d: held %d taken %d, want %d and %d", i, held, taken, step.held, step.taken)
		}
	}
}

// TestKeeperSaysWhyItCouldNot: a refused hold is reported while busy (and
// not asked again and again), and no more once idle.
func TestKeeperSaysWhyItCouldNot(t *testing.T) {
	f := &fake{fail: errors.New("no logind")}
	k := NewKeeper(f, "test")
	k.Busy(true)
	k.Wait()
	if err := k.Err(); err == nil || err.Error() != "no logind" {
		t.Fatalf("Err %v", err)
	}
	k.Busy(true)
	k.Wait()
	k.Busy(false)
	k.Wait()
	if err := k.Err(); err != nil {
		t.Fatalf("idle, Err still says %v", err)
	}
	f.mu.Lock()
	f.fail = nil
	f.mu.Unlock()
	k.Busy(true)
	k.Wait()
	if held, _ := f.state(); held != 1 || k.Err() != nil {
		t.Fatalf("after the system allowed it: held %d, err %v", held, k.Err())
	}
}

// TestSystemInhibitor takes the real hold once, where the system has one
// (Linux: a system bus with logind; Windows; macOS).
func TestSystemInhibitor(t *testing.T) {
	release, err := System().Inhibit("a test of GJW Uploader")
	if err != nil {
		t.Skipf("this machine cannot keep itself awake (on Linux that needs a system bus with logind): %v", err)
	}
	release()
}
