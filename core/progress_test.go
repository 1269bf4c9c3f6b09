package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// fakeClock is Options.Now for tests: time moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const steadyPlatform = "steady"

func init() {
	dest.RegisterSteps(steadyPlatform, []dest.Step{{ID: "send", Title: "sending", N: 1, Of: 1, Transfer: true}})
}

// steadyDriver sends a file at a constant rate on a fake clock: each chunk
// is acknowledged chunk/rate after the last (give or take a fixed pattern
// of jitter). Its first run stops at pauseAt and waits to be paused; the
// server keeps half of the chunk the pause cut. In its second run, the
// chunk after holdAt stays half sent, in flight, until the engine has
// reported progress at that moment (as when a socket has swallowed bytes
// the server has not acknowledged yet).
type steadyDriver struct {
	clock       *fakeClock
	chunk       int64
	rate        float64
	pauseAt     int64
	atPause     chan struct{} // closed when the first run reached pauseAt
	holdAt      int64
	inFlight    time.Time     // while a chunk is held: the clock's time
	reported    chan struct{} // closed once an event came at inFlight
	heldTime    time.Time     // when the chunk was held, after heldOff
	heldOff     int64
	runs        int
	ackedAt     []int64 // every acknowledged offset, in order
	ackedAtTime []time.Time
	mu          sync.Mutex
}

// heard is the engine's event at clock time at: it ends the hold of a
// chunk in flight at that time.
func (d *steadyDriver) heard(at time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.inFlight.IsZero() && at.Equal(d.inFlight) {
		d.inFlight = time.Time{}
		close(d.reported)
	}
}

func (d *steadyDriver) Platform() string { return steadyPlatform }
func (d *steadyDriver) Steps() []dest.Step {
	s, _ := dest.StepOf(steadyPlatform, "send")
	return []dest.Step{s}
}
func (d *steadyDriver) Check(dest.Source, dest.Meta) error { return nil }
func (d *steadyDriver) Update(context.Context, json.RawMessage, dest.Edition, dest.Progress) error {
	return nil
}

func (d *steadyDriver) Publish(ctx context.Context, state json.RawMessage, p dest.Progress) (dest.Result, error) {
	ed, err := p.Latest()
	if err != nil {
		return dest.Result{}, err
	}
	var cp struct{ Offset int64 }
	json.Unmarshal(state, &cp)
	d.mu.Lock()
	d.runs++
	first := d.runs == 1
	d.mu.Unlock()
	p.Step("send")
	off := cp.Offset
	if !first {
		off += d.chunk / 2 // what the server kept of the request the pause cut
	}
	ack := func(n int64) {
		d.mu.Lock()
		d.ackedAt, d.ackedAtTime = append(d.ackedAt, n), append(d.ackedAtTime, d.clock.Now())
		d.mu.Unlock()
		p.Sent(n)
	}
	ack(off)
	jitter := []float64{0, 0.08, -0.05, 0.03, -0.08, 0.05}
	held := false
	for i := 0; off < ed.Source.Size; i++ {
		n := min(d.chunk, ed.Source.Size-off)
		took := time.Duration(float64(n) / d.rate * (1 + jitter[i%len(jitter)]) * float64(time.Second))
		if !first && !held && off >= d.holdAt {
			held = true
			d.clock.Advance(took / 2) // half the chunk is on the wire
			d.mu.Lock()
			d.inFlight, d.heldTime, d.heldOff = d.clock.Now(), d.clock.Now(), off
			d.mu.Unlock()
			select {
			case <-d.reported:
			case <-time.After(30 * time.Second):
				return dest.Result{}, errors.New("the engine reported nothing while a chunk was in flight")
			}
			took -= took / 2
		}
		d.clock.Advance(took)
		off += n
		if err := p.Checkpoint(struct{ Offset int64 }{off}); err != nil {
			return dest.Result{}, err
		}
		ack(off)
		if first && off >= d.pauseAt {
			close(d.atPause)
			<-ctx.Done()
			return dest.Result{}, context.Cause(ctx)
		}
	}
	return dest.Result{ID: "v1"}, nil
}

// TestProgressIsAcknowledgedBytes runs a 160 MB upload at a constant
// 4.0 MB/s (1 MB chunks with jitter) through the engine on a fake clock,
// paused at 60 MB for a minute and resumed. Every event's bytes are what
// the platform acknowledged: while a chunk is half sent (at 100 MB), the
// events show the bytes before it, at the same speed; after the first 10 s
// of each run the speed is within 5 % of 4.0 MB/s and the ETA within 20 %
// of the time really left; right after Resume the speed is unknown until
// the first chunk since the resume is acknowledged, never a burst.
func TestProgressIsAcknowledgedBytes(t *testing.T) {
	const mb = 1000 * 1000
	const size, rate = 160 * mb, 4.0 * mb
	clock := &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	drv := &steadyDriver{clock: clock, chunk: 1 * mb, rate: rate, pauseAt: 60 * mb, atPause: make(chan struct{}),
		holdAt: 100 * mb, reported: make(chan struct{})}
	var mu sync.Mutex
	var events []core.Event
	db, err := persist.OpenInMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	eng := core.New(db, core.Options{
		Now:            clock.Now,
		Drivers:        func(string) (dest.Driver, error) { return drv, nil },
		DefaultTargets: func() []string { return []string{"s"} },
		OnEvent: func(ev core.Event) {
			mu.Lock()
			events = append(events, ev)
			mu.Unlock()
			if ev.Target != "" && ev.Sent > 0 {
				drv.heard(ev.At)
			}
		},
	})
	video := filepath.Join(t.TempDir(), "long.mp4")
	if err := os.WriteFile(video, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(video, size); err != nil { // sparse: nothing is read
		t.Fatal(err)
	}
	j, err := eng.Add(core.NewUpload{VideoPath: video, Meta: persist.VideoMeta{Title: "Long"}})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		<-drv.atPause
		if err := eng.Pause(j.ID); err != nil {
			t.Error(err)
		}
	}()
	eng.Run(context.Background(), j.ID)
	if got, _, _ := db.Job(j.ID); got.State != core.StatePaused {
		t.Fatalf("after the pause: %s", got.State)
	}
	mu.Lock()
	firstRun := len(events)
	mu.Unlock()
	clock.Advance(time.Minute)
	if err := eng.Resume(j.ID); err != nil {
		t.Fatal(err)
	}
	if err := eng.Run(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	drv.mu.Lock()
	defer drv.mu.Unlock()
	acked := map[int64]bool{}
	for _, n := range drv.ackedAt {
		acked[n] = true
	}
	// The truth: when the last byte was acknowledged, each run's start.
	end := drv.ackedAtTime[len(drv.ackedAtTime)-1]
	runStart := []time.Time{drv.ackedAtTime[0]}
	var paused time.Duration // from the pause's acknowledgement to the resume's
	for i, n := range drv.ackedAt {
		if n == 60*mb+mb/2 {
			runStart = append(runStart, drv.ackedAtTime[i])
			paused = drv.ackedAtTime[i].Sub(drv.ackedAtTime[i-1])
		}
	}
	if len(runStart) != 2 {
		t.Fatalf("the second run did not start at the server's offset: %v", drv.ackedAt[:3])
	}
	checked, sawUnknownAfterResume := 0, false
	for i, ev := range events {
		if ev.Target == "" || ev.Sent == 0 && ev.Speed == 0 {
			continue
		}
		if !acked[ev.Sent] {
			t.Fatalf("event %d shows %d bytes, which the platform never acknowledged", i, ev.Sent)
		}
		if ev.Sent > ev.Job.Size {
			t.Fatalf("event %d shows %d of %d bytes", i, ev.Sent, ev.Job.Size)
		}
		start := runStart[0]
		if i >= firstRun {
			start = runStart[1]
			if ev.At.Sub(start) < 200*time.Millisecond {
				if ev.Speed != 0 {
					t.Fatalf("right after Resume: %.1f MB/s, want unknown until a chunk is acknowledged", ev.Speed/mb)
				}
				sawUnknownAfterResume = true
			}
		}
		if ev.At.Sub(start) < 10*time.Second || !ev.At.Before(end) || (i < firstRun && ev.Sent >= 60*mb) {
			continue
		}
		checked++
		if math.Abs(ev.Speed-rate) > 0.05*rate {
			t.Fatalf("event %d at %v: %.2f MB/s, want 4.0 ± 5 %%", i, ev.At.Sub(start), ev.Speed/mb)
		}
		truth := end.Sub(ev.At)
		if i < firstRun {
			truth -= paused
		}
		if diff := (ev.ETA - truth).Abs(); diff > max(truth/5, time.Second) {
			t.Fatalf("event %d at %v: ETA %v, truth %v", i, ev.At.Sub(start), ev.ETA, truth)
		}
	}
	inFlight := 0
	for i, ev := range events {
		if ev.Target != "" && ev.At.Equal(drv.heldTime) {
			inFlight++
			if ev.Sent != drv.heldOff {
				t.Fatalf("event %d, half a chunk in flight after %d acknowledged bytes, shows %d", i, drv.heldOff, ev.Sent)
			}
		}
	}
	if inFlight == 0 {
		t.Fatal("no event while the chunk was in flight")
	}
	if checked < 50 || !sawUnknownAfterResume {
		t.Fatalf("checked %d events; saw the resume's first event: %v", checked, sawUnknownAfterResume)
	}
}
