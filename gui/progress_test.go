package gui

import (
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/eta"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/jw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// A video whose processing fails after every byte was sent: its failed row
// shows those bytes (a full bar), not the processing's 0 %.
func TestFailedRowShowsTheBytesItSent(t *testing.T) {
	p := newPlatform(t)
	p.sb.FailTranscode("the file has no video stream")
	h := newHarness(t, p, harnessOpts{})
	dir := t.TempDir()
	thumb := sandboxtest.WritePoster(t, filepath.Join(dir, "poster.png"), color.NRGBA{200, 60, 60, 255})
	if err := h.add(sandboxtest.WriteRandom(t, filepath.Join(dir, "broken.mp4"), testSize), thumb); err != nil {
		t.Fatal(err)
	}
	id := h.ui.uploads.rows[0].job.ID
	rv := h.eventuallyRow(id, "the failed row", func(*rowView) bool { return h.row(id).job.State == core.StateFailed })
	if j := h.job(id); view(j).Step != gjw.StepProcessing || view(j).Offset != j.Size {
		t.Fatalf("failed at %s with %d of %d bytes; want processing, all sent", view(j).Step, view(j).Offset, j.Size)
	}
	if rv.bar.Value != 1 {
		t.Fatalf("the failed row's bar is at %.0f %% though all %d bytes were sent", 100*rv.bar.Value, testSize)
	}
}

// Rows in a step after the upload (JW's "completing upload") or stopped in
// processing show the bytes the platform holds; a running processing step
// shows the platform's percentage.
func TestRowProgressAfterTheUpload(t *testing.T) {
	const size = 50 * 1000 * 1000
	u := &uploadsView{steps: newStepBook()}
	for _, c := range []struct {
		platform, step, state string
		offset                int64
		percent               int
		bar                   float64
		detail                string
	}{
		{jw.Platform, jw.StepComplete, core.StateRunning, size, 0, 1, "50.0 MB sent"},
		{jw.Platform, jw.StepComplete, core.StateFailed, size, 0, 1, ""},
		{gjw.Platform, gjw.StepProcessing, core.StateRunning, size, 40, 0.4, ""},
		{gjw.Platform, gjw.StepProcessing, core.StatePaused, size, 40, 1, ""},
		{gjw.Platform, gjw.StepUpload, core.StateFailed, size / 2, 0, 0.5, ""},
		{gjw.Platform, gjw.StepContent, core.StateFailed, 0, 0, 0, ""},
	} {
		tg := persist.Target{Account: "a", Platform: c.platform, Step: c.step, State: c.state, Offset: c.offset, ProcessingPercent: c.percent}
		r := newRow(persist.Job{ID: "j", Size: size, State: c.state, Targets: []persist.Target{tg}})
		if got := progressValue(u.steps, r); math.Abs(got-c.bar) > 1e-9 {
			t.Errorf("%s %s %s: bar %.2f, want %.2f", c.platform, c.step, c.state, got, c.bar)
		}
		if _, detail, _ := describeTarget(u, 0, r, tg); c.detail != "" && detail != c.detail {
			t.Errorf("%s %s %s: detail %q, want %q", c.platform, c.step, c.state, detail, c.detail)
		}
	}
}

// The row's speed on the sandbox throttled to 512 KiB/s. Wall-clock speed
// is not asserted (a loaded machine sends slower): what is asserted is that
// the figures the row shows never exceed what the throttle lets through
// (the old counter of bytes leaving showed bursts far above it), that the
// bytes shown are acknowledged chunks only, that the speed at each
// acknowledgement agrees with the rate of the acknowledgements the
// estimator was given, and that the row shows the latest estimate.
func TestRowSpeedFollowsTheThrottle(t *testing.T) {
	const throttle = 512 << 10
	const size = 2 << 20
	p := newPlatformWith(t, sandbox.Config{TranscodePolls: 2, Throttle: throttle})
	var mu sync.Mutex
	var reports []core.Event
	h := newHarness(t, p, harnessOpts{onEvent: func(ev core.Event) {
		if ev.Target != "" && ev.Sent > 0 {
			mu.Lock()
			reports = append(reports, ev)
			mu.Unlock()
		}
	}})
	dir := t.TempDir()
	thumb := sandboxtest.WritePoster(t, filepath.Join(dir, "poster.png"), color.NRGBA{60, 160, 90, 255})
	if err := h.add(sandboxtest.WriteRandom(t, filepath.Join(dir, "talk.mp4"), size), thumb); err != nil {
		t.Fatal(err)
	}
	id := h.ui.uploads.rows[0].job.ID
	shown := 0
	h.eventually("publish", func() bool {
		r := h.row(id)
		tr := r.transfer(r.job.Targets[0].Account)
		if r.job.State == core.StateRunning && tr.speed > 0 && tr.retryIn == 0 {
			if rv := h.findRowView(id); rv != nil && h.steps().phase(r.job.Targets[0]) == phaseTransfer {
				if want := formatBytes(tr.sent) + " of " + formatBytes(size) + " · " + formatSpeed(tr.speed); !strings.HasPrefix(rv.detail.Text, want) {
					t.Fatalf("the row shows %q, want it to start with %q", rv.detail.Text, want)
				}
				shown++
			}
		}
		return r.job.State == core.StateDone
	})

	mu.Lock()
	defer mu.Unlock()
	first := reports[0]  // the first acknowledged chunk
	var atAcks []float64 // speeds reported right at an acknowledgement
	var ref []float64    // the rate of the acknowledgements given so far
	last := int64(0)
	for _, ev := range reports {
		if ev.Sent%testChunk != 0 && ev.Sent != size {
			t.Fatalf("an event shows %d bytes: not an acknowledged chunk", ev.Sent)
		}
		if ev.Speed > throttle*1.01 {
			t.Fatalf("%.0f KiB/s shown at %d bytes; the throttle lets %d KiB/s through", ev.Speed/1024, ev.Sent, throttle>>10)
		}
		if ev.Sent > last && ev.At.Sub(first.At) >= time.Second {
			atAcks = append(atAcks, ev.Speed)
			ref = append(ref, float64(ev.Sent-first.Sent)/ev.At.Sub(first.At).Seconds())
		}
		last = max(last, ev.Sent)
	}
	if len(atAcks) < 5 || shown == 0 {
		t.Fatalf("%d acknowledgements after warm-up, %d row updates with a speed", len(atAcks), shown)
	}
	ratios := make([]float64, len(atAcks))
	for i := range atAcks {
		ratios[i] = atAcks[i] / ref[i]
	}
	slices.Sort(ratios)
	if med := ratios[len(ratios)/2]; math.Abs(med-1) > 0.1 {
		t.Fatalf("median speed at an acknowledgement is %.2f × the rate of the acknowledgements", med)
	}
	t.Logf("%d acknowledgements after 1 s; median shown speed %.0f KiB/s (throttle %d KiB/s)",
		len(atAcks), median(atAcks)/1024, throttle>>10)
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	return s[len(s)/2]
}

// steps is the uploads view's step book.
func (h *harness) steps() *stepBook { return h.ui.uploads.steps }

// steadyUpload plays a target of job j uploading at rate bytes/s into the
// window, as the engine reports it, on a fake clock: each chunk
// acknowledged on schedule (give or take a fixed pattern of jitter) and a
// tick every 250 ms, with the speed and ETA of the engine's estimator
// (eta.Meter). each runs after every report has reached the window.
type steadyUpload struct {
	job         persist.Job
	rate        float64
	chunk       int64
	from        int64 // the offset the upload resumed at
	start       time.Time
	meter       eta.Meter
	acked, next int64
	nextAt      time.Time
	n           int
}

func newSteadyUpload(j persist.Job, rate float64, chunk int64, start time.Time) *steadyUpload {
	u := &steadyUpload{job: j, rate: rate, chunk: chunk, from: j.Targets[0].Offset, start: start}
	u.acked = u.from
	u.meter.Ack(start, u.acked)
	u.plan()
	return u
}

func (u *steadyUpload) plan() {
	jitter := []float64{0, 0.08, -0.05, 0.03, -0.08, 0.05}
	u.next = min(u.acked+u.chunk, u.job.Size)
	secs := (float64(u.next-u.from) + jitter[u.n%len(jitter)]*float64(u.chunk)) / u.rate
	u.nextAt = u.start.Add(time.Duration(secs * float64(time.Second)))
	u.n++
}

// until reports everything up to now, acknowledgements first.
func (u *steadyUpload) until(now time.Time) []core.Event {
	var evs []core.Event
	for u.acked < u.job.Size && !u.nextAt.After(now) {
		u.acked = u.next
		u.meter.Ack(u.nextAt, u.acked)
		evs = append(evs, u.report(u.nextAt))
		u.plan()
	}
	return append(evs, u.report(now))
}

func (u *steadyUpload) report(at time.Time) core.Event {
	u.job.Rev++
	u.job.Targets[0].Offset = u.acked
	return core.Event{Job: u.job, Target: u.job.Targets[0].Account, At: at, Sent: u.acked,
		Speed: u.meter.Speed(at), ETA: u.meter.ETA(at, u.job.Size-u.acked)}
}

// truth is the real time left at now.
func (u *steadyUpload) truth(now time.Time) time.Duration {
	return u.start.Add(time.Duration(float64(u.job.Size-u.from) / u.rate * float64(time.Second))).Sub(now)
}

// play runs uploads for d on a fake clock from start, a report every
// 250 ms, pumping the window after each tick and calling each.
func play(h *harness, start time.Time, d time.Duration, uploads []*steadyUpload, each func(now time.Time)) {
	for now := start; !now.After(start.Add(d)); now = now.Add(250 * time.Millisecond) {
		for _, u := range uploads {
			for _, ev := range u.until(now) {
				h.events.Push(ev)
			}
		}
		h.pump()
		if each != nil {
			each(now)
		}
	}
}

// queueMidUpload is a queue of six: one published, two uploading (their
// reports played by steadyUpload), three in line.
func queueMidUpload(t *testing.T) (*harness, []*steadyUpload, time.Time) {
	const mb = 1000 * 1000
	db, err := persist.OpenInMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	start := time.Date(2025, 3, 1, 20, 0, 0, 0, time.UTC)
	if err := db.PutCredentials(persist.Credentials{AccessToken: "a", RefreshToken: "r", ChannelID: "demo-channel", ExpiresAt: time.Now().Add(240 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	files := t.TempDir()
	colors := []color.NRGBA{{220, 90, 60, 255}, {60, 140, 210, 255}, {90, 170, 90, 255}, {200, 160, 40, 255}, {140, 90, 190, 255}, {40, 160, 170, 255}}
	titles := []string{"Spring festival in the old town", "Interview with the orchestra conductor", "Morning tai chi by the lake",
		"Cooking dumplings with grandma", "Drone flight over the rice terraces", "Lantern night"}
	sizes := []int64{412 * mb, 1830 * mb, 664 * mb, 655 * mb, 1210 * mb, 98 * mb}
	var jobs []persist.Job
	for i, title := range titles {
		state, step, offset := core.StateQueued, "", int64(0)
		switch i {
		case 0:
			state, step, offset = core.StateDone, gjw.StepDone, sizes[i]
		case 1, 2:
			state, step, offset = core.StateRunning, gjw.StepUpload, []int64{0, 796 * mb, 120 * mb}[i]
		}
		j := persist.Job{ID: "mid" + string(rune('a'+i)), Position: int64(i), CreatedAt: start, Size: sizes[i], State: state,
			VideoPath:     filepath.Join("/home/ana/Videos", title+".mp4"),
			Meta:          persist.VideoMeta{Title: title, Lang: "en-US", Visibility: "public"},
			ThumbnailPath: sandboxtest.WritePoster(t, filepath.Join(files, "poster"+string(rune('a'+i))+".png"), colors[i]),
			Targets:       []persist.Target{gjwTarget(t, step, state, gjw.Checkpoint{ContentID: "c" + string(rune('a'+i))})}}
		j.Targets[0].Offset = offset
		if i == 0 {
			j.Targets[0].Result = persist.TargetResult{ID: "ca", URL: core.VideoURL("ca")}
		}
		if err := db.PutJob(j); err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
	h := newHarness(t, nil, harnessOpts{db: db, noStart: true})
	h.eventually("posters", func() bool { return len(h.ui.uploads.posters.loading) == 0 })
	// Two at once at 2.0 MB/s each, in GJW's 10 MB chunks.
	uploads := []*steadyUpload{newSteadyUpload(jobs[1], 2*mb, 10*mb, start), newSteadyUpload(jobs[2], 2*mb, 10*mb, start.Add(700*time.Millisecond))}
	return h, uploads, start
}

// TestQueueMidUploadShowsAStableETA: two uploads at a constant 2.0 MB/s
// each, in GJW's 10 MB chunks (an acknowledgement every 5 s, give or take
// 0.4 s). From 10 s on, every row's ETA is within 20 % of the time really
// left and its speed within 5 % of 2.0 MB/s at every report, and the total
// line under the queue reads the whole queue: files, bytes, 4.0 MB/s and
// the time to send the rest at that speed. With GJW_SCREENSHOTS=1 it
// writes docs/screenshots/uploading.png.
func TestQueueMidUploadShowsAStableETA(t *testing.T) {
	const mb = 1000 * 1000
	h, uploads, start := queueMidUpload(t)
	checked := 0
	play(h, start, 40*time.Second, uploads, func(now time.Time) {
		if now.Sub(start) < 10*time.Second {
			return
		}
		for _, up := range uploads {
			r := h.row(up.job.ID)
			tr := r.transfer(up.job.Targets[0].Account)
			if math.Abs(tr.speed-up.rate) > 0.05*up.rate {
				t.Fatalf("%v: %q shows %s, want 2.0 MB/s", now.Sub(start), up.job.Meta.Title, formatSpeed(tr.speed))
			}
			truth := up.truth(now)
			if (tr.eta - truth).Abs() > truth/5 {
				t.Fatalf("%v: %q shows %v left, truth %v", now.Sub(start), up.job.Meta.Title, tr.eta, truth)
			}
			if rv := h.ui.uploads.shown[up.job.ID]; rv == nil || !strings.HasSuffix(rv.detail.Text, formatSpeed(tr.speed)+" · "+formatETA(tr.eta)) {
				t.Fatalf("the row of %q does not end with its speed and ETA %s · %s", up.job.Meta.Title, formatSpeed(tr.speed), formatETA(tr.eta))
			}
		}
		tot := h.ui.uploads.totals.Sum(h.ui.uploads.jobs)
		if tot.Files != 6 || tot.Done != 1 {
			t.Fatalf("total %+v, want 1 of 6 files", tot)
		}
		if math.Abs(tot.Speed-4*mb) > 0.05*4*mb {
			t.Fatalf("%v: the total line's speed %s, want 4.0 MB/s", now.Sub(start), formatSpeed(tot.Speed))
		}
		left := time.Duration(float64(tot.Bytes-tot.Sent) / (4 * mb) * float64(time.Second))
		if (tot.ETA - left).Abs() > left/5 {
			t.Fatalf("%v: the total line's ETA %v, want about %v", now.Sub(start), tot.ETA, left)
		}
		if got := h.ui.uploads.total.Text; got != totalText(tot) || !strings.HasPrefix(got, "1 of 6 videos published · ") {
			t.Fatalf("the total line reads %q, want %q", got, totalText(tot))
		}
		checked++
	})
	if checked < 100 {
		t.Fatalf("only %d samples checked", checked)
	}
	t.Logf("total line: %q", h.ui.uploads.total.Text)
	if os.Getenv("GJW_SCREENSHOTS") != "" {
		light()
		h.ui.uploads.list.Select(1)
		writeScreenshot(t, h, "uploading.png")
	}
}

// writeScreenshot saves the window as docs/screenshots/name.
func writeScreenshot(t *testing.T, h *harness, name string) {
	t.Helper()
	h.pump()
	out := filepath.Join("..", "docs", "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(out, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, h.win.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}
