package core_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// inhibitor fakes the operating system's keep-awake call.
type inhibitor struct {
	mu    sync.Mutex
	held  bool
	taken int
}

func (f *inhibitor) Inhibit(string) (func(), error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.held = true
	f.taken++
	return func() { f.mu.Lock(); f.held = false; f.mu.Unlock() }, nil
}

func (f *inhibitor) state() (bool, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.held, f.taken
}

// eventually waits for cond (the keeper works on its own goroutine).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestKeepAwakeWhileUploading: the engine takes the hold when an upload
// starts, keeps it while it runs, and gives it back when the queue is
// paused and when it is idle; with AllowSleep it never takes it.
func TestKeepAwakeWhileUploading(t *testing.T) {
	e := newEnv(t, sandbox.Config{Throttle: 1 << 20}) // about a second of upload
	fake := &inhibitor{}
	running := make(chan struct{}, 1)
	e.hook = func(ev core.Event) {
		if ev.Sent > 0 {
			select {
			case running <- struct{}{}:
			default:
			}
		}
	}
	e.engine = e.newEngine(core.Options{Awake: fake})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.engine.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if held, taken := fake.state(); held || taken != 0 {
		t.Fatal("held with nothing to upload")
	}
	j := e.add(persist.VideoMeta{})
	<-running // bytes are moving
	eventually(t, "held while uploading", func() bool { held, _ := fake.state(); return held })

	if err := e.engine.Pause(j.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "released when paused", func() bool { held, _ := fake.state(); return !held })

	if err := e.engine.Resume(j.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "held again after resume", func() bool { held, taken := fake.state(); return held && taken == 2 })
	eventually(t, "published", func() bool { return e.job(j.ID).State == core.StateDone })
	eventually(t, "released when the queue is idle", func() bool { held, _ := fake.state(); return !held })
}

// TestAllowSleepNeverHolds: with AllowSleep a whole upload runs without
// the hold; turned back on, the next upload takes it (once: had the first
// taken it too, the count would be two).
func TestAllowSleepNeverHolds(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	fake := &inhibitor{}
	e.engine = e.newEngine(core.Options{Awake: fake, AllowSleep: true})
	j := e.add(persist.VideoMeta{})
	if err := e.engine.Run(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	e.engine.SetKeepAwake(true)
	e.sb.Inject(sandbox.Fault{Host: "api", Path: "/v1.0c/add-content", Hold: -1, Release: make(chan struct{})})
	j = e.add(persist.VideoMeta{Title: "second"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.engine.Run(ctx, j.ID); close(done) }()
	eventually(t, "held during the second upload", func() bool { held, _ := fake.state(); return held })
	cancel()
	<-done
	if _, taken := fake.state(); taken != 1 {
		t.Fatalf("the hold was taken %d times: the upload with AllowSleep took it", taken)
	}
}
