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
//     blocks the upload when a subscriber reads slowly; here progress is the
//     server's offset, handed to OnChunk after every acknowledged chunk;
//   - it does not retry, and treats 423 as a fatal error; here every request
//     goes through httpx.Policy: 409 re-syncs the offset with HEAD,
//     423/5xx/dropped or stalled connections wait through the retry delays
//     and resume from the server's offset (HEAD on the same upload URL), and
//     a 401 fetches a new token once (httpx.Authorized);
//   - its creation request lacks the Content-Type the GJW guide lists.
package tusupload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
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
	// NextChunk, if set, sizes each chunk after an acknowledged one from
	// that PATCH's bytes and duration (Gcore sizes chunks to the link);
	// ChunkSize is the first. A result <= 0 keeps the size.
	NextChunk func(sent int64, took time.Duration) int64
	HTTP      *http.Client
	// Delays are waited before each retry of a failing request (through
	// httpx.Policy); after the last one the upload fails. Each chunk has
	// the whole list: an acknowledged chunk resets the count.
	Delays []time.Duration
	// Token returns the bearer token to send. stale is "" normally, or the
	// token that was just refused with a 401, which must not be returned.
	// gjw.Client.CDNToken is one.
	Token httpx.TokenFunc
	// TokenKey, if set, sends the token as this Upload-Metadata key of the
	// creation request instead of a bearer header on every request (Gcore,
	// whose token only opens the upload): no request carries Authorization,
	// and HEAD and PATCH never ask Token.
	TokenKey string
	// Refused, if set, reports whether a failed creation's status and body
	// mean the token was refused (Gcore answers 500 "token invalid"): such
	// an answer takes the 401 path (one new token, then final) instead of
	// being retried as it is.
	Refused func(status int, body string) bool
	// OnChunk runs with the server's offset when sending starts (0 for a
	// new upload, the HEAD's answer for a resumed one) and after every
	// acknowledged chunk; an error stops the upload (it is where the offset
	// is persisted, and the start of the speed measurement: a resumed
	// upload's first chunk is measured from what the server already had).
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
	policy := httpx.Policy{Delays: u.Delays}
	if u.OnRetry != nil {
		policy.OnRetry = func(_ string, wait time.Duration, err error) { u.OnRetry(wait, err) }
	}

	var url string
	var offset int64
	err = policy.Do(ctx, "resume upload", true, func() error {
		var found bool
		if url, found = u.Store.Get(u.Fingerprint); !found {
			return nil
		}
		err := httpx.Authorized(ctx, s.transferToken, func(tok string) (err error) {
			offset, err = s.head(ctx, tok, url)
			return err
		})
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
		// Repeating a creation after an ambiguous failure can at worst leave
		// an empty upload behind on the server, never a second video: the
		// video is made from the upload whose URL is stored.
		if err := policy.Do(ctx, "create upload", true, func() error {
			return httpx.Authorized(ctx, s.token, func(tok string) (err error) {
				url, err = s.create(ctx, tok)
				return err
			})
		}); err != nil {
			return "", err
		}
		s.reauthorized = false
		u.Store.Set(u.Fingerprint, url)
	}
	if u.OnChunk != nil {
		if err := u.OnChunk(offset); err != nil {
			return url, err
		}
	}

	for offset < u.Size {
		// One chunk is one Policy.Do: every failure counts against the
		// chunk's attempts, and the attempt after a failure first asks the
		// server for its offset (HEAD on the same upload URL) and sends from
		// there. A 409 and an acknowledgement without progress go again at
		// once (httpx.Again); 423, 5xx, dropped or stalled connections wait.
		var acked int64
		var took time.Duration
		resync := false
		send := func(tok string) error {
			if resync {
				o, err := s.head(ctx, tok, url)
				if err != nil {
					return err
				}
				offset, resync = o, false
				if offset >= u.Size {
					return nil
				}
			}
			n := min(u.ChunkSize, u.Size-offset)
			start := time.Now()
			newOffset, err := s.patch(ctx, tok, url, offset, n)
			took = time.Since(start)
			switch {
			case err == nil && newOffset <= offset:
				resync = true
				return httpx.Again(fmt.Errorf("the server accepts chunks but its offset stays at %d", newOffset))
			case err == nil:
				acked = newOffset
				return nil
			case errors.Is(err, tus.ErrOffsetMismatch):
				resync = true
				return httpx.Again(fmt.Errorf("the server keeps refusing our offset: %w", err))
			default:
				resync = true
				return err
			}
		}
		if err := policy.Do(ctx, "upload chunk", true, func() error {
			return httpx.Authorized(ctx, s.transferToken, send)
		}); err != nil {
			return url, err
		}
		if acked == 0 {
			continue // the re-sync found the upload complete
		}
		if u.NextChunk != nil {
			if next := u.NextChunk(acked-offset, took); next > 0 {
				u.ChunkSize = next
			}
		}
		offset, s.reauthorized = acked, false
		if u.OnChunk != nil {
			if err := u.OnChunk(offset); err != nil {
				return url, err
			}
		}
	}
	return url, nil
}

type session struct {
	*Upload
	client *tus.Client
	cached string // the token in use
	// reauthorized is set when a 401 made token fetch a new one, and
	// cleared by progress (the upload created, a chunk acknowledged): a 401
	// before then is final, so a token the server keeps refusing is fetched
	// once.
	reauthorized bool
}

// token is the session's httpx.TokenFunc: the token in use, or after a 401
// a new one, unless one was already fetched since the last progress.
func (s *session) token(ctx context.Context, stale string) (string, error) {
	if stale == "" {
		if s.cached == "" {
			tok, err := s.Token(ctx, "")
			if err != nil {
				return "", err
			}
			s.cached = tok
		}
		return s.cached, nil
	}
	if s.reauthorized {
		return "", &httpx.Error{Op: "upload", Status: http.StatusUnauthorized, Message: "upload token refused"}
	}
	s.reauthorized = true
	tok, err := s.Token(ctx, stale)
	if err != nil {
		return "", err
	}
	s.cached = tok
	return tok, nil
}

// transferToken is the credential of HEAD and PATCH: the bearer token, or
// with TokenKey none (the token is for creation only).
func (s *session) transferToken(ctx context.Context, stale string) (string, error) {
	if s.TokenKey != "" {
		return "", nil
	}
	return s.token(ctx, stale)
}

// do sends req through go-tus's client with the bearer token tok (none
// with TokenKey). A 401 is an *httpx.Error that httpx.Authorized acts on.
func (s *session) do(ctx context.Context, op, tok string, req *http.Request) (*http.Response, error) {
	if s.TokenKey == "" {
		s.client.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := s.client.Do(req)
	if err != nil {
		return nil, httpx.Transport(ctx, op, err)
	}
	if res.StatusCode != http.StatusUnauthorized {
		return res, nil
	}
	res.Body.Close()
	return nil, &httpx.Error{Op: op, Status: http.StatusUnauthorized, Message: "upload token refused"}
}

func (s *session) create(ctx context.Context, tok string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Endpoint, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Upload-Length", strconv.FormatInt(s.Size, 10))
	meta := s.Metadata
	if s.TokenKey != "" {
		meta = make(tus.Metadata, len(s.Metadata)+1)
		for k, v := range s.Metadata {
			meta[k] = v
		}
		meta[s.TokenKey] = tok
	}
	req.Header.Set("Upload-Metadata", (&tus.Upload{Metadata: meta}).EncodedMetadata())
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	res, err := s.do(ctx, "create upload", tok, req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		e := statusError("create upload", res)
		if tok != "" { // the server may quote the token it refused
			e.Message = strings.ReplaceAll(e.Message, tok, "…")
		}
		if s.Refused != nil && s.Refused(res.StatusCode, e.Message) {
			return "", &httpx.Error{Op: "create upload", Status: http.StatusUnauthorized, Message: e.Message}
		}
		return "", e
	}
	loc, err := req.URL.Parse(res.Header.Get("Location"))
	if err != nil || res.Header.Get("Location") == "" {
		return "", &httpx.Error{Op: "create upload", Status: res.StatusCode, Message: "no valid Location header"}
	}
	return loc.String(), nil
}

func (s *session) head(ctx context.Context, tok, url string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
	if err != nil {
		return 0, err
	}
	res, err := s.do(ctx, "check upload offset", tok, req)
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
func (s *session) patch(ctx context.Context, tok, url string, offset, n int64) (int64, error) {
	body := io.NewSectionReader(s.File, offset, n)
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, url, body)
	if err != nil {
		return 0, err
	}
	req.ContentLength = n
	req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	res, err := s.do(ctx, "upload chunk", tok, req)
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

// serverOffset reads the Upload-Offset header of a successful response.
func serverOffset(op string, res *http.Response) (int64, error) {
	n, err := strconv.ParseInt(res.Header.Get("Upload-Offset"), 10, 64)
	if err != nil || n < 0 {
		return 0, &httpx.Error{Op: op, Status: res.StatusCode, Message: "the upload server sent no valid Upload-Offset; it may not speak TUS: check the VOD host"}
	}
	return n, nil
}

func statusError(op string, res *http.Response) *httpx.Error {
	msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	e := httpx.ResponseError(op, res, "")
	if len(msg) > 0 && len(msg) < 200 {
		e.Message = string(msg)
	}
	return e
}
