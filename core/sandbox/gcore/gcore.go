// Package gcore is a strict in-process emulator of Gcore Video Hosting
// (Streaming Platform) for tests and demos: the API (api.gcore.com) as one
// http.Handler and the TUS upload servers (vod-uploader-*.gvideo.co) as
// another, backed by a real tusd with a filestore. It enforces what
// ../shared/specs/destinations-protocols.md section 5.1 lists:
//
//   - API: `Authorization: APIKey <key>` (scheme case-insensitive, key exact),
//     else 401; POST /streaming/videos with {"video":{"name","description"}}
//     (no other top-level keys, a non-empty name, no origin_url: copying is
//     not emulated); GET /streaming/videos/{id}/upload with servers (one per
//     upload host, at least two), a token bound to (video, client, issue
//     time) and the video with its client_id; GET, PATCH and DELETE of
//     /streaming/videos/{id}; GET /streaming/videos?page=N (an array of up to
//     ListPage videos, newest first, with X-Total-Count; page a positive
//     integer, else 400); a per-key rate limit answering 429 with
//     Retry-After.
//   - Upload hosts: Tus-Resumable 1.0.0 on every non-OPTIONS request (412
//     with Tus-Version), OPTIONS advertising `creation` only, creation with
//     Upload-Length (no deferred length) and no body, metadata filename,
//     filetype, token, video_id and client_id all required and valid
//     base64; token failures answer 500 with the guide's exact words
//     ("Error: token invalid (null)", "Error: token invalid (<tok>)",
//     "Error: token video (X) does not match this video (Y)", "Error: token
//     client (A) does not match this client (B)"); a second upload for a
//     video whose file is complete is refused; the Authorization header is
//     ignored; HEAD and PATCH need no token (it is only for creation, so
//     they work after it expires).
//   - Processing: when the last byte arrives the video goes pending, then
//     viewable, then ready, one stage per Config.Polls status polls, with
//     converted_videos progress rising; hls_url, dash_url and iframe_url
//     appear from viewable on. FailProcessing makes it end in "error" (or
//     "empty" with an error text, the guide's shape) instead.
//
// Gcore API keys do not expire, so the credential a test can expire is the
// TUS token (ExpireTokens): a creation with it is refused, an upload
// already created goes on.
package gcore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tus/tusd/v2/pkg/filestore"
	tushandler "github.com/tus/tusd/v2/pkg/handler"
	"golang.org/x/exp/slog"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox/tuslock"
)

// DemoKey is the sandbox's demo API key (sandbox-only, grants nothing
// elsewhere), fixed so a demo can add the account.
const DemoKey = "sandbox-gcore-demo-key-1234"

// DemoClientID is the client id of the demo account.
const DemoClientID = 100

// Config configures a Server. Only Dir is required.
type Config struct {
	// Dir holds tusd's filestore; it must exist or be creatable.
	Dir string
	// Key is the account's API key (default DemoKey).
	Key string
	// TokenTTL is the TUS token's lifetime (default 4 h, as in the guide).
	TokenTTL time.Duration
	// Polls is how many status polls each processing stage (pending,
	// viewable) lasts; 0 means 2, a negative value ready at once.
	Polls int
	// ArrayCreate makes POST /streaming/videos answer a one-element array
	// (gcore-go's type) instead of the guide's object.
	ArrayCreate bool
	// RelativeLocation makes TUS creation answer a relative Location.
	RelativeLocation bool
	// AllowSecondUpload lets a video whose file is complete take another
	// TUS upload (Gcore's behaviour there is unconfirmed; refused by default).
	AllowSecondUpload bool
	// RateLimit, if > 0, is the API's requests per second per key; more
	// answer 429 with Retry-After: 1.
	RateLimit float64
	// Throttle, if > 0, limits each PATCH to that many bytes per second,
	// so a demo on loopback shows progress (and a test can kill mid-way).
	Throttle int64
	// Logf, if set, gets one line per request and per fault; never a key
	// or token.
	Logf func(format string, args ...any)
}

// Stats counts what the sandbox did.
type Stats struct {
	Creates    int   // video entities created
	TusCreates int   // TUS uploads created
	PatchBytes int64 // PATCH body bytes handed to tusd, cut requests included
	Patches    int   // PATCH requests
	Polls      int   // GET /streaming/videos/{id} answered
	Updates    int   // PATCH /streaming/videos/{id} accepted
	Refused    int   // API requests refused for their key (401)
	Params     int   // upload parameters (tokens) issued
	TusRefused int   // TUS creations refused for their token
	UploadAuth int   // upload-host requests that carried an Authorization header (ignored)
}

// Video is a snapshot of one video entity.
type Video struct {
	ID                int64
	Name, Description string
	Status            string // empty, pending, viewable, ready, error
	Error             string
	Uploads           int // TUS uploads created for it
	Received          bool
	Poster            string // the type of the poster sent ("" without one)
}

type video struct {
	id                int64
	name, description string
	slug              string
	poster            string // the poster's MIME type, once one was sent
	status            string
	err               string
	uploads           int
	received          bool
	polls             int
	fail              string // the processing failure to end in
	failEmpty         bool
}

type token struct {
	video, client int64
	issued        time.Time
}

// Server is the emulator. Create it with New and serve API() and Upload()
// (on as many hosts as SetUploadHosts names).
type Server struct {
	cfg      Config
	key      string
	polls    int
	tus      http.Handler
	tusStore filestore.FileStore

	patchBytes atomic.Int64

	mu         sync.Mutex
	closed     bool
	hosts      []string
	videos     map[int64]*video
	nextID     int64
	tokens     map[string]*token
	faults     []*queuedFault
	stats      Stats
	fail       string
	failEmpty  bool
	expireNext int
	bucket     float64
	bucketAt   time.Time
	now        func() time.Time
}

// New returns a Server; see Config.
func New(cfg Config) (*Server, error) {
	if cfg.Dir == "" {
		return nil, errors.New("gcore sandbox: Config.Dir is required")
	}
	s := &Server{cfg: cfg, key: cfg.Key, polls: cfg.Polls, videos: map[int64]*video{}, tokens: map[string]*token{},
		nextID: 2501637, now: time.Now}
	if s.key == "" {
		s.key = DemoKey
	}
	if s.polls == 0 {
		s.polls = 2
	}
	if s.cfg.TokenTTL <= 0 {
		s.cfg.TokenTTL = 4 * time.Hour
	}
	s.tusStore = filestore.New(filepath.Join(cfg.Dir, "gcore-tus"))
	if err := mkdir(filepath.Join(cfg.Dir, "gcore-tus")); err != nil {
		return nil, err
	}
	composer := tushandler.NewStoreComposer()
	composer.UseCore(s.tusStore)
	tuslock.New().UseIn(composer) // see tuslock: tusd's own locker races on takeover
	h, err := tushandler.NewHandler(tushandler.Config{
		BasePath:                  "/upload/",
		StoreComposer:             composer,
		Logger:                    slog.New(slog.NewTextHandler(io.Discard, nil)),
		PreUploadCreateCallback:   s.preUploadCreate,
		PreFinishResponseCallback: s.preFinish,
	})
	if err != nil {
		return nil, fmt.Errorf("gcore sandbox: tusd: %w", err)
	}
	s.tus = tuslock.Track(h)
	return s, nil
}

// Close makes every later request answer 503.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return nil
}

// Key is the account's API key.
func (s *Server) Key() string { return s.key }

// SetUploadHosts names the upload servers (host:port) GET …/upload lists.
func (s *Server) SetUploadHosts(hosts ...string) {
	s.mu.Lock()
	s.hosts = append([]string(nil), hosts...)
	s.mu.Unlock()
}

// ExpireTokens makes every TUS token issued so far expired: creations with
// them are refused; uploads already created go on.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	for _, t := range s.tokens {
		t.issued = time.Time{}
	}
	s.mu.Unlock()
}

// ExpireNextTokens makes the next n TUS tokens issued expired already, as
// if the client kept each for over its lifetime before creating the upload.
func (s *Server) ExpireNextTokens(n int) {
	s.mu.Lock()
	s.expireNext = n
	s.mu.Unlock()
}

// PurgeUploads forgets every TUS upload whose file is incomplete, as an
// upload server does after its retention time: HEAD and PATCH on them
// answer 404. It returns how many were purged.
func (s *Server) PurgeUploads() int {
	dir := filepath.Join(s.cfg.Dir, "gcore-tus")
	infos, _ := filepath.Glob(filepath.Join(dir, "*.info"))
	n := 0
	for _, info := range infos {
		id := strings.TrimSuffix(filepath.Base(info), ".info")
		up, err := s.tusStore.GetUpload(context.Background(), id)
		if err != nil {
			continue
		}
		fi, err := up.GetInfo(context.Background())
		if err != nil || fi.Offset >= fi.Size {
			continue
		}
		if os.Remove(info) == nil {
			_ = os.Remove(filepath.Join(dir, id))
			n++
		}
	}
	return n
}

// FailProcessing makes the processing of every video uploaded from now on
// fail with words: status "error", or with empty set the guide's "empty"
// with an error text.
func (s *Server) FailProcessing(words string, empty bool) {
	s.mu.Lock()
	s.fail, s.failEmpty = words, empty
	s.mu.Unlock()
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.PatchBytes = s.patchBytes.Load()
	return st
}

// Videos returns every video entity.
func (s *Server) Videos() []Video {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Video, 0, len(s.videos))
	for _, v := range s.videos {
		out = append(out, v.snapshot())
	}
	return out
}

// Video returns one video entity.
func (s *Server) Video(id int64) (Video, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.videos[id]
	if !ok {
		return Video{}, false
	}
	return v.snapshot(), true
}

func (v *video) snapshot() Video {
	return Video{ID: v.id, Name: v.name, Description: v.description, Status: v.status, Error: v.err, Uploads: v.uploads, Received: v.received, Poster: v.poster}
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// host wraps one host's routes: request log, closed check, faults.
func (s *Server) host(name string, routes http.Handler) http.Handler {
	faulted := s.withFaults(name, routes)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		closed := s.closed
		s.mu.Unlock()
		if closed {
			writeError(w, r, http.StatusServiceUnavailable, "sandbox closed")
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		faulted.ServeHTTP(sw, r)
		s.logf("gcore-%s %-6s %s -> %d (%s)", name, r.Method, r.URL.Path, sw.status, time.Since(start).Round(time.Microsecond))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// API is the handler of api.gcore.com.
func (s *Server) API() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /streaming/videos", s.handleCreate)
	mux.HandleFunc("POST /streaming/videos/{$}", s.handleCreate)
	mux.HandleFunc("GET /streaming/videos", s.handleList)
	mux.HandleFunc("GET /streaming/videos/{$}", s.handleList)
	mux.HandleFunc("GET /streaming/videos/{id}", s.handleGet)
	mux.HandleFunc("PATCH /streaming/videos/{id}", s.handleUpdate)
	mux.HandleFunc("DELETE /streaming/videos/{id}", s.handleDelete)
	mux.HandleFunc("GET /streaming/videos/{id}/upload", s.handleUploadParams)
	mux.HandleFunc("/streaming/", func(w http.ResponseWriter, r *http.Request) {
		// A known endpoint with another method is 405, anything else 404.
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		known := len(parts) >= 2 && len(parts) <= 4 && parts[1] == "videos" && (len(parts) < 4 || parts[3] == "upload")
		if known {
			writeError(w, r, http.StatusMethodNotAllowed, "method not allowed: "+r.Method+" "+r.URL.Path)
			return
		}
		writeError(w, r, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	return s.host("api", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(w, r) || !s.admit(w, r) {
			return
		}
		mux.ServeHTTP(w, r)
	}))
}

// authorized checks `Authorization: APIKey <key>`: scheme in any case, key
// exact.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if ok && strings.EqualFold(scheme, "APIKey") && key == s.key {
		return true
	}
	s.mu.Lock()
	s.stats.Refused++
	s.mu.Unlock()
	msg := "Authentication credentials were not provided."
	if r.Header.Get("Authorization") != "" {
		msg = "Invalid API key: use Authorization: APIKey <key>"
	}
	writeError(w, r, http.StatusUnauthorized, msg)
	return false
}

// admit is the per-key rate limiter: a token bucket of RateLimit per
// second, as deep as one second of requests.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.RateLimit <= 0 {
		return true
	}
	s.mu.Lock()
	now := s.now()
	if s.bucketAt.IsZero() {
		s.bucket = s.cfg.RateLimit
	} else {
		s.bucket = min(s.cfg.RateLimit, s.bucket+now.Sub(s.bucketAt).Seconds()*s.cfg.RateLimit)
	}
	s.bucketAt = now
	ok := s.bucket >= 1
	if ok {
		s.bucket--
	}
	s.mu.Unlock()
	if !ok {
		w.Header().Set("Retry-After", "1")
		writeError(w, r, http.StatusTooManyRequests, "Request was throttled. Expected available in 1 second.")
	}
	return ok
}

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	if err := decodeJSON(w, r, &body); err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	for k := range body {
		if k != "video" {
			writeError(w, r, http.StatusBadRequest, fmt.Sprintf("unknown field %q: the body is {\"video\": {...}}", k))
			return
		}
	}
	var fields map[string]any
	if raw, ok := body["video"]; !ok || json.Unmarshal(raw, &fields) != nil || fields == nil {
		writeError(w, r, http.StatusBadRequest, "video: required, an object")
		return
	}
	name, _ := fields["name"].(string)
	if strings.TrimSpace(name) == "" {
		writeError(w, r, http.StatusBadRequest, "video.name: this field is required")
		return
	}
	desc, ok := fields["description"].(string)
	if _, present := fields["description"]; present && !ok {
		writeError(w, r, http.StatusBadRequest, "video.description: must be a string")
		return
	}
	if _, ok := fields["origin_url"]; ok {
		writeError(w, r, http.StatusBadRequest, "video.origin_url: copying from a URL is not emulated; upload with TUS")
		return
	}
	poster, err := checkPoster(fields)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "video."+err.Error())
		return
	}
	s.mu.Lock()
	s.nextID++
	v := &video{id: s.nextID, name: name, description: desc, slug: randomHex(8), status: "empty", poster: poster}
	s.videos[v.id] = v
	s.stats.Creates++
	out := s.videoJSONLocked(v)
	s.mu.Unlock()
	if s.cfg.ArrayCreate {
		writeJSON(w, http.StatusCreated, []any{out})
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// videoOf finds the path's video, or answers 404.
func (s *Server) videoOf(w http.ResponseWriter, r *http.Request) (*video, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	v := s.videos[id]
	s.mu.Unlock()
	if err != nil || v == nil {
		writeError(w, r, http.StatusNotFound, "Not found.")
		return nil, false
	}
	return v, true
}

// ListPage is how many videos one page of GET /streaming/videos holds (a
// sandbox choice: Gcore documents the page parameter, not its size).
const ListPage = 25

// handleList is GET /streaming/videos?page=N: the account's videos, newest
// first, ListPage a page.
func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, r, http.StatusBadRequest, "page: a positive integer")
			return
		}
		page = n
	}
	s.mu.Lock()
	ids := make([]int64, 0, len(s.videos))
	for id := range s.videos {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] > ids[b] })
	out := []map[string]any{}
	for i := (page - 1) * ListPage; i < len(ids) && i < page*ListPage; i++ {
		out = append(out, s.videoJSONLocked(s.videos[ids[i]]))
	}
	s.mu.Unlock()
	w.Header().Set("X-Total-Count", strconv.Itoa(len(ids)))
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleGet(w http.ResponseWriter, r *http.Request) {
	v, ok := s.videoOf(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	s.stats.Polls++
	s.advanceLocked(v)
	out := s.videoJSONLocked(v)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// advanceLocked moves a received video one poll through processing.
func (s *Server) advanceLocked(v *video) {
	if !v.received || v.status == "ready" || v.status == "error" || v.err != "" {
		return
	}
	v.polls++
	switch {
	case v.fail != "":
		v.err = v.fail
		v.status = "error"
		if v.failEmpty {
			v.status = "empty"
		}
	case s.polls < 0 || v.polls > 2*s.polls:
		v.status = "ready"
	case v.polls > s.polls:
		v.status = "viewable"
	default:
		v.status = "pending"
	}
}

func (s *Server) handleUpdate(w http.ResponseWriter, r *http.Request) {
	v, ok := s.videoOf(w, r)
	if !ok {
		return
	}
	var fields map[string]any
	if err := decodeJSON(w, r, &fields); err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	name, hasName := fields["name"].(string)
	if _, present := fields["name"]; present && (!hasName || strings.TrimSpace(name) == "") {
		writeError(w, r, http.StatusBadRequest, "name: may not be blank")
		return
	}
	desc, hasDesc := fields["description"].(string)
	if _, present := fields["description"]; present && !hasDesc {
		writeError(w, r, http.StatusBadRequest, "description: must be a string")
		return
	}
	poster, err := checkPoster(fields)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	if poster != "" {
		v.poster = poster
	}
	if hasName {
		v.name = name
	}
	if hasDesc {
		v.description = desc
	}
	s.stats.Updates++
	out := s.videoJSONLocked(v)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	v, ok := s.videoOf(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	delete(s.videos, v.id)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleUploadParams(w http.ResponseWriter, r *http.Request) {
	v, ok := s.videoOf(w, r)
	if !ok {
		return
	}
	tok := "eyJ" + base64.RawURLEncoding.EncodeToString([]byte(randomHex(24)))
	s.mu.Lock()
	issued := s.now()
	if s.expireNext > 0 {
		s.expireNext--
		issued = time.Time{}
	}
	s.tokens[tok] = &token{video: v.id, client: DemoClientID, issued: issued}
	s.stats.Params++
	servers := make([]map[string]any, 0, len(s.hosts))
	for i, h := range s.hosts {
		servers = append(servers, map[string]any{"id": 561 + i, "role": "upload", "hostname": h, "active": true, "ssl": false})
	}
	out := map[string]any{"servers": servers, "token": tok, "video": s.videoJSONLocked(v)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// videoJSONLocked is the API's Video object.
func (s *Server) videoJSONLocked(v *video) map[string]any {
	out := map[string]any{
		"id": v.id, "name": v.name, "description": v.description, "client_id": DemoClientID,
		"slug": v.slug, "status": v.status, "duration": nil, "screenshots": []string{},
		"converted_videos": []any{},
	}
	if v.err != "" {
		out["error"] = v.err
	}
	if v.poster != "" {
		out["poster"] = fmt.Sprintf("https://demo-public.gvideo.io/videos/%d_%s/poster.%s", DemoClientID, v.slug, strings.TrimPrefix(v.poster, "image/"))
	}
	if v.received && v.err == "" {
		progress := min(100, v.polls*100/(2*max(s.polls, 1)+1))
		st := "processing"
		if v.status == "ready" {
			progress, st = 100, "complete"
		}
		conv := []any{}
		for i, q := range []string{"vod360n", "vod720n"} {
			p := progress
			if v.status == "viewable" && i == 0 {
				p = 100
			}
			conv = append(conv, map[string]any{"id": i + 1, "name": q, "progress": p, "status": st, "error": ""})
		}
		out["converted_videos"] = conv
	}
	if v.status == "viewable" || v.status == "ready" {
		base := fmt.Sprintf("https://demo-public.gvideo.io/videos/%d_%s", DemoClientID, v.slug)
		out["hls_url"] = base + "/master.m3u8"
		out["dash_url"] = base + "/master.mpd"
		out["iframe_url"] = fmt.Sprintf("https://player.gvideo.co/videos/%d_%s", DemoClientID, v.slug)
	}
	return out
}

// checkPoster validates an optional poster field: an RFC 2397 base64 data
// URL of a JPEG, PNG or WebP image of at most 1 MB, whose bytes are of the
// type it names. It returns that type ("" without a poster).
func checkPoster(fields map[string]any) (string, error) {
	raw, present := fields["poster"]
	if !present {
		return "", nil
	}
	str, _ := raw.(string)
	head, data, ok := strings.Cut(strings.TrimPrefix(str, "data:"), ",")
	mt, isB64 := strings.CutSuffix(head, ";base64")
	if !strings.HasPrefix(str, "data:") || !ok || !isB64 {
		return "", errors.New("poster: a base64 data URL is required (data:<type>;base64,<data>)")
	}
	if mt != "image/jpeg" && mt != "image/png" && mt != "image/webp" {
		return "", fmt.Errorf("poster: type %q: image/jpeg, image/png or image/webp only", mt)
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return "", errors.New("poster: invalid base64")
	}
	if len(b) > 1<<20 {
		return "", errors.New("poster: larger than 1 MB")
	}
	if got := http.DetectContentType(b); got != mt {
		return "", fmt.Errorf("poster: the data is %s, not %s", got, mt)
	}
	return mt, nil
}

// Upload is the handler of one TUS upload server (mounted at its root).
func (s *Server) Upload() http.Handler {
	return s.host("upload", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/upload" && !strings.HasPrefix(r.URL.Path, "/upload/") {
			writeError(w, r, http.StatusNotFound, "Not found")
			return
		}
		if r.Header.Get("Authorization") != "" {
			s.mu.Lock()
			s.stats.UploadAuth++
			s.mu.Unlock()
		}
		if r.Method != http.MethodOptions && r.Header.Get("Tus-Resumable") != "1.0.0" {
			w.Header().Set("Tus-Version", "1.0.0")
			writeError(w, r, http.StatusPreconditionFailed, "Tus-Resumable: 1.0.0 required")
			return
		}
		if r.Method == http.MethodPost && r.ContentLength != 0 {
			writeError(w, r, http.StatusBadRequest, "creation-with-upload is not supported: POST with no body, then PATCH")
			return
		}
		if r.Method == http.MethodPatch {
			s.mu.Lock()
			s.stats.Patches++
			s.mu.Unlock()
			r2 := *r
			r2.Body = &countingReader{body: r.Body, n: &s.patchBytes, rate: s.cfg.Throttle, start: time.Now()}
			r = &r2
		}
		if r.URL.Path == "/upload" {
			r2 := *r
			u := *r.URL
			u.Path = "/upload/"
			r2.URL = &u
			r = &r2
		}
		http.StripPrefix("/upload", s.tus).ServeHTTP(&tusWriter{ResponseWriter: w, relative: s.cfg.RelativeLocation}, r)
	}))
}

// tusWriter advertises the creation extension only and, in relative mode,
// makes Location a path.
type tusWriter struct {
	http.ResponseWriter
	relative bool
}

func (w *tusWriter) WriteHeader(code int) {
	h := w.Header()
	if h.Get("Tus-Extension") != "" {
		h.Set("Tus-Extension", "creation")
	}
	if loc := h.Get("Location"); loc != "" {
		if i := strings.Index(loc, "/upload/"); i >= 0 && w.relative {
			h.Set("Location", loc[i:])
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *tusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type countingReader struct {
	body  io.ReadCloser
	n     *atomic.Int64
	rate  int64 // bytes per second; 0: no limit
	start time.Time
	read  int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.rate > 0 && int64(len(p)) > c.rate/20 {
		p = p[:max(1, c.rate/20)]
	}
	n, err := c.body.Read(p)
	c.n.Add(int64(n))
	if c.rate > 0 {
		c.read += int64(n)
		time.Sleep(time.Until(c.start.Add(time.Duration(float64(c.read) / float64(c.rate) * float64(time.Second)))))
	}
	return n, err
}

func (c *countingReader) Close() error { return c.body.Close() }

func hookError(status int, msg string) error {
	return tushandler.Error{ErrorCode: "ERR_GCORE_SANDBOX", Message: msg, HTTPResponse: tushandler.HTTPResponse{
		StatusCode: status, Body: msg, Header: tushandler.HTTPHeader{"Content-Type": "text/plain; charset=utf-8"},
	}}
}

// requiredMeta are the guide's metadata keys (filetype included: the
// guide's example sends it, so this sandbox requires it).
var requiredMeta = []string{"filename", "filetype", "token", "video_id", "client_id"}

func (s *Server) preUploadCreate(hook tushandler.HookEvent) (tushandler.HTTPResponse, tushandler.FileInfoChanges, error) {
	var none tushandler.HTTPResponse
	var keep tushandler.FileInfoChanges
	fail := func(status int, format string, args ...any) (tushandler.HTTPResponse, tushandler.FileInfoChanges, error) {
		return none, keep, hookError(status, fmt.Sprintf(format, args...))
	}
	if hook.Upload.SizeIsDeferred || hook.Upload.Size <= 0 {
		return fail(http.StatusBadRequest, "Upload-Length: required and greater than 0")
	}
	if err := checkMetadataEncoding(hook.HTTPRequest.Header.Get("Upload-Metadata")); err != nil {
		return fail(http.StatusBadRequest, "%v", err)
	}
	meta := hook.Upload.MetaData
	tok := meta["token"]
	refuse := func(format string, args ...any) (tushandler.HTTPResponse, tushandler.FileInfoChanges, error) {
		s.stats.TusRefused++
		return fail(http.StatusInternalServerError, format, args...)
	}
	if tok == "" {
		s.mu.Lock()
		defer s.mu.Unlock()
		return refuse("Error: token invalid (null)")
	}
	for _, k := range requiredMeta {
		if strings.TrimSpace(meta[k]) == "" {
			return fail(http.StatusBadRequest, "Upload-Metadata: %s is required", k)
		}
	}
	videoID, err1 := strconv.ParseInt(meta["video_id"], 10, 64)
	clientID, err2 := strconv.ParseInt(meta["client_id"], 10, 64)
	if err1 != nil || err2 != nil {
		return fail(http.StatusBadRequest, "Upload-Metadata: video_id and client_id are decimal numbers")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[tok]
	if t == nil || s.now().Sub(t.issued) > s.cfg.TokenTTL {
		return refuse("Error: token invalid (%s)", tok)
	}
	if t.video != videoID {
		return refuse("Error: token video (%d) does not match this video (%d)", t.video, videoID)
	}
	if t.client != clientID {
		return refuse("Error: token client (%d) does not match this client (%d)", t.client, clientID)
	}
	v := s.videos[videoID]
	if v == nil {
		return fail(http.StatusNotFound, "Error: video (%d) not found", videoID)
	}
	if v.received && !s.cfg.AllowSecondUpload {
		return fail(http.StatusBadRequest, "Error: video (%d) already has an uploaded file", videoID)
	}
	v.uploads++
	s.stats.TusCreates++
	return none, keep, nil
}

func (s *Server) preFinish(hook tushandler.HookEvent) (tushandler.HTTPResponse, error) {
	id, _ := strconv.ParseInt(hook.Upload.MetaData["video_id"], 10, 64)
	s.mu.Lock()
	if v := s.videos[id]; v != nil && !v.received {
		v.received, v.status, v.polls = true, "pending", 0
		v.fail, v.failEmpty = s.fail, s.failEmpty
	}
	s.mu.Unlock()
	return tushandler.HTTPResponse{}, nil
}

// checkMetadataEncoding rejects values that are not valid base64 (tusd
// drops them silently).
func checkMetadataEncoding(h string) error {
	for _, el := range strings.Split(h, ",") {
		parts := strings.Split(strings.TrimSpace(el), " ")
		if len(parts) > 2 {
			return fmt.Errorf("Upload-Metadata: malformed pair %q", el)
		}
		if len(parts) == 2 {
			if _, err := base64.StdEncoding.DecodeString(parts[1]); err != nil {
				return fmt.Errorf("Upload-Metadata: value of %s is not valid base64", parts[0])
			}
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, map[string]any{"error": msg})
}

func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return errors.New("Content-Type: must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("JSON parse error: %v", err)
	}
	if dec.More() {
		return errors.New("JSON parse error: trailing data")
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
