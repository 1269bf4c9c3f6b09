// Package jw is a strict in-process emulator of JW Player's Management
// API v2 (api.jwplayer.com) and of the S3 endpoint its presigned multipart
// part links point at, for tests and demos. It enforces what
// ../shared/specs/destinations-protocols.md section 5.3 lists for v2:
//
//   - API: `Authorization: Bearer <api secret>` on /v2/sites/{site}/…
//     (a missing Bearer prefix or another secret: 401 with errors[]);
//     POST /v2/sites/{site}/media/ needs Content-Type application/json,
//     only the top-level keys upload and metadata, upload.method in
//     {direct, multipart, fetch} (only multipart is emulated, the others
//     answer 400 invalid_body) and a metadata.title; it answers the media
//     with status "created", upload_id and upload_token. GET and PATCH
//     /v2/sites/{site}/media/{id}/; GET /v2/sites/{site}/media/ lists the
//     site's media (page, page_length 1..10000). A site other than the
//     sandbox's: 401 for a wrong secret, else 404 not_found.
//   - Upload API: GET /v2/uploads/{id}/parts?page=&page_length= and PUT
//     /v2/uploads/{id}/complete take `Bearer <upload_token>` of that upload
//     only (the API secret is refused with 401, to catch token mix-ups);
//     page >= 1 and page_length 1..1000, else 400; the listing holds the
//     ids of that page (at most 10,000 in all), each with a fresh presigned
//     upload_link and, once uploaded, its etag without quotes. complete
//     refuses (400) no parts, a gap below the highest part, a non-last part
//     under the minimum (5 MiB, 5,242,880 bytes, unless Config.MinPart),
//     and a second complete (409 already_completed); on success the media
//     goes "processing", then "ready" after Config.Polls status polls, or
//     "failed" with error_message after FailProcessing.
//   - Rate limit: 60 requests per minute per bearer (API secret or upload
//     token); more answer 429 with Retry-After and jw-request-limit.
//   - S3: PUT only, to the exact presigned path and query (a changed or
//     missing signature: 403 SignatureDoesNotMatch; an expired link: 403
//     AccessDenied "Request has expired"); Content-Length required (a
//     chunked body: 501 NotImplemented, as S3 answers; none: 411); the
//     answer's ETag is the quoted MD5 of the part.
//
// Faults (Inject): any status, a connection dropped mid-body, a request
// held without an answer; ExpireLinks expires every part link issued so
// far (a new listing gives fresh ones).
package jw

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Demo account of the sandbox (sandbox-only, grants nothing elsewhere).
const (
	DemoSite   = "SbxSite1"
	DemoSecret = "sandbox-jw-demo-secret-5678"
)

// MinPart is S3's (and JW's) minimum size of a part other than the last.
const MinPart = 5 << 20

// MaxParts is the most parts one upload may have.
const MaxParts = 10000

// Config configures a Server; every field has a default.
type Config struct {
	SiteID string // default DemoSite
	Secret string // default DemoSecret
	// MinPart is the smallest non-last part complete accepts (default
	// MinPart, the real rule; tests may lower it).
	MinPart int64
	// LinkTTL is a part link's lifetime (default 1 h).
	LinkTTL time.Duration
	// Polls is how many status polls "processing" lasts; 0 means 2, a
	// negative value ready at the first poll.
	Polls int
	// RateLimit is the requests per minute per bearer (default 60; a
	// negative value: no limit).
	RateLimit int
	// RateWindow is the limit's window (default a minute; tests shorten it).
	RateWindow time.Duration
	// Throttle, if > 0, limits each part PUT to that many bytes per second.
	Throttle int64
	// Logf, if set, gets one line per request and fault; never a secret.
	Logf func(format string, args ...any)
}

// Stats count what the sandbox did.
type Stats struct {
	Creates   int   // media created
	Uploads   int   // multipart uploads created
	PartBytes int64 // part bytes the S3 endpoint read, cut requests included
	PartPuts  int   // part PUTs stored
	Lists     int   // part listings answered
	Completes int   // completes accepted
	Polls     int   // media GETs answered
	Updates   int   // media PATCHes accepted
	Refused   int   // requests refused for their credential (401)
	Expired   int   // part PUTs refused for an expired link
	Limited   int   // requests answered 429
	Chunked   int   // part PUTs refused for a chunked body
}

// Media is a snapshot of one media entity.
type Media struct {
	ID, Title, Description string
	Status                 string // created, processing, ready, failed
	ErrorMessage           string
	UploadID               string
}

type media struct {
	Media
	polls   int
	fail    string
	created time.Time
}

type part struct {
	size int64
	md5  string
}

type upload struct {
	id, token, media string
	parts            map[int]part
	completed        bool
}

// Server is the emulator; serve API() and S3() (SetS3URL names the
// latter's base URL for the links).
type Server struct {
	cfg       Config
	partBytes atomic.Int64

	mu       sync.Mutex
	s3URL    string
	linkKey  []byte
	notAfter time.Time // links issued before this are expired
	media    map[string]*media
	uploads  map[string]*upload
	calls    map[string][]time.Time
	faults   []*queuedFault
	fail     string
	expireIn int // part PUTs until every link issued expires (0: never)
	stats    Stats
	now      func() time.Time
}

// New returns a Server; see Config.
func New(cfg Config) *Server {
	if cfg.SiteID == "" {
		cfg.SiteID = DemoSite
	}
	if cfg.Secret == "" {
		cfg.Secret = DemoSecret
	}
	if cfg.MinPart <= 0 {
		cfg.MinPart = MinPart
	}
	if cfg.LinkTTL <= 0 {
		cfg.LinkTTL = time.Hour
	}
	if cfg.Polls == 0 {
		cfg.Polls = 2
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = 60
	}
	if cfg.RateWindow <= 0 {
		cfg.RateWindow = time.Minute
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &Server{cfg: cfg, linkKey: key, media: map[string]*media{}, uploads: map[string]*upload{},
		calls: map[string][]time.Time{}, now: time.Now}
}

// SiteID and Secret are the account's credentials.
func (s *Server) SiteID() string { return s.cfg.SiteID }
func (s *Server) Secret() string { return s.cfg.Secret }

// SetS3URL is the base URL (scheme://host:port) the part links point at.
func (s *Server) SetS3URL(u string) {
	s.mu.Lock()
	s.s3URL = strings.TrimRight(u, "/")
	s.mu.Unlock()
}

// ExpireLinks expires every part link issued so far.
func (s *Server) ExpireLinks() {
	s.mu.Lock()
	s.notAfter = s.now()
	s.mu.Unlock()
}

// ExpireLinksAfter expires every link issued so far once n more parts are
// stored (a link expiring mid-upload in a test that cannot time it).
func (s *Server) ExpireLinksAfter(n int) {
	s.mu.Lock()
	s.expireIn = n
	s.mu.Unlock()
}

// FailProcessing makes the next completed media end "failed" with words.
func (s *Server) FailProcessing(words string) {
	s.mu.Lock()
	s.fail = words
	s.mu.Unlock()
}

// Stats are the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.PartBytes = s.partBytes.Load()
	return st
}

// Media is the snapshot of media id.
func (s *Server) Media(id string) (Media, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	if !ok {
		return Media{}, false
	}
	return m.Media, true
}

// AllMedia lists every media.
func (s *Server) AllMedia() []Media {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Media, 0, len(s.media))
	for _, m := range s.media {
		out = append(out, m.Media)
	}
	return out
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// API is the handler of api.jwplayer.com.
func (s *Server) API() http.Handler {
	return s.withFaults("api", http.HandlerFunc(s.serveAPI))
}

// S3 is the handler of the presigned part links.
func (s *Server) S3() http.Handler {
	return s.withFaults("s3", http.HandlerFunc(s.servePart))
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	s.logf("api: %s %s", r.Method, r.URL.Path)
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(seg) >= 4 && seg[0] == "v2" && seg[1] == "sites" && seg[3] == "media" && len(seg) <= 5:
		if seg[2] != s.cfg.SiteID {
			// JW answers a site the secret does not hold as unauthorized.
			if !s.bearer(w, r, s.cfg.Secret) {
				return
			}
			jwError(w, http.StatusNotFound, "not_found", "site "+seg[2]+" not found")
			return
		}
		if len(seg) == 4 {
			if r.Method != http.MethodPost && r.Method != http.MethodGet {
				jwError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" not allowed")
				return
			}
			if s.bearer(w, r, s.cfg.Secret) && s.admit(w, s.cfg.Secret) {
				if r.Method == http.MethodGet {
					s.listMedia(w, r)
				} else {
					s.create(w, r)
				}
			}
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodPatch {
			jwError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" not allowed")
			return
		}
		if s.bearer(w, r, s.cfg.Secret) && s.admit(w, s.cfg.Secret) {
			if r.Method == http.MethodGet {
				s.get(w, seg[4])
			} else {
				s.patch(w, r, seg[4])
			}
		}
	case len(seg) == 4 && seg[0] == "v2" && seg[1] == "uploads" && (seg[3] == "parts" || seg[3] == "complete"):
		want := http.MethodGet
		if seg[3] == "complete" {
			want = http.MethodPut
		}
		if r.Method != want {
			jwError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" not allowed")
			return
		}
		s.mu.Lock()
		u := s.uploads[seg[2]]
		s.mu.Unlock()
		if u == nil {
			jwError(w, http.StatusNotFound, "not_found", "upload "+seg[2]+" not found")
			return
		}
		if !s.bearer(w, r, u.token) || !s.admit(w, u.token) {
			return
		}
		if seg[3] == "parts" {
			s.list(w, r, u)
		} else {
			s.complete(w, u)
		}
	default:
		jwError(w, http.StatusNotFound, "not_found", "no such endpoint")
	}
}

// bearer checks `Authorization: Bearer <want>`.
func (s *Server) bearer(w http.ResponseWriter, r *http.Request, want string) bool {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if ok && hmac.Equal([]byte(tok), []byte(want)) {
		return true
	}
	s.mu.Lock()
	s.stats.Refused++
	s.mu.Unlock()
	msg := "invalid credentials"
	switch {
	case h == "":
		msg = "missing Authorization header"
	case !ok:
		msg = "Authorization must be Bearer <secret>"
	case tok == s.cfg.Secret:
		msg = "the upload API takes the upload_token, not the API secret"
	}
	s.logf("api: 401 %s", msg)
	jwError(w, http.StatusUnauthorized, "unauthorized", msg)
	return false
}

// admit applies the per-bearer limit of RateLimit requests a minute.
func (s *Server) admit(w http.ResponseWriter, bearer string) bool {
	if s.cfg.RateLimit < 0 {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	calls := s.calls[bearer]
	for len(calls) > 0 && now.Sub(calls[0]) >= s.cfg.RateWindow {
		calls = calls[1:]
	}
	w.Header().Set("jw-request-limit", strconv.Itoa(s.cfg.RateLimit))
	if len(calls) >= s.cfg.RateLimit {
		s.calls[bearer] = calls
		s.stats.Limited++
		wait := s.cfg.RateWindow - now.Sub(calls[0])
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		s.logf("api: 429 rate limit")
		jwErrorLocked(w, http.StatusTooManyRequests, "too_many_requests", fmt.Sprintf("rate limit of %d requests per minute exceeded", s.cfg.RateLimit))
		return false
	}
	s.calls[bearer] = append(calls, now)
	return true
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		jwError(w, http.StatusUnsupportedMediaType, "invalid_content_type", "Content-Type must be application/json")
		return
	}
	var body map[string]json.RawMessage
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
		jwError(w, http.StatusBadRequest, "invalid_body", "the body is not JSON: "+err.Error())
		return
	}
	for k := range body {
		if k != "upload" && k != "metadata" {
			jwError(w, http.StatusBadRequest, "invalid_body", "unknown field "+k)
			return
		}
	}
	var up struct {
		Method   string `json:"method"`
		MimeType string `json:"mime_type"`
	}
	var meta struct {
		Title       string `json:"title"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal(body["upload"], &up); err != nil || body["upload"] == nil {
		jwError(w, http.StatusBadRequest, "invalid_body", "upload is required")
		return
	}
	switch up.Method {
	case "multipart":
	case "direct", "fetch":
		jwError(w, http.StatusBadRequest, "invalid_body", "sandbox: upload.method "+up.Method+" is not emulated")
		return
	default:
		jwError(w, http.StatusBadRequest, "invalid_body", "upload.method must be one of direct, multipart, fetch")
		return
	}
	if body["metadata"] != nil {
		if err := json.Unmarshal(body["metadata"], &meta); err != nil {
			jwError(w, http.StatusBadRequest, "invalid_body", "metadata: "+err.Error())
			return
		}
	}
	s.mu.Lock()
	m := &media{Media: Media{ID: randomID(8), Title: meta.Title, Description: meta.Description, Status: "created"}, created: s.now()}
	u := &upload{id: randomID(16), token: hex.EncodeToString(randomBytes(20)), media: m.ID, parts: map[int]part{}}
	m.UploadID = u.id
	s.media[m.ID], s.uploads[u.id] = m, u
	s.stats.Creates++
	s.stats.Uploads++
	out := s.mediaJSONLocked(m)
	out["upload_id"], out["upload_token"] = u.id, u.token
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) mediaJSONLocked(m *media) map[string]any {
	out := map[string]any{
		"id": m.ID, "type": "media", "status": m.Status,
		"metadata": map[string]any{"title": m.Title, "description": m.Description},
	}
	if m.ErrorMessage != "" {
		out["error_message"] = m.ErrorMessage
	}
	return out
}

// listMedia is GET /v2/sites/{site}/media/?page=&page_length=: the site's
// media, newest first (page >= 1, page_length 1..10000, default 1 and 10).
func (s *Server) listMedia(w http.ResponseWriter, r *http.Request) {
	page, length := 1, 10
	for _, q := range []struct {
		name     string
		v        *int
		min, max int
	}{{"page", &page, 1, 1 << 30}, {"page_length", &length, 1, 10000}} {
		if v := r.URL.Query().Get(q.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < q.min || n > q.max {
				jwError(w, http.StatusBadRequest, "invalid_query_parameter", fmt.Sprintf("%s: %d to %d", q.name, q.min, q.max))
				return
			}
			*q.v = n
		}
	}
	s.mu.Lock()
	all := make([]*media, 0, len(s.media))
	for _, m := range s.media {
		all = append(all, m)
	}
	sort.Slice(all, func(a, b int) bool { return all[a].created.After(all[b].created) })
	list := []map[string]any{}
	for i := (page - 1) * length; i < len(all) && i < page*length; i++ {
		list = append(list, s.mediaJSONLocked(all[i]))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"media": list, "page": page, "page_length": length, "total": len(all)})
}

func (s *Server) get(w http.ResponseWriter, id string) {
	s.mu.Lock()
	m := s.media[id]
	if m == nil {
		s.mu.Unlock()
		jwError(w, http.StatusNotFound, "not_found", "media "+id+" not found")
		return
	}
	s.stats.Polls++
	if m.Status == "processing" {
		m.polls++
		if m.polls > s.cfg.Polls {
			if m.fail != "" {
				m.Status, m.ErrorMessage = "failed", m.fail
			} else {
				m.Status = "ready"
			}
		}
	}
	out := s.mediaJSONLocked(m)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) patch(w http.ResponseWriter, r *http.Request, id string) {
	var body struct {
		Metadata *struct {
			Title       *string `json:"title"`
			Description *string `json:"description"`
		} `json:"metadata"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.Metadata == nil {
		jwError(w, http.StatusBadRequest, "invalid_body", "want {\"metadata\":{…}}")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.media[id]
	if m == nil {
		jwErrorLocked(w, http.StatusNotFound, "not_found", "media "+id+" not found")
		return
	}
	if body.Metadata.Title != nil {
		m.Title = *body.Metadata.Title
	}
	if body.Metadata.Description != nil {
		m.Description = *body.Metadata.Description
	}
	s.stats.Updates++
	writeJSON(w, http.StatusOK, s.mediaJSONLocked(m))
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, u *upload) {
	q := r.URL.Query()
	page, err1 := strconv.Atoi(q.Get("page"))
	length, err2 := strconv.Atoi(q.Get("page_length"))
	if q.Get("page") == "" {
		page, err1 = 1, nil
	}
	if q.Get("page_length") == "" {
		length, err2 = 10, nil
	}
	if err1 != nil || err2 != nil || page < 1 || length < 1 || length > 1000 {
		jwError(w, http.StatusBadRequest, "invalid_query", "page must be >= 1 and page_length 1..1000")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.completed {
		jwErrorLocked(w, http.StatusConflict, "already_completed", "the upload is completed")
		return
	}
	s.stats.Lists++
	parts := []map[string]any{}
	issued := s.now()
	for id := (page-1)*length + 1; id <= page*length && id <= MaxParts; id++ {
		p := map[string]any{"id": id, "upload_link": s.linkLocked(u.id, id, issued)}
		if pt, ok := u.parts[id]; ok {
			p["etag"] = pt.md5
		}
		parts = append(parts, p)
	}
	writeJSON(w, http.StatusOK, map[string]any{"parts": parts, "page": page, "page_length": length, "total": MaxParts})
}

// linkLocked is the presigned URL of part n of upload id.
func (s *Server) linkLocked(id string, n int, issued time.Time) string {
	path := fmt.Sprintf("/bucket/%s/%d", id, n)
	exp := issued.Add(s.cfg.LinkTTL).Unix()
	q := url.Values{}
	q.Set("uploadId", id)
	q.Set("partNumber", strconv.Itoa(n))
	q.Set("X-Amz-Date", strconv.FormatInt(issued.UnixNano(), 10))
	q.Set("X-Amz-Expires", strconv.FormatInt(exp, 10))
	q.Set("X-Amz-Signature", s.sign(path, q))
	return s.s3URL + path + "?" + q.Encode()
}

func (s *Server) sign(path string, q url.Values) string {
	c := url.Values{}
	for k, v := range q {
		if k != "X-Amz-Signature" {
			c[k] = v
		}
	}
	m := hmac.New(sha256.New, s.linkKey)
	m.Write([]byte(path + "?" + c.Encode()))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) complete(w http.ResponseWriter, u *upload) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.completed {
		jwErrorLocked(w, http.StatusConflict, "already_completed", "the upload is already completed")
		return
	}
	if len(u.parts) == 0 {
		jwErrorLocked(w, http.StatusBadRequest, "invalid_upload", "no parts were uploaded")
		return
	}
	if len(u.parts) > MaxParts {
		jwErrorLocked(w, http.StatusBadRequest, "invalid_upload", "more than 10,000 parts")
		return
	}
	last := 0
	for n := range u.parts {
		last = max(last, n)
	}
	for n := 1; n <= last; n++ {
		p, ok := u.parts[n]
		if !ok {
			jwErrorLocked(w, http.StatusBadRequest, "invalid_upload", fmt.Sprintf("part %d is missing: all parts must be uploaded to complete the multipart upload", n))
			return
		}
		if n < last && p.size < s.cfg.MinPart {
			jwErrorLocked(w, http.StatusBadRequest, "invalid_upload", fmt.Sprintf("part %d is %d bytes: every part but the last must be at least %d", n, p.size, s.cfg.MinPart))
			return
		}
	}
	u.completed = true
	s.stats.Completes++
	if m := s.media[u.media]; m != nil {
		m.Status, m.fail = "processing", s.fail
		s.fail = ""
		if s.cfg.Polls < 0 {
			m.polls = 1 << 30
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{})
}

func (s *Server) servePart(w http.ResponseWriter, r *http.Request) {
	s.logf("s3: %s %s", r.Method, r.URL.Path)
	if r.Method != http.MethodPut {
		s3Error(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		return
	}
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	s.mu.Lock()
	sig := s.sign(r.URL.Path, q)
	notAfter := s.notAfter
	s.mu.Unlock()
	if len(seg) != 3 || seg[0] != "bucket" || !hmac.Equal([]byte(sig), []byte(q.Get("X-Amz-Signature"))) ||
		q.Get("uploadId") != seg[1] || q.Get("partNumber") != seg[2] {
		s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	issued, _ := strconv.ParseInt(q.Get("X-Amz-Date"), 10, 64)
	exp, _ := strconv.ParseInt(q.Get("X-Amz-Expires"), 10, 64)
	if s.now().Unix() >= exp || !time.Unix(0, issued).After(notAfter) {
		s.mu.Lock()
		s.stats.Expired++
		s.mu.Unlock()
		s3Error(w, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	}
	if len(r.TransferEncoding) > 0 {
		s.mu.Lock()
		s.stats.Chunked++
		s.mu.Unlock()
		s3Error(w, http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented: Transfer-Encoding")
		return
	}
	if r.ContentLength < 0 || r.Header.Get("Content-Length") == "" {
		s3Error(w, http.StatusLengthRequired, "MissingContentLength", "You must provide the Content-Length HTTP header.")
		return
	}
	n, _ := strconv.Atoi(seg[2])
	s.mu.Lock()
	u := s.uploads[seg[1]]
	s.mu.Unlock()
	if u == nil || n < 1 || n > MaxParts {
		s3Error(w, http.StatusNotFound, "NoSuchUpload", "The specified multipart upload does not exist.")
		return
	}
	h := md5.New()
	var body io.Reader = r.Body
	if s.cfg.Throttle > 0 {
		body = &throttled{r: body, rate: s.cfg.Throttle, start: time.Now()}
	}
	got, err := io.Copy(h, &counted{r: body, n: &s.partBytes})
	if err != nil || got != r.ContentLength {
		s3Error(w, http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
		return
	}
	sum := hex.EncodeToString(h.Sum(nil))
	s.mu.Lock()
	if u.completed {
		s.mu.Unlock()
		s3Error(w, http.StatusNotFound, "NoSuchUpload", "The specified multipart upload does not exist.")
		return
	}
	u.parts[n] = part{size: got, md5: sum}
	s.stats.PartPuts++
	if s.expireIn > 0 {
		if s.expireIn--; s.expireIn == 0 {
			s.notAfter = s.now()
		}
	}
	s.mu.Unlock()
	w.Header().Set("ETag", `"`+sum+`"`)
	w.WriteHeader(http.StatusOK)
}

type counted struct {
	r io.Reader
	n *atomic.Int64
}

func (c *counted) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

type throttled struct {
	r     io.Reader
	rate  int64
	start time.Time
	n     int64
}

func (t *throttled) Read(p []byte) (int, error) {
	if len(p) > 32<<10 {
		p = p[:32<<10]
	}
	n, err := t.r.Read(p)
	t.n += int64(n)
	if due := time.Duration(float64(t.n) / float64(t.rate) * float64(time.Second)); due > time.Since(t.start) {
		time.Sleep(due - time.Since(t.start))
	}
	return n, err
}

func (s *Server) faultError(host string, w http.ResponseWriter, status int, msg string) {
	if host == "s3" {
		code := "InternalError"
		if status == http.StatusServiceUnavailable {
			code, msg = "SlowDown", "Please reduce your request rate."
		}
		s3Error(w, status, code, msg)
		return
	}
	jwError(w, status, "sandbox_fault", msg)
}

func jwError(w http.ResponseWriter, status int, code, desc string) {
	jwErrorLocked(w, status, code, desc)
}

func jwErrorLocked(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]string{{"code": code, "description": desc}}})
}

func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message></Error>`, code, msg)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randomID(n int) string {
	b := randomBytes(n)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}
