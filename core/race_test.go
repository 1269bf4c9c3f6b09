package core_test

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// hookStore calls onJobs after its nth Jobs read, to race an edit against
// whoever read the queue.
type hookStore struct {
	*persist.DB
	n      int64
	calls  atomic.Int64
	onJobs func()
}

func (s *hookStore) Jobs() ([]persist.Job, error) {
	jobs, err := s.DB.Jobs()
	if s.calls.Add(1) == s.n {
		s.onJobs()
	}
	return jobs, err
}

// settled waits until job id is neither queued nor running, then a little
// longer, and returns it.
func (e *env) settled(id string) persist.Job {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if j := e.job(id); j.State != core.StateQueued && j.State != core.StateRunning {
			time.Sleep(100 * time.Millisecond)
			if j = e.job(id); j.State != core.StateQueued && j.State != core.StateRunning {
				return j
			}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("job %s still %s", id, e.job(id).State)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPauseWhileTheSchedulerReadsTheQueue(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	j := e.add(persist.VideoMeta{})
	var eng *core.Engine
	// Read 1 is Start's; read 2 is the scheduler's first look at the queue.
	e.store = &hookStore{DB: e.db, n: 2, onJobs: func() {
		paused := make(chan struct{})
		go func() { eng.Pause(j.ID); close(paused) }()
		select { // Pause may have to wait for the scheduler
		case <-paused:
		case <-time.After(100 * time.Millisecond):
		}
	}}
	eng = e.newEngine(core.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.settled(j.ID); got.State != core.StatePaused {
		t.Fatalf("paused while the scheduler read the queue, the job ended %s", got.State)
	}
}

func TestResumeRightAfterPause(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	var once sync.Once
	var j persist.Job
	e.hook = func(ev core.Event) {
		if sandboxtest.View(ev.Job).Step == gjw.StepUpload && sandboxtest.View(ev.Job).Offset >= testChunk {
			once.Do(func() {
				go func() {
					if err := e.engine.Pause(j.ID); err != nil {
						t.Error(err)
					}
					if err := e.engine.Resume(j.ID); err != nil {
						t.Error(err)
					}
				}()
			})
		}
	}
	j = e.add(persist.VideoMeta{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.engine.Start(ctx); err != nil {
		t.Fatal(err)
	}
	e.published(e.settled(j.ID))
}

// onPlatform checks that the content entry shows the job's stored poster,
// and that it is not old.
func (e *env) posterOnPlatform(j persist.Job, old string) {
	e.t.Helper()
	c, _ := e.sb.Content(sandboxtest.View(j).ContentID)
	if sandboxtest.View(j).PosterURL == "" || sandboxtest.View(j).PosterURL == old || c.Fields["poster_url"] != sandboxtest.View(j).PosterURL || c.Fields["poster_hd_url"] != sandboxtest.View(j).PosterHDURL {
		e.t.Fatalf("poster: job %q (old %q), platform %v", sandboxtest.View(j).PosterURL, old, c.Fields["poster_url"])
	}
}

func TestNewPosterDuringUploadIsPublished(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	other := sandboxtest.WritePNG(t, filepath.Join(t.TempDir(), "other.png"), 2)
	var edited atomic.Bool
	var j persist.Job
	var old string
	e.hook = func(ev core.Event) {
		if sandboxtest.View(ev.Job).Step == gjw.StepUpload && sandboxtest.View(ev.Job).ContentID != "" && edited.CompareAndSwap(false, true) {
			old = sandboxtest.View(ev.Job).PosterURL
			if _, err := e.engine.Edit(context.Background(), j.ID, ev.Job.Meta, other); err != nil {
				t.Error(err)
			}
		}
	}
	j = e.add(persist.VideoMeta{})
	if err := e.engine.Run(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	got := e.job(j.ID)
	e.published(got)
	e.posterOnPlatform(got, old)
}

func TestNewPosterAfterPublishing(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	j := e.add(persist.VideoMeta{})
	if err := e.engine.Run(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	before := e.job(j.ID)
	after, err := e.engine.Edit(context.Background(), j.ID, before.Meta, sandboxtest.WritePNG(t, filepath.Join(t.TempDir(), "other.png"), 2))
	if err != nil {
		t.Fatal(err)
	}
	if sandboxtest.View(after).MetaDirty {
		t.Fatal("the edit was not sent")
	}
	e.posterOnPlatform(after, sandboxtest.View(before).PosterURL)
}
