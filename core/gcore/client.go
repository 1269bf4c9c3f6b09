// Package gcore publishes videos to Gcore Video Hosting (Streaming
// Platform): the client (one method per API call of the guide,
// ../shared/specs/gcore-vod-upload.txt) and its dest.Driver (driver.go).
//
// The API key travels only in `Authorization: APIKey <key>` to the API
// host; no error text, log line or checkpoint contains it. The TUS upload
// host never sees it: it takes the short-lived token of the upload
// parameters in the upload's metadata.
package gcore

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
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
)

// DefaultAPIURL is Gcore's API host; GCORE_API_URL overrides it.
const DefaultAPIURL = "https://api.gcore.com"

// APIURL is $GCORE_API_URL, else setting (the settings' Gcore API host),
// else DefaultAPIURL.
func APIURL(setting string) string {
	for _, v := range []string{os.Getenv("GCORE_API_URL"), setting} {
		if v = strings.TrimSpace(v); v != "" {
			return strings.TrimRight(v, "/")
		}
	}
	return DefaultAPIURL
}

// ErrKeyRefused means Gcore answered 401: the account's API key is wrong
// or revoked. API keys do not expire, so nothing is refreshed.
var ErrKeyRefused = errors.New("Gcore refused the API key")

// ErrNoKey means the account has no API key to send (it was removed, or
// its secrets cannot be read); Key functions wrap it. Like ErrKeyRefused,
// the target waits for the account to be added again.
var ErrNoKey = errors.New("no Gcore API key")

// Client calls the Gcore API for one account.
type Client struct {
	BaseURL string // DefaultAPIURL when empty
	// Key returns the account's API key (read at each call, so a key
	// entered again is used at once).
	Key     func() (string, error)
	Account string // the account's name, for messages
	HTTP    *http.Client
	// RetryDelays are httpx.Policy's delays (default the guide's).
	RetryDelays []time.Duration
}

// Video is the API's Video object, the fields the uploader reads.
type Video struct {
	ID              int64            `json:"id"`
	Name            string           `json:"name"`
	Description     string           `json:"description"`
	ClientID        int64            `json:"client_id"`
	Status          string           `json:"status"` // empty, pending, viewable, ready, error
	Error           string           `json:"error"`
	HLSURL          string           `json:"hls_url"`
	IframeURL       string           `json:"iframe_url"`
	ConvertedVideos []ConvertedVideo `json:"converted_videos"`
}

// ConvertedVideo is one quality being made.
type ConvertedVideo struct {
	Name     string `json:"name"`
	Progress int    `json:"progress"`
	Status   string `json:"status"`
	Error    string `json:"error"`
}

// Server is one TUS upload server of the upload parameters.
type Server struct {
	ID       int64  `json:"id"`
	Role     string `json:"role"`
	Hostname string `json:"hostname"`
	Active   *bool  `json:"active"`
	SSL      *bool  `json:"ssl"`
}

// Endpoint is the server's TUS creation URL: https unless ssl is false.
func (s Server) Endpoint() string {
	scheme := "https"
	if s.SSL != nil && !*s.SSL {
		scheme = "http"
	}
	return scheme + "://" + s.Hostname + "/upload/"
}

// Params are the TUS session parameters of one video.
type Params struct {
	Servers []Server `json:"servers"`
	Token   string   `json:"token"`
	Video   Video    `json:"video"`
}

func (c *Client) policy() httpx.Policy { return httpx.Policy{Delays: c.RetryDelays} }

func (c *Client) base() string {
	if c.BaseURL == "" {
		return DefaultAPIURL
	}
	return strings.TrimRight(c.BaseURL, "/")
}

// call sends one API request through the retry policy and decodes a 2xx
// answer into out.
func (c *Client) call(ctx context.Context, op, method, path string, body any, idempotent bool, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return err
		}
	}
	return c.policy().Do(ctx, op, idempotent, func() error {
		key, err := c.Key()
		if err != nil {
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
		req.Header.Set("Authorization", "APIKey "+key)
		req.Header.Set("Accept", "application/json")
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		hc := c.HTTP
		if hc == nil {
			hc = httpx.Client()
		}
		res, err := hc.Do(req)
		if err != nil {
			return httpx.Transport(ctx, op, err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
		if err != nil {
			return httpx.Transport(ctx, op, err)
		}
		if res.StatusCode == http.StatusUnauthorized {
			return fmt.Errorf("%s: %w of account %q (%s): add it again with gjw account add gcore --api-key KEY --name %s",
				op, ErrKeyRefused, c.Account, platformWords(b, key), c.Account)
		}
		if res.StatusCode < 200 || res.StatusCode > 299 {
			return httpx.ResponseError(op, res, platformWords(b, key))
		}
		if out == nil || res.StatusCode == http.StatusNoContent {
			return nil
		}
		if err := json.Unmarshal(b, out); err != nil {
			return &httpx.Error{Op: op, Status: res.StatusCode, Message: "the answer is not the JSON Gcore documents: " + err.Error()}
		}
		return nil
	})
}

// platformWords is the message of an error body ({"error"}, {"message"},
// {"detail"}, or short text), never containing the key.
func platformWords(b []byte, key string) string {
	var m map[string]any
	msg := ""
	if json.Unmarshal(b, &m) == nil {
		for _, k := range []string{"error", "message", "detail", "errors"} {
			if v, ok := m[k]; ok {
				msg = fmt.Sprint(v)
				break
			}
		}
	} else if len(b) < 200 {
		msg = strings.TrimSpace(string(b))
	}
	if key != "" {
		msg = strings.ReplaceAll(msg, key, "…")
	}
	return msg
}

// Fields are the video's fields the uploader sends.
type Fields struct {
	Name, Description string
	// Poster, if set, is the creator's poster as an RFC 2397 data URL
	// (image/jpeg, image/png or image/webp, at most 1 MB: PosterData).
	Poster string
}

func (f Fields) body() map[string]any {
	m := map[string]any{"name": f.Name, "description": f.Description}
	if f.Poster != "" {
		m["poster"] = f.Poster
	}
	return m
}

// CreateVideo is step 1: POST /streaming/videos with {"video":{name,
// description[, poster]}}. The answer may be the guide's object or
// gcore-go's one-element array. Not repeated after an ambiguous failure.
func (c *Client) CreateVideo(ctx context.Context, f Fields) (Video, error) {
	var raw json.RawMessage
	body := map[string]any{"video": f.body()}
	if err := c.call(ctx, "create video", http.MethodPost, "/streaming/videos", body, false, &raw); err != nil {
		return Video{}, err
	}
	var v Video
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		var vs []Video
		if err := json.Unmarshal(t, &vs); err != nil || len(vs) != 1 {
			return Video{}, &httpx.Error{Op: "create video", Status: 200, Message: fmt.Sprintf("want one video in the answer, got %d", len(vs))}
		}
		v = vs[0]
	} else if err := json.Unmarshal(t, &v); err != nil {
		return Video{}, &httpx.Error{Op: "create video", Status: 200, Message: "the answer is not a video: " + err.Error()}
	}
	if v.ID == 0 {
		return Video{}, &httpx.Error{Op: "create video", Status: 200, Message: "the answer has no video id"}
	}
	return v, nil
}

// UploadParams is step 2: GET /streaming/videos/{id}/upload.
func (c *Client) UploadParams(ctx context.Context, id int64) (Params, error) {
	var p Params
	if err := c.call(ctx, "get upload parameters", http.MethodGet, "/streaming/videos/"+strconv.FormatInt(id, 10)+"/upload", nil, true, &p); err != nil {
		return p, err
	}
	if p.Token == "" || len(p.Servers) == 0 {
		return p, &httpx.Error{Op: "get upload parameters", Status: 200, Message: "the answer lacks a token or upload servers"}
	}
	return p, nil
}

// Video is GET /streaming/videos/{id}.
func (c *Client) Video(ctx context.Context, id int64) (Video, error) {
	var v Video
	err := c.call(ctx, "check processing", http.MethodGet, "/streaming/videos/"+strconv.FormatInt(id, 10), nil, true, &v)
	return v, err
}

// UpdateVideo is PATCH /streaming/videos/{id} with f.
func (c *Client) UpdateVideo(ctx context.Context, id int64, f Fields) error {
	return c.call(ctx, "update video", http.MethodPatch, "/streaming/videos/"+strconv.FormatInt(id, 10), f.body(), true, nil)
}

// MaxPoster is the largest poster Gcore takes (1 MB).
const MaxPoster = 1 << 20

// PosterData reads the image at path as the data URL Gcore's poster field
// takes. ok is false (and err nil) when the image cannot be sent as it is
// (a GIF, or larger than 1 MB): Gcore then shows its own screenshot.
func PosterData(path string) (data string, ok bool, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", false, fmt.Errorf("poster %q: %w", path, err)
	}
	mt := http.DetectContentType(b)
	if len(b) > MaxPoster || (mt != "image/jpeg" && mt != "image/png" && mt != "image/webp") {
		return "", false, nil
	}
	return "data:" + mt + ";base64," + base64.StdEncoding.EncodeToString(b), true, nil
}
