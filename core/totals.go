package core

import (
	"iter"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/eta"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Total is a whole queue (the app's list, or a batch of the command line)
// at a glance.
type Total struct {
	Files, Done int   // jobs (canceled ones aside), and the published ones
	Bytes, Sent int64 // bytes to send to every target (canceled ones aside), and those the platforms hold
	Speed       float64
	ETA         time.Duration // until the last byte is sent; 0 when unknown
}

// Totals measures a queue's speed from its events, with the same estimator
// as each target's (eta.Meter) over the bytes the platforms acknowledged
// across all of them, so the targets that are between their transfers
// count as such. The measurement restarts when a transfer starts after none
// ran (the time nothing moved is no speed), and the bytes a resumed target
// finds on the platform (Event.Start) are no speed either. The zero value is ready; it is
// not safe for concurrent use.
type Totals struct {
	meter  eta.Meter
	acked  map[targetKey]int64 // each target's acknowledged bytes, as last seen
	moving map[targetKey]bool  // the targets in their transfer step
	moved  int64               // bytes acknowledged since the first event
	now    time.Time           // the latest event's time
}

// Observe takes one engine event in.
func (q *Totals) Observe(ev Event) {
	if q.acked == nil {
		q.acked, q.moving = map[targetKey]int64{}, map[targetKey]bool{}
	}
	if ev.At.After(q.now) {
		q.now = ev.At
	}
	idle := len(q.moving) == 0
	grew := false
	for _, t := range ev.Job.Targets {
		if ev.Target != "" && t.Account != ev.Target {
			continue // the event's job may be older for its other targets
		}
		k := targetKey{ev.Job.ID, t.Account}
		if prev, seen := q.acked[k]; seen && t.Offset > prev && !ev.Start {
			q.moved += t.Offset - prev
			grew = true
		}
		q.acked[k] = t.Offset
		if st, _ := dest.StepOf(t.Platform, t.Step); t.State == StateRunning && st.Transfer {
			q.moving[k] = true
		} else {
			delete(q.moving, k)
		}
	}
	switch {
	case len(q.moving) == 0 || idle:
		q.meter.Reset()
	case grew:
		q.meter.Ack(q.now, q.moved)
	}
}

// Sum is the total of jobs, with the speed and ETA measured so far.
func (q *Totals) Sum(jobs iter.Seq[persist.Job]) Total {
	var tot Total
	for j := range jobs {
		if j.State == StateCanceled || len(j.Targets) == 0 {
			continue
		}
		tot.Files++
		if j.State == StateDone {
			tot.Done++
		}
		for _, t := range j.Targets {
			if t.State == StateCanceled {
				continue
			}
			tot.Bytes += j.Size
			if t.State == StateDone {
				tot.Sent += j.Size
			} else {
				tot.Sent += min(t.Offset, j.Size)
			}
		}
	}
	tot.Speed = q.meter.Speed(q.now)
	tot.ETA = q.meter.ETA(q.now, tot.Bytes-tot.Sent)
	return tot
}
