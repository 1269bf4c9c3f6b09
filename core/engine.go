// Package core is the upload engine: a queue of jobs, each one source video
// published to one or more targets (an account each). A platform is a
// dest.Driver; the engine never names one (drivers.go wires the defaults).
// Every target is a persisted state machine, saved after every step and
// every acknowledged chunk, so a crash or a pause resumes where the server
// has it. It reports progress as events; it never imports Fyne.
package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/awake"
	"github.com/gjw-uploader/gjw-uploader/core/bandwidth"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/core/netwatch"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Job and target states.
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
func Unfinished(j persist.Job) bool {
	for _, t := range j.Targets {
		if targetUnfinished(t) {
			return true
		}
	}
	return false
}

func targetUnfinished(t persist.Target) bool { return t.State != StateDone && t.State != StateCanceled }

// Overall is the state a job shows: running while any target runs, then
// queued, paused, waiting, failed; done once every target is done or
// canceled (canceled when all are).
func Overall(targets []persist.Target) string {
	count := map[string]int{}
	for _, t := range targets {
		count[t.State]++
	}
	for _, s := range []string{StateRunning, StateQueued, StatePaused, StateWaiting, StateFailed} {
		if count[s] > 0 {
			return s
		}
	}
	if count[StateCanceled] == len(targets) {
		return StateCanceled
	}
	return StateDone
}

// Stop causes: why a running target's context was cancelled.
var (
	errPaused   = errors.New("paused")
	errCanceled = errors.New("canceled")
)

// ErrNeedPoster means the video has no poster image yet.
var ErrNeedPoster = gjw.ErrNeedPoster

// StepError is a target failure with the step it happened in.
type StepError = dest.StepError

// Store is what the engine needs from persistence (persist.DB has it).
type Store interface {
	gjw.CredentialStore
	PutJob(persist.Job) error
	Job(id string) (persist.Job, bool, error)
	Jobs() ([]persist.Job, error)
	DeleteJob(id string) error
	PutImage(persist.Image) error
	Image(sha256 string) (persist.Image, bool, error)
}

// Options configure an Engine. Zero values take the defaults.
type Options struct {
	Hosts        gjw.Hosts
	HTTP         *http.Client
	ChunkSize    int64
	Parallel     int             // target uploads at once in the queue; default 2
	PerPlatform  int             // of them at most this many per platform; default Parallel
	PollInterval time.Duration   // default 5 s
	PollAttempts int             // default 120
	RetryDelays  []time.Duration // default the guide's 0,1,3,5,10,20 s
	StallTimeout time.Duration   // a request with no progress this long is retried; default 60 s
	// Awake keeps the computer from sleeping while any target runs
	// (default awake.System(): logind, SetThreadExecutionState or
	// caffeinate); AllowSleep turns that off (SetKeepAwake changes it).
	Awake      awake.Inhibitor
	AllowSleep bool
	// Limit is the upload speed limit all running targets share (none when
	// empty); SetLimit changes it while they run.
	Limit bandwidth.Schedule
	// Drivers builds the driver of an account; the default publishes every
	// account to Gan Jing World with the store's session (drivers.go).
	Drivers dest.Factory
	// DefaultTargets are the accounts a job goes to when Add names none.
	DefaultTargets func() []string
	// OnEvent receives every job change and progress tick. It is called from
	// engine goroutines, sometimes under the engine's lock: it must not block
	// or call the engine.
	OnEvent func(Event)
	// Now is the clock of events and of the speed and ETA they carry;
	// default time.Now (tests pass a fake one).
	Now func() time.Time
}

// Event reports a job's state, and while a target transfers, its progress.
type Event struct {
	Job     persist.Job
	Target  string        // the account the event is about; "" for the whole job
	At      time.Time     // when it happened, by Options.Now
	Sent    int64         // bytes Target's platform has acknowledged (transfer step)
	Speed   float64       // bytes per second acknowledged, smoothed over seconds (core/eta)
	ETA     time.Duration // remaining transfer time; 0 when unknown
	RetryIn time.Duration // > 0 while waiting before a retry
	Err     error         // why the target failed, paused for sign-in, or waits; with RetryIn, why it retries
	// SignedOut is set when Target's session is dead; its work waits.
	SignedOut bool
	// Reconnecting is set while Target cannot reach its platform: it
	// retries (RetryIn) or waits for the connection to return, and goes on
	// at once when it does (a wake or a network change counts too).
	Reconnecting bool
}

// Engine runs upload jobs. Its methods are safe for concurrent use.
type Engine struct {
	opts  Options
	store Store

	mu       sync.Mutex // guards running, parallel, drivers and job read-modify-writes
	running  map[targetKey]*runningTarget
	parallel int
	drivers  map[string]dest.Driver
	wake     chan struct{}
	limiter  *bandwidth.Limiter
	keeper   *awake.Keeper
	queueCtx context.Context // Start's: targets waiting offline retry under it

	netUsers int                // Start and Runs under way, for the network watcher
	netStop  context.CancelFunc // stops the watcher

	storeClient *gjw.Client // see Client
}

type targetKey struct{ job, account string }

type runningTarget struct {
	cancel   context.CancelCauseFunc
	platform string
	queued   bool // started by the queue (Start), not by Run
}

// New returns an engine working on store's jobs.
func New(store Store, opts Options) *Engine {
	if opts.Hosts == (gjw.Hosts{}) {
		opts.Hosts = gjw.DefaultHosts
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 2
	}
	if len(opts.RetryDelays) == 0 {
		opts.RetryDelays = httpx.DefaultRetryDelays
	}
	if opts.OnEvent == nil {
		opts.OnEvent = func(Event) {}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DefaultTargets == nil {
		opts.DefaultTargets = func() []string { return []string{persist.V1Account} }
	}
	e := &Engine{
		opts: opts, store: store,
		running: map[targetKey]*runningTarget{}, parallel: opts.Parallel,
		drivers: map[string]dest.Driver{}, wake: make(chan struct{}, 1),
		limiter: bandwidth.New(opts.Limit),
	}
	if opts.Awake == nil {
		opts.Awake = awake.System()
	}
	e.keeper = awake.NewKeeper(opts.Awake, "uploading videos")
	e.keeper.Enable(!opts.AllowSleep)
	if e.opts.Drivers == nil {
		e.opts.Drivers = gjwDrivers(store, opts)
	}
	return e
}

// Options are the engine's options (hosts, HTTP client, retry delays),
// for work beside the queue such as checking an account's credentials.
func (e *Engine) Options() Options { return e.opts }

// Driver returns the driver of account, built once and then shared (a
// driver holds its account's session and caches).
func (e *Engine) Driver(account string) (dest.Driver, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.driverLocked(account)
}

func (e *Engine) driverLocked(account string) (dest.Driver, error) {
	if d, ok := e.drivers[account]; ok {
		return d, nil
	}
	d, err := e.opts.Drivers(account)
	if err != nil {
		return nil, err
	}
	e.drivers[account] = d
	return d, nil
}

// Client is the GJW client of the default account's driver (articles and
// the account view share it, so token refreshes are serialised in one place).
func (e *Engine) Client() *gjw.Client {
	for _, acct := range e.opts.DefaultTargets() {
		if d, err := e.Driver(acct); err == nil {
			if g, ok := d.(*gjw.Driver); ok {
				return g.Client()
			}
		}
	}
	// No GJW account: a client on the store's session, which says
	// "signed out" until there is one.
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.storeClient == nil {
		e.storeClient = NewGJWDriver(e.store, e.store, e.opts).Client()
	}
	return e.storeClient
}

// NewUpload is what the creator gives for one video.
type NewUpload struct {
	VideoPath     string
	ThumbnailPath string // may be empty: GJW targets then wait for a poster
	Meta          persist.VideoMeta
	Targets       []string // accounts; empty means Options.DefaultTargets
}

// Add validates the video, its metadata and its destinations, and queues a
// job for it.
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
	accounts := u.Targets
	if len(accounts) == 0 {
		accounts = e.opts.DefaultTargets()
	}
	if len(accounts) == 0 {
		return persist.Job{}, errors.New("no destination: add an account (gjw account add, or Account in the app)")
	}
	src := dest.Source{Path: u.VideoPath, Size: fi.Size(), ModTime: fi.ModTime(), Poster: u.ThumbnailPath}
	now := time.Now()
	j := persist.Job{
		ID: newID(), Position: now.UnixNano(),
		VideoPath: u.VideoPath, ThumbnailPath: u.ThumbnailPath, Size: fi.Size(), ModTime: fi.ModTime(),
		Meta: u.Meta, CreatedAt: now, Rev: 1,
	}
	seen := map[string]bool{}
	for _, acct := range accounts {
		if seen[acct] {
			continue
		}
		seen[acct] = true
		d, err := e.Driver(acct)
		if err != nil {
			return persist.Job{}, err
		}
		if err := d.Check(src, u.Meta); err != nil {
			return persist.Job{}, fmt.Errorf("%s: %w", acct, err)
		}
		j.Targets = append(j.Targets, persist.Target{Account: acct, Platform: d.Platform(), State: StateQueued})
	}
	j.State = Overall(j.Targets)
	// Saved and reported under the lock, so the scheduler cannot start the
	// job (and report its progress) before this first report.
	e.mu.Lock()
	err = e.store.PutJob(j)
	if err == nil {
		e.emit(Event{Job: j})
	}
	e.mu.Unlock()
	if err != nil {
		return persist.Job{}, err
	}
	e.poke()
	return j, nil
}

// Jobs lists every job in queue order.
func (e *Engine) Jobs() ([]persist.Job, error) { return e.store.Jobs() }

// update applies fn to the stored job under the engine lock, recomputes its
// overall state and saves it; every job write goes through here so edits
// and the targets' runs never race.
func (e *Engine) update(id string, fn func(*persist.Job) error) (persist.Job, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.updateLocked(id, fn)
}

func (e *Engine) updateLocked(id string, fn func(*persist.Job) error) (persist.Job, error) {
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
	j.State = Overall(j.Targets)
	j.Rev++
	return j, e.store.PutJob(j)
}

// updateTarget is update for one target of a job.
func (e *Engine) updateTarget(id, account string, fn func(*persist.Job, *persist.Target) error) (persist.Job, error) {
	return e.update(id, func(j *persist.Job) error {
		t := j.Target(account)
		if t == nil {
			return fmt.Errorf("upload %q has no destination %q", j.Meta.Title, account)
		}
		return fn(j, t)
	})
}

func (e *Engine) emit(ev Event) {
	if ev.At.IsZero() {
		ev.At = e.opts.Now()
	}
	e.opts.OnEvent(ev)
}

// poke wakes the scheduler.
func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Start runs the queue until ctx ends: up to Parallel targets at once, in
// order. Targets left running by a crash are resumed, and targets that
// waited for a session or for the connection are tried again (they wait
// again at once if it is still missing). A target that cannot reach its
// platform waits, reconnecting, and goes on when the connection returns.
func (e *Engine) Start(ctx context.Context) error {
	jobs, err := e.store.Jobs()
	if err != nil {
		return err
	}
	for _, j := range jobs {
		e.update(j.ID, func(j *persist.Job) error {
			for i := range j.Targets {
				t := &j.Targets[i]
				if t.State == StateRunning || (t.State == StateWaiting &&
					(dest.Reason(t.Reason) == dest.ReasonSignedOut || dest.Reason(t.Reason) == dest.ReasonOffline)) {
					t.State, t.Reason, t.Error = StateQueued, "", ""
				}
			}
			return nil
		})
	}
	e.mu.Lock()
	e.queueCtx = ctx
	e.mu.Unlock()
	stopWatch := e.watchNetwork()
	go func() {
		<-ctx.Done()
		stopWatch()
	}()
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
	// the target in running and stops it, rather than being overwritten.
	e.mu.Lock()
	defer e.mu.Unlock()
	if ctx.Err() != nil { // stopped while waiting for the lock: the store may be closing
		return
	}
	jobs, err := e.store.Jobs()
	if err != nil {
		return
	}
	perPlatform := map[string]int{}
	for _, r := range e.running {
		perPlatform[r.platform]++
	}
	limit := e.opts.PerPlatform
	if limit <= 0 {
		limit = e.parallel
	}
	for _, j := range jobs {
		for _, t := range j.Targets {
			if len(e.running) >= e.parallel {
				return
			}
			key := targetKey{j.ID, t.Account}
			if _, busy := e.running[key]; busy || t.State != StateQueued || perPlatform[t.Platform] >= limit {
				continue
			}
			tctx, cancel := context.WithCancelCause(ctx)
			e.running[key] = &runningTarget{cancel: cancel, platform: t.Platform, queued: true}
			e.busyLocked()
			perPlatform[t.Platform]++
			go func() {
				e.run(tctx, key.job, key.account)
				e.mu.Lock()
				delete(e.running, key)
				e.busyLocked()
				e.mu.Unlock()
				cancel(nil)
				e.poke()
			}()
		}
	}
}

// watchNetwork runs the wake and network-change watcher while Start or
// a Run is under way; the returned func ends this caller's share.
func (e *Engine) watchNetwork() (stop func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.netUsers++; e.netUsers == 1 {
		ctx, cancel := context.WithCancel(context.Background())
		e.netStop = cancel
		w := &netwatch.Watcher{OnChange: e.Reconnect}
		go w.Run(ctx)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			e.mu.Lock()
			defer e.mu.Unlock()
			if e.netUsers--; e.netUsers == 0 {
				e.netStop()
			}
		})
	}
}

// Reconnect is what a wake or a network change does (the watcher calls
// it; so may anything that knows better): connections made before are
// dropped, stalled requests retried at once and re-synced (HEAD, part
// listing), and targets waiting on a connection error go again now.
func (e *Engine) Reconnect(why netwatch.Change) { httpx.Reconnect() }

// busyLocked tells the keep-awake keeper whether any target runs (e.mu
// held): the computer stays awake while one does.
func (e *Engine) busyLocked() { e.keeper.Busy(len(e.running) > 0) }

// SetKeepAwake turns keeping the computer awake during uploads on or off.
func (e *Engine) SetKeepAwake(on bool) { e.keeper.Enable(on) }

// KeepAwakeErr is why the system refused to stay awake while uploads run,
// if it did (the uploads go on all the same); nil once the queue is idle.
// It matches awake.ErrNoService, ErrRefused or ErrUnsupported.
func (e *Engine) KeepAwakeErr() error { return e.keeper.Err() }

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

// SetLimit changes the upload speed limit; running uploads follow it
// within a fraction of a second.
func (e *Engine) SetLimit(s bandwidth.Schedule) { e.limiter.Set(s) }

// Limit is the upload speed limit in force: its schedule, and the rate
// now (0: none).
func (e *Engine) Limit() (bandwidth.Schedule, bandwidth.Rate) {
	return e.limiter.Schedule(), e.limiter.Rate()
}

// Run runs every unfinished target of one job to its end, at once, on the
// calling goroutine (the command line uses it). Pause and Cancel stop it.
// The error joins every target's failure.
func (e *Engine) Run(ctx context.Context, id string) error {
	j, ok, err := e.store.Job(id)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no upload with id %q", id)
	}
	if !Unfinished(j) {
		return fmt.Errorf("%q is already %s", j.Meta.Title, j.State)
	}
	defer e.watchNetwork()()
	var wg sync.WaitGroup
	errs := make([]error, len(j.Targets))
	for i, t := range j.Targets {
		if !targetUnfinished(t) {
			continue
		}
		key := targetKey{id, t.Account}
		e.mu.Lock()
		if _, busy := e.running[key]; busy {
			e.mu.Unlock()
			errs[i] = fmt.Errorf("upload %s to %s is already running", id, t.Account)
			continue
		}
		tctx, cancel := context.WithCancelCause(ctx)
		e.running[key] = &runningTarget{cancel: cancel, platform: t.Platform}
		e.busyLocked()
		e.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.run(tctx, id, t.Account)
			e.mu.Lock()
			delete(e.running, key)
			e.busyLocked()
			e.mu.Unlock()
			cancel(nil)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// stop cancels running targets of job id (every one when account is ""),
// reporting whether any was running.
func (e *Engine) stop(id, account string, cause error) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	stopped := false
	for key, r := range e.running {
		if key.job == id && (account == "" || key.account == account) {
			r.cancel(cause)
			stopped = true
		}
	}
	return stopped
}

// StopAccount stops every running target of account at once (its session
// was removed); they wait for sign-in like any signed-out target.
func (e *Engine) StopAccount(account string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.drivers, account)
	for key, r := range e.running {
		if key.account == account {
			r.cancel(errSignedOut)
		}
	}
}

var errSignedOut = errors.New("signed out")

// targetsOf runs fn on the targets of j that account selects ("" is all),
// and fails when none is selected.
func targetsOf(j *persist.Job, account string, fn func(*persist.Target) error) error {
	n := 0
	for i := range j.Targets {
		if account != "" && j.Targets[i].Account != account {
			continue
		}
		n++
		if err := fn(&j.Targets[i]); err != nil {
			return err
		}
	}
	if n == 0 {
		return fmt.Errorf("upload %q has no destination %q", j.Meta.Title, account)
	}
	return nil
}

// Pause stops a job within one chunk; the server keeps what it received.
func (e *Engine) Pause(id string) error { return e.PauseTarget(id, "") }

// PauseTarget pauses one target of a job ("" pauses them all).
func (e *Engine) PauseTarget(id, account string) error {
	j, err := e.update(id, func(j *persist.Job) error {
		if !Unfinished(*j) {
			return fmt.Errorf("%q is already %s", j.Meta.Title, j.State)
		}
		return targetsOf(j, account, func(t *persist.Target) error {
			if targetUnfinished(*t) {
				t.State = StatePaused
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	if !e.stop(id, account, errPaused) {
		e.emit(Event{Job: j, Target: account})
	}
	return nil
}

// Resume queues a paused, failed or waiting job again; each target continues
// from its last completed step and the server's offset.
func (e *Engine) Resume(id string) error { return e.ResumeTarget(id, "") }

// ResumeTarget resumes one target of a job ("" resumes them all).
func (e *Engine) ResumeTarget(id, account string) error {
	j, err := e.update(id, func(j *persist.Job) error {
		if !Unfinished(*j) {
			return fmt.Errorf("%q is already %s", j.Meta.Title, j.State)
		}
		return targetsOf(j, account, func(t *persist.Target) error {
			if targetUnfinished(*t) && t.State != StateRunning {
				t.State, t.Reason, t.Error = StateQueued, "", ""
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	e.emit(Event{Job: j, Target: account})
	e.poke()
	return nil
}

// Retry queues a failed job again from where it stopped.
func (e *Engine) Retry(id string) error { return e.Resume(id) }

// Cancel stops a job for good. A content entry already created stays on
// the platform unpublished (the guide has no delete call).
func (e *Engine) Cancel(id string) error { return e.CancelTarget(id, "") }

// CancelTarget cancels one target of a job ("" cancels every unfinished one).
func (e *Engine) CancelTarget(id, account string) error {
	j, err := e.update(id, func(j *persist.Job) error {
		if !Unfinished(*j) && j.State == StateDone {
			return fmt.Errorf("%q is already published", j.Meta.Title)
		}
		return targetsOf(j, account, func(t *persist.Target) error {
			if t.State == StateDone {
				if account != "" {
					return fmt.Errorf("%q is already published on %s", j.Meta.Title, t.Account)
				}
				return nil
			}
			t.State = StateCanceled
			return nil
		})
	})
	if err != nil {
		return err
	}
	if !e.stop(id, account, errCanceled) {
		e.emit(Event{Job: j, Target: account})
	}
	return nil
}

// StartOver makes the failed targets of a job (of account; "" is every
// failed one) start again from nothing: the checkpoint, step, offset and
// result are cleared and the target is queued, so its next run creates a
// new entity on the platform (GJW: a new content entry). What the failed
// run created stays there. The engine never starts over by itself: only
// a creator asks (the app after a confirmation that says so).
func (e *Engine) StartOver(id, account string) error {
	j, err := e.update(id, func(j *persist.Job) error {
		n := 0
		err := targetsOf(j, account, func(t *persist.Target) error {
			if t.State != StateFailed {
				if account != "" {
					return fmt.Errorf("%q on %s has not failed: only a failed upload can start over", j.Meta.Title, t.Account)
				}
				return nil
			}
			n++
			*t = persist.Target{Account: t.Account, Platform: t.Platform, State: StateQueued}
			return nil
		})
		if err == nil && n == 0 {
			err = fmt.Errorf("%q has no failed destination to start over", j.Meta.Title)
		}
		return err
	})
	if err != nil {
		return err
	}
	e.emit(Event{Job: j, Target: account})
	e.poke()
	return nil
}

// PauseAll pauses every target that runs or waits (in line, for a
// session or for a poster), returning how many it paused.
func (e *Engine) PauseAll() (int, error) {
	return e.bulk(func(t *persist.Target) bool {
		if t.State == StateRunning || t.State == StateQueued || t.State == StateWaiting {
			t.State = StatePaused
			return true
		}
		return false
	}, errPaused)
}

// ResumeAll queues every paused target again, each from where it stopped.
func (e *Engine) ResumeAll() (int, error) {
	return e.bulk(func(t *persist.Target) bool { return requeue(t, StatePaused) }, nil)
}

// RetryFailed queues every failed target again from where it stopped
// (the same step; StartOver is the fresh start).
func (e *Engine) RetryFailed() (int, error) {
	return e.bulk(func(t *persist.Target) bool { return requeue(t, StateFailed) }, nil)
}

// CancelAll cancels every unfinished target for good. Entities already
// created stay on their platforms, unpublished.
func (e *Engine) CancelAll() (int, error) {
	return e.bulk(func(t *persist.Target) bool {
		if targetUnfinished(*t) {
			t.State = StateCanceled
			return true
		}
		return false
	}, errCanceled)
}

// requeue queues t if it is in state from.
func requeue(t *persist.Target, from string) bool {
	if t.State != from {
		return false
	}
	t.State, t.Reason, t.Error = StateQueued, "", ""
	return true
}

var errUnchanged = errors.New("unchanged")

// bulk applies change to the targets of every job, one job at a time
// under the engine lock (so a target that changed state meanwhile is seen
// as it is), and returns how many it changed. Running targets it changed
// are stopped with cause (nil: none is).
func (e *Engine) bulk(change func(*persist.Target) bool, cause error) (int, error) {
	jobs, err := e.store.Jobs()
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, job := range jobs {
		var changed []string
		j, err := e.update(job.ID, func(j *persist.Job) error {
			changed = changed[:0]
			for i := range j.Targets {
				if change(&j.Targets[i]) {
					changed = append(changed, j.Targets[i].Account)
				}
			}
			if len(changed) == 0 {
				return errUnchanged
			}
			return nil
		})
		switch {
		case errors.Is(err, errUnchanged):
			continue
		case err != nil:
			errs = append(errs, err)
			continue
		}
		n += len(changed)
		if cause != nil {
			for _, acct := range changed {
				e.stop(j.ID, acct, cause)
			}
		}
		e.emit(Event{Job: j})
	}
	e.poke()
	return n, errors.Join(errs...)
}

// Remove forgets a job that is not running (clearing finished rows).
func (e *Engine) Remove(id string) error {
	e.mu.Lock() // held while deleting, so the scheduler cannot start it meanwhile
	defer e.mu.Unlock()
	for key := range e.running {
		if key.job == id {
			return errors.New("pause or cancel the upload before removing it")
		}
	}
	return e.store.DeleteJob(id)
}

// SignedIn requeues the targets that waited for a session: of the named
// accounts, or of every account when none is named.
func (e *Engine) SignedIn(accounts ...string) {
	e.mu.Lock()
	if len(accounts) == 0 {
		clear(e.drivers) // a new session somewhere: fresh drivers for all
	}
	for _, a := range accounts {
		delete(e.drivers, a) // a new session: a fresh client
	}
	e.mu.Unlock()
	jobs, err := e.store.Jobs()
	if err != nil {
		return
	}
	for _, j := range jobs {
		for _, t := range j.Targets {
			if t.State == StateWaiting && dest.Reason(t.Reason) == dest.ReasonSignedOut &&
				(len(accounts) == 0 || contains(accounts, t.Account)) {
				e.ResumeTarget(j.ID, t.Account)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Edit changes a job's metadata and poster. Targets that have not sent
// their metadata yet simply use the new values; a running target sends
// them with its last metadata step; published targets get them at once
// (GJW: update-content). A new poster is uploaded by whichever comes next;
// a target that failed because its platform refused the poster goes on.
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
		if !j.Meta.Equal(meta) || (thumbnail != "" && thumbnail != j.ThumbnailPath) {
			j.EditRev++
		}
		j.Meta = meta
		if thumbnail != "" {
			j.ThumbnailPath = thumbnail
		}
		for i := range j.Targets {
			t := &j.Targets[i]
			if t.State == StateWaiting && dest.Reason(t.Reason) == dest.ReasonNeedPoster && j.ThumbnailPath != "" {
				t.State, t.Reason, t.Error = StateQueued, "", ""
			}
			if t.State == StateFailed && dest.Reason(t.Reason) == dest.ReasonPosterRefused && thumbnail != "" {
				t.State, t.Reason, t.Error = StateQueued, "", "" // another poster chosen: try it
			}
		}
		return nil
	})
	if err != nil {
		return j, err
	}
	e.emit(Event{Job: j})
	e.poke()
	var errs []error
	for _, t := range j.Targets {
		if t.State == StateDone && t.SentRev < j.EditRev {
			if j, err = e.pushMeta(ctx, id, t.Account); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return j, errors.Join(errs...)
}

// pushMeta sends a published target's edited metadata.
func (e *Engine) pushMeta(ctx context.Context, id, account string) (persist.Job, error) {
	j, ok, err := e.store.Job(id)
	if err != nil || !ok {
		return j, err
	}
	t := j.Target(account)
	d, err := e.Driver(account)
	if err == nil {
		p := e.newProgress(id, account, d)
		ed, _ := p.Latest()
		if err = d.Update(ctx, t.Checkpoint, ed, p); err == nil {
			p.Published(ed.Rev)
		}
	}
	if err != nil {
		return j, fmt.Errorf("saving the changes to %q on %s: %w", j.Meta.Title, account, err)
	}
	j, _, err = e.store.Job(id)
	e.emit(Event{Job: j, Target: account})
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
		if NotStarted(j) {
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
			waiting[i].Rev++
			if err := e.store.PutJob(waiting[i]); err != nil {
				return err
			}
			e.emit(Event{Job: waiting[i]})
		}
	}
	return nil
}

// NotStarted reports whether no target of j has run yet.
func NotStarted(j persist.Job) bool {
	for _, t := range j.Targets {
		if t.State != StateQueued || t.Step != "" {
			return false
		}
	}
	return len(j.Targets) > 0
}

// SetTargets changes where a job goes: accounts not yet among its targets
// are added (queued), and targets left out are dropped, as long as they
// have not started; one that has must be canceled instead.
func (e *Engine) SetTargets(id string, accounts []string) (persist.Job, error) {
	if len(accounts) == 0 {
		return persist.Job{}, errors.New("choose at least one destination")
	}
	drivers := map[string]dest.Driver{}
	for _, acct := range accounts {
		d, err := e.Driver(acct)
		if err != nil {
			return persist.Job{}, err
		}
		drivers[acct] = d
	}
	j, err := e.update(id, func(j *persist.Job) error {
		src := dest.Source{Path: j.VideoPath, Size: j.Size, ModTime: j.ModTime, Poster: j.ThumbnailPath}
		var kept []persist.Target
		for _, t := range j.Targets {
			if contains(accounts, t.Account) {
				kept = append(kept, t)
				continue
			}
			if _, running := e.running[targetKey{j.ID, t.Account}]; running || t.Step != "" || t.State == StateDone {
				return fmt.Errorf("the upload to %s has started: cancel it there instead", t.Account)
			}
		}
		for _, acct := range accounts {
			if j.Target(acct) != nil { // kept above
				continue
			}
			if err := drivers[acct].Check(src, j.Meta); err != nil {
				return fmt.Errorf("%s: %w", acct, err)
			}
			kept = append(kept, persist.Target{Account: acct, Platform: drivers[acct].Platform(), State: StateQueued})
		}
		j.Targets = kept
		return nil
	})
	if err != nil {
		return j, err
	}
	e.emit(Event{Job: j})
	e.poke()
	return j, nil
}
