package core_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// TestTotalsOfAQueue: two uploads at 2.0 MB/s each (acknowledged in 1 MB
// chunks at their own moments), a third waiting in line, one published and
// one canceled. The total counts files and bytes of all but the canceled
// one; its speed is the two together and its ETA the time to send every
// byte left at that speed. One of the two resumes mid-way and finds half a
// chunk more on the server than it had stored: that is no speed. When
// nothing transfers the total has no speed, and the next transfer is
// measured afresh.
func TestTotalsOfAQueue(t *testing.T) {
	const mb = 1000 * 1000
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	job := func(id string, size int64, state, step string, offset int64) persist.Job {
		return persist.Job{ID: id, Size: size, State: state, Targets: []persist.Target{
			{Account: "s", Platform: steadyPlatform, State: state, Step: step, Offset: offset}}}
	}
	jobs := map[string]persist.Job{
		"a": job("a", 100*mb, core.StateRunning, "send", 0),
		"b": job("b", 100*mb, core.StateRunning, "send", 30*mb),
		"c": job("c", 200*mb, core.StateQueued, "", 0),
		"d": job("d", 50*mb, core.StateDone, "done", 50*mb),
		"e": job("e", 70*mb, core.StateCanceled, "send", 20*mb),
	}
	all := func(yield func(persist.Job) bool) {
		for _, id := range slices.Sorted(func(y func(string) bool) {
			for id := range jobs {
				if !y(id) {
					return
				}
			}
		}) {
			if !yield(jobs[id]) {
				return
			}
		}
	}
	var q core.Totals
	report := func(id string, at time.Time, offset int64, start bool) {
		j := jobs[id]
		j.Targets[0].Offset = offset
		jobs[id] = j
		q.Observe(core.Event{Job: j, Target: "s", At: at, Sent: offset, Start: start})
	}
	report("a", start, 0, true)
	report("b", start, 30*mb, true)
	// a's chunks end on the second, b's half a second later.
	var at time.Time
	for i := 1; i <= 20; i++ {
		at = start.Add(time.Duration(i) * 500 * time.Millisecond)
		report("a", at, int64(i)*mb, false)
		report("b", at.Add(250*time.Millisecond), 30*mb+int64(i)*mb, false)
	}
	at = at.Add(250 * time.Millisecond)
	tot := q.Sum(all)
	want := core.Total{Files: 4, Done: 1, Bytes: 450 * mb, Sent: 20*mb + 50*mb + 50*mb}
	if tot.Files != want.Files || tot.Done != want.Done || tot.Bytes != want.Bytes || tot.Sent != want.Sent {
		t.Fatalf("total %+v, want %+v", tot, want)
	}
	if math.Abs(tot.Speed-4*mb) > 0.05*4*mb {
		t.Fatalf("speed %.2f MB/s, want 4.0 (two at 2.0)", tot.Speed/mb)
	}
	if left := time.Duration(float64(tot.Bytes-tot.Sent) / (4 * mb) * float64(time.Second)); (tot.ETA - left).Abs() > left/20 {
		t.Fatalf("ETA %v, want about %v", tot.ETA, left)
	}

	// b is paused and resumed: the server has half a chunk more than b
	// stored. Its first report after the resume is its starting point.
	j := jobs["b"]
	j.Targets[0].State, j.Targets[0].Step = core.StatePaused, "send"
	jobs["b"] = j
	q.Observe(core.Event{Job: j, Target: "s", At: at})
	j.Targets[0].State = core.StateRunning
	jobs["b"] = j
	q.Observe(core.Event{Job: j, Target: "s", At: at.Add(10 * time.Millisecond)})
	before := q.Sum(all)
	report("b", at.Add(10*time.Millisecond), 50*mb+mb/2, true)
	after := q.Sum(all)
	if after.Speed != before.Speed || after.Sent != before.Sent+mb/2 {
		t.Fatalf("b resumed and found half a chunk more: speed %.3f MB/s -> %.3f, sent %d -> %d; want the same speed, the bytes counted",
			before.Speed/mb, after.Speed/mb, before.Sent, after.Sent)
	}

	// Nothing transfers: no speed; then c starts and is measured afresh.
	for _, id := range []string{"a", "b"} {
		j := jobs[id]
		j.Targets[0].State = core.StatePaused
		jobs[id] = j
		q.Observe(core.Event{Job: j, Target: "s", At: at})
	}
	if tot := q.Sum(all); tot.Speed != 0 || tot.ETA != 0 {
		t.Fatalf("all paused: %+v, want no speed and no ETA", tot)
	}
	at = at.Add(time.Hour)
	j = jobs["c"]
	j.Targets[0].State, j.Targets[0].Step = core.StateRunning, "send"
	jobs["c"] = j
	q.Observe(core.Event{Job: j, Target: "s", At: at})
	report("c", at, 0, true)
	for i := 1; i <= 4; i++ {
		report("c", at.Add(time.Duration(i)*time.Second), int64(i)*3*mb, false)
	}
	if s := q.Sum(all).Speed; math.Abs(s-3*mb) > 0.01*mb {
		t.Fatalf("c alone after an hour of nothing: %.2f MB/s, want 3.0", s/mb)
	}
}
