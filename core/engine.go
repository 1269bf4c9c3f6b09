// Package core is the upload engine: it turns a video file into a published
// Gan Jing World video through the guide's eight steps, as a job persisted
// after every step and every acknowledged chunk, so a crash or a pause
// resumes where the server has it. It runs jobs in a queue and reports
// progress as events; it never imports Fyne.
package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	tus "github.com/eventials/go-tus"

	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Step names a pipeline step; a job's Step is the next one to run.
type Step = string

// The guide's steps after sign-in (step 1), in order.
const (
	StepToken      Step = "token"      // 2: get the upload token
	StepThumbnail  Step = "thumbnail"  // 3: upload the poster image
	StepContent    Step = "content"    // 4: create the content entry
	StepUploadID   Step = "upload-id"  // 5: register the upload id
	StepUpload     Step = "upload"     // 6: TUS upload, then the video id
	StepProcessing Step = "processing" // 7: poll transcoding
	StepFinalize   Step = "finalize"   // 8: update-content
	StepDone       Step = "done"
)

var steps = []Step{StepToken, StepThumbnail, StepContent, StepUploadID, StepUpload, StepProcessing, StepFinalize, StepDone}

// stepTitles are the words users see for each step.
var stepTitles = map[Step]string{
	StepToken: "getting upload token", StepThumbnail: "uploading thumbnail", StepContent: "creating content entry",
	StepUploadID: "registering upload", StepUpload: "uploading video", StepProcessing: "processing",
	StepFinalize: "publishing", StepDone: "published",
}

// StepTitle is a step's human name.
func StepTitle(s Step) string { return stepTitles[s] }

// StepNumber is the guide's number of a step (2..8).
func StepNumber(s Step) int {
	for i, st := range steps {
		if st == s {
			return i + 2
		}
	}
	return 0
}

// Job states.
const (
	StateQueued   = "queued"
	StateRunning  = "running"
	StatePaused   = "paused"
	StateWaiting  = "waiting" // for sign-in, or for a poster image
	StateFailed   = "failed"
	StateCanceled = "canceled"
	StateDone     = "done"
)

// Unfinished reports whether a job still has work to do.
func Unfinished(j persist.Job) bool { return j.State != StateDone && j.State != StateCanceled }

// Stop causes: why a running job's context was cancelled.
var (
	errPaused   = errors.New("paused")
	errCanceled = errors.New("canceled")
)

// ErrNeedPoster means the video has no poster image yet.
var ErrNeedPoster = errors.New("no poster image: choose a thumbnail for this video")

// StepError is a job failure with the step it happened in.
type StepError struct {
	Step Step
	Err  error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("step %d (%s): %v", StepNumber(e.Step), StepTitle(e.Step), e.Err)
}
func (e *StepError) Unwrap() error { return e.Err }

// Store is what the engine needs from persistence (persist.DB has it).
type Store interface {
	gjw.CredentialStore
	PutJob(persist.Job) error
	Job(id string) (persist.Job, bool, error)
	Jobs() ([]persist.Job, error)
	DeleteJob(id string) error
	TusStore() tus.Store
	PutImage(persist.Image) error
	Image(sha256 string) (persist.Image, bool, error)
}

// Options configure an Engine. Zero values take the defaults.
type Options struct {
	Hosts        gjw.Hosts
	HTTP         *http.Client
	ChunkSize    int64
	Parallel     int             // uploads at once in the queue; default 2
	PollInterval time.Duration   // default 5 s
	PollAttempts int             // default 120
	RetryDelays  []time.Duration // default the guide's 0,1,3,5,10,20 s
	// OnEvent receives every job change and progress tick. It is called from
	// engine goroutines and must not block.
	OnEvent func(Event)
}

// Event reports a job's state, and while uploading its transfer.
type Event struct {
	Job     persist.Job
	Sent    int64         // bytes sent so far (upload step)
	Speed   float64       // bytes per second, smoothed
	ETA     time.Duration // remaining upload time; 0 when unknown
	RetryIn time.Duration // > 0 while waiting before a retry
	Err     error         // why the job failed, paused for sign-in, or waits
	// SignedOut is set when the session is dead; queued work waits.
	SignedOut bool
}

// Engine runs upload jobs. Its methods are safe for concurrent use.
type Engine struct {
	opts   Options
	store  Store
	client *gjw.Client

	mu       sync.Mutex // guards running, parallel and job read-modify-writes
	running  map[string]context.CancelCauseFunc
	parallel int
	wake     chan struct{}
}

// New returns an engine working on store's jobs and credentials.
func New(store Store, opts Options) *Engine {
	if opts.Hosts == (gjw.Hosts{}) {
		opts.Hosts = gjw.DefaultHosts
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 2
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 5 * time.Second
	}
	if opts.PollAttempts <= 0 {
		opts.PollAttempts = 120
	}
	if len(opts.RetryDelays) == 0 {
		opts.RetryDelays = httpx.DefaultRetryDelays
	}
	if opts.OnEvent == nil {
		opts.OnEvent = func(Event) {}
	}
	client := gjw.NewClient(opts.Hosts, store, opts.HTTP)
	client.RetryDelays = opts.RetryDelays
	return &Engine{
		opts: opts, store: store, client: client,
		running: map[string]context.CancelCauseFunc{}, parallel: opts.Parallel,
		wake: make(chan struct{}, 1),
	}
}

// Client is the platform client the engine uses (shared with articles and
// the account view, so token refreshes are serialised in one place).
func (e *Engine) Client() *gjw.Client { return e.client }

// NewUpload is what the creator gives for one video.
type NewUpload struct {
	VideoPath     string
	ThumbnailPath string // may be empty: the job then waits for a poster
	Meta          persist.VideoMeta
}

// Add validates the video and queues a job for it.
func (e *Engine) Add(u NewUpload) (persist.Job, error) {
	fi, err := checkVideoFile(u.VideoPath)
	if err != nil {
		return persist.Job{}, err
	}
	if u.ThumbnailPath != "" {
		if err := gjw.ValidateImage(u.ThumbnailPath); err != nil {
			return persist.Job{}, err
		}
	}
	u.Meta = withDefaults(u.Meta, DefaultVideoMeta)
	if err := checkMeta(u.Meta); err != nil {
		return persist.Job{}, err
	}
	now := time.Now()
	j := persist.Job{
		ID: newID(), Position: now.UnixNano(),
		VideoPath: u.VideoPath, ThumbnailPath: u.ThumbnailPath, Size: fi.Size(), ModTime: fi.ModTime(),
		Meta: u.Meta, Step: StepToken, State: StateQueued, CreatedAt: now,
	}
	if err := e.store.PutJob(j); err != nil {
		return persist.Job{}, err
	}
	e.emit(Event{Job: j})
	e.poke()
	return j, nil
}

// Jobs lists every job in queue order.
func (e *Engine) Jobs() ([]persist.Job, error) { return e.store.Jobs() }

// update applies fn to the stored job under the engine lock and saves it;
// every job write goes through here so edits and the pipeline never race.
func (e *Engine) update(id string, fn func(*persist.Job) error) (persist.Job, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, ok, err := e.store.Job(id)
	if err != nil {
		return j, err
	}
	if !ok {
		return j, fmt.Errorf("no upload with id %q", id)
	}
	if err := fn(&j); err != nil {
		return j, err
	}
	return j, e.store.PutJob(j)
}

func (e *Engine) emit(ev Event) { e.opts.OnEvent(ev) }

// poke wakes the scheduler.
func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Start runs the queue until ctx ends: up to Parallel jobs at once, in
// order. Jobs left running by a crash are resumed.
func (e *Engine) Start(ctx context.Context) error {
	jobs, err := e.store.Jobs()
	if err != nil {
		return err
	}
	_, signedIn, _ := e.store.Credentials()
	for _, j := range jobs {
		waitedForSession := j.State == StateWaiting && j.Error != ErrNeedPoster.Error() && signedIn
		if j.State == StateRunning || waitedForSession {
			e.update(j.ID, func(j *persist.Job) error { j.State, j.Error = StateQueued, ""; return nil })
		}
	}
	go func() {
		for {
			e.schedule(ctx)
			select {
			case <-ctx.Done():
				return
			case <-e.wake:
			}
		}
	}()
	e.poke()
	return nil
}

func (e *Engine) schedule(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	// Read under the lock, so a Pause or Cancel saved after this read finds
	// the job in running and stops it, rather than being overwritten by run.
	e.mu.Lock()
	defer e.mu.Unlock()
	jobs, err := e.store.Jobs()
	if err != nil {
		return
	}
	for _, j := range jobs {
		if len(e.running) >= e.parallel {
			return
		}
		if j.State != StateQueued {
			continue
		}
		if _, busy := e.running[j.ID]; busy {
			continue
		}
		jctx, cancel := context.WithCancelCause(ctx)
		e.running[j.ID] = cancel
		go func(id string) {
			e.run(jctx, id)
			e.mu.Lock()
			delete(e.running, id)
			e.mu.Unlock()
			cancel(nil)
			e.poke()
		}(j.ID)
	}
}

// SetParallel changes how many uploads run at once.
func (e *Engine) SetParallel(n int) {
	if n < 1 {
		n = 1
	}
	e.mu.Lock()
	e.parallel = n
	e.mu.Unlock()
	e.poke()
}

// Run runs one job to its end on the calling goroutine (the command line
// uses it; the queue calls it for each job). Pause and Cancel stop it.
func (e *Engine) Run(ctx context.Context, id string) error {
	e.mu.Lock()
	if _, busy := e.running[id]; busy {
		e.mu.Unlock()
		return fmt.Errorf("upload %s is already running", id)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	e.running[id] = cancel
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.running, id)
		e.mu.Unlock()
		cancel(nil)
	}()
	return e.run(ctx, id)
}

// stop cancels a running job with cause, reporting whether one was running.
func (e *Engine) stop(id string, cause error) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cancel, ok := e.running[id]; ok {
		cancel(cause)
		return true
	}
	return false
}

// Pause stops a job within one chunk; the server keeps what it received.
func (e *Engine) Pause(id string) error {
	j, err := e.update(id, func(j *persist.Job) error {
		if !Unfinished(*j) {
			return fmt.Errorf("%q is already %s", j.Meta.Title, j.State)
		}
		j.State = StatePaused
		return nil
	})
	if err != nil {
		return err
	}
	if !e.stop(id, errPaused) {
		e.emit(Event{Job: j})
	}
	return nil
}

// Resume queues a paused, failed or waiting job again; it continues from
// its last completed step and the server's offset. Retry is the same.
func (e *Engine) Resume(id string) error {
	j, err := e.update(id, func(j *persist.Job) error {
		if !Unfinished(*j) {
			return fmt.Errorf("%q is already %s", j.Meta.Title, j.State)
		}
		if j.State != StateRunning {
			j.State, j.Error = StateQueued, ""
		}
		return nil
	})
	if err != nil {
		return err
	}
	e.emit(Event{Job: j})
	e.poke()
	return nil
}

// Retry queues a failed job again from where it stopped.
func (e *Engine) Retry(id string) error { return e.Resume(id) }

// Cancel stops a job for good. A content entry already created stays on
// the platform unpublished (the guide has no delete call).
func (e *Engine) Cancel(id string) error {
	j, err := e.update(id, func(j *persist.Job) error {
		if j.State == StateDone {
			return fmt.Errorf("%q is already published", j.Meta.Title)
		}
		j.State = StateCanceled
		return nil
	})
	if err != nil {
		return err
	}
	if !e.stop(id, errCanceled) {
		e.emit(Event{Job: j})
	}
	return nil
}

// Remove forgets a job that is not running (clearing finished rows).
func (e *Engine) Remove(id string) error {
	e.mu.Lock() // held while deleting, so the scheduler cannot start it meanwhile
	defer e.mu.Unlock()
	if _, busy := e.running[id]; busy {
		return errors.New("pause or cancel the upload before removing it")
	}
	return e.store.DeleteJob(id)
}

// SignedIn requeues every job that waited for a session.
func (e *Engine) SignedIn() {
	jobs, _ := e.store.Jobs()
	for _, j := range jobs {
		if j.State == StateWaiting && j.Error != ErrNeedPoster.Error() {
			e.Resume(j.ID)
		}
	}
}

// Edit changes a job's metadata and poster. Before the content entry
// exists the new values are simply used; after it, finalize sends them, and
// after publishing they go out at once with update-content. A new poster is
// uploaded by whichever of those comes next.
func (e *Engine) Edit(ctx context.Context, id string, meta persist.VideoMeta, thumbnail string) (persist.Job, error) {
	meta = withDefaults(meta, DefaultVideoMeta)
	if err := checkMeta(meta); err != nil {
		return persist.Job{}, err
	}
	if thumbnail != "" {
		if err := gjw.ValidateImage(thumbnail); err != nil {
			return persist.Job{}, err
		}
	}
	j, err := e.update(id, func(j *persist.Job) error {
		j.Meta = meta
		if thumbnail != "" && thumbnail != j.ThumbnailPath {
			j.ThumbnailPath = thumbnail
			j.PosterURL, j.PosterHDURL = "", "" // see posters
		}
		if j.ContentID != "" {
			j.MetaDirty = true
		}
		if j.State == StateWaiting && j.Error == ErrNeedPoster.Error() && j.ThumbnailPath != "" {
			j.State, j.Error = StateQueued, ""
		}
		return nil
	})
	if err != nil {
		return j, err
	}
	e.emit(Event{Job: j})
	e.poke()
	if j.State == StateDone && j.MetaDirty {
		return e.pushMeta(ctx, id)
	}
	return j, nil
}

// pushMeta sends a published job's edited metadata with update-content.
func (e *Engine) pushMeta(ctx context.Context, id string) (persist.Job, error) {
	j, ok, err := e.store.Job(id)
	if err != nil || !ok {
		return j, err
	}
	sent := j
	err = e.posters(ctx, &sent)
	if err == nil {
		err = e.client.UpdateContent(ctx, sent.ContentID, videoContent(sent))
	}
	if err != nil {
		return j, fmt.Errorf("saving the changes to %q: %w", j.Meta.Title, err)
	}
	j, err = e.update(id, func(j *persist.Job) error {
		if sameEdit(*j, sent) { // else a newer edit is on its way
			j.MetaDirty = false
		}
		return nil
	})
	e.emit(Event{Job: j})
	return j, err
}

// Move changes a waiting job's place in the queue by delta places (negative
// is earlier). Jobs that have started keep their place.
func (e *Engine) Move(id string, delta int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	jobs, err := e.store.Jobs()
	if err != nil {
		return err
	}
	var waiting []persist.Job
	from := -1
	for _, j := range jobs {
		if j.State == StateQueued && j.Step == StepToken {
			if j.ID == id {
				from = len(waiting)
			}
			waiting = append(waiting, j)
		}
	}
	if from < 0 {
		return errors.New("only uploads that have not started can be moved")
	}
	to := min(max(from+delta, 0), len(waiting)-1)
	if to == from {
		return nil
	}
	positions := make([]int64, len(waiting))
	for i, j := range waiting {
		positions[i] = j.Position
	}
	moved := waiting[from]
	waiting = append(waiting[:from], waiting[from+1:]...)
	waiting = append(waiting[:to], append([]persist.Job{moved}, waiting[to:]...)...)
	sort.Slice(positions, func(a, b int) bool { return positions[a] < positions[b] })
	for i := range waiting {
		if waiting[i].Position != positions[i] {
			waiting[i].Position = positions[i]
			if err := e.store.PutJob(waiting[i]); err != nil {
				return err
			}
			e.emit(Event{Job: waiting[i]})
		}
	}
	return nil
}

func stepIndex(s Step) int {
	for i, st := range steps {
		if st == s {
			return i
		}
	}
	return -1
}
