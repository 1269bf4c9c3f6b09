package core

import (
	"iter"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Total is a whole queue (the app's list, or a batch of the command line)
// at a glance.
type Total struct {
	Files, Done int   // jobs (canceled ones aside), and the published ones
	Bytes, Sent int64 // bytes to send to every target (canceled ones aside), and those the platforms hold
	Speed       float64
	ETA         time.Duration // until the last byte is sent at Speed; 0 when unknown
}

// Totals sums a queue from its events. Its speed is the sum of the speeds
// of the targets transferring now, each measured by the engine's estimator
// (eta.Meter, per target: a merged stream of several targets' chunk-sized
// acknowledgements would read uneven), and its ETA is every byte left at
// that speed, counting what each transfer has sent since its last
// acknowledgement. The zero value is ready; it is not safe for concurrent
// use.
type Totals struct {
	live map[targetKey]liveRate // the targets transferring, as their latest events say
}

type liveRate struct {
	rev   int64 // of the job record it came with
	speed float64
	eta   time.Duration
}

// Observe takes one engine event in. An event older than one already taken
// for the same target (events come from several goroutines) is ignored.
func (q *Totals) Observe(ev Event) {
	if q.live == nil {
		q.live = map[targetKey]liveRate{}
	}
	for i := range ev.Job.Targets {
		t := &ev.Job.Targets[i]
		if ev.Target != "" && t.Account != ev.Target {
			continue // the event's job may be older for its other targets
		}
		k := targetKey{ev.Job.ID, t.Account}
		prev, known := q.live[k]
		switch {
		case known && ev.Job.Rev < prev.rev:
		case !transferring(t):
			delete(q.live, k)
		case ev.Target == t.Account || len(ev.Job.Targets) == 1 && ev.Target == "" && ev.Sent > 0:
			q.live[k] = liveRate{rev: ev.Job.Rev, speed: ev.Speed, eta: ev.ETA}
		default: // a job event without figures: the last ones hold
			prev.rev = ev.Job.Rev
			q.live[k] = prev
		}
	}
}

// transferring reports whether t is running its transfer step.
func transferring(t *persist.Target) bool {
	if t.State != StateRunning {
		return false
	}
	st, _ := dest.StepOf(t.Platform, t.Step)
	return st.Transfer
}

// Sum is the total of jobs, with the speed and ETA of their latest events.
func (q *Totals) Sum(jobs iter.Seq[*persist.Job]) Total {
	var tot Total
	left := 0.0 // bytes still to send, at this moment
	for j := range jobs {
		if j.State == StateCanceled || len(j.Targets) == 0 {
			continue
		}
		tot.Files++
		if j.State == StateDone {
			tot.Done++
		}
		for i := range j.Targets {
			t := &j.Targets[i]
			if t.State == StateCanceled {
				continue
			}
			tot.Bytes += j.Size
			sent := min(t.Offset, j.Size)
			if t.State == StateDone {
				sent = j.Size
			}
			tot.Sent += sent
			if lr, ok := q.live[targetKey{j.ID, t.Account}]; ok && lr.speed > 0 && transferring(t) {
				tot.Speed += lr.speed
				left += lr.speed * lr.eta.Seconds()
			} else {
				left += float64(j.Size - sent)
			}
		}
	}
	if tot.Speed > 0 && left > 0 {
		tot.ETA = max(time.Duration(left/tot.Speed*float64(time.Second)), time.Second)
	}
	return tot
}
