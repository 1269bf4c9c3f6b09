// Package gjw is the client for Gan Jing World's three hosts: the platform
// API (raw access token), the image CDN and the VOD CDN (both
// "Bearer <upload token>"). One method per platform step, ctx first.
//
// It follows ../shared/specs/gjw-video-upload-guide.txt: responses are read
// at every path the guide lists, the access token is refreshed proactively
// within an hour of expiry and once on a 401, and a rotated refresh token is
// stored durably before it is used.
package gjw

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Hosts are the base URLs of the platform's three hosts.
type Hosts struct {
	API   string // platform API: auth and content
	Image string // image CDN
	VOD   string // VOD CDN: TUS upload and transcoding status
}

// DefaultHosts are the real Gan Jing World hosts.
var DefaultHosts = Hosts{
	API:   "https://gw.ganjingworld.com",
	Image: "https://imgapi.cloudokyo.cloud",
	VOD:   "https://vodapi.cloudokyo.cloud",
}

// HostsFromEnv returns base, with any of GJW_API_URL, GJW_IMAGE_URL and
// GJW_VOD_URL that are set taking precedence.
func HostsFromEnv(base Hosts) Hosts {
	for env, field := range map[string]*string{
		"GJW_API_URL": &base.API, "GJW_IMAGE_URL": &base.Image, "GJW_VOD_URL": &base.VOD,
	} {
		if v := os.Getenv(env); v != "" {
			*field = v
		}
	}
	return base
}

// site is where the real platform's public pages are (VideoURL).
const site = "https://www.ganjingworld.com"

// Site is where the public pages of videos and news are: the real site,
// or, when the API is on this computer (the local sandbox, which serves
// /video/ID and /news/ID too), the API host.
func (h Hosts) Site() string {
	if u, err := url.Parse(h.API); err == nil {
		if ip := net.ParseIP(u.Hostname()); u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback()) {
			return strings.TrimRight(h.API, "/")
		}
	}
	return site
}

// OnSite is link, a public page of the real site, on h.Site(); other
// links as they are.
func (h Hosts) OnSite(link string) string {
	if rest, ok := strings.CutPrefix(link, site+"/"); ok {
		return h.Site() + "/" + rest
	}
	return link
}

// CredentialStore keeps the creator's session. PutCredentials must be durable
// when it returns: the old refresh token may already be dead.
type CredentialStore interface {
	Credentials() (persist.Credentials, bool, error)
	PutCredentials(persist.Credentials) error
}

// ErrSignedOut means there are no credentials, or the refresh token is dead:
// the creator must sign in again. Queued work waits for that.
var ErrSignedOut = errors.New("not signed in to Gan Jing World: sign in again (gjw login, or Account in the app)")

// Shorthands for the shared HTTP error type.
type Error = httpx.Error

var (
	ErrUnauthorized = httpx.ErrUnauthorized
	Retryable       = httpx.Retryable
	Sleep           = httpx.Sleep
)

// refreshMargin is how close to expiry the access token is refreshed
// proactively, rather than waiting for a 401.
const refreshMargin = time.Hour

// uploadTokenMaxAge bounds how long an upload token is reused; the guide
// calls it short-lived without a number, and a 401 fetches a new one anyway.
const uploadTokenMaxAge = 30 * time.Minute

// Client talks to the platform. It is safe for concurrent use.
type Client struct {
	Hosts Hosts
	HTTP  *http.Client
	// RetryDelays are waited before each attempt of a retryable call; the
	// number of entries is the number of attempts (empty: the guide's).
	RetryDelays []time.Duration
	// OnRetry, if set, hears about each retry of any call (for "retrying in
	// 3 s"); set it before the first call. To hear one job's retries only,
	// wrap that job's ctx with httpx.WithOnRetry instead.
	OnRetry func(op string, wait time.Duration, err error)

	creds CredentialStore
	now   func() time.Time

	authMu sync.Mutex // serialises refreshes: a refresh token works once

	uploadMu       sync.Mutex
	uploadToken    string
	uploadTokenAge time.Time
}

// NewClient returns a client for hosts using the credentials in creds.
func NewClient(hosts Hosts, creds CredentialStore, httpClient *http.Client) *Client {
	if httpClient == nil {
		// No overall timeout (uploads are long; requests carry ctx), but a
		// request that makes no progress for a minute is cancelled.
		httpClient = httpx.WithWatchdog(nil, httpx.DefaultStallTimeout)
	}
	return &Client{Hosts: hosts, HTTP: httpClient, RetryDelays: httpx.DefaultRetryDelays, creds: creds, now: time.Now}
}

// ChannelID is the signed-in creator's channel.
func (c *Client) ChannelID() (string, error) {
	cr, ok, err := c.creds.Credentials()
	if err != nil {
		return "", err
	}
	if !ok || cr.AccessToken == "" {
		return "", ErrSignedOut
	}
	return cr.ChannelID, nil
}

// accessToken returns a usable access token, refreshing it first when it
// expires within refreshMargin.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	cr, ok, err := c.creds.Credentials()
	if err != nil {
		return "", err
	}
	if !ok || cr.AccessToken == "" {
		return "", ErrSignedOut
	}
	if cr.ExpiresAt.IsZero() || c.now().Add(refreshMargin).Before(cr.ExpiresAt) {
		return cr.AccessToken, nil
	}
	fresh, err := c.refreshIfStill(ctx, cr.AccessToken)
	if err != nil && !errors.Is(err, ErrSignedOut) && c.now().Before(cr.ExpiresAt) {
		return cr.AccessToken, nil // a network blip; the old token still works for now
	}
	return fresh, err
}

// Refresh exchanges the refresh token for new tokens now.
func (c *Client) Refresh(ctx context.Context) error {
	cr, ok, err := c.creds.Credentials()
	if err != nil {
		return err
	}
	if !ok {
		return ErrSignedOut
	}
	_, err = c.refreshIfStill(ctx, cr.AccessToken)
	return err
}

// refreshIfStill refreshes unless another goroutine already replaced stale,
// and returns the current access token.
func (c *Client) refreshIfStill(ctx context.Context, stale string) (string, error) {
	c.authMu.Lock()
	defer c.authMu.Unlock()
	cr, ok, err := c.creds.Credentials()
	if err != nil {
		return "", err
	}
	if !ok || cr.RefreshToken == "" {
		return "", ErrSignedOut
	}
	if cr.AccessToken != stale {
		return cr.AccessToken, nil
	}
	body, _ := json.Marshal(map[string]string{"refresh_token": cr.RefreshToken})
	// One attempt: the calls that need a fresh token retry as a whole, and a
	// refresh token may work only once, so it is never sent twice here.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Hosts.API+"/v1.1/auth/token/refresh", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.send(req, "refresh token")
	var e *Error
	if errors.As(err, &e) && (e.Status == http.StatusUnauthorized || e.Status == http.StatusBadRequest || e.Status == http.StatusForbidden) {
		return "", fmt.Errorf("%w (the refresh token was rejected)", ErrSignedOut)
	}
	if err != nil {
		return "", err
	}
	access := lookupString(resp, "access_token", "data.access_token", "body.access_token")
	if access == "" {
		return "", &Error{Op: "refresh token", Status: http.StatusOK, Message: "the response holds no access_token"}
	}
	cr.AccessToken = access
	if rt := lookupString(resp, "refresh_token", "data.refresh_token", "body.refresh_token"); rt != "" {
		cr.RefreshToken = rt
	}
	cr.ExpiresAt = time.Time{}
	if secs := lookupNumber(resp, "expires_in", "data.expires_in", "body.expires_in"); secs > 0 {
		cr.ExpiresAt = c.now().Add(time.Duration(secs) * time.Second)
	}
	// Stored before use: the old refresh token may already be invalid.
	if err := c.creds.PutCredentials(cr); err != nil {
		return "", fmt.Errorf("saving the refreshed session: %w", err)
	}
	return cr.AccessToken, nil
}

// callAPI sends a JSON request to the platform API with the raw access
// token, through the client's Policy: a 401 refreshes the token and sends
// once more (httpx.Authorized), and only idempotent calls are repeated
// after an ambiguous failure.
func (c *Client) callAPI(ctx context.Context, op, method, path string, body any, header http.Header, idempotent bool) (map[string]any, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
	}
	var resp map[string]any
	err := c.Policy().Do(ctx, op, idempotent, func() error {
		return httpx.Authorized(ctx, c.apiToken, func(token string) error {
			var rd io.Reader
			if payload != nil {
				rd = bytes.NewReader(payload)
			}
			req, err := http.NewRequestWithContext(ctx, method, c.Hosts.API+path, rd)
			if err != nil {
				return err
			}
			for k, v := range header {
				req.Header[k] = v
			}
			req.Header.Set("Authorization", token) // raw: no Bearer on the platform API
			req.Header.Set("Accept", "application/json")
			if payload != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err = c.send(req, op)
			return err
		})
	})
	return resp, err
}

// apiToken is the platform API's httpx.TokenFunc: the current access token,
// or after a 401 a refreshed one.
func (c *Client) apiToken(ctx context.Context, stale string) (string, error) {
	if stale == "" {
		return c.accessToken(ctx)
	}
	return c.refreshIfStill(ctx, stale)
}

// Policy is the retry policy of every call the client makes: RetryDelays
// and OnRetry. Per-job listeners use httpx.WithOnRetry on the call's ctx.
func (c *Client) Policy() httpx.Policy {
	return httpx.Policy{Delays: c.RetryDelays, OnRetry: c.OnRetry}
}

// UploadToken returns the upload token for the CDNs, fetching one when none
// is cached or the cached one is old.
func (c *Client) UploadToken(ctx context.Context) (string, error) {
	c.uploadMu.Lock()
	defer c.uploadMu.Unlock()
	if c.uploadToken != "" && c.now().Sub(c.uploadTokenAge) < uploadTokenMaxAge {
		return c.uploadToken, nil
	}
	resp, err := c.callAPI(ctx, "get upload token", http.MethodGet, "/v1.0c/get-vod-token", nil, nil, true)
	if err != nil {
		return "", err
	}
	token := lookupString(resp, "body.token", "data.token", "body.upload_token", "body.vod_token")
	if token == "" {
		return "", &Error{Op: "get upload token", Status: http.StatusOK, Message: "the response holds no token"}
	}
	c.uploadToken, c.uploadTokenAge = token, c.now()
	return token, nil
}

// ForgetUploadToken drops the cached upload token if it is still stale, so
// the next UploadToken fetches a new one.
func (c *Client) ForgetUploadToken(stale string) {
	c.uploadMu.Lock()
	if c.uploadToken == stale {
		c.uploadToken = ""
	}
	c.uploadMu.Unlock()
}

// CDNToken is the CDNs' httpx.TokenFunc (TUS uploads use it too): the
// cached upload token, or after a 401 (stale set) a new one.
func (c *Client) CDNToken(ctx context.Context, stale string) (string, error) {
	if stale != "" {
		c.ForgetUploadToken(stale)
	}
	return c.UploadToken(ctx)
}

// callCDN sends a request built by build to a CDN with "Bearer <upload
// token>", through the client's Policy. A 401 fetches a new upload token
// and sends once more.
func (c *Client) callCDN(ctx context.Context, op string, idempotent bool, build func() (*http.Request, error)) (map[string]any, error) {
	var resp map[string]any
	err := c.Policy().Do(ctx, op, idempotent, func() error {
		return httpx.Authorized(ctx, c.CDNToken, func(token string) error {
			req, err := build()
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Accept", "application/json")
			resp, err = c.send(req, op)
			return err
		})
	})
	return resp, err
}

// send performs req and decodes a JSON object response; any non-2xx status
// becomes an *Error carrying the platform's message.
func (c *Client) send(req *http.Request, op string) (map[string]any, error) {
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, httpx.Transport(req.Context(), op, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return nil, httpx.Transport(req.Context(), op, err)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out) // a non-JSON body is fine for errors
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return nil, httpx.ResponseError(op, res, platformMessage(out, raw))
	}
	if out == nil {
		out = map[string]any{}
	}
	return out, nil
}

// platformMessage extracts a human message from an error response.
func platformMessage(obj map[string]any, raw []byte) string {
	if m := lookupString(obj, "message", "error", "msg", "body.message", "body.error", "data.message", "detail"); m != "" {
		return m
	}
	s := strings.TrimSpace(string(raw))
	if len(s) > 200 || strings.ContainsAny(s, "<{") {
		return ""
	}
	return s
}

// lookupString returns the first non-empty string at the dotted paths.
func lookupString(obj map[string]any, paths ...string) string {
	for _, p := range paths {
		switch v := lookup(obj, p).(type) {
		case string:
			if v != "" {
				return v
			}
		case float64: // a numeric id: 1234567890, never 1.23456789e+09
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return ""
}

func lookupNumber(obj map[string]any, paths ...string) float64 {
	for _, p := range paths {
		switch v := lookup(obj, p).(type) {
		case float64:
			return v
		case string:
			var f float64
			if _, err := fmt.Sscan(v, &f); err == nil {
				return f
			}
		}
	}
	return 0
}

func lookup(obj map[string]any, path string) any {
	var cur any = obj
	for _, key := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[key]
	}
	return cur
}
