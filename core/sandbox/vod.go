package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tus/tusd/v2/pkg/filestore"
	tushandler "github.com/tus/tusd/v2/pkg/handler"
	"golang.org/x/exp/slog"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox/tuslock"
)

const tusBasePath = "/api/v1/tus/upload/"

// tusMetadataKeys are the video guide's 13 TUS metadata fields, all required.
var tusMetadataKeys = []string{
	"language", "content_id", "content_type", "channel_id", "analyze_flag",
	"filetype", "auto_caption_flag", "caption_priority", "filename",
	"profile_name", "preview_start", "preview_end", "priority",
}

type video struct {
	id, tusID, filename, contentID string
	polls                          int
	done, failed                   bool
	failReason                     string
}

func (s *Server) initTus() error {
	s.tusStore = filestore.New(filepath.Join(s.cfg.Dir, "tus"))
	composer := tushandler.NewStoreComposer()
	// Core, termination and download only: no concatenation and no deferred
	// length, since the guide's client always sends Upload-Length.
	composer.UseCore(s.tusStore)
	composer.UseTerminater(s.tusStore)
	composer.UseContentServer(s.tusStore)
	tuslock.New().UseIn(composer) // see tuslock: tusd's own locker races on takeover
	h, err := tushandler.NewHandler(tushandler.Config{
		BasePath:                  tusBasePath,
		StoreComposer:             composer,
		RespectForwardedHeaders:   false,
		Logger:                    slog.New(slog.NewTextHandler(io.Discard, nil)),
		PreUploadCreateCallback:   s.preUploadCreate,
		PreFinishResponseCallback: s.preFinishResponse,
	})
	if err != nil {
		return fmt.Errorf("sandbox: tusd: %w", err)
	}
	s.tus = tuslock.Track(h)
	return nil
}

func (s *Server) vodRoutes() http.Handler {
	tus := http.StripPrefix(strings.TrimSuffix(tusBasePath, "/"), s.tus)
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/tus/upload", func(w http.ResponseWriter, r *http.Request) { s.serveTus(tus, w, r) })
	mux.HandleFunc(tusBasePath, func(w http.ResponseWriter, r *http.Request) { s.serveTus(tus, w, r) })
	mux.HandleFunc("GET /api/v1/status/{id}", s.handleStatus)
	mux.HandleFunc("GET /hls/{id}/{file}", s.handleHLS)
	mux.HandleFunc("/", notFound)
	return mux
}

// serveTus authenticates every TUS request (CORS preflights aside), answers
// the guide's JSON GET itself, counts PATCH bytes and fixes Location.
func (s *Server) serveTus(tus http.Handler, w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		tus.ServeHTTP(w, r)
		return
	}
	if _, ok := s.cdnAuth(w, r); !ok {
		return
	}
	id := strings.Trim(strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(tusBasePath, "/")), "/")
	if r.Method == http.MethodGet && id != "" && strings.Contains(r.Header.Get("Accept"), "application/json") {
		s.serveUploadJSON(w, r, id)
		return
	}
	if r.Method == http.MethodPatch {
		r2 := *r
		r2.Body = &countingReader{body: r.Body, n: &s.patchBytes, rate: s.cfg.Throttle, start: time.Now()}
		r = &r2
	}
	tus.ServeHTTP(&locationWriter{ResponseWriter: w, base: baseURL(r)}, r)
}

// locationWriter rewrites tusd's Location header from the VOD base URL.
// tusd builds it from the request Host and its BasePath, which breaks when
// the VOD handler is mounted under a prefix; this keeps it right either way.
type locationWriter struct {
	http.ResponseWriter
	base string
}

func (w *locationWriter) WriteHeader(code int) {
	h := w.Header()
	if loc := h.Get("Location"); loc != "" {
		if i := strings.LastIndex(loc, tusBasePath); i >= 0 {
			h.Set("Location", w.base+loc[i:])
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *locationWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type countingReader struct {
	body io.ReadCloser
	n    *atomic.Int64
	// rate, if > 0, limits reading to that many bytes per second, so a
	// demo on loopback behaves like a real connection.
	rate  int64
	start time.Time
	read  int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.rate > 0 && int64(len(p)) > c.rate/20 {
		p = p[:c.rate/20]
	}
	n, err := c.body.Read(p)
	c.n.Add(int64(n))
	if c.rate > 0 {
		c.read += int64(n)
		due := c.start.Add(time.Duration(float64(c.read) / float64(c.rate) * float64(time.Second)))
		time.Sleep(time.Until(due))
	}
	return n, err
}

func (c *countingReader) Close() error { return c.body.Close() }

// tusError is a tusd error answered with a JSON body.
func tusError(status int, msg string) error {
	b, _ := json.Marshal(map[string]any{"message": msg})
	return tushandler.Error{
		ErrorCode: "ERR_SANDBOX_REJECTED",
		Message:   msg,
		HTTPResponse: tushandler.HTTPResponse{
			StatusCode: status,
			Body:       string(b),
			Header:     tushandler.HTTPHeader{"Content-Type": "application/json; charset=utf-8"},
		},
	}
}

// preUploadCreate validates a TUS creation: all 13 metadata keys, a Video
// content of the uploader's channel with a registered upload id, an ASCII
// filename, and a declared, non-zero Upload-Length.
func (s *Server) preUploadCreate(hook tushandler.HookEvent) (tushandler.HTTPResponse, tushandler.FileInfoChanges, error) {
	var none tushandler.HTTPResponse
	var keep tushandler.FileInfoChanges
	fail := func(format string, args ...any) (tushandler.HTTPResponse, tushandler.FileInfoChanges, error) {
		return none, keep, tusError(http.StatusBadRequest, fmt.Sprintf(format, args...))
	}

	channel, ok := s.uploadTokenChannel(hook.HTTPRequest.Header.Get("Authorization"))
	if !ok { // serveTus checked it; the token cannot vanish, but be safe
		return none, keep, tusError(http.StatusUnauthorized, "invalid upload token")
	}
	if hook.Upload.SizeIsDeferred {
		return fail("Upload-Length: required (deferred length is not supported)")
	}
	if hook.Upload.Size <= 0 {
		return fail("Upload-Length: must be greater than 0")
	}
	if err := checkMetadataEncoding(hook.HTTPRequest.Header.Get("Upload-Metadata")); err != nil {
		return fail("%v", err)
	}
	meta := hook.Upload.MetaData
	for _, k := range tusMetadataKeys {
		if strings.TrimSpace(meta[k]) == "" {
			return fail("Upload-Metadata: %s is required", k)
		}
	}
	if meta["content_type"] != "Video" {
		return fail("Upload-Metadata: content_type must be Video, got %q", meta["content_type"])
	}
	if meta["channel_id"] != channel {
		return fail("Upload-Metadata: channel_id %q is not the upload token's channel", meta["channel_id"])
	}
	if !strings.HasPrefix(meta["filetype"], "video/") {
		return fail("Upload-Metadata: filetype must be a video MIME type, got %q", meta["filetype"])
	}
	for _, k := range []string{"analyze_flag", "auto_caption_flag"} {
		if meta[k] != "true" && meta[k] != "false" {
			return fail("Upload-Metadata: %s must be true or false, got %q", k, meta[k])
		}
	}
	for _, c := range []byte(meta["filename"]) {
		if c < 0x20 || c > 0x7e {
			return fail("Upload-Metadata: filename must be printable ASCII")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, found := s.contents[meta["content_id"]]
	switch {
	case !found || c.ChannelID != channel:
		return fail("Upload-Metadata: content_id %q: no such content on this channel", meta["content_id"])
	case c.Type != "Video":
		return fail("Upload-Metadata: content_id %q is not a Video", meta["content_id"])
	case c.UploadID == "":
		return fail("upload id not registered for content %s (POST /v1.1/content/upload-id first)", c.ID)
	}
	s.stats.TusCreates++
	return none, keep, nil
}

// checkMetadataEncoding rejects Upload-Metadata values that are not valid
// base64; tusd itself silently drops them.
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

func (s *Server) uploadTokenChannel(auth string) (string, bool) {
	if !hasBearer(auth) {
		return "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.upload[strings.TrimSpace(auth[len("Bearer "):])]
	return ch, ok
}

func (s *Server) preFinishResponse(hook tushandler.HookEvent) (tushandler.HTTPResponse, error) {
	s.mu.Lock()
	s.videoForLocked(hook.Upload)
	s.mu.Unlock()
	return tushandler.HTTPResponse{}, nil
}

// videoForLocked returns the video of a completed TUS upload, creating it
// (and linking it to its content) the first time.
func (s *Server) videoForLocked(info tushandler.FileInfo) *video {
	if id, ok := s.videoByTus[info.ID]; ok {
		return s.videos[id]
	}
	v := &video{
		id:         randomHex(12),
		tusID:      info.ID,
		filename:   info.MetaData["filename"],
		contentID:  info.MetaData["content_id"],
		failReason: s.failReason,
	}
	s.videos[v.id] = v
	s.videoByTus[info.ID] = v.id
	if c := s.contents[v.contentID]; c != nil {
		c.VideoID = v.id
	}
	return v
}

// serveUploadJSON is step 6.4: GET of the upload URL with Accept:
// application/json returns the video id once every byte has arrived.
func (s *Server) serveUploadJSON(w http.ResponseWriter, r *http.Request, id string) {
	up, err := s.tusStore.GetUpload(r.Context(), id)
	if err != nil {
		if errors.Is(err, tushandler.ErrNotFound) {
			writeError(w, r, http.StatusNotFound, "upload not found")
			return
		}
		writeError(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	info, err := up.GetInfo(r.Context())
	if err != nil {
		writeError(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	if info.SizeIsDeferred || info.Offset != info.Size {
		writeError(w, r, http.StatusConflict, fmt.Sprintf("upload incomplete: %d of %d bytes received", info.Offset, info.Size))
		return
	}
	s.mu.Lock()
	v := s.videoForLocked(info)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, wrapped("body", map[string]any{
		"video_id": v.id,
		"filename": v.filename,
	}))
}

// handleStatus is step 7. Each video answers TranscodePolls "in_progress"
// polls with rising progress, then the guide's completed shape (which has no
// status field: clients must look at body.url) or, after FailTranscode,
// status "failed" with the reason.
func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	channel, ok := s.cdnAuth(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	s.stats.StatusPolls++
	v := s.videos[r.PathValue("id")]
	if v == nil || s.contents[v.contentID] == nil || s.contents[v.contentID].ChannelID != channel {
		s.mu.Unlock()
		writeError(w, r, http.StatusNotFound, "video not found")
		return
	}
	var body map[string]any
	switch {
	case !v.done && !v.failed && v.polls < s.polls:
		v.polls++
		body = map[string]any{
			"video_id": v.id,
			"filename": v.filename,
			"progress": v.polls * 100 / (s.polls + 1),
			"status":   "in_progress",
		}
	case v.failed || (!v.done && v.failReason != ""):
		v.failed = true
		body = map[string]any{"video_id": v.id, "status": "failed", "error": v.failReason}
	default:
		v.done = true
		body = map[string]any{
			"video_id":     v.id,
			"url":          baseURL(r) + "/hls/" + v.id + "/master.m3u8",
			"duration_sec": "125.500000",
			"width":        1920,
			"height":       1080,
			"loudness":     "-14.2 LUFS",
			"thumb": map[string]any{
				"base_url": baseURL(r) + "/hls/" + v.id + "/thumb/",
				"sizes":    "140,240,480,960",
			},
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, wrapped("body", body))
}

const masterPlaylist = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-STREAM-INF:BANDWIDTH=5000000,RESOLUTION=1920x1080
index.m3u8
`

const mediaPlaylist = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-TARGETDURATION:10
#EXT-X-MEDIA-SEQUENCE:0
#EXTINF:10.0,
segment0.ts
#EXT-X-ENDLIST
`

// handleHLS serves the playlists of a transcoded video (no segments).
func (s *Server) handleHLS(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	v := s.videos[r.PathValue("id")]
	done := v != nil && v.done
	s.mu.Unlock()
	var body string
	switch r.PathValue("file") {
	case "master.m3u8":
		body = masterPlaylist
	case "index.m3u8":
		body = mediaPlaylist
	}
	if !done || body == "" {
		writeError(w, r, http.StatusNotFound, "not found")
		return
	}
	w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
	_, _ = io.WriteString(w, body)
}
