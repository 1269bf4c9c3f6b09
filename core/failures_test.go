package core_test

import (
	"context"
	"image/color"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// A target that failed for good (the platform could not process the
// video) goes nowhere with Retry: the same content entry is polled again
// and fails again. StartOver, and only StartOver, makes a fresh one: the
// checkpoint is cleared, a new content entry is created and published,
// and the old entry stays on the platform.
func TestStartOverMakesAFreshContentEntry(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.sb.FailTranscode("unsupported codec")
	j := e.add(persist.VideoMeta{Title: "Again"})
	if err := e.engine.Run(context.Background(), j.ID); err == nil {
		t.Fatal("the first run did not fail")
	}
	first := sandboxtest.View(e.job(j.ID)).ContentID
	if err := e.engine.Retry(j.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.engine.Run(context.Background(), j.ID); err == nil {
		t.Fatal("a retry of a failed processing passed")
	}
	if v := sandboxtest.View(e.job(j.ID)); v.ContentID != first || e.sb.Stats().AddContent != 1 {
		t.Fatalf("Retry made a new entry: %s vs %s, %d add-content", v.ContentID, first, e.sb.Stats().AddContent)
	}

	// Only a failed target starts over.
	other := e.add(persist.VideoMeta{Title: "Queued"})
	if err := e.engine.StartOver(other.ID, ""); err == nil || !strings.Contains(err.Error(), "no failed destination") {
		t.Fatalf("StartOver on a queued job: %v", err)
	}
	e.engine.Cancel(other.ID)

	e.sb.FailTranscode("")
	if err := e.engine.StartOver(j.ID, persist.V1Account); err != nil {
		t.Fatal(err)
	}
	got := e.job(j.ID)
	if tg := got.Targets[0]; tg.State != core.StateQueued || len(tg.Checkpoint) != 0 || tg.Step != "" || tg.Offset != 0 || tg.Error != "" {
		t.Fatalf("after StartOver: %+v", tg)
	}
	if err := e.engine.Run(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	v := sandboxtest.View(e.job(j.ID))
	if v.State != core.StateDone || v.ContentID == "" || v.ContentID == first {
		t.Fatalf("after starting over: state %s, entry %s (the failed one was %s)", v.State, v.ContentID, first)
	}
	if _, ok := e.sb.Content(first); !ok {
		t.Fatal("the failed entry is gone from the platform")
	}
	if c, _ := e.sb.Content(v.ContentID); !c.Published {
		t.Fatal("the fresh entry is not published")
	}
	if st := e.sb.Stats(); st.AddContent != 2 || st.TusCreates != 2 {
		t.Fatalf("want two entries and two uploads in all, got %+v", st)
	}
}

// Pause all, Resume all, Retry all failed and Cancel all act on every job
// at once, each only on the targets it is for, and the queue goes on.
func TestBulkActions(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var jobs []persist.Job
	for i := range 3 {
		jobs = append(jobs, e.add(persist.VideoMeta{Title: "Bulk " + string(rune('A'+i))}))
	}
	// The first job fails once on its content entry (a refusal), before
	// the queue starts.
	e.sb.Inject(sandbox.Fault{Host: "api", Path: "/v1.0c/add-content", Status: 400, Times: 2}) // the call and its one retry with the poster uploaded again
	e.engine = e.newEngine(core.Options{Parallel: 1})
	if err := e.engine.Run(ctx, jobs[0].ID); err == nil {
		t.Fatal("the injected refusal did not fail the first job")
	}
	n, err := e.engine.PauseAll()
	if err != nil || n != 2 {
		t.Fatalf("PauseAll: %d %v, want the two queued", n, err)
	}
	if j := e.job(jobs[0].ID); j.State != core.StateFailed {
		t.Fatalf("PauseAll touched the failed job: %s", j.State)
	}
	e.engine.Start(ctx)
	for _, j := range jobs[1:] {
		if j := e.settled(j.ID); j.State != core.StatePaused {
			t.Fatalf("%s ran while paused: %s", j.Meta.Title, j.State)
		}
	}
	if n, err := e.engine.RetryFailed(); err != nil || n != 1 {
		t.Fatalf("RetryFailed: %d %v", n, err)
	}
	if j := e.settled(jobs[0].ID); j.State != core.StateDone {
		t.Fatalf("the retried job: %s %q", j.State, sandboxtest.View(j).Error)
	}
	if n, err := e.engine.ResumeAll(); err != nil || n != 2 {
		t.Fatalf("ResumeAll: %d %v", n, err)
	}
	// Cancel all while the second runs: it stops, the third never starts.
	e.hookOnce(func(ev core.Event) bool { return ev.Job.ID == jobs[1].ID && ev.Sent > 0 }, func() {
		if n, err := e.engine.CancelAll(); err != nil || n != 2 {
			t.Errorf("CancelAll: %d %v", n, err)
		}
	})
	for _, j := range jobs[1:] {
		if j := e.settled(j.ID); j.State != core.StateCanceled {
			t.Fatalf("%s after CancelAll: %s", j.Meta.Title, j.State)
		}
	}
	if n, _ := e.engine.CancelAll(); n != 0 {
		t.Fatalf("a second CancelAll changed %d targets", n)
	}
}

// hookOnce runs fn (off the engine's goroutine) the first time an event
// satisfies when.
func (e *env) hookOnce(when func(core.Event) bool, fn func()) {
	fired := make(chan struct{})
	e.mu.Lock()
	e.hook = func(ev core.Event) {
		if when(ev) {
			select {
			case <-fired:
			default:
				close(fired)
				go fn()
			}
		}
	}
	e.mu.Unlock()
}

// A poster the platform no longer knows (the image host forgot it: a CDN
// purge, a restarted sandbox) is not sent forever: the content call it
// broke is repeated once with the picture uploaded again, and the new URLs
// replace the remembered ones.
func TestRefusedCachedPosterIsUploadedAgain(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	first := e.add(persist.VideoMeta{Title: "First"})
	if err := e.engine.Run(context.Background(), first.ID); err != nil {
		t.Fatal(err)
	}
	e.sb.ForgetImages()
	e.video = sandboxtest.WriteRandom(t, filepath.Join(t.TempDir(), "second.mp4"), testSize)
	second := e.add(persist.VideoMeta{Title: "Second"}) // the same poster file: its URLs are cached
	if err := e.engine.Run(context.Background(), second.ID); err != nil {
		t.Fatalf("the second upload failed on the forgotten poster: %v", err)
	}
	v := sandboxtest.View(e.job(second.ID))
	if v.State != core.StateDone || v.PosterURL == sandboxtest.View(e.job(first.ID)).PosterURL {
		t.Fatalf("second: %s, poster %s", v.State, v.PosterURL)
	}
	if st := e.sb.Stats(); st.Images != 2 || st.AddContent != 2 {
		t.Fatalf("want the poster uploaded again once, got %+v", st)
	}
	// The new URLs are the ones remembered now: a third upload sends them.
	e.video = sandboxtest.WriteRandom(t, filepath.Join(t.TempDir(), "third.mp4"), testSize)
	third := e.add(persist.VideoMeta{Title: "Third"})
	if err := e.engine.Run(context.Background(), third.ID); err != nil {
		t.Fatal(err)
	}
	if st := e.sb.Stats(); st.Images != 2 {
		t.Fatalf("the refreshed URLs were not remembered: %d image uploads", st.Images)
	}
}

// A poster the image host refuses (a 4xx to the upload) fails the target
// with poster_refused, not retried with the same picture; choosing another
// poster lets it go on.
func TestRefusedPosterImageAsksForAnother(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.sb.Inject(sandbox.Fault{Host: "image", Path: "/api/v2/image", Status: 400})
	j := e.add(persist.VideoMeta{})
	if err := e.engine.Run(context.Background(), j.ID); err == nil {
		t.Fatal("a refused poster did not fail the upload")
	}
	v := sandboxtest.View(e.job(j.ID))
	if v.State != core.StateFailed || v.Reason != dest.ReasonPosterRefused || v.Step != gjw.StepThumbnail {
		t.Fatalf("after the refusal: %s %s at %s", v.State, v.Reason, v.Step)
	}
	other := sandboxtest.WritePoster(t, filepath.Join(t.TempDir(), "other.png"), color.NRGBA{200, 40, 40, 255})
	got, err := e.engine.Edit(context.Background(), j.ID, e.job(j.ID).Meta, other)
	if err != nil || got.Targets[0].State != core.StateQueued {
		t.Fatalf("choosing another poster: %v, state %s", err, got.Targets[0].State)
	}
	if err := e.engine.Run(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	e.published(e.job(j.ID))
}

// Retries that never got an answer end as "unreachable", told apart from
// a platform that answered with errors.
func TestNoAnswerIsUnreachable(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	j := e.add(persist.VideoMeta{})
	dead := core.New(e.db, core.Options{
		Hosts:       gjw.Hosts{API: "http://127.0.0.1:1", Image: "http://127.0.0.1:1", VOD: "http://127.0.0.1:1"},
		RetryDelays: []time.Duration{0, time.Millisecond},
	})
	if err := dead.Run(context.Background(), j.ID); err == nil {
		t.Fatal("ran without a platform")
	}
	if v := sandboxtest.View(e.job(j.ID)); v.State != core.StateFailed || v.Reason != dest.ReasonUnreachable {
		t.Fatalf("without a platform: %s %s (%s)", v.State, v.Reason, v.Error)
	}
}
