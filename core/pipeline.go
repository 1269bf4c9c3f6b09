package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/tusupload"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// run executes a job's remaining steps, saving each result before the next
// step starts, and records how it ended.
func (e *Engine) run(ctx context.Context, id string) error {
	j, err := e.update(id, func(j *persist.Job) error {
		if !Unfinished(*j) {
			return fmt.Errorf("%q is already %s", j.Meta.Title, j.State)
		}
		j.State, j.Error = StateRunning, ""
		return nil
	})
	if err != nil {
		return err
	}
	e.emit(Event{Job: j})
	for err == nil && j.Step != StepDone {
		step := j.Step
		if err = e.runStep(ctx, &j); err != nil {
			err = &StepError{Step: step, Err: err}
			break
		}
		next := steps[stepIndex(step)+1]
		j, err = e.update(id, func(s *persist.Job) error {
			*s = mergeStepResult(*s, j, step)
			s.Step = next
			if next == StepDone {
				s.State, s.FinishedAt = StateDone, time.Now()
			}
			return nil
		})
		if err == nil {
			e.emit(Event{Job: j})
		}
	}
	if err == nil && j.MetaDirty {
		_, err = e.pushMeta(ctx, id)
		return err
	}
	if err == nil {
		return nil
	}
	return e.finish(ctx, id, err)
}

// mergeStepResult copies what step produced from the worker's copy w into
// the stored job s, leaving fields the creator may have edited meanwhile.
func mergeStepResult(s, w persist.Job, step Step) persist.Job {
	switch step {
	case StepContent:
		s.ContentID = w.ContentID
	case StepUploadID:
		s.UploadID = w.UploadID
	case StepUpload:
		s.Offset, s.VideoID = w.Offset, w.VideoID
	case StepProcessing:
		s.HLSURL, s.ProcessingPercent = w.HLSURL, 100
	case StepFinalize:
		if sameEdit(s, w) { // an edit made while finalizing still needs sending
			s.MetaDirty = false
		}
	}
	return s
}

// finish records why a job stopped and returns the error for callers.
func (e *Engine) finish(ctx context.Context, id string, err error) error {
	cause := context.Cause(ctx)
	ev := Event{Err: err}
	j, uerr := e.update(id, func(j *persist.Job) error {
		switch {
		case errors.Is(cause, errPaused):
			if j.State != StateQueued { // else Resume came while this run stopped
				j.State = StatePaused
			}
		case errors.Is(cause, errCanceled):
			j.State = StateCanceled
		case ctx.Err() != nil: // the app or command is shutting down: resume next time
			j.State = StateQueued
		case errors.Is(err, gjw.ErrSignedOut):
			j.State, j.Error = StateWaiting, err.Error()
			ev.SignedOut = true
		case errors.Is(err, ErrNeedPoster):
			j.State, j.Error = StateWaiting, ErrNeedPoster.Error()
		default:
			j.State, j.Error = StateFailed, err.Error()
		}
		return nil
	})
	if uerr != nil {
		return errors.Join(err, uerr)
	}
	if j.State != StateFailed && j.State != StateWaiting {
		ev.Err = nil
		err = cause
	}
	ev.Job = j
	e.emit(ev)
	return err
}

// runStep performs one step on the worker's copy of the job.
func (e *Engine) runStep(ctx context.Context, j *persist.Job) error {
	switch j.Step {
	case StepToken:
		_, err := e.client.UploadToken(ctx)
		return err
	case StepThumbnail:
		return e.posters(ctx, j)
	case StepContent:
		if err := e.posters(ctx, j); err != nil { // a new poster was chosen
			return err
		}
		id, err := e.client.AddContent(ctx, videoContent(*j))
		j.ContentID = id
		return err
	case StepUploadID:
		if j.UploadID == "" {
			// Saved before registering, so a retry registers the same id.
			uploadID := gjw.NewUploadID()
			saved, err := e.update(j.ID, func(s *persist.Job) error { s.UploadID = uploadID; return nil })
			if err != nil {
				return err
			}
			*j = saved
		}
		return e.client.RegisterUploadID(ctx, j.ContentID, j.UploadID)
	case StepUpload:
		return e.upload(ctx, j)
	case StepProcessing:
		return e.poll(ctx, j)
	case StepFinalize:
		// Sends the job's current metadata and poster, so edits made during
		// the upload are published too.
		latest, _, err := e.store.Job(j.ID)
		if err != nil {
			return err
		}
		if err := e.posters(ctx, &latest); err != nil {
			return err
		}
		if err := e.client.UpdateContent(ctx, latest.ContentID, videoContent(latest)); err != nil {
			return err
		}
		j.Meta, j.ThumbnailPath = latest.Meta, latest.ThumbnailPath
		return nil
	}
	return fmt.Errorf("unknown step %q", j.Step)
}

// posters gives j poster URLs for its thumbnail, uploading it when it has
// none (a new job, or a poster changed by Edit), and saves them unless the
// thumbnail changed again meanwhile.
func (e *Engine) posters(ctx context.Context, j *persist.Job) error {
	if j.PosterURL != "" && j.PosterHDURL != "" {
		return nil
	}
	if j.ThumbnailPath == "" {
		return ErrNeedPoster
	}
	urls, err := e.uploadImage(ctx, j.ThumbnailPath)
	if err != nil {
		return err
	}
	if j.PosterURL, j.PosterHDURL, err = gjw.PickPosters(urls); err != nil {
		return err
	}
	_, err = e.update(j.ID, func(s *persist.Job) error {
		if s.ThumbnailPath == j.ThumbnailPath {
			s.PosterURL, s.PosterHDURL = j.PosterURL, j.PosterHDURL
		}
		return nil
	})
	return err
}

// sameEdit reports whether stored job s has the metadata and poster that
// worker copy w sent, so no later edit is waiting to be sent.
func sameEdit(s, w persist.Job) bool {
	return s.Meta == w.Meta && s.ThumbnailPath == w.ThumbnailPath
}

// uploadImage uploads an image once: the SHA-256 of its bytes keys the CDN
// URLs already obtained.
func (e *Engine) uploadImage(ctx context.Context, path string) ([]string, error) {
	return UploadImageOnce(ctx, e.client, e.store, path)
}

// ImageStore remembers uploaded images by content hash.
type ImageStore interface {
	PutImage(persist.Image) error
	Image(sha256 string) (persist.Image, bool, error)
}

// UploadImageOnce uploads the image at path unless the same bytes were
// uploaded before to the same image host, and returns its CDN URLs.
func UploadImageOnce(ctx context.Context, c *gjw.Client, store ImageStore, path string) ([]string, error) {
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, fmt.Errorf("image %q cannot be read: check the path", path)
	}
	unlock := imageLocks.lock(sum)
	defer unlock()
	if img, ok, err := store.Image(sum); err == nil && ok && img.Host == c.Hosts.Image && len(img.URLs) > 0 {
		return img.URLs, nil
	}
	urls, err := c.UploadImage(ctx, path)
	if err != nil {
		return nil, err
	}
	return urls, store.PutImage(persist.Image{SHA256: sum, Host: c.Hosts.Image, URLs: urls})
}

// imageLocks serialises uploads of the same bytes, so two uploads sharing a
// poster (or an article's picture dropped twice) send it once.
var imageLocks keyedMutex

// keyedMutex is a set of mutexes by key, each dropped when unused.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyedLock
}

type keyedLock struct {
	sync.Mutex
	users int
}

// lock locks key and returns its unlock.
func (k *keyedMutex) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyedLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyedLock{}
		k.locks[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// upload sends the video with TUS, persisting the offset after every
// acknowledged chunk, then asks the upload for its video id.
func (e *Engine) upload(ctx context.Context, j *persist.Job) error {
	f, err := os.Open(j.VideoPath)
	if err != nil {
		return fmt.Errorf("video %q cannot be opened: put it back or cancel this upload", j.VideoPath)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != j.Size || !fi.ModTime().Equal(j.ModTime) {
		return fmt.Errorf("video %q changed since it was queued: cancel and add it again", j.VideoPath)
	}
	channel, err := e.client.ChannelID()
	if err != nil {
		return err
	}
	progress := &uploadProgress{e: e, size: j.Size}
	progress.report(*j, time.Now())
	defer progress.tick(j.ID)()
	up := &tusupload.Upload{
		Endpoint:    e.opts.Hosts.VOD + "/api/v1/tus/upload",
		File:        f,
		Size:        j.Size,
		Metadata:    tusMetadata(*j, channel),
		Fingerprint: j.ID,
		Store:       e.store.TusStore(),
		ChunkSize:   e.opts.ChunkSize,
		HTTP:        e.client.HTTP,
		Delays:      e.opts.RetryDelays,
		Token: func(ctx context.Context, stale string) (string, error) {
			if stale != "" {
				e.client.ForgetUploadToken(stale)
			}
			return e.client.UploadToken(ctx)
		},
		Sent: &progress.sent,
		OnChunk: func(offset int64) error {
			progress.retryIn.Store(0)
			saved, err := e.update(j.ID, func(s *persist.Job) error { s.Offset = offset; return nil })
			if err == nil {
				progress.report(saved, time.Now())
			}
			return err
		},
		OnRetry: func(wait time.Duration, err error) { progress.retryIn.Store(int64(wait)) },
	}
	url, err := up.Run(ctx)
	if err != nil {
		return err
	}
	j.Offset = j.Size
	j.VideoID, err = e.client.VideoID(ctx, url)
	return err
}

// poll waits for transcoding: done when the status has a URL, failed when
// the platform says error/failed, given up after PollAttempts polls.
func (e *Engine) poll(ctx context.Context, j *persist.Job) error {
	for attempt := 1; ; attempt++ {
		st, err := e.client.VideoStatus(ctx, j.VideoID)
		if err != nil {
			return err
		}
		if st.Done() {
			j.HLSURL = st.URL
			return nil
		}
		if st.Failed() {
			msg := st.Error
			if msg == "" {
				msg = st.State
			}
			return fmt.Errorf("the platform could not process the video: %s", msg)
		}
		if st.Progress != j.ProcessingPercent {
			saved, err := e.update(j.ID, func(s *persist.Job) error { s.ProcessingPercent = st.Progress; return nil })
			if err != nil {
				return err
			}
			j.ProcessingPercent = st.Progress
			e.emit(Event{Job: saved})
		}
		if attempt >= e.opts.PollAttempts {
			return fmt.Errorf("still processing after %d checks; the upload is safe: retry later to check again", attempt)
		}
		if err := gjw.Sleep(ctx, e.opts.PollInterval); err != nil {
			return err
		}
	}
}

// progressTick is how often upload progress is reported.
const progressTick = 250 * time.Millisecond

// uploadProgress reports a job's upload a few times a second and after
// every acknowledged chunk, with a smoothed speed and ETA.
type uploadProgress struct {
	e       *Engine
	size    int64
	sent    atomic.Int64
	retryIn atomic.Int64 // nanoseconds; > 0 while waiting to retry

	mu    sync.Mutex
	meter *speedMeter
	speed float64
}

// report emits one progress event for job j.
func (p *uploadProgress) report(j persist.Job, now time.Time) {
	n := p.sent.Load()
	p.mu.Lock()
	if p.meter == nil {
		p.meter = newSpeedMeter(n, now)
	} else if now.Sub(p.meter.at) >= progressTick/2 {
		p.speed = p.meter.add(n, now)
	}
	speed := p.speed
	p.mu.Unlock()
	ev := Event{Job: j, Sent: n, Speed: speed, RetryIn: time.Duration(p.retryIn.Load())}
	if speed > 0 {
		ev.ETA = time.Duration(float64(p.size-n) / speed * float64(time.Second))
	}
	p.e.emit(ev)
}

// tick reports until the returned stop is called.
func (p *uploadProgress) tick(id string) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(progressTick)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				if j, ok, err := p.e.store.Job(id); err == nil && ok {
					p.report(j, now)
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

// speedMeter smooths bytes/second with an exponential moving average, so
// the ETA does not jump with every chunk boundary.
type speedMeter struct {
	last  int64
	at    time.Time
	speed float64
}

func newSpeedMeter(n int64, now time.Time) *speedMeter { return &speedMeter{last: n, at: now} }

func (m *speedMeter) add(n int64, now time.Time) float64 {
	dt := now.Sub(m.at).Seconds()
	if dt <= 0 {
		return m.speed
	}
	delta := n - m.last
	if delta < 0 { // a retry rewound to the server's offset
		delta = 0
	}
	inst := float64(delta) / dt
	if m.speed == 0 {
		m.speed = inst
	} else {
		m.speed = 0.3*inst + 0.7*m.speed
	}
	m.last, m.at = n, now
	return m.speed
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
