// Package jw publishes videos to JW Player through the Management API v2
// (../shared/specs/destinations-protocols.md section 3): the client (one
// method per API call of the multipart flow) and its dest.Driver
// (driver.go).
//
// The API secret travels only in `Authorization: Bearer <secret>` to the
// media endpoints; the upload endpoints take the upload's own
// upload_token; the presigned part links take no credential. No error
// text, log line or checkpoint contains the secret.
package jw

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
)

// DefaultAPIURL is JW Player's API host; JW_API_URL overrides it.
const DefaultAPIURL = "https://api.jwplayer.com"

// APIURL is $JW_API_URL, else setting, else DefaultAPIURL.
func APIURL(setting string) string {
	for _, v := range []string{os.Getenv("JW_API_URL"), setting} {
		if v = strings.TrimSpace(v); v != "" {
			return strings.TrimRight(v, "/")
		}
	}
	return DefaultAPIURL
}

// ErrSecretRefused means JW answered 401 to the API secret: wrong or
// revoked.
var ErrSecretRefused = errors.New("JW Player refused the API secret")

// ErrNoSecret means the account has no secret to send (removed, or its
// secrets cannot be read); Secret functions wrap it.
var ErrNoSecret = errors.New("no JW Player API secret")

// ErrUploadGone means the upload API refused the upload token (401) or no
// longer knows the upload (404): the upload session is gone.
var ErrUploadGone = errors.New("JW Player no longer accepts this upload")

// RequestsPerMinute is JW's limit per token; the client keeps below it.
const RequestsPerMinute = 60

// RateLimitWait is the wait after a 429 without Retry-After: JW's window.
const RateLimitWait = time.Minute

// Client calls the JW Player API for one account.
type Client struct {
	BaseURL string // DefaultAPIURL when empty
	SiteID  string
	// Secret returns the account's v2 API secret (read at each call).
	Secret  func() (string, error)
	Account string // the account's name, for messages
	HTTP    *http.Client
	// RetryDelays are httpx.Policy's delays (default the guide's).
	RetryDelays []time.Duration
	// Budget is the most API calls per minute and token the client makes
	// (default 55, under JW's 60); a negative value: no pacing.
	Budget int
	// Window is the budget's window (default a minute, JW's).
	Window time.Duration

	mu    sync.Mutex
	calls map[string][]time.Time // per token hash
}

// Media is the fields of the media resource the uploader reads.
type Media struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	ErrorMessage string `json:"error_message"`
	UploadID     string `json:"upload_id"`
	UploadToken  string `json:"upload_token"`
	Metadata     struct {
		Title       string `json:"title"`
		Description string `json:"description"`
	} `json:"metadata"`
}

// Part is one entry of a parts listing.
type Part struct {
	ID         int    `json:"id"`
	UploadLink string `json:"upload_link"`
	ETag       string `json:"etag"` // MD5 hex, without quotes, once uploaded
}

// Metadata is what the uploader sends about a video.
type Metadata struct {
	Title       string `json:"title"`
	Description string `json:"description"`
}

func (c *Client) policy() httpx.Policy { return httpx.Policy{Delays: c.RetryDelays} }

func (c *Client) base() string {
	if c.BaseURL == "" {
		return DefaultAPIURL
	}
	return strings.TrimRight(c.BaseURL, "/")
}

func (c *Client) httpc() *http.Client {
	if c.HTTP == nil {
		return httpx.Client()
	}
	return c.HTTP
}

// pace waits until one more call with bearer keeps within Budget calls in
// the last minute.
func (c *Client) pace(ctx context.Context, bearer string) error {
	budget := c.Budget
	if budget == 0 {
		budget = RequestsPerMinute - 5
	}
	if budget < 0 {
		return nil
	}
	window := c.Window
	if window <= 0 {
		window = time.Minute
	}
	sum := md5.Sum([]byte(bearer))
	key := hex.EncodeToString(sum[:])
	for {
		c.mu.Lock()
		if c.calls == nil {
			c.calls = map[string][]time.Time{}
		}
		now := time.Now()
		calls := c.calls[key]
		for len(calls) > 0 && now.Sub(calls[0]) >= window {
			calls = calls[1:]
		}
		if len(calls) < budget {
			c.calls[key] = append(calls, now)
			c.mu.Unlock()
			return nil
		}
		wait := window - now.Sub(calls[0])
		c.calls[key] = calls
		c.mu.Unlock()
		if err := httpx.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// call sends one API request through the retry policy with `Bearer
// <credential>` (the secret when upload is false, else token) and decodes
// a 2xx answer into out.
func (c *Client) call(ctx context.Context, op, method, path, token string, body any, idempotent bool, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return err
		}
	}
	return c.policy().Do(ctx, op, idempotent, func() error {
		cred, hide := token, token
		if token == "" {
			s, err := c.Secret()
			if err != nil {
				return err
			}
			cred, hide = s, s
		}
		if err := c.pace(ctx, cred); err != nil {
			return err
		}
		var rd io.Reader
		if payload != nil {
			rd = bytes.NewReader(payload)
		}
		req, err := http.NewRequestWithContext(ctx, method, c.base()+path, rd)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+cred)
		req.Header.Set("Accept", "application/json")
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := c.httpc().Do(req)
		if err != nil {
			return httpx.Transport(ctx, op, err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
		if err != nil {
			return httpx.Transport(ctx, op, err)
		}
		words := platformWords(b, hide)
		switch {
		case res.StatusCode == http.StatusUnauthorized && token == "":
			return fmt.Errorf("%s: %w of account %q (%s): add it again with gjw account add jw --site-id %s --api-secret SECRET --name %s",
				op, ErrSecretRefused, c.Account, words, c.SiteID, c.Account)
		case token != "" && (res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusNotFound):
			return fmt.Errorf("%s: %w (%s)", op, ErrUploadGone, httpx.ResponseError(op, res, words))
		case res.StatusCode < 200 || res.StatusCode > 299:
			e := httpx.ResponseError(op, res, words)
			if e.Status == http.StatusTooManyRequests && e.RetryAfter == 0 {
				e.RetryAfter = RateLimitWait // JW names no reset header: wait the window out
			}
			return e
		}
		if out == nil || res.StatusCode == http.StatusNoContent || len(bytes.TrimSpace(b)) == 0 {
			return nil
		}
		if err := json.Unmarshal(b, out); err != nil {
			return &httpx.Error{Op: op, Status: res.StatusCode, Message: "the answer is not the JSON JW Player documents: " + err.Error()}
		}
		return nil
	})
}

// platformWords is the description(s) of a v2 error body
// ({"errors":[{"code","description"}]}), or short text; never the secret.
func platformWords(b []byte, secret string) string {
	var e struct {
		Errors []struct{ Code, Description string } `json:"errors"`
	}
	msg := ""
	if json.Unmarshal(b, &e) == nil && len(e.Errors) > 0 {
		var ws []string
		for _, x := range e.Errors {
			w := x.Description
			if w == "" {
				w = x.Code
			}
			ws = append(ws, w)
		}
		msg = strings.Join(ws, "; ")
	} else if len(b) < 200 {
		msg = strings.TrimSpace(string(b))
	}
	if secret != "" {
		msg = strings.ReplaceAll(msg, secret, "…")
	}
	return msg
}

func (c *Client) mediaPath(id string) string {
	p := "/v2/sites/" + c.SiteID + "/media/"
	if id != "" {
		p += id + "/"
	}
	return p
}

// CreateMedia is POST /v2/sites/{site}/media/ with upload.method
// multipart: the media id, upload id and upload token. Not repeated after
// an ambiguous failure.
func (c *Client) CreateMedia(ctx context.Context, m Metadata) (Media, error) {
	var out Media
	body := map[string]any{"upload": map[string]any{"method": "multipart"}, "metadata": m}
	if err := c.call(ctx, "create media", http.MethodPost, c.mediaPath(""), "", body, false, &out); err != nil {
		return out, err
	}
	if out.ID == "" || out.UploadID == "" || out.UploadToken == "" {
		return out, &httpx.Error{Op: "create media", Status: 200, Message: "the answer lacks id, upload_id or upload_token"}
	}
	return out, nil
}

// ListPageLength is the parts listing's page size (JW's most).
const ListPageLength = 1000

// ListParts is GET /v2/uploads/{id}/parts for page (1-based) with Bearer
// token.
func (c *Client) ListParts(ctx context.Context, uploadID, token string, page int) ([]Part, error) {
	var out struct {
		Parts []Part `json:"parts"`
	}
	path := "/v2/uploads/" + uploadID + "/parts?page=" + strconv.Itoa(page) + "&page_length=" + strconv.Itoa(ListPageLength)
	err := c.call(ctx, "list parts", http.MethodGet, path, token, nil, true, &out)
	return out.Parts, err
}

// Complete is PUT /v2/uploads/{id}/complete with Bearer token.
func (c *Client) Complete(ctx context.Context, uploadID, token string) error {
	return c.call(ctx, "complete upload", http.MethodPut, "/v2/uploads/"+uploadID+"/complete", token, nil, true, nil)
}

// Media is GET /v2/sites/{site}/media/{id}/.
func (c *Client) Media(ctx context.Context, id string) (Media, error) {
	var m Media
	err := c.call(ctx, "check processing", http.MethodGet, c.mediaPath(id), "", nil, true, &m)
	return m, err
}

// UpdateMedia is PATCH /v2/sites/{site}/media/{id}/ with the metadata.
func (c *Client) UpdateMedia(ctx context.Context, id string, m Metadata) error {
	return c.call(ctx, "update media", http.MethodPatch, c.mediaPath(id), "", map[string]any{"metadata": m}, true, nil)
}

// ErrLinkExpired is a part link S3 refused with 403: list for a fresh one.
var ErrLinkExpired = errors.New("the part link expired")

// PutPart sends size bytes of f from off to link (one attempt), streamed
// with a Content-Length, counting the bytes the transport read, and checks
// that the server answered after all of them and that the answer's ETag is
// their MD5. It returns the MD5 hex.
func (c *Client) PutPart(ctx context.Context, link string, f io.ReaderAt, off, size int64) (string, error) {
	const op = "upload part"
	h := md5.New()
	body := &countingReader{r: io.TeeReader(io.NewSectionReader(f, off, size), h)}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, link, body)
	if err != nil {
		return "", err
	}
	req.ContentLength = size
	req.GetBody = nil
	res, err := c.httpc().Do(req)
	if err != nil {
		return "", httpx.Transport(ctx, op, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode == http.StatusForbidden {
		return "", fmt.Errorf("%s: %w (%s)", op, ErrLinkExpired, s3Words(b))
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return "", httpx.ResponseError(op, res, s3Words(b))
	}
	if read := body.read.Load(); read != size {
		return "", &httpx.Error{Op: op, Status: res.StatusCode, Message: fmt.Sprintf("the server answered after %d of %d bytes", read, size)}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if etag := strings.Trim(res.Header.Get("ETag"), `"`); !strings.EqualFold(etag, sum) {
		// The part is sent again at once (an attempt of the policy).
		return "", httpx.Again(fmt.Errorf("%s: the ETag %q is not the part's MD5 %s", op, etag, sum))
	}
	return sum, nil
}

// PartMD5 is the MD5 hex of size bytes of f from off.
func PartMD5(f io.ReaderAt, off, size int64) (string, error) {
	h := md5.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, off, size)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// s3Words is the Code and Message of an S3 XML error.
func s3Words(b []byte) string {
	s := string(b)
	get := func(tag string) string {
		i := strings.Index(s, "<"+tag+">")
		j := strings.Index(s, "</"+tag+">")
		if i < 0 || j < i {
			return ""
		}
		return s[i+len(tag)+2 : j]
	}
	if code := get("Code"); code != "" {
		return code + ": " + get("Message")
	}
	if len(s) < 200 {
		return strings.TrimSpace(s)
	}
	return ""
}

// countingReader counts what the transport read; read is atomic because
// the transport's last Read (its check for bytes past the Content-Length)
// may run after the answer arrived.
type countingReader struct {
	r    io.Reader
	read atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read.Add(int64(n))
	return n, err
}
