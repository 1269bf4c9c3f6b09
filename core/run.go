package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/bandwidth"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/eta"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// run publishes one target of a job through its driver and records how it
// ended; then it sends edits the platform has not seen.
func (e *Engine) run(ctx context.Context, id, account string) error {
	j, err := e.updateTarget(id, account, func(j *persist.Job, t *persist.Target) error {
		if !targetUnfinished(*t) {
			return fmt.Errorf("%q is already %s on %s", j.Meta.Title, t.State, account)
		}
		t.State, t.Reason, t.Error = StateRunning, "", ""
		return nil
	})
	if err != nil {
		return err
	}
	e.emit(Event{Job: j, Target: account})
	d, err := e.Driver(account)
	if err != nil {
		return e.finish(ctx, id, account, err)
	}
	if t := j.Target(account); t.Platform == "" && d.Platform() != "" {
		// Queued before its account existed: now it has a platform.
		if j, err := e.updateTarget(id, account, func(_ *persist.Job, t *persist.Target) error { t.Platform = d.Platform(); return nil }); err == nil {
			e.emit(Event{Job: j, Target: account})
		}
	}
	p := e.newProgress(id, account, d)
	defer p.stopTicker()
	ctx = httpx.WithOnRetry(ctx, p.Retrying)
	ctx = bandwidth.WithLimiter(ctx, e.limiter) // every request body shares the limit
	res, err := d.Publish(ctx, j.Target(account).Checkpoint, p)
	p.stopTicker()
	if err != nil {
		return e.finish(ctx, id, account, err)
	}
	j, err = e.updateTarget(id, account, func(j *persist.Job, t *persist.Target) error {
		t.State, t.Step, t.Reason, t.Error = StateDone, "done", "", ""
		t.Result = persist.TargetResult{ID: res.ID, URL: res.URL, Ext: res.Ext}
		t.ProcessingPercent, t.Offset, t.FinishedAt = 100, j.Size, time.Now()
		if Overall(j.Targets) == StateDone {
			j.FinishedAt = t.FinishedAt
		}
		return nil
	})
	if err != nil {
		return err
	}
	e.emit(Event{Job: j, Target: account})
	if t := j.Target(account); t.SentRev < j.EditRev {
		_, err = e.pushMeta(ctx, id, account)
	}
	return err
}

// finish records why a target stopped and returns the error for callers.
func (e *Engine) finish(ctx context.Context, id, account string, err error) error {
	cause := context.Cause(ctx)
	ev := Event{Err: err, Target: account}
	reason := dest.ReasonOf(err)
	if (reason == dest.ReasonGaveUp || reason == dest.ReasonFailed) && httpx.Unreachable(err) {
		reason = dest.ReasonUnreachable // said apart from a platform that answered with errors
	}
	if errors.Is(cause, errSignedOut) {
		reason, err = dest.ReasonSignedOut, fmt.Errorf("signed out of %s: sign in again to continue", account)
		ev.Err = err
	}
	if reason == dest.ReasonUnreachable && e.queued(id, account) {
		// The platform could not be reached: wait for the connection
		// rather than fail (Run, for the command line, fails as before).
		reason = dest.ReasonOffline
		ev.Reconnecting, ev.RetryIn = true, OfflineRetry
	}
	j, uerr := e.updateTarget(id, account, func(j *persist.Job, t *persist.Target) error {
		switch {
		case errors.Is(cause, errPaused):
			if t.State != StateQueued { // else Resume came while this run stopped
				t.State = StatePaused
			}
		case errors.Is(cause, errCanceled):
			t.State = StateCanceled
		case ctx.Err() != nil && !errors.Is(cause, errSignedOut): // shutting down: resume next time
			t.State = StateQueued
		case reason == dest.ReasonNeedPoster && j.ThumbnailPath != "":
			// A poster was chosen while this run looked for one: go again.
			t.State, t.Reason, t.Error = StateQueued, "", ""
		case reason.Waits():
			t.State, t.Reason, t.Error = StateWaiting, string(reason), err.Error()
			ev.SignedOut = reason == dest.ReasonSignedOut
		default:
			t.State, t.Reason, t.Error = StateFailed, string(reason), err.Error()
		}
		return nil
	})
	if uerr != nil {
		return errors.Join(err, uerr)
	}
	t := j.Target(account)
	if t.State != StateFailed && t.State != StateWaiting {
		ev.Err = nil
		err = cause
	}
	ev.Job = j
	changed := httpx.Changed() // before the event: a Reconnect after it counts
	e.emit(ev)
	if t.State == StateQueued {
		e.poke()
	}
	if t.State == StateWaiting && dest.Reason(t.Reason) == dest.ReasonOffline {
		go e.awaitOnline(id, account, changed, err)
	}
	return err
}

// OfflineRetry is how long a target that could not reach its platform
// waits before it tries again, at most: it goes at once when the host
// accepts connections again or the network changes (httpx.WaitOnline).
var OfflineRetry = 30 * time.Second

// queued reports whether the target runs under the queue (Start).
func (e *Engine) queued(id, account string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.running[targetKey{id, account}]
	return ok && r.queued
}

// awaitOnline queues a target waiting offline again once the connection
// is back (or OfflineRetry has passed), unless it was paused, canceled or
// resumed meanwhile.
func (e *Engine) awaitOnline(id, account string, changed <-chan struct{}, cause error) {
	e.mu.Lock()
	ctx := e.queueCtx
	e.mu.Unlock()
	// Every retry failed to connect: go as soon as the host answers (at
	// once if it came back meanwhile).
	if httpx.WaitBack(ctx, changed, OfflineRetry, cause) != nil || ctx.Err() != nil {
		return
	}
	j, err := e.updateTarget(id, account, func(_ *persist.Job, t *persist.Target) error {
		if t.State != StateWaiting || dest.Reason(t.Reason) != dest.ReasonOffline {
			return errUnchanged
		}
		t.State, t.Reason, t.Error = StateQueued, "", ""
		return nil
	})
	if err == nil {
		e.emit(Event{Job: j, Target: account})
		e.poke()
	}
}

// progressTick is how often transfer progress is reported.
const progressTick = 250 * time.Millisecond

// progress is the engine's side of dest.Progress for one target run: it
// saves what the driver reports and turns it into events, a few times a
// second while bytes move, with the speed and ETA of the bytes the platform
// has acknowledged (eta.Meter, restarted when the transfer step starts, so
// a resumed upload's first figures are its own).
type progress struct {
	e       *Engine
	id      string
	account string
	steps   []dest.Step
	retryIn atomic.Int64 // nanoseconds; > 0 while waiting to retry
	offline atomic.Bool  // that retry is for a connection error

	mu     sync.Mutex
	job    persist.Job // the last saved copy, for ticks without a store read
	acked  int64       // bytes the platform has acknowledged
	meter  eta.Meter
	based  bool          // the transfer's first Sent (its starting point) came
	ticker chan struct{} // closed to stop the transfer ticker
	done   chan struct{}
}

var _ dest.Progress = (*progress)(nil)

func (e *Engine) newProgress(id, account string, d dest.Driver) *progress {
	return &progress{e: e, id: id, account: account, steps: d.Steps()}
}

func (p *progress) save(fn func(*persist.Job, *persist.Target)) (persist.Job, error) {
	j, err := p.e.updateTarget(p.id, p.account, func(j *persist.Job, t *persist.Target) error {
		fn(j, t)
		return nil
	})
	if err == nil {
		p.mu.Lock()
		p.job = j
		p.mu.Unlock()
	}
	return j, err
}

func (p *progress) Step(id string) {
	j, err := p.save(func(_ *persist.Job, t *persist.Target) { t.Step = id })
	if err != nil {
		return
	}
	p.stopTicker()
	for _, st := range p.steps {
		if st.ID == id && st.Transfer {
			t := j.Target(p.account)
			p.mu.Lock()
			p.acked = t.Offset
			p.meter.Reset()
			p.mu.Unlock()
			p.report(j)
			p.startTicker()
			return
		}
	}
	p.e.emit(Event{Job: j, Target: p.account})
}

func (p *progress) Sent(acked int64) {
	p.retryIn.Store(0)
	p.offline.Store(false)
	now := p.e.opts.Now()
	p.mu.Lock()
	p.acked = acked
	p.meter.Ack(now, acked)
	p.mu.Unlock()
	if j, err := p.save(func(_ *persist.Job, t *persist.Target) { t.Offset = acked }); err == nil {
		p.report(j)
	}
}

func (p *progress) Processing(percent int) {
	if j, err := p.save(func(_ *persist.Job, t *persist.Target) { t.ProcessingPercent = percent }); err == nil {
		p.e.emit(Event{Job: j, Target: p.account})
	}
}

func (p *progress) Retrying(op string, wait time.Duration, err error) {
	p.retryIn.Store(int64(wait))
	p.offline.Store(httpx.Unreachable(err))
	p.mu.Lock()
	j, acked := p.job, p.acked
	p.mu.Unlock()
	if j.ID != "" {
		p.e.emit(Event{Job: j, Target: p.account, RetryIn: wait, Sent: acked, Err: err, Reconnecting: p.offline.Load()})
	}
}

func (p *progress) Checkpoint(state any) error {
	b, err := json.Marshal(state)
	if err != nil {
		return err
	}
	j, err := p.save(func(_ *persist.Job, t *persist.Target) { t.Checkpoint = b })
	if err == nil {
		// Reported like every write, so a reader's copy is never behind
		// (the GUI asks before canceling once a remote entry exists).
		p.e.emit(Event{Job: j, Target: p.account})
	}
	return err
}

func (p *progress) Latest() (dest.Edition, error) {
	j, ok, err := p.e.store.Job(p.id)
	if err != nil {
		return dest.Edition{}, err
	}
	if !ok {
		return dest.Edition{}, fmt.Errorf("no upload with id %q", p.id)
	}
	return dest.Edition{
		Source: dest.Source{Path: j.VideoPath, Size: j.Size, ModTime: j.ModTime, Poster: j.ThumbnailPath},
		Meta:   j.Meta, Rev: j.EditRev,
	}, nil
}

func (p *progress) Published(rev int) {
	if j, err := p.save(func(_ *persist.Job, t *persist.Target) { t.SentRev = max(t.SentRev, rev) }); err == nil {
		p.e.emit(Event{Job: j, Target: p.account})
	}
}

// report emits one progress event for job j: the acknowledged bytes, and
// the speed and ETA at this moment.
func (p *progress) report(j persist.Job) {
	now := p.e.opts.Now()
	p.mu.Lock()
	acked := p.acked
	speed, left := p.meter.Speed(now), p.meter.ETA(now, j.Size-acked)
	p.mu.Unlock()
	retryIn := time.Duration(p.retryIn.Load())
	p.e.emit(Event{Job: j, Target: p.account, At: now, Sent: acked, Speed: speed, ETA: left,
		RetryIn: retryIn, Reconnecting: retryIn > 0 && p.offline.Load()})
}

// startTicker reports the transfer until stopTicker.
func (p *progress) startTicker() {
	p.mu.Lock()
	defer p.mu.Unlock()
	stop, done := make(chan struct{}), make(chan struct{})
	p.ticker, p.done = stop, done
	go func() {
		defer close(done)
		t := time.NewTicker(progressTick)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				p.mu.Lock()
				j := p.job
				p.mu.Unlock()
				p.report(j)
			}
		}
	}()
}

func (p *progress) stopTicker() {
	p.mu.Lock()
	stop, done := p.ticker, p.done
	p.ticker, p.done = nil, nil
	p.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
