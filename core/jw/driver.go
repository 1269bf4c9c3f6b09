package jw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"golang.org/x/sync/errgroup"
)

// Platform is this driver's registry name.
const Platform = "jw"

// The driver's steps; stored in targets and checkpoints, so their ids
// never change.
const (
	StepCreate     = "create"     // POST /v2/sites/{site}/media/ (multipart)
	StepUpload     = "upload"     // list parts, PUT each to its link
	StepComplete   = "complete"   // PUT /v2/uploads/{id}/complete
	StepProcessing = "processing" // poll the media until ready
	StepFinalize   = "finalize"   // send edits made meanwhile
	StepDone       = "done"
)

var steps = []dest.Step{
	{ID: StepCreate, Title: "creating media", N: 1, Of: 5},
	{ID: StepUpload, Title: "uploading video", N: 2, Of: 5, Transfer: true},
	{ID: StepComplete, Title: "completing upload", N: 3, Of: 5},
	{ID: StepProcessing, Title: "processing", N: 4, Of: 5, Processing: true},
	{ID: StepFinalize, Title: "publishing", N: 5, Of: 5},
}

// Steps are the JW driver's steps, in order.
func Steps() []dest.Step { return steps }

// Part sizing: parts are one fixed size, at least MinPart (except the
// last), and a file has at most MaxParts of them.
const (
	MinPart  = 5 << 20
	MaxParts = 10000
)

// PartSize is the part size for a file of size bytes: chunk when set
// (GJW_CHUNK_SIZE) unless it would need more than MaxParts parts, else
// MinPart, grown in whole MiB until the file fits in MaxParts parts.
func PartSize(size, chunk int64) int64 {
	if chunk > 0 && (size+chunk-1)/chunk <= MaxParts {
		return chunk
	}
	ps := int64(MinPart)
	if need := (size + MaxParts - 1) / MaxParts; need > ps {
		ps = (need + 1<<20 - 1) / (1 << 20) * (1 << 20)
	}
	return ps
}

// DefaultInFlight is how many parts an upload sends at once, so at most
// this many are sent again after a kill. On an emulated 200 Mbit/s, 40 ms
// link, 5 MiB parts reach 81 % of it one at a time, 88 % two at a time and
// 91 % three at a time (BenchmarkLinkInFlight, docs/jwplayer.md): the
// second part gains most, each one more adds a part to what a kill re-sends.
const DefaultInFlight = 2

// DriverOptions tune the driver; zero values take the defaults.
type DriverOptions struct {
	ChunkSize int64 // the part size when > 0 (GJW_CHUNK_SIZE)
	// InFlight is how many parts are sent at once (default
	// DefaultInFlight); a kill re-sends at most this many.
	InFlight     int
	PollInterval time.Duration // default 10 s (JW's limit is 60 calls a minute)
	PollAttempts int           // default 360 (1 h at 10 s)
}

// Driver publishes videos to one JW Player account (site).
type Driver struct {
	client *Client
	opts   DriverOptions
}

// NewDriver returns the driver of the account client calls for.
func NewDriver(client *Client, opts DriverOptions) *Driver {
	if opts.PollInterval <= 0 {
		opts.PollInterval = 10 * time.Second
	}
	if opts.PollAttempts <= 0 {
		opts.PollAttempts = 360
	}
	if opts.InFlight <= 0 {
		opts.InFlight = DefaultInFlight
	}
	return &Driver{client: client, opts: opts}
}

func (d *Driver) Platform() string                   { return Platform }
func (d *Driver) Steps() []dest.Step                 { return steps }
func (d *Driver) Check(dest.Source, dest.Meta) error { return nil }

// Checkpoint is the resume state: the media id, upload id and token right
// after the create; the part size before the first listing; each finished
// part's ETag (MD5 hex, ETags[n-1] for part n) right after it is
// acknowledged.
type Checkpoint struct {
	Next        string   `json:"next,omitempty"`
	MediaID     string   `json:"media_id,omitempty"`
	UploadID    string   `json:"upload_id,omitempty"`
	UploadToken string   `json:"upload_token,omitempty"`
	PartSize    int64    `json:"part_size,omitempty"`
	ETags       []string `json:"etags,omitempty"`
	Rev         int      `json:"rev,omitempty"`
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

// PublicURL is the media's public preview page.
func PublicURL(id string) string { return "https://cdn.jwplayer.com/previews/" + id }

// Publish runs the target's remaining steps, checkpointing after each.
func (d *Driver) Publish(ctx context.Context, state json.RawMessage, p dest.Progress) (dest.Result, error) {
	cp, err := ReadCheckpoint(state)
	if err != nil {
		return dest.Result{}, err
	}
	for i := stepIndex(cp.Next); i >= 0 && i < len(steps); i++ {
		st := steps[i]
		p.Step(st.ID)
		if err := d.runStep(ctx, st.ID, &cp, p); err != nil {
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
	return dest.Result{ID: cp.MediaID, URL: PublicURL(cp.MediaID), Ext: map[string]string{"site_id": d.client.SiteID}}, nil
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
	var se *dest.StopError
	switch {
	case errors.As(err, &se):
		return err
	case errors.Is(err, ErrSecretRefused), errors.Is(err, ErrNoSecret):
		return dest.Stop(dest.ReasonSignedOut, err)
	case errors.As(err, new(*httpx.AmbiguousError)):
		return dest.Stop(dest.ReasonAmbiguousCreate, err)
	case errors.As(err, new(*httpx.Error)) && httpx.Retryable(err):
		return dest.Stop(dest.ReasonGaveUp, err)
	case errors.As(err, new(*httpx.Error)):
		return dest.Stop(dest.ReasonRefused, err)
	}
	return err
}

func (d *Driver) runStep(ctx context.Context, step string, cp *Checkpoint, p dest.Progress) error {
	switch step {
	case StepCreate:
		if cp.MediaID != "" {
			return nil // never a second media for one target
		}
		ed, err := p.Latest()
		if err != nil {
			return err
		}
		m, err := d.client.CreateMedia(ctx, metadata(ed))
		if err != nil {
			return err
		}
		cp.MediaID, cp.UploadID, cp.UploadToken, cp.Rev = m.ID, m.UploadID, m.UploadToken, ed.Rev
		return nil
	case StepUpload:
		return d.upload(ctx, cp, p)
	case StepComplete:
		err := d.client.Complete(ctx, cp.UploadID, cp.UploadToken)
		var he *httpx.Error
		if errors.As(err, &he) && he.Status == 409 {
			// Completed already (an answer lost and repeated): the
			// media's status tells the rest.
			return nil
		}
		return err
	case StepProcessing:
		return d.poll(ctx, cp, p)
	case StepFinalize:
		ed, err := p.Latest()
		if err != nil {
			return err
		}
		if ed.Rev != cp.Rev {
			if err := d.client.UpdateMedia(ctx, cp.MediaID, metadata(ed)); err != nil {
				return err
			}
			cp.Rev = ed.Rev
		}
		p.Published(ed.Rev)
		return nil
	}
	return fmt.Errorf("unknown step %q", step)
}

func metadata(ed dest.Edition) Metadata {
	return Metadata{Title: ed.Meta.Title, Description: ed.Meta.Description}
}

// upload sends every part not yet done, up to InFlight at once, each
// streamed from the file to its presigned link.
func (d *Driver) upload(ctx context.Context, cp *Checkpoint, p dest.Progress) error {
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
	if cp.PartSize == 0 {
		cp.PartSize = PartSize(src.Size, d.opts.ChunkSize)
		if err := p.Checkpoint(*cp); err != nil {
			return err
		}
	}
	n := int((src.Size + cp.PartSize - 1) / cp.PartSize)
	if n > MaxParts {
		return fmt.Errorf("the saved part size %d gives %d parts, over JW's %d", cp.PartSize, n, MaxParts)
	}
	if len(cp.ETags) < n {
		cp.ETags = append(cp.ETags, make([]string, n-len(cp.ETags))...)
	}
	partRange := func(i int) (int64, int64) { // part i+1
		off := int64(i) * cp.PartSize
		return off, min(cp.PartSize, src.Size-off)
	}

	// listMu guards links and keeps to one listing at a time; mu guards
	// cp and the Checkpoint and Sent calls, so Sent never goes back.
	var listMu, mu sync.Mutex
	links := map[int]Part{}
	list := func(ctx context.Context, from int) error { // parts from (0-based) onwards, with listMu held
		for page := from/ListPageLength + 1; (page-1)*ListPageLength < n; page++ {
			parts, err := d.client.ListParts(ctx, cp.UploadID, cp.UploadToken, page)
			if err != nil {
				return err
			}
			for _, pt := range parts {
				links[pt.ID] = pt
			}
		}
		return nil
	}
	// link is part id's upload link. None, or the one S3 refused as
	// expired, lists again from its page, unless a listing made for
	// another part meanwhile gave a new one.
	link := func(ctx context.Context, id int, expired string) (string, error) {
		listMu.Lock()
		defer listMu.Unlock()
		if l := links[id].UploadLink; l != "" && l != expired {
			return l, nil
		}
		if err := list(ctx, id-1); err != nil {
			return "", err
		}
		return links[id].UploadLink, nil
	}
	if err := list(ctx, 0); err != nil {
		return err
	}
	done := func() int64 { // with mu held
		var acked int64
		for i, e := range cp.ETags {
			if e != "" {
				_, sz := partRange(i)
				acked += sz
			}
		}
		return acked
	}
	finish := func(i int, sum string) error { // part i+1 is stored with sum
		mu.Lock()
		defer mu.Unlock()
		cp.ETags[i] = sum
		if err := p.Checkpoint(*cp); err != nil {
			return err
		}
		p.Sent(done())
		return nil
	}
	send := func(ctx context.Context, i int) error {
		id := i + 1
		off, sz := partRange(i)
		mu.Lock()
		mine := cp.ETags[i]
		mu.Unlock()
		listMu.Lock()
		held := links[id].ETag
		listMu.Unlock()
		if mine != "" && mine == held {
			return nil // done, and JW holds the same bytes
		}
		if held != "" && mine == "" {
			// Stored, but the run ended before its checkpoint: keep it
			// if JW holds this part's bytes.
			if sum, err := PartMD5(f, off, sz); err == nil && sum == held {
				return finish(i, sum)
			}
		}
		var sum, expired string
		err := d.client.policy().Do(ctx, fmt.Sprintf("upload part %d", id), true, func() error {
			l, err := link(ctx, id, expired)
			if err != nil {
				return err
			}
			sum, err = d.client.PutPart(ctx, l, f, off, sz)
			if errors.Is(err, ErrLinkExpired) {
				expired = l
				return httpx.Again(err)
			}
			return err
		})
		if err != nil {
			return err
		}
		return finish(i, sum)
	}

	mu.Lock()
	p.Sent(done())
	mu.Unlock()
	// The first failure (after its retries) cancels the other parts.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(d.opts.InFlight)
	started := 0
	for i := range n {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return send(gctx, i) })
		started++
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if started < n {
		return context.Cause(ctx) // cancelled before every part started
	}
	return nil
}

// poll waits for ready; failed, or an error_message, is a processing
// failure in the platform's words. Any other status is in progress.
func (d *Driver) poll(ctx context.Context, cp *Checkpoint, p dest.Progress) error {
	p.Processing(0)
	for attempt := 1; ; attempt++ {
		m, err := d.client.Media(ctx, cp.MediaID)
		if err != nil {
			return err
		}
		switch {
		case m.Status == "ready" && m.ErrorMessage == "":
			p.Processing(100)
			return nil
		case m.Status == "failed" || m.ErrorMessage != "":
			msg := m.ErrorMessage
			if msg == "" {
				msg = "status failed"
			}
			return dest.Stop(dest.ReasonProcessingFailed, fmt.Errorf("JW Player could not process the video: %s", msg))
		}
		if attempt >= d.opts.PollAttempts {
			return dest.Stop(dest.ReasonGaveUp, fmt.Errorf("still %s after %d checks; the upload is safe: retry later to check again", m.Status, attempt))
		}
		if err := httpx.Sleep(ctx, d.opts.PollInterval); err != nil {
			return err
		}
	}
}

// Update sends an edited title and description to a published media.
func (d *Driver) Update(ctx context.Context, state json.RawMessage, ed dest.Edition, p dest.Progress) error {
	cp, err := ReadCheckpoint(state)
	if err != nil {
		return err
	}
	if cp.MediaID == "" {
		return errors.New("this upload has no JW Player media yet")
	}
	return classify(d.client.UpdateMedia(ctx, cp.MediaID, metadata(ed)))
}

var _ dest.Driver = (*Driver)(nil)
