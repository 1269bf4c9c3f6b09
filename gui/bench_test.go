package gui

import (
	"fmt"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// seedJobs stores n jobs uploading at once (a queue far longer than any
// real one, all of it "running" so that every row has progress to show).
func seedJobs(tb testing.TB, db *persist.DB, n int) []persist.Job {
	tb.Helper()
	now := time.Now()
	jobs := make([]persist.Job, n)
	for i := range jobs {
		jobs[i] = persist.Job{
			ID: fmt.Sprintf("job%04d", i), Position: int64(i), VideoPath: fmt.Sprintf("/videos/clip-%04d.mp4", i),
			Size: 700 << 20, ThumbnailPath: "", Meta: persist.VideoMeta{Title: fmt.Sprintf("Clip %d", i+1), Category: "cat13", Lang: "en-US", Visibility: "public"},
			Step: core.StepUpload, State: core.StateRunning, ContentID: fmt.Sprintf("c%04d", i), UploadID: fmt.Sprintf("u%04d", i),
			Offset: 10 << 20, CreatedAt: now,
		}
		if err := db.PutJob(jobs[i]); err != nil {
			tb.Fatal(err)
		}
	}
	return jobs
}

// BenchmarkProgressTick500 is one progress tick across a 500-row queue:
// every job reports new bytes, speed and ETA from an engine goroutine's
// point of view (Events.Push), then the one scheduled flush applies the
// batch on the UI goroutine (RefreshItem per row; the list redraws only the
// rows on screen). One op is one whole tick.
func BenchmarkProgressTick500(b *testing.B) {
	db, err := persist.OpenInMemory()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	jobs := seedJobs(b, db, 500)
	h := newHarness(b, nil, harnessOpts{db: db, noStart: true})
	if len(h.ui.uploads.rows) != 500 {
		b.Fatalf("%d rows", len(h.ui.uploads.rows))
	}
	h.ui.uploads.list.Select(3) // details panel open, as a creator would have it
	h.pump()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sent := int64(10<<20) + int64(i%1000)*(64<<10)
		for k := range jobs {
			h.events.Push(core.Event{Job: jobs[k], Sent: sent, Speed: 2.5e6 + float64(k), ETA: time.Duration(300+k) * time.Second})
		}
		h.pump()
	}
	b.StopTimer()
	if r := h.ui.uploads.rows[0]; r.sent == 0 {
		b.Fatal("ticks were not applied")
	}
}

// TestProgressTick500IsWellUnderAFrame guards the benchmark's figure:
// a tick across 500 rows must stay well under one 60 Hz frame.
func TestProgressTick500IsWellUnderAFrame(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	res := testing.Benchmark(BenchmarkProgressTick500)
	per := time.Duration(res.NsPerOp())
	t.Logf("one progress tick across 500 rows: %v (%d allocs)", per, res.AllocsPerOp())
	limit := 8 * time.Millisecond // half a frame
	if raceEnabled {
		limit *= 10 // the race detector slows this code 5-10×
	}
	if per > limit {
		t.Fatalf("a tick across 500 rows takes %v, over %v", per, limit)
	}
}
