package wangsu

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
)

// Platform is this driver's registry name.
const Platform = "wangsu"

// The driver's steps; stored in targets and checkpoints.
const (
	StepToken      = "token"      // getUploadToken
	StepUpload     = "upload"     // mkblk/bput per block
	StepMerge      = "merge"      // mkfile
	StepProcessing = "processing" // getVideoList until transcoded
	StepFinalize   = "finalize"   // videoEdit: title and description
	StepDone       = "done"
)

var steps = []dest.Step{
	{ID: StepToken, Title: "getting upload token", N: 1, Of: 5},
	{ID: StepUpload, Title: "uploading video", N: 2, Of: 5, Transfer: true},
	{ID: StepMerge, Title: "merging blocks", N: 3, Of: 5},
	{ID: StepProcessing, Title: "transcoding", N: 4, Of: 5, Processing: true},
	{ID: StepFinalize, Title: "publishing", N: 5, Of: 5},
}

// Steps are the Wangsu driver's steps, in order.
func Steps() []dest.Step { return steps }

// Sizes: WCS blocks are a multiple of 4 MiB (only the last may be
// shorter); chunks inside a block go in order.
const (
	BlockUnit        = 4 << 20
	DefaultBlockSize = BlockUnit
	DefaultChunkSize = 1 << 20
)

// DriverOptions tune the driver; zero values take the defaults.
type DriverOptions struct {
	BlockSize    int64         // a multiple of 4 MiB (default 4 MiB); tests may set less against a sandbox configured so
	ChunkSize    int64         // bput chunk size (default 1 MiB, at most BlockSize)
	PollInterval time.Duration // default 5 s (300 calls / 5 min per account)
	PollAttempts int           // default 360
	// TokenMargin: a token whose deadline is nearer than this is renewed
	// before a request (default 5 min).
	TokenMargin time.Duration
}

// Driver publishes videos to one Wangsu account.
type Driver struct {
	client *Client
	opts   DriverOptions
}

// NewDriver returns the driver of the account client calls for.
func NewDriver(client *Client, opts DriverOptions) *Driver {
	if opts.BlockSize <= 0 {
		opts.BlockSize = DefaultBlockSize
	}
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	opts.ChunkSize = min(opts.ChunkSize, opts.BlockSize)
	if opts.PollInterval <= 0 {
		opts.PollInterval = 5 * time.Second
	}
	if opts.PollAttempts <= 0 {
		opts.PollAttempts = 360
	}
	if opts.TokenMargin <= 0 {
		opts.TokenMargin = 5 * time.Minute
	}
	return &Driver{client: client, opts: opts}
}

func (d *Driver) Platform() string                   { return Platform }
func (d *Driver) Steps() []dest.Step                 { return steps }
func (d *Driver) Check(dest.Source, dest.Meta) error { return nil }

// Block is one block's persisted progress: its latest ctx and the bytes
// of it the upload host holds. The host cannot list blocks, so this is the
// only record of them.
type Block struct {
	Ctx    string `json:"ctx,omitempty"`
	Offset int64  `json:"offset,omitempty"`
}

// Checkpoint is the resume state. The fileId is saved before the first
// getUploadToken; the token's answer right after it; each block's ctx and
// offset after every mkblk/bput answer, before the next request.
type Checkpoint struct {
	Next      string  `json:"next,omitempty"`
	FileID    string  `json:"file_id,omitempty"`
	VideoID   string  `json:"video_id,omitempty"`
	FileKey   string  `json:"file_key,omitempty"`
	UploadURL string  `json:"upload_url,omitempty"`
	Token     string  `json:"upload_token,omitempty"` // the scoped upload token (never the secret key)
	Batch     string  `json:"upload_batch,omitempty"`
	BlockSize int64   `json:"block_size,omitempty"`
	Size      int64   `json:"size,omitempty"`
	Blocks    []Block `json:"blocks,omitempty"`
	Rev       int     `json:"rev,omitempty"`
	PlayURL   string  `json:"play_url,omitempty"`
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
		cp.Next = StepToken
	}
	return cp, nil
}

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
	return dest.Result{ID: cp.VideoID, URL: cp.PlayURL, Ext: map[string]string{"file_key": cp.FileKey}}, nil
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

func classify(err error) error {
	var ae *APIError
	switch {
	case errors.Is(err, ErrKeyRefused), errors.Is(err, ErrNoKey):
		return dest.Stop(dest.ReasonSignedOut, err)
	case errors.As(err, new(*httpx.AmbiguousError)):
		return dest.Stop(dest.ReasonAmbiguousCreate, err)
	case errors.As(err, &ae):
		return dest.Stop(dest.ReasonRefused, err)
	case errors.As(err, new(*httpx.Error)) && httpx.Retryable(err):
		return dest.Stop(dest.ReasonGaveUp, err)
	}
	return err
}

func (d *Driver) runStep(ctx context.Context, step string, cp *Checkpoint, p dest.Progress) error {
	switch step {
	case StepToken:
		if cp.VideoID != "" && cp.Token != "" {
			return nil
		}
		return d.token(ctx, cp, p)
	case StepUpload:
		return d.upload(ctx, cp, p)
	case StepMerge:
		err := d.merge(ctx, cp, p)
		if !errors.Is(err, ErrCtxRefused) {
			return err
		}
		// The host forgot the blocks (purged after a long pause): send
		// them again, same batch and video, then merge once more.
		for i := range cp.Blocks {
			cp.Blocks[i] = Block{}
		}
		if err := p.Checkpoint(*cp); err != nil {
			return err
		}
		p.Step(StepUpload)
		if err := d.upload(ctx, cp, p); err != nil {
			return err
		}
		p.Step(StepMerge)
		return d.merge(ctx, cp, p)
	case StepProcessing:
		return d.poll(ctx, cp, p)
	case StepFinalize:
		ed, err := p.Latest()
		if err != nil {
			return err
		}
		if ed.Rev != cp.Rev || cp.Rev == 0 {
			if err := d.client.EditVideo(ctx, cp.VideoID, ed.Meta.Title, ed.Meta.Description); err != nil {
				return err
			}
			cp.Rev = ed.Rev
		}
		p.Published(ed.Rev)
		return nil
	}
	return fmt.Errorf("unknown step %q", step)
}

// OriginFileName is the file name sent as originFileName: printable ASCII
// only (others become '_'), at most 40 characters with the extension (a
// long stem is cut; an extension over 10 characters is dropped).
func OriginFileName(path string) string {
	clean := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			if r >= 0x20 && r < 0x7f {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
			}
		}
		return b.String()
	}
	base := filepath.Base(path)
	ext := clean(filepath.Ext(base))
	if len(ext) > 10 {
		ext = ""
	}
	stem := strings.TrimSpace(clean(strings.TrimSuffix(base, filepath.Ext(base))))
	if strings.Trim(stem, "_. ") == "" {
		stem = "video"
	}
	if len(stem)+len(ext) > 40 {
		stem = strings.TrimSpace(stem[:40-len(ext)])
	}
	return stem + ext
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// token gets (or renews, same fileId) the upload token. The fileId (32
// hex characters) is saved before the first call, so a call whose answer
// was lost is repeated with it and finds the same video.
func (d *Driver) token(ctx context.Context, cp *Checkpoint, p dest.Progress) error {
	if cp.FileID == "" {
		cp.FileID = randomHex(16)
		if err := p.Checkpoint(*cp); err != nil {
			return err
		}
	}
	ed, err := p.Latest()
	if err != nil {
		return err
	}
	t, err := d.client.GetUploadToken(ctx, OriginFileName(ed.Source.Path), cp.FileID)
	if err != nil {
		return err
	}
	if cp.VideoID != "" && t.VideoID != cp.VideoID {
		return fmt.Errorf("get upload token: Wangsu answered video %s for fileId %s, which was video %s: not uploading into another video", t.VideoID, cp.FileID, cp.VideoID)
	}
	if cp.FileKey != "" && t.FileKey != cp.FileKey {
		return fmt.Errorf("get upload token: the file key of video %s changed: not uploading", cp.VideoID)
	}
	cp.VideoID, cp.FileKey, cp.UploadURL, cp.Token = t.VideoID, t.FileKey, t.UploadURL, t.UploadToken
	return p.Checkpoint(*cp)
}

func (d *Driver) fresh(tok string) bool {
	dl := TokenDeadline(tok)
	return tok != "" && (dl.IsZero() || time.Until(dl) > d.opts.TokenMargin)
}

// authorized runs send with the upload token, renewing it first when its
// deadline is near and once after a 401.
func (d *Driver) authorized(ctx context.Context, cp *Checkpoint, p dest.Progress, send func(token string) error) error {
	return httpx.Authorized(ctx, func(ctx context.Context, stale string) (string, error) {
		if stale == "" && d.fresh(cp.Token) {
			return cp.Token, nil
		}
		if err := d.token(ctx, cp, p); err != nil {
			return "", err
		}
		return cp.Token, nil
	}, send)
}

func (d *Driver) openSource(p dest.Progress) (*os.File, dest.Source, error) {
	ed, err := p.Latest()
	if err != nil {
		return nil, dest.Source{}, err
	}
	src := ed.Source
	f, err := os.Open(src.Path)
	if err != nil {
		return nil, src, dest.Stop(dest.ReasonFileChanged, fmt.Errorf("video %q cannot be opened: put it back or cancel this upload", src.Path))
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, src, err
	}
	if fi.Size() != src.Size || !fi.ModTime().Equal(src.ModTime) {
		f.Close()
		return nil, src, dest.Stop(dest.ReasonFileChanged, fmt.Errorf("video %q changed since it was queued: cancel and add it again", src.Path))
	}
	return f, src, nil
}

func (cp *Checkpoint) blockLen(i int) int64 {
	return min(cp.BlockSize, cp.Size-int64(i)*cp.BlockSize)
}

func (cp *Checkpoint) acked() int64 {
	var n int64
	for _, b := range cp.Blocks {
		n += b.Offset
	}
	return n
}

func (cp *Checkpoint) upload() Upload {
	return Upload{URL: cp.UploadURL, FileKey: cp.FileKey, Batch: cp.Batch}
}

// upload sends every block: mkblk with its first chunk, then bput chunks
// in order, saving the block's ctx and offset after each answer. A block
// whose ctx is refused is sent again from its start (once per run).
func (d *Driver) upload(ctx context.Context, cp *Checkpoint, p dest.Progress) error {
	f, src, err := d.openSource(p)
	if err != nil {
		return err
	}
	defer f.Close()
	if cp.Batch == "" || cp.BlockSize == 0 {
		// One UploadBatch for the whole file, kept across token renewals.
		cp.Batch, cp.BlockSize, cp.Size = newUUID(), d.opts.BlockSize, src.Size
		n := int((src.Size + cp.BlockSize - 1) / cp.BlockSize)
		cp.Blocks = make([]Block, n)
		if err := p.Checkpoint(*cp); err != nil {
			return err
		}
	}
	if cp.Size != src.Size {
		return dest.Stop(dest.ReasonFileChanged, fmt.Errorf("video %q changed size since its upload began", src.Path))
	}
	buf := make([]byte, d.opts.ChunkSize)
	p.Sent(cp.acked())
	for i := range cp.Blocks {
		redone := false
		for size := cp.blockLen(i); cp.Blocks[i].Offset < size; {
			b := &cp.Blocks[i]
			n := min(int64(len(buf)), size-b.Offset)
			chunk := buf[:n]
			if _, err := f.ReadAt(chunk, int64(i)*cp.BlockSize+b.Offset); err != nil && !errors.Is(err, io.EOF) {
				return err
			}
			var ans BlockAnswer
			err := d.client.policy().Do(ctx, "upload chunk", true, func() error {
				return d.authorized(ctx, cp, p, func(tok string) error {
					var err error
					if b.Offset == 0 {
						ans, err = d.client.Mkblk(ctx, tok, cp.upload(), size, i, chunk)
					} else {
						ans, err = d.client.Bput(ctx, tok, cp.upload(), b.Ctx, b.Offset, chunk)
					}
					return err
				})
			})
			if errors.Is(err, ErrCtxRefused) && !redone {
				redone = true // a stale or purged ctx: this block again from its start
				*b = Block{}
				if err := p.Checkpoint(*cp); err != nil {
					return err
				}
				p.Sent(cp.acked())
				continue
			}
			if err != nil {
				return err
			}
			if ans.Ctx == "" || ans.Offset != b.Offset+n {
				return fmt.Errorf("upload chunk: block %d: the upload host answered offset %d, want %d", i, ans.Offset, b.Offset+n)
			}
			b.Ctx, b.Offset = ans.Ctx, ans.Offset
			if err := p.Checkpoint(*cp); err != nil {
				return fmt.Errorf("saving block %d's progress: %w", i, err)
			}
			p.Sent(cp.acked())
		}
	}
	return nil
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// merge is mkfile with every block's last ctx in block order. A merge
// whose answer was lost is repeated (the sandbox answers a repeat as the
// first; Wangsu's behaviour is unconfirmed).
func (d *Driver) merge(ctx context.Context, cp *Checkpoint, p dest.Progress) error {
	ctxs := make([]string, len(cp.Blocks))
	for i, b := range cp.Blocks {
		if b.Offset != cp.blockLen(i) || b.Ctx == "" {
			return fmt.Errorf("merge blocks: block %d is incomplete (%d of %d bytes)", i, b.Offset, cp.blockLen(i))
		}
		ctxs[i] = b.Ctx
	}
	return d.client.policy().Do(ctx, "merge blocks", true, func() error {
		return d.authorized(ctx, cp, p, func(tok string) error {
			return d.client.Mkfile(ctx, tok, cp.upload(), cp.Size, ctxs)
		})
	})
}

// poll waits for transcodeState 1 (4 is a failure in Wangsu's words).
func (d *Driver) poll(ctx context.Context, cp *Checkpoint, p dest.Progress) error {
	for attempt := 1; ; attempt++ {
		v, ok, err := d.client.Video(ctx, cp.VideoID)
		if err != nil {
			return err
		}
		if ok {
			switch v.TranscodeState {
			case 1:
				cp.PlayURL = v.PlayURL
				if cp.PlayURL == "" && v.PublishDomain != "" {
					cp.PlayURL = "https://" + v.PublishDomain + "/" + cp.FileKey
				}
				p.Processing(100)
				return nil
			case 4:
				msg := v.FailReason
				if msg == "" {
					msg = v.ErrorMessage
				}
				if msg == "" {
					msg = "transcodeState 4 (failed)"
				}
				return dest.Stop(dest.ReasonProcessingFailed, fmt.Errorf("Wangsu could not transcode the video: %s", msg))
			}
		}
		if attempt >= d.opts.PollAttempts {
			return dest.Stop(dest.ReasonGaveUp, fmt.Errorf("still transcoding after %d checks; the upload is safe: retry later to check again", attempt))
		}
		if err := httpx.Sleep(ctx, d.opts.PollInterval); err != nil {
			return err
		}
	}
}

// Update sends an edited title and description (videoEdit).
func (d *Driver) Update(ctx context.Context, state json.RawMessage, ed dest.Edition, p dest.Progress) error {
	cp, err := ReadCheckpoint(state)
	if err != nil {
		return err
	}
	if cp.VideoID == "" {
		return errors.New("this upload has no Wangsu video yet")
	}
	return classify(d.client.EditVideo(ctx, cp.VideoID, ed.Meta.Title, ed.Meta.Description))
}

var _ dest.Driver = (*Driver)(nil)
