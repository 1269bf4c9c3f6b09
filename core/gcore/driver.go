package gcore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	tus "github.com/eventials/go-tus"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/core/tusupload"
)

// Platform is this driver's registry name.
const Platform = "gcore"

// The driver's steps; stored in targets and checkpoints, so their ids
// never change.
const (
	StepCreate     = "create"     // POST /streaming/videos
	StepParams     = "params"     // GET /streaming/videos/{id}/upload
	StepUpload     = "upload"     // TUS
	StepProcessing = "processing" // poll until ready
	StepFinalize   = "finalize"   // send edits made meanwhile
	StepDone       = "done"
)

var steps = []dest.Step{
	{ID: StepCreate, Title: "creating video", N: 1, Of: 5},
	{ID: StepParams, Title: "getting upload parameters", N: 2, Of: 5},
	{ID: StepUpload, Title: "uploading video", N: 3, Of: 5, Transfer: true},
	{ID: StepProcessing, Title: "processing", N: 4, Of: 5, Processing: true},
	{ID: StepFinalize, Title: "publishing", N: 5, Of: 5},
}

// Steps are the Gcore driver's steps, in order.
func Steps() []dest.Step { return steps }

// DefaultTokenTTL is the TUS token's documented lifetime (4 h). A token
// older than this minus a margin is not used for a creation: new upload
// parameters are fetched first.
const DefaultTokenTTL = 4 * time.Hour

// DriverOptions tune the driver; zero values take the defaults.
type DriverOptions struct {
	// ChunkSize, if > 0, fixes the chunk size (GJW_CHUNK_SIZE); 0 sizes
	// chunks to the link (LinkChunk).
	ChunkSize    int64
	PollInterval time.Duration // default 5 s (Gcore's rate limit is a few requests per second)
	PollAttempts int           // default 360 (30 min at 5 s)
	TokenTTL     time.Duration // default DefaultTokenTTL
}

// Driver publishes videos to one Gcore account.
type Driver struct {
	client *Client
	opts   DriverOptions
}

// NewDriver returns the driver of the account client calls for.
func NewDriver(client *Client, opts DriverOptions) *Driver {
	if opts.PollInterval <= 0 {
		opts.PollInterval = 5 * time.Second
	}
	if opts.PollAttempts <= 0 {
		opts.PollAttempts = 360
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	return &Driver{client: client, opts: opts}
}

func (d *Driver) Platform() string                   { return Platform }
func (d *Driver) Steps() []dest.Step                 { return steps }
func (d *Driver) Check(dest.Source, dest.Meta) error { return nil }

// Checkpoint is the resume state, saved before each next call: the video
// id right after the create, the chosen upload server and client id before
// the TUS creation, the TUS upload URL right after it. The TUS token is not
// saved: it only opens an upload and expires in hours.
type Checkpoint struct {
	Next      string `json:"next,omitempty"`
	VideoID   int64  `json:"video_id,omitempty"`
	ClientID  int64  `json:"client_id,omitempty"`
	Hostname  string `json:"hostname,omitempty"`
	Endpoint  string `json:"endpoint,omitempty"` // the TUS creation URL on Hostname
	TusURL    string `json:"tus_url,omitempty"`
	Rev       int    `json:"rev,omitempty"`        // the edition the video entity holds
	PosterFor string `json:"poster_for,omitempty"` // the poster image sent (path)
	HLSURL    string `json:"hls_url,omitempty"`
	IframeURL string `json:"iframe_url,omitempty"`
}

// ReadCheckpoint decodes a saved checkpoint (nil: a new target).
func ReadCheckpoint(state json.RawMessage) (Checkpoint, error) {
	var cp Checkpoint
	if len(state) > 0 {
		if err := json.Unmarshal(state, &cp); err != nil {
			return cp, fmt.Errorf("the saved progress of this upload cannot be read: %w", err)
		}
	}
	if cp.Next == "" {
		cp.Next = StepCreate
	}
	return cp, nil
}

// run is one Publish call's memory: the TUS token and when it came.
type run struct {
	cp      *Checkpoint
	token   string
	tokenAt time.Time
}

// Publish runs the target's remaining steps, checkpointing after each.
func (d *Driver) Publish(ctx context.Context, state json.RawMessage, p dest.Progress) (dest.Result, error) {
	cp, err := ReadCheckpoint(state)
	if err != nil {
		return dest.Result{}, err
	}
	r := &run{cp: &cp}
	for i := stepIndex(cp.Next); i >= 0 && i < len(steps); i++ {
		st := steps[i]
		p.Step(st.ID)
		if err := d.runStep(ctx, st.ID, r, p); err != nil {
			return dest.Result{}, &dest.StepError{Step: st, Err: classify(err)}
		}
		cp.Next = StepDone
		if i+1 < len(steps) {
			cp.Next = steps[i+1].ID
		}
		if err := p.Checkpoint(cp); err != nil {
			return dest.Result{}, err
		}
	}
	return result(cp), nil
}

func result(cp Checkpoint) dest.Result {
	url := cp.IframeURL
	if url == "" {
		url = cp.HLSURL
	}
	return dest.Result{ID: strconv.FormatInt(cp.VideoID, 10), URL: url,
		Ext: map[string]string{"hls_url": cp.HLSURL, "iframe_url": cp.IframeURL}}
}

func stepIndex(id string) int {
	if id == StepDone {
		return len(steps)
	}
	for i, st := range steps {
		if st.ID == id {
			return i
		}
	}
	return -1
}

// classify gives an error its reason code.
func classify(err error) error {
	switch {
	case errors.Is(err, ErrKeyRefused), errors.Is(err, ErrNoKey):
		return dest.Stop(dest.ReasonSignedOut, err)
	case errors.As(err, new(*httpx.AmbiguousError)):
		return dest.Stop(dest.ReasonAmbiguousCreate, err)
	case errors.As(err, new(*httpx.Error)) && httpx.Retryable(err):
		return dest.Stop(dest.ReasonGaveUp, err)
	}
	return err
}

func (d *Driver) runStep(ctx context.Context, step string, r *run, p dest.Progress) error {
	cp := r.cp
	switch step {
	case StepCreate:
		ed, err := p.Latest()
		if err != nil {
			return err
		}
		f, posterFor, err := fields(ed, "")
		if err != nil {
			return err
		}
		v, err := d.client.CreateVideo(ctx, f)
		if err != nil {
			return err
		}
		cp.VideoID, cp.ClientID, cp.Rev, cp.PosterFor = v.ID, v.ClientID, ed.Rev, posterFor
		return nil
	case StepParams:
		if cp.TusURL != "" {
			return nil // the upload exists: its token is needed no more
		}
		return d.params(ctx, r)
	case StepUpload:
		return d.upload(ctx, r, p)
	case StepProcessing:
		return d.poll(ctx, cp, p)
	case StepFinalize:
		ed, err := p.Latest()
		if err != nil {
			return err
		}
		if ed.Rev != cp.Rev {
			f, posterFor, err := fields(ed, cp.PosterFor)
			if err != nil {
				return err
			}
			if err := d.client.UpdateVideo(ctx, cp.VideoID, f); err != nil {
				return err
			}
			cp.Rev, cp.PosterFor = ed.Rev, posterFor
		}
		p.Published(ed.Rev)
		return nil
	}
	return fmt.Errorf("unknown step %q", step)
}

// params fetches the upload parameters: the token (kept in memory), the
// client id, and an upload server, which stays the same once chosen (the
// TUS upload URL lives on it).
func (d *Driver) params(ctx context.Context, r *run) error {
	prm, err := d.client.UploadParams(ctx, r.cp.VideoID)
	if err != nil {
		return err
	}
	r.token, r.tokenAt = prm.Token, time.Now()
	if prm.Video.ClientID != 0 {
		r.cp.ClientID = prm.Video.ClientID
	}
	if r.cp.ClientID == 0 {
		return errors.New("get upload parameters: the answer has no video.client_id")
	}
	if r.cp.Hostname != "" {
		for _, s := range prm.Servers {
			if s.Hostname == r.cp.Hostname {
				return nil
			}
		}
	}
	for _, s := range prm.Servers {
		if s.Hostname != "" && (s.Active == nil || *s.Active) && (s.Role == "" || s.Role == "upload") {
			r.cp.Hostname, r.cp.Endpoint = s.Hostname, s.Endpoint()
			return nil
		}
	}
	return errors.New("get upload parameters: no active upload server in the answer")
}

// tokenFresh reports whether the run's token can still open an upload
// (fetched less than TokenTTL minus 5 %, at most 10 min, ago).
func (d *Driver) tokenFresh(r *run) bool {
	margin := min(d.opts.TokenTTL/20, 10*time.Minute)
	return r.token != "" && time.Since(r.tokenAt) < d.opts.TokenTTL-margin
}

// tokenRefused is the guide's 500 answers to a creation with a bad token:
// they mean "fetch new parameters", never a blind retry.
func tokenRefused(status int, body string) bool {
	return status == 500 && strings.Contains(body, "token") &&
		(strings.Contains(body, "invalid") || strings.Contains(body, "does not match"))
}

// upload sends the video with TUS through core/tusupload. The token goes
// in the creation's metadata only; a stale or refused one makes the
// creation fetch new parameters once. After the creation no token is used.
func (d *Driver) upload(ctx context.Context, r *run, p dest.Progress) error {
	cp := r.cp
	ed, err := p.Latest()
	if err != nil {
		return err
	}
	src := ed.Source
	f, err := os.Open(src.Path)
	if err != nil {
		return dest.Stop(dest.ReasonFileChanged, fmt.Errorf("video %q cannot be opened: put it back or cancel this upload", src.Path))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != src.Size || !fi.ModTime().Equal(src.ModTime) {
		return dest.Stop(dest.ReasonFileChanged, fmt.Errorf("video %q changed since it was queued: cancel and add it again", src.Path))
	}
	if cp.Endpoint == "" { // resumed from a checkpoint without a server
		if err := d.params(ctx, r); err != nil {
			return err
		}
		if err := p.Checkpoint(*cp); err != nil {
			return err
		}
	}
	meta := tus.Metadata{
		"filename":  filepath.Base(src.Path),
		"filetype":  dest.VideoMIME(src.Path),
		"video_id":  strconv.FormatInt(cp.VideoID, 10),
		"client_id": strconv.FormatInt(cp.ClientID, 10),
	}
	store := &checkpointStore{cp: cp, save: func() error { return p.Checkpoint(*cp) }}
	up := &tusupload.Upload{
		Endpoint:    cp.Endpoint,
		File:        f,
		Size:        src.Size,
		Metadata:    meta,
		Fingerprint: "upload",
		Store:       store,
		ChunkSize:   d.opts.ChunkSize,
		HTTP:        d.client.HTTP,
		Delays:      d.client.RetryDelays,
		TokenKey:    "token",
		Refused:     tokenRefused,
		Token: func(ctx context.Context, stale string) (string, error) {
			if stale == "" && d.tokenFresh(r) {
				return r.token, nil
			}
			// Before the creation only: the token expired or was refused.
			host := cp.Hostname
			if err := d.params(ctx, r); err != nil {
				return "", err
			}
			if cp.Hostname != host {
				return "", fmt.Errorf("get upload parameters: upload server %s is no longer listed", host)
			}
			meta["client_id"] = strconv.FormatInt(cp.ClientID, 10)
			return r.token, nil
		},
		OnChunk: func(offset int64) error {
			if store.err != nil {
				return store.err
			}
			p.Sent(offset)
			return nil
		},
		OnRetry: func(wait time.Duration, err error) { p.Retrying("upload chunk", wait, err) },
	}
	if d.opts.ChunkSize <= 0 {
		up.ChunkSize, up.NextChunk = MinChunk, LinkChunk
	}
	if _, err := up.Run(ctx); err != nil {
		if errors.Is(err, httpx.ErrUnauthorized) {
			return fmt.Errorf("the upload server refused new upload parameters too: %w", err)
		}
		return err
	}
	if store.err != nil {
		return store.err
	}
	p.Sent(src.Size)
	return nil
}

// Chunk sizing: Gcore documents no maximum, and each PATCH costs a round
// trip, so chunks are sized to about ChunkTime of transfer at the rate the
// last chunk went, between MinChunk and MaxChunk (the first is MinChunk).
const (
	MinChunk  = 10 << 20
	MaxChunk  = 256 << 20
	ChunkTime = 5 * time.Second
)

// LinkChunk is the next chunk's size after one of sent bytes took took.
func LinkChunk(sent int64, took time.Duration) int64 {
	if took <= 0 || sent <= 0 {
		return MaxChunk
	}
	n := int64(float64(sent) / took.Seconds() * ChunkTime.Seconds())
	return max(MinChunk, min(MaxChunk, n))
}

// checkpointStore is go-tus's Store over the Checkpoint's TUS URL; a
// failed save ends the upload at the next acknowledged chunk.
type checkpointStore struct {
	cp   *Checkpoint
	save func() error
	err  error
}

var _ tus.Store = (*checkpointStore)(nil)

func (s *checkpointStore) Get(string) (string, bool) { return s.cp.TusURL, s.cp.TusURL != "" }
func (s *checkpointStore) Set(_ string, url string) {
	s.cp.TusURL = url
	if err := s.save(); err != nil {
		s.err = fmt.Errorf("saving the upload's address: %w", err)
	}
}
func (s *checkpointStore) Delete(string) {
	s.cp.TusURL = ""
	if err := s.save(); err != nil {
		s.err = fmt.Errorf("saving the upload's address: %w", err)
	}
}
func (s *checkpointStore) Close() {}

// poll waits for ready, reporting pending/viewable progress (the mean of
// converted_videos). "error", or "empty" with an error text, is a
// processing failure in the platform's words.
func (d *Driver) poll(ctx context.Context, cp *Checkpoint, p dest.Progress) error {
	last := -1
	for attempt := 1; ; attempt++ {
		v, err := d.client.Video(ctx, cp.VideoID)
		if err != nil {
			return err
		}
		switch {
		case v.Status == "ready":
			cp.HLSURL, cp.IframeURL = v.HLSURL, v.IframeURL
			p.Processing(100)
			return nil
		case v.Status == "error" || (v.Status == "empty" && v.Error != ""):
			msg := v.Error
			if msg == "" {
				msg = "status error"
			}
			return dest.Stop(dest.ReasonProcessingFailed, fmt.Errorf("Gcore could not process the video: %s", msg))
		}
		if pct := progress(v); pct != last {
			last = pct
			p.Processing(pct)
		}
		if attempt >= d.opts.PollAttempts {
			return dest.Stop(dest.ReasonGaveUp, fmt.Errorf("still %s after %d checks; the upload is safe: retry later to check again", v.Status, attempt))
		}
		if err := httpx.Sleep(ctx, d.opts.PollInterval); err != nil {
			return err
		}
	}
}

// progress is the processing percent: the mean of the qualities' progress
// (at most 99 until ready).
func progress(v Video) int {
	if len(v.ConvertedVideos) == 0 {
		return 0
	}
	sum := 0
	for _, c := range v.ConvertedVideos {
		sum += max(0, min(100, c.Progress))
	}
	return min(99, sum/len(v.ConvertedVideos))
}

// Update sends an edited title and description to a published video.
func (d *Driver) Update(ctx context.Context, state json.RawMessage, ed dest.Edition, p dest.Progress) error {
	cp, err := ReadCheckpoint(state)
	if err != nil {
		return err
	}
	if cp.VideoID == 0 {
		return errors.New("this upload has no Gcore video yet")
	}
	f, _, err := fields(ed, cp.PosterFor)
	if err != nil {
		return err
	}
	return classify(d.client.UpdateVideo(ctx, cp.VideoID, f))
}

// fields are ed's title, description and, when it is another image than
// sent (the path sent), its poster; posterFor is the poster the video will
// hold. A poster Gcore cannot take (GIF, over 1 MB) is not sent: Gcore
// shows a screenshot of its own; so does a poster that cannot be read.
func fields(ed dest.Edition, sent string) (f Fields, posterFor string, err error) {
	f = Fields{Name: ed.Meta.Title, Description: ed.Meta.Description}
	poster := ed.Source.Poster
	if poster == "" || poster == sent {
		return f, sent, nil
	}
	data, ok, err := PosterData(poster)
	if err != nil || !ok { // optional on Gcore: a poster gone missing is not sent
		return f, sent, nil
	}
	f.Poster = data
	return f, poster, nil
}

var _ dest.Driver = (*Driver)(nil)
