package gjw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	tus "github.com/eventials/go-tus"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/core/tusupload"
)

// Platform is this driver's registry name.
const Platform = "gjw"

// Gan Jing World's own metadata: a category, an extra of the video's
// metadata ("cat13" when unset, as in the guide's examples).
const (
	CategoryField   = "category"
	DefaultCategory = "cat13"
)

// Category is the video's Gan Jing World category.
func Category(m dest.Meta) string {
	if c := m.Extra(Platform, CategoryField); c != "" {
		return c
	}
	return DefaultCategory
}

// WithCategory is m with its Gan Jing World category set.
func WithCategory(m dest.Meta, category string) dest.Meta {
	return m.WithExtra(Platform, CategoryField, category)
}

// The guide's steps after sign-in (step 1), in order; they are stored in
// targets and checkpoints, so their ids never change.
const (
	StepToken      = "token"      // 2: get the upload token
	StepThumbnail  = "thumbnail"  // 3: upload the poster image
	StepContent    = "content"    // 4: create the content entry
	StepUploadID   = "upload-id"  // 5: register the upload id
	StepUpload     = "upload"     // 6: TUS upload, then the video id
	StepProcessing = "processing" // 7: poll transcoding
	StepFinalize   = "finalize"   // 8: update-content
	StepDone       = "done"
)

var steps = []dest.Step{
	{ID: StepToken, Title: "getting upload token", N: 2, Of: 8},
	{ID: StepThumbnail, Title: "uploading thumbnail", N: 3, Of: 8},
	{ID: StepContent, Title: "creating content entry", N: 4, Of: 8},
	{ID: StepUploadID, Title: "registering upload", N: 5, Of: 8},
	{ID: StepUpload, Title: "uploading video", N: 6, Of: 8, Transfer: true},
	{ID: StepProcessing, Title: "processing", N: 7, Of: 8, Processing: true},
	{ID: StepFinalize, Title: "publishing", N: 8, Of: 8},
}

func init() { dest.RegisterSteps(Platform, steps) }

// Steps are the GJW driver's steps, in order.
func Steps() []dest.Step { return steps }

// ErrNeedPoster means the video has no poster image yet.
var ErrNeedPoster = errors.New("no poster image: choose a thumbnail for this video")

// DriverOptions tune the GJW driver; zero values take the defaults.
type DriverOptions struct {
	ChunkSize    int64
	PollInterval time.Duration // default 5 s
	PollAttempts int           // default 120
	Images       ImageStore
}

// Driver publishes videos to one Gan Jing World channel (one account).
type Driver struct {
	client *Client
	opts   DriverOptions
}

// NewDriver returns the driver of the account whose session client uses.
func NewDriver(client *Client, opts DriverOptions) *Driver {
	if opts.PollInterval <= 0 {
		opts.PollInterval = 5 * time.Second
	}
	if opts.PollAttempts <= 0 {
		opts.PollAttempts = 120
	}
	return &Driver{client: client, opts: opts}
}

// Client is the driver's platform client.
func (d *Driver) Client() *Client { return d.client }

func (d *Driver) Platform() string                   { return Platform }
func (d *Driver) Steps() []dest.Step                 { return steps }
func (d *Driver) Check(dest.Source, dest.Meta) error { return nil }

// Checkpoint is the GJW driver's resume state: each step's result, saved
// before the next step starts. persist's v1 migration writes the same names.
type Checkpoint struct {
	Next        string `json:"next,omitempty"` // the next step to run
	PosterURL   string `json:"poster_url,omitempty"`
	PosterHDURL string `json:"poster_hd_url,omitempty"`
	PosterFor   string `json:"poster_for,omitempty"` // the image the poster URLs are of
	ContentID   string `json:"content_id,omitempty"`
	UploadID    string `json:"upload_id,omitempty"`
	TusURL      string `json:"tus_url,omitempty"`
	VideoID     string `json:"video_id,omitempty"`
	HLSURL      string `json:"hls_url,omitempty"`
}

func ReadCheckpoint(state json.RawMessage) (Checkpoint, error) {
	var cp Checkpoint
	if len(state) > 0 {
		if err := json.Unmarshal(state, &cp); err != nil {
			return cp, fmt.Errorf("the saved progress of this upload cannot be read: %w", err)
		}
	}
	if cp.Next == "" {
		cp.Next = StepToken
	}
	return cp, nil
}

// ContentIDOf is the content entry id in a GJW Checkpoint, if any.
func ContentIDOf(state json.RawMessage) string {
	cp, _ := ReadCheckpoint(state)
	return cp.ContentID
}

// VideoURL is the public page of a published video.
func VideoURL(contentID string) string { return site + "/video/" + contentID }

// Publish runs the target's remaining steps, checkpointing each result
// before the next step starts.
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
		if i+1 < len(steps) {
			cp.Next = steps[i+1].ID
		} else {
			cp.Next = StepDone
		}
		if err := p.Checkpoint(cp); err != nil {
			return dest.Result{}, err
		}
	}
	return result(cp), nil
}

func result(cp Checkpoint) dest.Result {
	return dest.Result{ID: cp.ContentID, URL: VideoURL(cp.ContentID),
		Ext: map[string]string{"video_id": cp.VideoID, "hls_url": cp.HLSURL}}
}

// classify gives an error its reason code.
func classify(err error) error {
	switch {
	case errors.Is(err, ErrSignedOut):
		return dest.Stop(dest.ReasonSignedOut, err)
	case errors.Is(err, ErrNeedPoster):
		return dest.Stop(dest.ReasonNeedPoster, err)
	case errors.Is(err, ErrImageRefused):
		return dest.Stop(dest.ReasonPosterRefused, err)
	case errors.As(err, new(*httpx.AmbiguousError)):
		return dest.Stop(dest.ReasonAmbiguousCreate, err)
	case errors.As(err, new(*httpx.Error)) && httpx.Retryable(err):
		return dest.Stop(dest.ReasonGaveUp, err)
	}
	return err
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

func (d *Driver) runStep(ctx context.Context, step string, cp *Checkpoint, p dest.Progress) error {
	switch step {
	case StepToken:
		_, err := d.client.UploadToken(ctx)
		return err
	case StepThumbnail:
		ed, err := p.Latest()
		if err != nil {
			return err
		}
		return d.posters(ctx, cp, ed, p, false)
	case StepContent:
		ed, err := p.Latest()
		if err != nil {
			return err
		}
		return d.withPosters(ctx, cp, ed, p, func() error { // a new poster is uploaded first
			id, err := d.client.AddContent(ctx, videoContent(ed.Meta, *cp))
			cp.ContentID = id
			return err
		})
	case StepUploadID:
		if cp.UploadID == "" {
			// Saved before registering, so a retry registers the same id.
			cp.UploadID = NewUploadID()
			if err := p.Checkpoint(*cp); err != nil {
				return err
			}
		}
		return d.client.RegisterUploadID(ctx, cp.ContentID, cp.UploadID)
	case StepUpload:
		return d.upload(ctx, cp, p)
	case StepProcessing:
		return d.poll(ctx, cp, p)
	case StepFinalize:
		// Sends the job's current metadata and poster, so edits made during
		// the upload are published too.
		ed, err := p.Latest()
		if err != nil {
			return err
		}
		if err := d.send(ctx, cp, ed, p); err != nil {
			return err
		}
		p.Published(ed.Rev)
		return nil
	}
	return fmt.Errorf("unknown step %q", step)
}

// Update sends an edited edition to a published target.
func (d *Driver) Update(ctx context.Context, state json.RawMessage, ed dest.Edition, p dest.Progress) error {
	cp, err := ReadCheckpoint(state)
	if err != nil {
		return err
	}
	return classify(d.send(ctx, &cp, ed, p))
}

// send is update-content with ed's metadata and poster.
func (d *Driver) send(ctx context.Context, cp *Checkpoint, ed dest.Edition, p dest.Progress) error {
	return d.withPosters(ctx, cp, ed, p, func() error {
		return d.client.UpdateContent(ctx, cp.ContentID, videoContent(ed.Meta, *cp))
	})
}

// withPosters runs call, a content call carrying cp's poster URLs, after
// giving cp URLs for ed's poster. When the platform refuses the call for
// what it carried (ContentRefused), the URLs may be ones it no longer
// knows (remembered from an earlier run or another upload of the same
// picture, and dropped since by the CDN): the picture is uploaded again,
// past the cache, and call runs once more with the new URLs, so a refused
// URL is never sent again.
func (d *Driver) withPosters(ctx context.Context, cp *Checkpoint, ed dest.Edition, p dest.Progress, call func() error) error {
	if err := d.posters(ctx, cp, ed, p, false); err != nil {
		return err
	}
	err := call()
	if !ContentRefused(err) || ed.Source.Poster == "" {
		return err
	}
	if err := d.posters(ctx, cp, ed, p, true); err != nil {
		return err
	}
	return call()
}

// posters gives cp poster URLs for ed's poster image, uploading it when it
// has none or they are of another image (the poster was changed), or when
// again (the platform refused them).
func (d *Driver) posters(ctx context.Context, cp *Checkpoint, ed dest.Edition, p dest.Progress, again bool) error {
	poster := ed.Source.Poster
	if !again && cp.PosterURL != "" && cp.PosterHDURL != "" && (cp.PosterFor == poster || poster == "") {
		return nil
	}
	if poster == "" {
		return ErrNeedPoster
	}
	upload := UploadImageOnce
	if again {
		upload = UploadImageAgain
	}
	urls, err := upload(ctx, d.client, d.opts.Images, poster)
	if err != nil {
		return err
	}
	small, hd, err := PickPosters(urls)
	if err != nil {
		return err
	}
	cp.PosterURL, cp.PosterHDURL, cp.PosterFor = small, hd, poster
	return p.Checkpoint(*cp)
}

// videoContent is the add-content body of step 4: type Video, no mode (so it
// publishes after transcoding), both made-for-kids booleans. Finalize sends
// the same body through update-content (see docs/decisions.md).
func videoContent(m dest.Meta, cp Checkpoint) Content {
	return Content{
		"type":               "Video",
		"lang":               m.Lang,
		"category_id":        Category(m),
		"title":              m.Title,
		"description":        m.Description,
		"visibility":         m.Visibility,
		"poster_url":         cp.PosterURL,
		"poster_hd_url":      cp.PosterHDURL,
		"made_for_kids":      m.MadeForKids,
		"user_made_for_kids": m.MadeForKids,
	}
}

// upload sends the video with TUS, the offset reported (and so persisted)
// after every acknowledged chunk, then asks the upload for its video id.
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
	channel, err := d.client.ChannelID()
	if err != nil {
		return err
	}
	store := &checkpointStore{cp: cp, save: func() error { return p.Checkpoint(*cp) }}
	up := &tusupload.Upload{
		Endpoint:    d.client.Hosts.VOD + "/api/v1/tus/upload",
		File:        f,
		Size:        src.Size,
		Metadata:    tusMetadata(ed.Meta, src.Path, cp.ContentID, channel),
		Fingerprint: "upload",
		Store:       store,
		ChunkSize:   d.opts.ChunkSize,
		HTTP:        d.client.HTTP,
		Delays:      d.client.RetryDelays,
		Token: func(ctx context.Context, stale string) (string, error) {
			if stale != "" {
				d.client.ForgetUploadToken(stale)
			}
			return d.client.UploadToken(ctx)
		},
		OnChunk: func(offset int64) error {
			if store.err != nil { // the upload URL was not saved: stop before more is sent
				return store.err
			}
			p.Sent(offset)
			return nil
		},
		OnRetry: func(wait time.Duration, err error) { p.Retrying("upload chunk", wait, err) },
	}
	url, err := up.Run(ctx)
	if err != nil {
		return err
	}
	if store.err != nil {
		return store.err
	}
	p.Sent(src.Size)
	cp.VideoID, err = d.client.VideoID(ctx, url)
	return err
}

// checkpointStore is go-tus's Store over the Checkpoint's TUS URL. go-tus's
// Store cannot return errors, so a failed save is kept in err and ends the
// upload at the next acknowledged chunk.
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

// poll waits for transcoding: done when the status has a URL, failed when
// the platform says error/failed, given up after PollAttempts polls.
func (d *Driver) poll(ctx context.Context, cp *Checkpoint, p dest.Progress) error {
	last := -1
	for attempt := 1; ; attempt++ {
		st, err := d.client.VideoStatus(ctx, cp.VideoID)
		if err != nil {
			return err
		}
		if st.Done() {
			cp.HLSURL = st.URL
			p.Processing(100)
			return nil
		}
		if st.Failed() {
			msg := st.Error
			if msg == "" {
				msg = st.State
			}
			return dest.Stop(dest.ReasonProcessingFailed, fmt.Errorf("the platform could not process the video: %s", msg))
		}
		if st.Progress != last {
			last = st.Progress
			p.Processing(st.Progress)
		}
		if attempt >= d.opts.PollAttempts {
			return dest.Stop(dest.ReasonGaveUp, fmt.Errorf("still processing after %d checks; the upload is safe: retry later to check again", attempt))
		}
		if err := Sleep(ctx, d.opts.PollInterval); err != nil {
			return err
		}
	}
}

// tusMetadata is the guide's 13 TUS metadata keys.
func tusMetadata(m dest.Meta, path, contentID, channelID string) tus.Metadata {
	return tus.Metadata{
		"language":          m.Lang,
		"content_id":        contentID,
		"content_type":      "Video",
		"channel_id":        channelID,
		"analyze_flag":      "true",
		"filetype":          dest.VideoMIME(path),
		"auto_caption_flag": "true",
		"caption_priority":  "low",
		"filename":          SanitizeFilename(filepath.Base(path)),
		"profile_name":      "fullbitrate",
		"preview_start":     "00:00:00",
		"preview_end":       "00:00:20",
		"priority":          "low",
	}
}

var _ dest.Driver = (*Driver)(nil)
