package watch_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/batch"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/core/watch"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// rig is the engine on the in-process sandbox, wired as the app is (a
// driver per account), running its queue, and a folder to watch.
type rig struct {
	t      *testing.T
	env    *sandboxtest.Env
	db     *persist.DB
	engine *core.Engine
	accts  *account.Manager
	dir    string

	mu     sync.Mutex
	events []watch.Event
}

func newRig(t *testing.T) *rig {
	t.Helper()
	env := sandboxtest.New(t)
	db := env.Store(t)
	m, err := account.Open(db, account.Options{NoKeyring: true}) // the sandbox's session becomes account gjw
	if err != nil {
		t.Fatal(err)
	}
	opts := core.Options{Hosts: env.Hosts, RetryDelays: sandboxtest.FastDelays, ChunkSize: 64 << 10, PollInterval: time.Millisecond, Parallel: 4}
	e := core.New(account.DefaultGJWStore{DB: db, Accounts: m}, account.Wire(m, db, opts))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, env: env, db: db, engine: e, accts: m, dir: t.TempDir()}
}

// watch runs a watcher until the returned stop is called (it waits for
// the watcher to end).
func (r *rig) watch(settle time.Duration, o watch.Options) (stop func()) {
	r.t.Helper()
	o.Dir, o.Settle, o.Engine, o.Store = r.dir, settle, r.engine, r.db
	if o.Rescan == 0 {
		o.Rescan = 100 * time.Millisecond
	}
	o.Resolver = &batch.Resolver{Accounts: r.accts}
	o.OnEvent = func(ev watch.Event) {
		r.mu.Lock()
		r.events = append(r.events, ev)
		r.mu.Unlock()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- watch.Run(ctx, o) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			r.t.Error(err)
		}
	}
	r.t.Cleanup(stop)
	return stop
}

// queued are the paths of the Queued events so far, in order.
func (r *rig) queued() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.events {
		if ev.Kind == watch.Queued {
			out = append(out, ev.Path)
		}
		if ev.Kind == watch.Problem {
			r.t.Errorf("problem: %v", ev.Err)
		}
	}
	return out
}

func (r *rig) eventually(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// published waits until n jobs exist and all are published, and returns them.
func (r *rig) published(n int) []persist.Job {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		jobs, _ := r.engine.Jobs()
		done := len(jobs) == n
		for _, j := range jobs {
			done = done && j.State == core.StateDone
		}
		if done {
			return jobs
		}
		if time.Now().After(deadline) {
			var states []string
			for _, j := range jobs {
				for _, t := range j.Targets {
					states = append(states, fmt.Sprintf("%s on %s: %s %s", j.VideoPath, t.Account, t.State, t.Error))
				}
			}
			r.t.Fatalf("timed out waiting for %d published jobs: %s", n, strings.Join(states, "; "))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// video writes a video of n bytes with a same-name poster into the folder.
func (r *rig) video(name string, n int64) string {
	r.t.Helper()
	p := filepath.Join(r.dir, name)
	sandboxtest.WritePNG(r.t, strings.TrimSuffix(p, filepath.Ext(p))+".png", len(name))
	return sandboxtest.WriteRandom(r.t, p, n)
}

// oncePerFile checks that jobs hold each path once and that the sandbox
// made one content entry and one TUS upload per job.
func (r *rig) oncePerFile(jobs []persist.Job, paths ...string) {
	r.t.Helper()
	seen := map[string]int{}
	for _, j := range jobs {
		seen[j.VideoPath]++
	}
	for _, p := range paths {
		if seen[p] != 1 {
			r.t.Errorf("%s is in %d jobs", p, seen[p])
		}
	}
	if len(seen) != len(paths) {
		r.t.Errorf("jobs for %d files, want %d: %v", len(seen), len(paths), seen)
	}
	st := r.env.Sandbox.Stats()
	if st.AddContent != len(paths) || st.TusCreates != len(paths) {
		r.t.Errorf("the sandbox made %d content entries and %d TUS uploads for %d files", st.AddContent, st.TusCreates, len(paths))
	}
}

func sameSet(a, b []string) bool {
	return strings.Join(slices.Sorted(slices.Values(a)), " ") == strings.Join(slices.Sorted(slices.Values(b)), " ")
}

// A recorder writing a file for longer than the settle time: the file is
// queued once, after the last write, with its final size.
func TestSlowWriteIsQueuedOnceWhenComplete(t *testing.T) {
	r := newRig(t)
	const settle = time.Second
	r.watch(settle, watch.Options{})
	path := filepath.Join(r.dir, "recording.mp4")
	sandboxtest.WritePNG(t, filepath.Join(r.dir, "recording.png"), 7)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	piece := make([]byte, 16<<10)
	start := time.Now()
	for n := 0; time.Since(start) < 5*settle/2; n++ {
		piece[0] = byte(n)
		if _, err := f.Write(piece); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		if q := r.queued(); len(q) > 0 {
			t.Fatalf("queued %v while still being written, %s after the first byte", q, time.Since(start))
		}
	}
	f.Close()
	fi, _ := os.Stat(path)
	written := time.Now()

	r.eventually("the recording to be queued", func() bool { return len(r.queued()) > 0 })
	if q := time.Since(written); q < settle/2 {
		t.Fatalf("queued %s after the last write, before the settle time", q)
	}
	jobs := r.published(1)
	if jobs[0].Size != fi.Size() || jobs[0].Meta.Title != "recording" || jobs[0].ThumbnailPath != filepath.Join(r.dir, "recording.png") {
		t.Fatalf("job %+v, want size %d", jobs[0], fi.Size())
	}
	if st := r.env.Sandbox.Stats(); st.TusPatchBytes < fi.Size() {
		t.Fatalf("the sandbox got %d of %d bytes", st.TusPatchBytes, fi.Size())
	}
	time.Sleep(2 * settle) // more rescans: nothing more is queued
	if q := r.queued(); len(q) != 1 {
		t.Fatalf("queued %v", q)
	}
	r.oncePerFile(r.published(1), path)
}

// Ten files dropped at once: each is queued once, and all publish.
func TestTenFilesAtOnceEachQueuedOnce(t *testing.T) {
	r := newRig(t)
	r.watch(150*time.Millisecond, watch.Options{})
	var paths []string
	for i := range 10 {
		paths = append(paths, r.video(fmt.Sprintf("clip-%02d.mp4", i), 100<<10+int64(i)))
	}
	r.eventually("ten files queued", func() bool { return len(r.queued()) >= 10 })
	jobs := r.published(10)
	time.Sleep(300 * time.Millisecond) // a few more scans
	if q := r.queued(); len(q) != 10 {
		t.Fatalf("queued %d times: %v", len(q), q)
	}
	r.oncePerFile(jobs, paths...)
	recs, _ := r.db.WatchedFiles()
	if len(recs) != 10 {
		t.Fatalf("%d identities stored, want 10", len(recs))
	}
}

// The watcher restarted mid-batch: nothing is queued twice, files added
// while it was stopped are queued by the next run, and a job queued just
// before a stop that came before its identity was stored is recognised.
func TestRestartQueuesNothingTwice(t *testing.T) {
	r := newRig(t)
	const settle = 100 * time.Millisecond
	stop := r.watch(settle, watch.Options{})
	first := []string{r.video("a.mp4", 200<<10), r.video("b.mp4", 200<<10), r.video("c.mp4", 200<<10)}
	r.eventually("three files queued", func() bool { return len(r.queued()) >= 3 })
	stop() // the uploads go on in the engine

	// While stopped: two new files, and one the previous run queued but
	// had not recorded.
	later := []string{r.video("d.mp4", 150<<10), r.video("e.mp4", 150<<10)}
	orphan := r.video("f.mp4", 120<<10)
	meta := core.DefaultVideoMeta
	meta.Title = "f"
	if _, err := r.engine.Add(core.NewUpload{VideoPath: orphan, ThumbnailPath: strings.TrimSuffix(orphan, ".mp4") + ".png", Meta: meta}); err != nil {
		t.Fatal(err)
	}

	r.watch(settle, watch.Options{})
	r.eventually("the files added while stopped to be queued", func() bool { return len(r.queued()) >= 5 })
	jobs := r.published(6)
	time.Sleep(3 * settle)
	// Queued once each: the first three before the stop, the two added
	// meanwhile after it (in any order within each run).
	q := r.queued()
	if len(q) != 5 || !sameSet(q[:3], first) || !sameSet(q[3:], later) {
		t.Fatalf("queued %v", q)
	}
	r.oncePerFile(jobs, append(append(first, later...), orphan)...)
	if recs, _ := r.db.WatchedFiles(); len(recs) != 6 {
		t.Fatalf("%d identities stored, want 6", len(recs))
	}

	// A file changed in place is a new identity: queued again.
	os.WriteFile(first[0], []byte("a new recording under the old name"), 0o644)
	r.eventually("the rewritten file to be queued", func() bool { return len(r.queued()) == 6 })
	r.published(7)
}

// --move-done: once every target is published, the video, its sidecar and
// its same-name poster move into the folder (keeping subfolders); a
// restarted watcher moves what the previous run published but had not
// moved, and never queues the moved files again.
func TestMoveDoneAfterPublishing(t *testing.T) {
	r := newRig(t)
	done := filepath.Join(r.dir, "published") // inside the watch folder: not watched
	stop := r.watch(100*time.Millisecond, watch.Options{MoveDone: done})
	sub := filepath.Join(r.dir, "day1")
	os.MkdirAll(sub, 0o755)
	v := sandboxtest.WriteRandom(t, filepath.Join(sub, "talk.mp4"), 150<<10)
	sandboxtest.WritePNG(t, filepath.Join(sub, "talk.jpg"), 3)
	os.WriteFile(filepath.Join(sub, "talk.json"), []byte(`{"title": "The talk", "description": "Day one"}`), 0o644)
	r.eventually("the video to be moved", func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, ev := range r.events {
			if ev.Kind == watch.Moved {
				return true
			}
		}
		return false
	})
	jobs := r.published(1)
	if jobs[0].Meta.Title != "The talk" || jobs[0].Meta.Description != "Day one" {
		t.Fatalf("metadata %+v", jobs[0].Meta)
	}
	for _, name := range []string{"talk.mp4", "talk.jpg", "talk.json"} {
		if _, err := os.Stat(filepath.Join(done, "day1", name)); err != nil {
			t.Errorf("%s not moved: %v", name, err)
		}
		if _, err := os.Stat(filepath.Join(sub, name)); err == nil {
			t.Errorf("%s still in the watch folder", name)
		}
	}
	// Known where it was and where it is now.
	recs, _ := r.db.WatchedFiles()
	moved := filepath.Join(done, "day1", "talk.mp4")
	paths := map[string]string{}
	for _, rec := range recs {
		paths[rec.Path] = rec.MovedTo
	}
	if len(recs) != 2 || paths[v] != moved || paths[moved] != moved {
		t.Fatalf("records %+v", recs)
	}
	stop()

	// Published while no watcher ran: the next run moves it, and takes
	// " (2)" as the name in the done folder is taken.
	v2 := sandboxtest.WriteRandom(t, filepath.Join(sub, "talk.mp4"), 90<<10)
	sandboxtest.WritePNG(t, filepath.Join(sub, "talk.jpg"), 4)
	stop = r.watch(100*time.Millisecond, watch.Options{})
	r.eventually("the second talk to be queued", func() bool { return len(r.queued()) == 2 })
	stop()
	r.published(2)
	r.watch(100*time.Millisecond, watch.Options{MoveDone: done})
	r.eventually("the second talk to be moved", func() bool {
		_, err := os.Stat(filepath.Join(done, "day1", "talk (2).mp4"))
		_, err2 := os.Stat(filepath.Join(done, "day1", "talk (2).jpg"))
		return err == nil && err2 == nil
	})
	time.Sleep(300 * time.Millisecond)
	if q := r.queued(); len(q) != 2 || q[1] != v2 {
		t.Fatalf("queued %v", q)
	}
	jobs = r.published(2)
	if st := r.env.Sandbox.Stats(); st.AddContent != 2 || st.TusCreates != 2 || jobs[1].Size != 90<<10 {
		t.Fatalf("two videos under one name: %+v, second job %+v", st, jobs[1])
	}
}

// Without notifications (a network drive), the periodic scan finds the
// files; a video with a problem is reported once, in one line per
// problem, and queued as soon as its sidecar is fixed.
func TestScanOnlyAndProblems(t *testing.T) {
	r := newRig(t)
	var problems []string
	r.watch(100*time.Millisecond, watch.Options{ScanOnly: true, Rescan: 50 * time.Millisecond})
	v := r.video("bad.mp4", 64<<10)
	os.WriteFile(batch.SidecarPath(v), []byte(`{"title": "Bad", "visibility": "unlisted", "destinations": ["nobody"]}`), 0o644)
	r.eventually("the problem to be reported", func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, ev := range r.events {
			if ev.Kind == watch.Problem {
				problems = append(problems, ev.Err.Error())
				return true
			}
		}
		return false
	})
	side := batch.SidecarPath(v)
	want := side + ` (visibility): "unlisted" is not allowed for videos: use public or private` + "\n" +
		side + ` (destinations): no account named "nobody": add it (gjw account add) or fix the name (gjw account list)`
	if problems[0] != want {
		t.Fatalf("problem:\n%s\nwant:\n%s", problems[0], want)
	}
	time.Sleep(300 * time.Millisecond) // several rescans
	r.mu.Lock()
	n := len(r.events)
	r.events = nil // the problem was reported once; queued() checks there are no more
	r.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d events for one problem", n)
	}
	os.WriteFile(side, []byte(`{"title": "Fixed"}`), 0o644)
	r.eventually("the fixed video to be queued", func() bool { return len(r.queued()) == 1 })
	if jobs := r.published(1); jobs[0].Meta.Title != "Fixed" {
		t.Fatalf("title %q", jobs[0].Meta.Title)
	}
}
