package core_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

const (
	testChunk = 256 << 10
	testSize  = 5*testChunk + 12345 // several chunks plus a partial one
)

var fastDelays = []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond}

// env is one engine on a fresh in-process sandbox with a real tusd.
type env struct {
	t      *testing.T
	sb     *sandbox.Server
	db     *persist.DB
	hosts  gjw.Hosts
	engine *core.Engine
	video  string
	thumb  string
	store  core.Store // what newEngine uses; db when nil

	mu     sync.Mutex
	events []core.Event
	hook   func(core.Event)
}

func newEnv(t *testing.T, cfg sandbox.Config) *env {
	t.Helper()
	if cfg.TranscodePolls == 0 {
		cfg.TranscodePolls = 2
	}
	platform := sandboxtest.NewWith(t, cfg)
	e := &env{t: t, sb: platform.Sandbox, db: platform.Store(t), hosts: platform.Hosts}
	dir := t.TempDir()
	e.video = sandboxtest.WriteRandom(t, filepath.Join(dir, "Ünïcode clip.mp4"), testSize)
	e.thumb = sandboxtest.WritePNG(t, filepath.Join(dir, "poster.png"), 1)
	e.engine = e.newEngine(core.Options{})
	return e
}

func (e *env) newEngine(o core.Options) *core.Engine {
	o.Hosts = e.hosts
	if o.ChunkSize == 0 {
		o.ChunkSize = testChunk
	}
	if o.PollInterval == 0 {
		o.PollInterval = time.Millisecond
	}
	if o.RetryDelays == nil {
		o.RetryDelays = fastDelays
	}
	o.OnEvent = func(ev core.Event) {
		e.mu.Lock()
		e.events = append(e.events, ev)
		hook := e.hook
		e.mu.Unlock()
		if hook != nil {
			hook(ev)
		}
	}
	var store core.Store = e.db
	if e.store != nil {
		store = e.store
	}
	return core.New(store, o)
}

func (e *env) add(meta persist.VideoMeta) persist.Job {
	e.t.Helper()
	if meta.Title == "" {
		meta.Title = "My Video"
	}
	j, err := e.engine.Add(core.NewUpload{VideoPath: e.video, ThumbnailPath: e.thumb, Meta: meta})
	if err != nil {
		e.t.Fatal(err)
	}
	return j
}

func (e *env) job(id string) persist.Job {
	e.t.Helper()
	j, ok, err := e.db.Job(id)
	if err != nil || !ok {
		e.t.Fatalf("job %s: %v %v", id, ok, err)
	}
	return j
}

// published checks the end state every successful run must reach.
func (e *env) published(j persist.Job) {
	e.t.Helper()
	if j.State != core.StateDone || sandboxtest.View(j).Step != gjw.StepDone {
		e.t.Fatalf("job not done: state %s step %s error %q", j.State, sandboxtest.View(j).Step, sandboxtest.View(j).Error)
	}
	c, ok := e.sb.Content(sandboxtest.View(j).ContentID)
	if !ok {
		e.t.Fatalf("content %s not on the sandbox", sandboxtest.View(j).ContentID)
	}
	if !c.Published || c.Type != "Video" || c.UploadID != sandboxtest.View(j).UploadID || c.VideoID != sandboxtest.View(j).VideoID {
		e.t.Fatalf("content not published as uploaded: %+v vs job %+v", c, j)
	}
	if sandboxtest.View(j).HLSURL == "" || !strings.HasSuffix(sandboxtest.View(j).HLSURL, ".m3u8") {
		e.t.Fatalf("no HLS URL: %q", sandboxtest.View(j).HLSURL)
	}
	st := e.sb.Stats()
	if st.AddContent != 1 || st.TusCreates != 1 {
		e.t.Fatalf("want one content entry and one TUS upload, got %+v", st)
	}
	if st.TusPatchBytes < testSize || st.TusPatchBytes > testSize+testChunk {
		e.t.Fatalf("server received %d bytes for a %d-byte file", st.TusPatchBytes, testSize)
	}
}

func TestPipelineEveryResponseShape(t *testing.T) {
	shapes := []sandbox.Shapes{
		{},
		{Refresh: "data", VODToken: "data.token", ContentID: "data.content_id"},
		{Refresh: "body", VODToken: "body.upload_token", ContentID: "data.id"},
		{Refresh: "", VODToken: "body.vod_token", ContentID: "id"},
	}
	for _, sh := range shapes {
		t.Run(sh.Refresh+"/"+sh.VODToken+"/"+sh.ContentID, func(t *testing.T) {
			e := newEnv(t, sandbox.Config{Shapes: sh})
			// An access token 30 minutes from expiry is refreshed first.
			cr, _, _ := e.db.Credentials()
			oldRefresh := cr.RefreshToken
			cr.ExpiresAt = time.Now().Add(30 * time.Minute)
			e.db.PutCredentials(cr)

			j := e.add(persist.VideoMeta{Title: "Shapes", Description: "d", MadeForKids: true})
			if err := e.engine.Run(context.Background(), j.ID); err != nil {
				t.Fatal(err)
			}
			j = e.job(j.ID)
			e.published(j)
			if st := e.sb.Stats(); st.Refreshes != 1 || st.UpdateContent != 1 {
				t.Fatalf("want 1 refresh and 1 finalize, got %+v", st)
			}
			cr, _, _ = e.db.Credentials()
			if cr.RefreshToken == oldRefresh || time.Until(cr.ExpiresAt) < 24*time.Hour {
				t.Fatalf("rotated session not stored: expires %v", cr.ExpiresAt)
			}
			c, _ := e.sb.Content(sandboxtest.View(j).ContentID)
			if _, hasMode := c.Fields["mode"]; hasMode {
				t.Fatal("a video must be created without mode")
			}
			for k, want := range map[string]any{"title": "Shapes", "made_for_kids": true, "user_made_for_kids": true, "category_id": "cat13", "lang": "en-US", "visibility": "public"} {
				if c.Fields[k] != want {
					t.Errorf("field %s = %v, want %v", k, c.Fields[k], want)
				}
			}
			if !strings.HasSuffix(c.Fields["poster_url"].(string), "672.webp") || !strings.HasSuffix(c.Fields["poster_hd_url"].(string), "origin.webp") {
				t.Errorf("posters %v %v", c.Fields["poster_url"], c.Fields["poster_hd_url"])
			}
		})
	}
}

func TestRefreshOn401MidRun(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	cr, _, _ := e.db.Credentials()
	var once sync.Once
	e.hook = func(ev core.Event) {
		if sandboxtest.View(ev.Job).Step == gjw.StepContent {
			once.Do(e.sb.ExpireAccessTokens)
		}
	}
	j := e.add(persist.VideoMeta{})
	if err := e.engine.Run(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	e.published(e.job(j.ID))
	if st := e.sb.Stats(); st.Refreshes != 1 {
		t.Fatalf("want exactly one refresh, got %d", st.Refreshes)
	}
	after, _, _ := e.db.Credentials()
	if after.RefreshToken == cr.RefreshToken || after.AccessToken == cr.AccessToken {
		t.Fatal("the rotated tokens were not persisted")
	}
}

func TestUploadFaults(t *testing.T) {
	cases := map[string][]sandbox.Fault{
		"409 conflict":          {{Host: "vod", Method: "PATCH", Path: "/api/v1/tus/upload/", Status: 409}},
		"423 locked":            {{Host: "vod", Method: "PATCH", Path: "/api/v1/tus/upload/", Status: 423, Times: 3}},
		"503 on chunk":          {{Host: "vod", Method: "PATCH", Path: "/api/v1/tus/upload/", Status: 503, Times: 2}},
		"503 on create":         {{Host: "vod", Method: "POST", Path: "/api/v1/tus/upload", Status: 503}},
		"503 on add-content":    {{Host: "api", Path: "/v1.0c/add-content", Status: 503, Times: 2}},
		"502 on image":          {{Host: "image", Path: "/api/v2/image", Status: 502}},
		"cut mid-chunk":         {{Host: "vod", Method: "PATCH", Path: "/api/v1/tus/upload/", CutAfter: testChunk / 2}},
		"cut twice":             {{Host: "vod", Method: "PATCH", Path: "/api/v1/tus/upload/", CutAfter: 1000, Times: 2}},
		"401 upload token":      {{Host: "vod", Method: "PATCH", Path: "/api/v1/tus/upload/", Status: 401}},
		"503 on status polling": {{Host: "vod", Path: "/api/v1/status/", Status: 503, Times: 2}},
	}
	for name, faults := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, sandbox.Config{})
			for _, f := range faults {
				e.sb.Inject(f)
			}
			j := e.add(persist.VideoMeta{})
			if err := e.engine.Run(context.Background(), j.ID); err != nil {
				t.Fatal(err)
			}
			e.published(e.job(j.ID))
		})
	}
}

func TestTranscodingFailureKeepsThePlatformsWords(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.sb.FailTranscode("unsupported codec xyz")
	j := e.add(persist.VideoMeta{})
	err := e.engine.Run(context.Background(), j.ID)
	var se *core.StepError
	if !errors.As(err, &se) || se.Step.ID != gjw.StepProcessing || !strings.Contains(err.Error(), "unsupported codec xyz") {
		t.Fatalf("want a processing failure with the platform's words, got %v", err)
	}
	if j = e.job(j.ID); j.State != core.StateFailed || !strings.Contains(sandboxtest.View(j).Error, "unsupported codec xyz") || sandboxtest.View(j).VideoID == "" {
		t.Fatalf("job after failure: %+v", j)
	}
}

func TestPollLimit(t *testing.T) {
	e := newEnv(t, sandbox.Config{TranscodePolls: 50})
	e.engine = e.newEngine(core.Options{PollAttempts: 3})
	j := e.add(persist.VideoMeta{})
	err := e.engine.Run(context.Background(), j.ID)
	if err == nil || !strings.Contains(err.Error(), "after 3 checks") {
		t.Fatalf("want the poll limit error, got %v", err)
	}
	if got := e.sb.Stats().StatusPolls; got != 3 {
		t.Fatalf("want 3 polls, got %d", got)
	}
	// Retrying later checks again from the processing step: nothing re-sent.
	e.engine = e.newEngine(core.Options{PollAttempts: 100})
	if err := e.engine.Retry(j.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.engine.Run(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	e.published(e.job(j.ID))
}

func TestPauseResumeWithinOneChunk(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	var once sync.Once
	paused := make(chan struct{})
	var j persist.Job
	e.hook = func(ev core.Event) {
		if sandboxtest.View(ev.Job).Step == gjw.StepUpload && sandboxtest.View(ev.Job).Offset >= testChunk {
			once.Do(func() {
				go func() { e.engine.Pause(j.ID); close(paused) }()
			})
		}
	}
	j = e.add(persist.VideoMeta{})
	err := e.engine.Run(context.Background(), j.ID)
	<-paused
	if !errors.Is(err, context.Canceled) && err != nil && !strings.Contains(err.Error(), "paused") {
		t.Fatalf("run after pause: %v", err)
	}
	got := e.job(j.ID)
	if got.State != core.StatePaused || sandboxtest.View(got).Step != gjw.StepUpload || sandboxtest.View(got).Offset >= testSize {
		t.Fatalf("after pause: state %s step %s offset %d", got.State, sandboxtest.View(got).Step, sandboxtest.View(got).Offset)
	}
	e.hook = nil
	if err := e.engine.Resume(j.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.engine.Run(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	e.published(e.job(j.ID))
}

func TestCancelStopsForGood(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	var j persist.Job
	var once sync.Once
	e.hook = func(ev core.Event) {
		if sandboxtest.View(ev.Job).Step == gjw.StepUpload {
			once.Do(func() { go e.engine.Cancel(j.ID) })
		}
	}
	j = e.add(persist.VideoMeta{})
	e.engine.Run(context.Background(), j.ID)
	if got := e.job(j.ID); got.State != core.StateCanceled {
		t.Fatalf("state %s", got.State)
	}
	if err := e.engine.Run(context.Background(), j.ID); err == nil {
		t.Fatal("a canceled job must not run again")
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	dir := t.TempDir()
	notImage := filepath.Join(dir, "notes.png")
	os.WriteFile(notImage, []byte("just text"), 0o644)
	empty := filepath.Join(dir, "empty.mp4")
	os.WriteFile(empty, nil, 0o644)
	cases := []struct {
		name string
		up   core.NewUpload
		want string
	}{
		{"missing video", core.NewUpload{VideoPath: filepath.Join(dir, "nope.mp4"), ThumbnailPath: e.thumb, Meta: persist.VideoMeta{Title: "x"}}, "nope.mp4\" does not exist"},
		{"folder", core.NewUpload{VideoPath: dir, ThumbnailPath: e.thumb, Meta: persist.VideoMeta{Title: "x"}}, "is a folder"},
		{"empty video", core.NewUpload{VideoPath: empty, ThumbnailPath: e.thumb, Meta: persist.VideoMeta{Title: "x"}}, "empty.mp4\" is empty"},
		{"thumbnail not an image", core.NewUpload{VideoPath: e.video, ThumbnailPath: notImage, Meta: persist.VideoMeta{Title: "x"}}, "notes.png\" is not a JPEG, PNG, GIF or WebP"},
		{"empty title", core.NewUpload{VideoPath: e.video, ThumbnailPath: e.thumb, Meta: persist.VideoMeta{Title: "  "}}, "title is empty"},
		{"bad visibility", core.NewUpload{VideoPath: e.video, ThumbnailPath: e.thumb, Meta: persist.VideoMeta{Title: "x", Visibility: "unlisted"}}, "visibility \"unlisted\""},
	}
	for _, c := range cases {
		_, err := e.engine.Add(c.up)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line containing %q", c.name, err, c.want)
		}
	}
	if jobs, _ := e.engine.Jobs(); len(jobs) != 0 {
		t.Fatalf("bad input queued %d jobs", len(jobs))
	}
}

func TestNoCredentialsWaits(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.db.DeleteCredentials()
	j := e.add(persist.VideoMeta{})
	err := e.engine.Run(context.Background(), j.ID)
	if !errors.Is(err, gjw.ErrSignedOut) {
		t.Fatalf("want ErrSignedOut, got %v", err)
	}
	if got := e.job(j.ID); got.State != core.StateWaiting {
		t.Fatalf("state %s", got.State)
	}
}

func TestDeadRefreshTokenLosesNothing(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	var once sync.Once
	e.hook = func(ev core.Event) {
		if sandboxtest.View(ev.Job).Step == gjw.StepUpload && sandboxtest.View(ev.Job).Offset > 0 {
			once.Do(e.sb.RevokeSession)
		}
	}
	j := e.add(persist.VideoMeta{})
	err := e.engine.Run(context.Background(), j.ID)
	if !errors.Is(err, gjw.ErrSignedOut) {
		t.Fatalf("want ErrSignedOut, got %v", err)
	}
	for _, tok := range []string{e.sb.DemoAccount().AccessToken, e.sb.DemoAccount().RefreshToken} {
		if strings.Contains(err.Error(), tok) {
			t.Fatal("a token leaked into the error")
		}
	}
	got := e.job(j.ID)
	if got.State != core.StateWaiting || sandboxtest.View(got).ContentID == "" || sandboxtest.View(got).UploadID == "" {
		t.Fatalf("after the session died: %+v", got)
	}
	e.mu.Lock()
	signedOut := false
	for _, ev := range e.events {
		signedOut = signedOut || ev.SignedOut
	}
	e.mu.Unlock()
	if !signedOut {
		t.Fatal("no SignedOut event")
	}
}

func TestUnreachableHost(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.hosts.API = "http://127.0.0.1:1"
	e.engine = e.newEngine(core.Options{})
	j := e.add(persist.VideoMeta{})
	err := e.engine.Run(context.Background(), j.ID)
	if err == nil || !strings.Contains(err.Error(), "cannot reach the server") {
		t.Fatalf("got %v", err)
	}
	if got := e.job(j.ID); got.State != core.StateFailed || !strings.Contains(sandboxtest.View(got).Error, "step 2") {
		t.Fatalf("job: %+v", got)
	}
}

func TestQueueRunsInOrderAndInParallel(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.engine = e.newEngine(core.Options{Parallel: 2})
	var ids []string
	for i := 0; i < 4; i++ {
		ids = append(ids, e.add(persist.VideoMeta{Title: "v" + string(rune('a'+i))}).ID)
	}
	if err := e.engine.Move(ids[3], -3); err != nil {
		t.Fatal(err)
	}
	jobs, _ := e.engine.Jobs()
	if jobs[0].ID != ids[3] {
		t.Fatalf("move to front failed: first is %s", jobs[0].Meta.Title)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.engine.Start(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		jobs, _ := e.engine.Jobs()
		done := 0
		for _, j := range jobs {
			if j.State == core.StateDone {
				done++
			}
		}
		if done == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue did not finish: %+v", jobs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	running, maxRunning := map[string]bool{}, 0
	var started []string
	for _, ev := range e.events {
		if ev.Job.State == core.StateRunning {
			if !running[ev.Job.ID] && !slices.Contains(started, ev.Job.ID) {
				started = append(started, ev.Job.ID)
			}
			running[ev.Job.ID] = true
		} else {
			delete(running, ev.Job.ID)
		}
		maxRunning = max(maxRunning, len(running))
	}
	// The moved job and the first one start together; the others wait.
	first := map[string]bool{started[0]: true, started[1]: true}
	if !first[ids[3]] || !first[ids[0]] || maxRunning != 2 {
		t.Fatalf("start order %v (want %s and %s first), max running %d (want 2)", started, ids[3], ids[0], maxRunning)
	}
}

func TestImagesUploadedOncePerImageHost(t *testing.T) {
	a, b := newEnv(t, sandbox.Config{}), newEnv(t, sandbox.Config{})
	ctx := context.Background()
	clientA, clientB := a.engine.Client(), b.newEngine(core.Options{}).Client()
	first, err := gjw.UploadImageOnce(ctx, clientA, a.db, a.thumb)
	if err != nil {
		t.Fatal(err)
	}
	again, err := gjw.UploadImageOnce(ctx, clientA, a.db, a.thumb)
	if err != nil || !slices.Equal(first, again) || a.sb.Stats().Images != 1 {
		t.Fatalf("same bytes, same host: want the stored URLs, got %v (%d uploads, %v)", again, a.sb.Stats().Images, err)
	}
	// The same store pointed at another image host must not hand out the
	// first host's URLs.
	other, err := gjw.UploadImageOnce(ctx, clientB, a.db, a.thumb)
	if err != nil || b.sb.Stats().Images != 1 || slices.Equal(first, other) {
		t.Fatalf("another host: want a new upload, got %v (%d uploads, %v)", other, b.sb.Stats().Images, err)
	}
}

func TestAmbiguousAddContentFailureIsNotRepeated(t *testing.T) {
	// A 502 may come after the platform created the entry: repeating
	// add-content could make a second one, so the job fails instead.
	e := newEnv(t, sandbox.Config{})
	e.sb.Inject(sandbox.Fault{Host: "api", Path: "/v1.0c/add-content", Status: 502})
	j := e.add(persist.VideoMeta{})
	err := e.engine.Run(context.Background(), j.ID)
	if err == nil || !strings.Contains(err.Error(), "not repeated") || !strings.Contains(err.Error(), "step 4") {
		t.Fatalf("want a step 4 failure that was not repeated, got %v", err)
	}
	if got := e.job(j.ID).Targets[0]; got.State != core.StateFailed || dest.Reason(got.Reason) != dest.ReasonAmbiguousCreate {
		t.Fatalf("stored as %s/%q, want failed/ambiguous_create", got.State, got.Reason)
	}
	// The same fault on an idempotent call (update-content) is retried.
	e.sb.Inject(sandbox.Fault{Host: "api", Path: "/v1.0c/update-content", Status: 502})
	if err := e.engine.Retry(j.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.engine.Run(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	e.published(e.job(j.ID))
}

func TestSameImageAtOnceIsUploadedOnce(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	var wg sync.WaitGroup
	results := make([][]string, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			urls, err := gjw.UploadImageOnce(context.Background(), e.engine.Client(), e.db, e.thumb)
			if err != nil {
				t.Error(err)
			}
			results[i] = urls
		}()
	}
	wg.Wait()
	if n := e.sb.Stats().Images; n != 1 {
		t.Fatalf("four uploads of one picture at once reached the CDN %d times", n)
	}
	for _, r := range results[1:] {
		if !slices.Equal(r, results[0]) {
			t.Fatalf("different URLs for one picture: %v vs %v", r, results[0])
		}
	}
}

// Parallelism is limited per platform as well as overall: with four
// uploads allowed at once but one per platform, GJW jobs run one by one.
func TestQueueLimitsUploadsPerPlatform(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	e.engine = e.newEngine(core.Options{Parallel: 4, PerPlatform: 1})
	for i := 0; i < 3; i++ {
		e.add(persist.VideoMeta{Title: "v" + string(rune('a'+i))})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.engine.Start(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		jobs, _ := e.engine.Jobs()
		done := 0
		for _, j := range jobs {
			if j.State == core.StateDone {
				done++
			}
		}
		if done == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue did not finish: %+v", jobs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	running, maxRunning := map[string]bool{}, 0
	for _, ev := range e.events {
		if ev.Job.State == core.StateRunning {
			running[ev.Job.ID] = true
		} else {
			delete(running, ev.Job.ID)
		}
		maxRunning = max(maxRunning, len(running))
	}
	if maxRunning != 1 {
		t.Fatalf("%d GJW uploads ran at once, want 1", maxRunning)
	}
}

// A queued job's destinations can change until a target starts.
func TestSetTargetsBeforeTheUploadStarts(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	j := e.add(persist.VideoMeta{})
	if _, err := e.engine.SetTargets(j.ID, nil); err == nil {
		t.Fatal("a job with no destination was accepted")
	}
	got, err := e.engine.SetTargets(j.ID, []string{"gjw", "second"})
	if err != nil || len(got.Targets) != 2 || got.Targets[1].Account != "second" || got.Targets[1].State != core.StateQueued {
		t.Fatalf("added: %+v, %v", got.Targets, err)
	}
	if got, err = e.engine.SetTargets(j.ID, []string{"second"}); err != nil || len(got.Targets) != 1 || got.Targets[0].Account != "second" {
		t.Fatalf("dropped: %+v, %v", got.Targets, err)
	}
	if err := e.engine.Run(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.engine.SetTargets(j.ID, []string{"gjw"}); err == nil || !strings.Contains(err.Error(), "second") {
		t.Fatalf("dropping a published target: %v", err)
	}
}
