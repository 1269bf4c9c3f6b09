package core_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// TestTotalsOfAQueue: two uploads at 2.0 and 3.0 MB/s, a third waiting in
// line, one published and one canceled. The total counts files and bytes of
// all but the canceled one; its speed is the two together and its ETA every
// byte left at that speed, counting what each has sent since its last
// acknowledgement. A late event with an older record changes nothing; when
// nothing transfers the total has no speed and no ETA.
func TestTotalsOfAQueue(t *testing.T) {
	const mb = 1000 * 1000
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	job := func(id string, size int64, state, step string, offset int64) persist.Job {
		return persist.Job{ID: id, Size: size, State: state, Rev: 5, Targets: []persist.Target{
			{Account: "s", Platform: steadyPlatform, State: state, Step: step, Offset: offset}}}
	}
	jobs := map[string]persist.Job{
		"a": job("a", 100*mb, core.StateRunning, "send", 20*mb),
		"b": job("b", 100*mb, core.StateRunning, "send", 50*mb),
		"c": job("c", 200*mb, core.StateQueued, "", 0),
		"d": job("d", 50*mb, core.StateDone, "done", 50*mb),
		"e": job("e", 70*mb, core.StateCanceled, "send", 20*mb),
	}
	all := func(yield func(*persist.Job) bool) {
		for _, id := range slices.Sorted(func(y func(string) bool) {
			for id := range jobs {
				if !y(id) {
					return
				}
			}
		}) {
			j := jobs[id]
			if !yield(&j) {
				return
			}
		}
	}
	var q core.Totals
	// a: 80 MB left at 2 MB/s, 1 s since its last acknowledgement: 39 s.
	q.Observe(core.Event{Job: jobs["a"], Target: "s", At: at, Sent: 20 * mb, Speed: 2 * mb, ETA: 39 * time.Second})
	// b: 50 MB left at 3 MB/s, just acknowledged.
	q.Observe(core.Event{Job: jobs["b"], Target: "s", At: at, Sent: 50 * mb, Speed: 3 * mb, ETA: 50 * time.Second / 3})
	tot := q.Sum(all)
	want := core.Total{Files: 4, Done: 1, Bytes: 450 * mb, Sent: 20*mb + 50*mb + 50*mb, Speed: 5 * mb,
		// a's 78 MB, b's 50 MB and c's 200 MB at 5 MB/s
		ETA: 65600 * time.Millisecond}
	if tot.Files != want.Files || tot.Done != want.Done || tot.Bytes != want.Bytes || tot.Sent != want.Sent ||
		math.Abs(tot.Speed-want.Speed) > 1 || (tot.ETA-want.ETA).Abs() > time.Millisecond {
		t.Fatalf("total %+v, want %+v", tot, want)
	}

	// A whole-job event without figures (an edit) keeps a's speed; a late
	// event with an older record of b (another goroutine's) is not taken.
	edited := jobs["a"]
	edited.Rev++
	jobs["a"] = edited
	q.Observe(core.Event{Job: edited, At: at})
	stale := jobs["b"]
	stale.Rev--
	q.Observe(core.Event{Job: stale, Target: "s", At: at, Sent: 40 * mb, Speed: 9 * mb, ETA: time.Second})
	if again := q.Sum(all); again != tot {
		t.Fatalf("after an edit and a stale event: %+v, want %+v", again, tot)
	}

	// b is paused: only a's speed counts, b's bytes wait at no speed.
	paused := jobs["b"]
	paused.Rev++
	paused.State, paused.Targets[0].State = core.StatePaused, core.StatePaused
	jobs["b"] = paused
	q.Observe(core.Event{Job: paused, At: at})
	if tot := q.Sum(all); tot.Speed != 2*mb || (tot.ETA-(78+50+200)*time.Second/2).Abs() > time.Millisecond {
		t.Fatalf("with b paused: %+v, want 2 MB/s and 164 s", tot)
	}

	// a fails too: nothing transfers, so no speed and no ETA.
	failed := jobs["a"]
	failed.Rev++
	failed.State, failed.Targets[0].State = core.StateFailed, core.StateFailed
	jobs["a"] = failed
	q.Observe(core.Event{Job: failed, Target: "s", At: at})
	if tot := q.Sum(all); tot.Speed != 0 || tot.ETA != 0 || tot.Sent != 120*mb {
		t.Fatalf("nothing transferring: %+v, want no speed, no ETA, 120 MB sent", tot)
	}
}
