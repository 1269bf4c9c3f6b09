// Package tusupload sends a file with the TUS resumable-upload protocol,
// through github.com/eventials/go-tus, and makes it fit for multi-gigabyte
// uploads on bad networks.
//
// go-tus is used for what it does well: its Client (headers, Tus-Resumable),
// its metadata encoding, its Store interface (persisted by the caller, on
// Badger in this project) and its errors. Its Uploader is not used, because:
//   - it allocates a fresh chunk-sized buffer per chunk (1 GiB of garbage
//     per GiB sent); here each PATCH streams its chunk straight from the file;
//   - it has no context: here every request carries ctx, so pause and cancel
//     stop the current PATCH at once (the server keeps what it received);
//   - every Uploader starts a progress goroutine that never exits, and that
//     blocks the upload when a subscriber reads slowly; here progress is an
//     atomic counter the caller samples;
//   - it does not retry, and treats 423 as a fatal error; here 409 re-syncs
//     the offset with HEAD, 423/5xx/dropped connections wait through the
//     retry delays and resume from the server's offset, and a 401 fetches a
//     new token once;
//   - its creation request lacks the Content-Type the GJW guide lists.
package tusupload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	tus "github.com/eventials/go-tus"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
)

// DefaultChunkSize is the guide's recommended 10 MB chunk.
const DefaultChunkSize = 10 << 20

// Upload is one file to send. Fill the fields and call Run.
type Upload struct {
	Endpoint    string      // the TUS creation URL
	File        io.ReaderAt // read concurrently-safe, e.g. *os.File
	Size        int64
	Metadata    tus.Metadata
	Fingerprint string    // the Store key of this upload's URL
	Store       tus.Store // remembers the upload URL across restarts
	ChunkSize   int64     // 0 means DefaultChunkSize
	HTTP        *http.Client
	// Delays are waited before each retry of a failing request; after the
	// last one the upload fails. Progress resets the count.
	Delays []time.Duration
	// Token returns the bearer token to send. stale is "" normally, or the
	// token that was just refused with a 401, which must not be returned.
	Token func(ctx context.Context, stale string) (string, error)
	// Sent counts bytes the server has, plus bytes of the PATCH in flight.
	Sent *atomic.Int64
	// OnChunk runs after every acknowledged chunk with the server's offset;
	// an error stops the upload (it is where the offset is persisted).
	OnChunk func(offset int64) error
	// OnRetry hears about each wait before a retry.
	OnRetry func(wait time.Duration, err error)
}

// Run creates the upload, or resumes the one Store remembers from the
// server's offset, and sends the rest of the file. It returns the upload URL.
func (u *Upload) Run(ctx context.Context) (string, error) {
	if u.ChunkSize <= 0 {
		u.ChunkSize = DefaultChunkSize
	}
	if u.Sent == nil {
		u.Sent = new(atomic.Int64)
	}
	if len(u.Delays) == 0 {
		u.Delays = httpx.DefaultRetryDelays
	}
	client, err := tus.NewClient(u.Endpoint, &tus.Config{
		ChunkSize: u.ChunkSize, Resume: true, Store: u.Store, HttpClient: u.HTTP, Header: http.Header{},
	})
	if err != nil {
		return "", err
	}
	s := &session{Upload: u, client: client}

	var url string
	var offset int64
	err = s.withRetries(ctx, "resume upload", func() error {
		var found bool
		if url, found = u.Store.Get(u.Fingerprint); !found {
			return nil
		}
		offset, err = s.head(ctx, url)
		if errors.Is(err, tus.ErrUploadNotFound) {
			// The server forgot it (expired): start over with a new upload.
			u.Store.Delete(u.Fingerprint)
			url = ""
			return nil
		}
		return err
	})
	if err != nil {
		return "", err
	}
	if url == "" {
		if err := s.withRetries(ctx, "create upload", func() error {
			url, err = s.create(ctx)
			s.reauthorized = s.reauthorized && err != nil
			return err
		}); err != nil {
			return "", err
		}
		u.Store.Set(u.Fingerprint, url)
	}
	u.Sent.Store(offset)

	failures := 0
	for offset < u.Size {
		n := min(u.ChunkSize, u.Size-offset)
		newOffset, err := s.patch(ctx, url, offset, n)
		switch {
		case err == nil && newOffset <= offset:
			// Acknowledged without progress: count it like a conflict, so a
			// server stuck at one offset ends the upload instead of looping.
			if failures++; failures >= len(u.Delays) {
				return url, fmt.Errorf("gave up after %d attempts: the server accepts chunks but its offset stays at %d", failures, newOffset)
			}
		case err == nil:
			offset, failures, s.reauthorized = newOffset, 0, false
			u.Sent.Store(offset)
			if u.OnChunk != nil {
				if err := u.OnChunk(offset); err != nil {
					return url, err
				}
			}
			continue
		case ctx.Err() != nil:
			return url, context.Cause(ctx)
		case errors.Is(err, tus.ErrOffsetMismatch):
			// 409: our offset is not the server's; ask and carry on from there
			// at once. It still counts, so a server that keeps answering 409
			// ends the upload instead of looping forever.
			if failures++; failures >= len(u.Delays) {
				return url, fmt.Errorf("gave up after %d attempts: the server keeps refusing our offset: %w", failures, err)
			}
		case errors.Is(err, errNewToken): // one more try with it
		case httpx.Retryable(err): // 423 locked, 5xx, dropped connection
			if failures++; failures >= len(u.Delays) {
				return url, fmt.Errorf("gave up after %d attempts: %w", failures, err)
			}
			if u.OnRetry != nil {
				u.OnRetry(u.Delays[failures], err)
			}
			if err := httpx.Sleep(ctx, u.Delays[failures]); err != nil {
				return url, err
			}
		default:
			return url, err
		}
		if err := s.withRetries(ctx, "check upload offset", func() error {
			offset, err = s.head(ctx, url)
			return err
		}); err != nil {
			return url, err
		}
		u.Sent.Store(offset)
	}
	return url, nil
}

type session struct {
	*Upload
	client *tus.Client
	token  string
	// reauthorized is set when a 401 made do fetch a new token, and cleared
	// by progress (the upload created, a chunk acknowledged): a 401 before
	// then is final, so a token the server keeps refusing is fetched once.
	reauthorized bool
}

// errNewToken marks a 401 after which do fetched a new token: the caller
// repeats the request once (a streamed PATCH body cannot be replayed here).
var errNewToken = errors.New("fetched a new upload token")

// do sends req through go-tus's client with the bearer token. After a 401
// it fetches a new token for the next request and returns the 401 wrapped
// with errNewToken, unless it already did since the last progress.
func (s *session) do(ctx context.Context, op string, req *http.Request) (*http.Response, error) {
	if s.token == "" {
		tok, err := s.Token(ctx, "")
		if err != nil {
			return nil, err
		}
		s.token = tok
	}
	s.client.Header.Set("Authorization", "Bearer "+s.token)
	res, err := s.client.Do(req)
	if err != nil {
		return nil, httpx.Transport(ctx, op, err)
	}
	if res.StatusCode != http.StatusUnauthorized {
		return res, nil
	}
	res.Body.Close()
	refused := &httpx.Error{Op: op, Status: http.StatusUnauthorized, Message: "upload token refused"}
	if s.reauthorized {
		return nil, refused
	}
	s.reauthorized = true
	if s.token, err = s.Token(ctx, s.token); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%w: %w", errNewToken, refused)
}

func (s *session) create(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Endpoint, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Upload-Length", strconv.FormatInt(s.Size, 10))
	req.Header.Set("Upload-Metadata", (&tus.Upload{Metadata: s.Metadata}).EncodedMetadata())
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	res, err := s.do(ctx, "create upload", req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return "", statusError("create upload", res)
	}
	loc, err := req.URL.Parse(res.Header.Get("Location"))
	if err != nil || res.Header.Get("Location") == "" {
		return "", &httpx.Error{Op: "create upload", Status: res.StatusCode, Message: "no valid Location header"}
	}
	return loc.String(), nil
}

func (s *session) head(ctx context.Context, url string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
	if err != nil {
		return 0, err
	}
	res, err := s.do(ctx, "check upload offset", req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK, http.StatusNoContent:
		return serverOffset("check upload offset", res)
	case http.StatusNotFound, http.StatusGone, http.StatusForbidden:
		return 0, tus.ErrUploadNotFound
	default:
		return 0, statusError("check upload offset", res)
	}
}

// patch streams n bytes at offset straight from the file: no chunk buffer.
func (s *session) patch(ctx context.Context, url string, offset, n int64) (int64, error) {
	body := &countingReader{r: io.NewSectionReader(s.File, offset, n), sent: s.Sent}
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, url, body)
	if err != nil {
		return 0, err
	}
	req.ContentLength = n
	req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	res, err := s.do(ctx, "upload chunk", req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusNoContent, http.StatusOK:
		return serverOffset("upload chunk", res)
	case http.StatusConflict:
		return 0, tus.ErrOffsetMismatch
	default:
		return 0, statusError("upload chunk", res)
	}
}

// withRetries runs fn again after each delay while it fails retryably.
func (s *session) withRetries(ctx context.Context, op string, fn func() error) error {
	var err error
	for i := 0; i < len(s.Delays); i++ {
		if i > 0 {
			d := s.Delays[i]
			if s.OnRetry != nil {
				s.OnRetry(d, err)
			}
			if serr := httpx.Sleep(ctx, d); serr != nil {
				return serr
			}
		}
		err = fn()
		if errors.Is(err, errNewToken) { // once until progress: one more try
			i--
			continue
		}
		if err == nil || !httpx.Retryable(err) {
			return err
		}
	}
	return fmt.Errorf("gave up after %d attempts: %w", len(s.Delays), err)
}

// serverOffset reads the Upload-Offset header of a successful response.
func serverOffset(op string, res *http.Response) (int64, error) {
	n, err := strconv.ParseInt(res.Header.Get("Upload-Offset"), 10, 64)
	if err != nil || n < 0 {
		return 0, &httpx.Error{Op: op, Status: res.StatusCode, Message: "the upload server sent no valid Upload-Offset; it may not speak TUS: check the VOD host"}
	}
	return n, nil
}

func statusError(op string, res *http.Response) error {
	msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	e := &httpx.Error{Op: op, Status: res.StatusCode}
	if len(msg) > 0 && len(msg) < 200 {
		e.Message = string(msg)
	}
	return e
}

// countingReader adds every byte read to sent, for progress.
type countingReader struct {
	r    io.Reader
	sent *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.sent.Add(int64(n))
	return n, err
}
