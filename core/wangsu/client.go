package wangsu

import (
	"bytes"
	"context"
	"encoding/base64"
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

// DefaultAPIURL is Wangsu Cloud VoD's API host; WANGSU_API_URL overrides it.
const DefaultAPIURL = "https://api.cloudv.haplat.net"

// APIURL is $WANGSU_API_URL, else setting, else DefaultAPIURL.
func APIURL(setting string) string {
	for _, v := range []string{os.Getenv("WANGSU_API_URL"), setting} {
		if v = strings.TrimSpace(v); v != "" {
			return strings.TrimRight(v, "/")
		}
	}
	return DefaultAPIURL
}

// ErrKeyRefused means Wangsu refused the access key or the signature made
// with the secret key (code 1301): the keys are wrong or revoked.
var ErrKeyRefused = errors.New("Wangsu refused the access key or secret key")

// ErrNoKey means the account has no keys to sign with; Keys functions
// wrap it.
var ErrNoKey = errors.New("no Wangsu keys")

// Keys are an account's access key and secret key.
type Keys struct{ AccessKey, SecretKey string }

// Client calls the Cloud VoD API and its upload host for one account.
type Client struct {
	BaseURL string // DefaultAPIURL when empty
	// Keys returns the account's keys (read at each call).
	Keys    func() (Keys, error)
	Account string // the account's name, for messages
	HTTP    *http.Client
	// RetryDelays are httpx.Policy's delays (default the guide's).
	RetryDelays []time.Duration
	// Now is the signing clock (time.Now).
	Now func() time.Time

	// skew is the server's clock minus ours (ns), learnt from a refused
	// call's Date header, added to the signing time.
	skew atomic.Int64
}

// CodeRateLimited is the body code of a call over the account's budget.
// Wangsu does not document it: this is the sandbox's (1429).
const CodeRateLimited = 1429

// APIError is an answer whose body code is not 200.
type APIError struct {
	Op      string
	Code    int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: %s (Wangsu code %d)", e.Op, e.Message, e.Code)
}

// Token is getUploadToken's data.
type Token struct {
	FileKey     string `json:"fileKey"`
	UploadToken string `json:"uploadToken"`
	UploadURL   string `json:"uploadUrl"`
	VideoID     string `json:"videoId"`
	BucketName  string `json:"bucketName"`
	HTTPDNS     string `json:"httpDnsServer"`
	HTTPDNS2    string `json:"httpDnsServe"` // the guide's table spelling
}

// Deadline is the upload token's deadline, read from its policy (the third
// segment, urlsafe base64 JSON with "deadline" in unix ms); zero when it
// cannot be read.
func (t Token) Deadline() time.Time { return TokenDeadline(t.UploadToken) }

// TokenDeadline reads a WCS upload token's deadline (zero if unreadable).
func TokenDeadline(tok string) time.Time {
	parts := strings.Split(tok, ":")
	if len(parts) != 3 {
		return time.Time{}
	}
	raw, err := base64.URLEncoding.DecodeString(parts[2])
	if err != nil {
		if raw, err = base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
			return time.Time{}
		}
	}
	var p struct {
		Deadline json.RawMessage `json:"deadline"`
	}
	if json.Unmarshal(raw, &p) != nil {
		return time.Time{}
	}
	ms, err := strconv.ParseInt(strings.Trim(string(p.Deadline), `"`), 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// VideoInfo is one entry of getVideoList's videoListInfo.
type VideoInfo struct {
	VideoID        string `json:"videoId"`
	VideoName      string `json:"videoName"`
	TranscodeState int    `json:"transcodeState"`
	PublishDomain  string `json:"publishDomain"`
	PlayURL        string `json:"playUrl"`
	FailReason     string `json:"failReason"`
	ErrorMessage   string `json:"errorMessage"`
}

func (c *Client) policy() httpx.Policy { return httpx.Policy{Delays: c.RetryDelays} }

func (c *Client) base() string {
	if c.BaseURL == "" {
		return DefaultAPIURL
	}
	return strings.TrimRight(c.BaseURL, "/")
}

func (c *Client) hc() *http.Client {
	if c.HTTP == nil {
		return httpx.Client()
	}
	return c.HTTP
}

func (c *Client) now() time.Time {
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	return now.Add(time.Duration(c.skew.Load()))
}

// MaxSkew is the clock difference past which a refused call is signed
// again with the server's time (Wangsu refuses timestamps over 5 min off).
const MaxSkew = 2 * time.Minute

// resync learns the server's clock from a refused answer's Date header;
// it reports whether the clocks were far enough apart to sign again.
func (c *Client) resync(res *http.Response) bool {
	t, err := http.ParseTime(res.Header.Get("Date"))
	if err != nil {
		return false
	}
	d := t.Sub(c.now())
	if d > -MaxSkew && d < MaxSkew {
		return false
	}
	c.skew.Add(int64(d))
	return true
}

// call POSTs params as JSON to path, signed anew for each attempt, and
// decodes data into out. Success is code 200 in the body.
func (c *Client) call(ctx context.Context, op, path string, params map[string]string, idempotent bool, out any) error {
	payload, err := json.Marshal(params)
	if err != nil {
		return err
	}
	resynced := false
	return c.policy().Do(ctx, op, idempotent, func() error {
		keys, err := c.Keys()
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base()+path, bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("Accept", "application/json")
		Sign(req, keys.AccessKey, keys.SecretKey, payload, c.now())
		res, err := c.hc().Do(req)
		if err != nil {
			return httpx.Transport(ctx, op, err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
		if err != nil {
			return httpx.Transport(ctx, op, err)
		}
		if res.StatusCode < 200 || res.StatusCode > 299 {
			return httpx.ResponseError(op, res, words(b, keys.SecretKey))
		}
		var ans struct {
			Code    json.RawMessage `json:"code"`
			Message string          `json:"message"`
			Data    json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(b, &ans); err != nil {
			return &httpx.Error{Op: op, Status: res.StatusCode, Message: "the answer is not the JSON Wangsu documents: " + err.Error()}
		}
		code, _ := strconv.Atoi(strings.Trim(string(ans.Code), `"`))
		msg := redact(ans.Message, keys.SecretKey)
		switch {
		case code == 200:
		case !resynced && c.resync(res):
			// A skewed clock (the timestamp's error code is undocumented):
			// signed again once with the server's time.
			resynced = true
			return httpx.Again(&APIError{Op: op, Code: code, Message: msg})
		case code == CodeRateLimited:
			// Over the account's call budget (300 per 5 min): a busy answer,
			// retried with the policy's waits.
			return &httpx.Error{Op: op, Status: http.StatusTooManyRequests, Message: msg}
		case code == 1301:
			return fmt.Errorf("%s: %w of account %q (%s): add it again with gjw account add wangsu --access-key AK --secret-key SK --name %s",
				op, ErrKeyRefused, c.Account, msg, c.Account)
		default:
			return &APIError{Op: op, Code: code, Message: msg}
		}
		if out == nil || len(ans.Data) == 0 {
			return nil
		}
		if err := json.Unmarshal(ans.Data, out); err != nil {
			return &httpx.Error{Op: op, Status: res.StatusCode, Message: "the answer's data is not what Wangsu documents: " + err.Error()}
		}
		return nil
	})
}

func redact(s, secret string) string {
	if secret != "" {
		s = strings.ReplaceAll(s, secret, "…")
	}
	return s
}

// words is the message of an error body ({"message"}, or short text).
func words(b []byte, secret string) string {
	var m map[string]any
	msg := ""
	if json.Unmarshal(b, &m) == nil {
		if v, ok := m["message"]; ok {
			msg = fmt.Sprint(v)
		}
	} else if len(b) < 200 {
		msg = strings.TrimSpace(string(b))
	}
	return redact(msg, secret)
}

// GetUploadToken is getUploadToken with originFileName and fileId. With a
// fileId a repeated call finds the same video, so it is repeated after an
// ambiguous failure.
func (c *Client) GetUploadToken(ctx context.Context, originFileName, fileID string) (Token, error) {
	var t Token
	params := map[string]string{"originFileName": originFileName}
	if fileID != "" {
		params["fileId"] = fileID
	}
	if err := c.call(ctx, "get upload token", "/vod/videoManage/getUploadToken", params, fileID != "", &t); err != nil {
		return t, err
	}
	if t.VideoID == "" || t.UploadToken == "" || t.UploadURL == "" || t.FileKey == "" {
		return t, &httpx.Error{Op: "get upload token", Status: 200, Message: "the answer lacks videoId, fileKey, uploadUrl or uploadToken"}
	}
	return t, nil
}

// Video is getVideoList filtered by videoId; ok is false when it is not
// listed.
func (c *Client) Video(ctx context.Context, videoID string) (VideoInfo, bool, error) {
	var d struct {
		VideoListInfo []VideoInfo `json:"videoListInfo"`
	}
	err := c.call(ctx, "check transcoding", "/vod/videoManage/getVideoList",
		map[string]string{"videoId": videoID, "pageIndex": "1", "pageSize": "1"}, true, &d)
	if err != nil {
		return VideoInfo{}, false, err
	}
	for _, v := range d.VideoListInfo {
		if v.VideoID == videoID {
			return v, true, nil
		}
	}
	return VideoInfo{}, false, nil
}

// EditVideo is videoEdit: the video's name (at most 40 characters) and
// description (at most 200).
func (c *Client) EditVideo(ctx context.Context, videoID, name, description string) error {
	p := map[string]string{"videoId": videoID, "videoName": Shorten(name, 40)}
	if d := Shorten(description, 200); d != "" {
		p["videoDescription"] = d
	}
	return c.call(ctx, "edit video", "/vod/videoManage/videoEdit", p, true, nil)
}

// Shorten keeps the first n characters of s.
func Shorten(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) > n {
		r = r[:n]
	}
	return strings.TrimSpace(string(r))
}

// BlockAnswer is mkblk's and bput's answer.
type BlockAnswer struct {
	Ctx      string `json:"ctx"`
	Checksum string `json:"checksum"`
	CRC32    uint32 `json:"crc32"`
	Offset   int64  `json:"offset"`
}

// Upload is one file's session on the upload host.
type Upload struct {
	URL, FileKey, Batch string
}

// ErrCtxRefused means the upload host refused a block's ctx (stale, or its
// blocks were purged): the block is uploaded again from its start.
var ErrCtxRefused = errors.New("the upload host refused the block's ctx")

// post sends one upload-host request with the raw token in Authorization.
// body may be reused once it returns.
func (c *Client) post(ctx context.Context, op, url, token, ctype string, u Upload, body []byte, out any) error {
	rb := &requestBody{r: bytes.NewReader(body)}
	defer rb.end()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, rb)
	if err != nil {
		return err
	}
	req.ContentLength = int64(len(body))
	req.GetBody = nil
	req.Header.Set("Authorization", token)
	req.Header.Set("UploadBatch", u.Batch)
	req.Header.Set("Key", base64.URLEncoding.EncodeToString([]byte(u.FileKey)))
	req.Header.Set("Content-Type", ctype)
	res, err := c.hc().Do(req)
	if err != nil {
		return httpx.Transport(ctx, op, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return httpx.Transport(ctx, op, err)
	}
	if res.StatusCode == http.StatusNotAcceptable || res.StatusCode == 701 {
		return fmt.Errorf("%s: %w (%s)", op, ErrCtxRefused, words(b, ""))
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return httpx.ResponseError(op, res, words(b, ""))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return &httpx.Error{Op: op, Status: res.StatusCode, Message: "the answer is not JSON: " + err.Error()}
		}
	}
	return nil
}

// Mkblk creates block idx of size bytes with its first chunk.
func (c *Client) Mkblk(ctx context.Context, token string, u Upload, size int64, idx int, chunk []byte) (BlockAnswer, error) {
	var a BlockAnswer
	err := c.post(ctx, "upload block", fmt.Sprintf("%s/mkblk/%d/%d", strings.TrimRight(u.URL, "/"), size, idx), token, "application/octet-stream", u, chunk, &a)
	return a, err
}

// Bput appends chunk at offset to the block whose latest ctx is blockCtx.
func (c *Client) Bput(ctx context.Context, token string, u Upload, blockCtx string, offset int64, chunk []byte) (BlockAnswer, error) {
	var a BlockAnswer
	err := c.post(ctx, "upload chunk", fmt.Sprintf("%s/bput/%s/%d", strings.TrimRight(u.URL, "/"), blockCtx, offset), token, "application/octet-stream", u, chunk, &a)
	return a, err
}

// Mkfile merges the blocks whose last ctxs are ctxs, in block order.
func (c *Client) Mkfile(ctx context.Context, token string, u Upload, size int64, ctxs []string) error {
	var out map[string]any
	return c.post(ctx, "merge blocks", fmt.Sprintf("%s/mkfile/%d", strings.TrimRight(u.URL, "/"), size), token, "text/plain;charset=UTF-8", u, []byte(strings.Join(ctxs, ",")), &out)
}

// requestBody is a request's body over a buffer its caller reuses (the
// driver's chunk buffer): the transport may go on reading a body after the
// answer came (a server that answers before reading it all), so once the
// call is over (end), Read no longer touches the buffer.
type requestBody struct {
	mu    sync.Mutex
	r     *bytes.Reader
	ended bool
}

var errBodyEnded = errors.New("the request is over")

func (b *requestBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ended {
		return 0, errBodyEnded
	}
	return b.r.Read(p)
}

func (b *requestBody) end() {
	b.mu.Lock()
	b.ended = true
	b.mu.Unlock()
}
