// Package wangsu is a strict in-process emulator of Wangsu (CDNetworks)
// Cloud VoD for tests and demos: the API (api.cloudv.haplat.net) as one
// http.Handler and the WCS upload host (upload.cloudv.haplat.net) as
// another. It enforces what ../shared/specs/destinations-protocols.md
// section 5.2 lists:
//
//   - API: X-WS-AccessKey, X-WS-Timestamp (an integer within ±300 s of the
//     sandbox clock) and `Authorization: WS3-HMAC-SHA256 Credential=<AK>,
//     SignedHeaders=<list>, Signature=<64 hex>`, with content-type and host
//     among the signed headers; the signature is recomputed over the exact
//     body bytes received and the header values as received (not
//     lowercased). POST takes application/json or form bodies, GET a form
//     query and no body. Every answer is HTTP 200 with a body code; success
//     is code 200. The codes this sandbox picks where Wangsu documents none
//     (auth failures are [UNCONFIRMED]): 1301 "User has no permission" (the
//     documented code: unknown access key, bad signature, malformed
//     Authorization), 1302 timestamp outside the window, 1004 a parameter
//     error, 1611 fileId longer than 32 characters, 1404 unknown videoId, 1429 over Config.RateLimit
//     calls in 5 minutes.
//     Documented: 1500 originFileName over 40 characters (and videoName over
//     40 in videoEdit), 1606 empty originFileName, 1608 overwrite not 0/1.
//   - getUploadToken: the same fileId gives the same videoId and fileKey
//     (with a new token); none gives a new video each call. The token is a
//     real WCS token: AK:urlsafe_b64(hex(HMAC-SHA1(SK, policy))):policy with
//     {"scope":"bucket:fileKey","deadline":"<unix ms>"}.
//   - Upload host: the raw token in Authorization (HMAC, deadline, scope
//     against the Key header when sent), else HTTP 401
//     {"code":"401","message":"token invalid"|"token expired"}; UploadBatch
//     on every request; mkblk/<size>/<idx> with 0 < body <= size;
//     bput/<ctx>/<offset> only with the block's latest ctx and its current
//     length (else 406 {"code":"406","message":"ctx invalid…"}: the code for
//     a stale ctx is this sandbox's choice), no overflow; mkfile/<size> with
//     text/plain and the comma list of every block's last ctx in block
//     order, every block complete, all but the last of one size that is a
//     multiple of Config.BlockUnit (4 MiB by default), the last not larger,
//     the sizes summing to <size>; a ctx of another UploadBatch is 404
//     {"code":"404","message":"UploadId Not Found"}. No call lists blocks.
//     A repeated mkfile of the same batch and ctxs answers as the first did
//     (the real behaviour is [UNCONFIRMED]; counted in Stats.Mkfiles).
//   - /file/upload (the simple upload): multipart fields token and file
//     only, at most Config.FormLimit (2 GB) bytes, answering
//     urlsafe_b64("hash=<WCS hash>").
//   - getVideoList by videoId: data.videoListInfo[] with videoId, videoName,
//     transcodeState (3 transcoding for Config.Polls polls after mkfile,
//     then 1, or 4 with failReason after FailProcessing), videoState,
//     publishDomain and playUrl; videoEdit sets videoName and
//     videoDescription.
package wangsu

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/wangsu"
)

// The demo account's keys (sandbox-only values, granting nothing elsewhere).
const (
	DemoAccessKey = "sandbox-wangsu-demo-ak"
	DemoSecretKey = "sandbox-wangsu-demo-sk-5678"
)

// Bucket is the WCS bucket of the sandbox's VoD space.
const Bucket = "gjw-sandbox-cloudv"

// PublishDomain is the playback domain the sandbox reports.
const PublishDomain = "vod.sandbox.cloudv.example"

// DefaultBlockUnit is WCS's block unit (4 MiB): every block but the last
// is a multiple of it.
const DefaultBlockUnit = 4 << 20

// Config configures a Server; the zero value works.
type Config struct {
	AccessKey, SecretKey string // default DemoAccessKey, DemoSecretKey
	// BlockUnit is the block size unit (default 4 MiB, the real rule); a
	// test may set a smaller one.
	BlockUnit int64
	// TokenTTL is the upload token's lifetime (default 24 h, reported for
	// a WCS-based service; Wangsu's is [UNCONFIRMED]).
	TokenTTL time.Duration
	// Window is the accepted clock difference of X-WS-Timestamp (300 s).
	Window time.Duration
	// Polls is how many getVideoList polls a video stays transcoding
	// (3) after mkfile; 0 means 2, negative done at once.
	Polls int
	// Throttle, if > 0, limits each block request to that many bytes per
	// second (demos; a test can kill mid-way).
	Throttle int64
	// Strict refuses API parameters the docs do not list (code 1004).
	Strict bool
	// LowercaseHeaderValues lowercases signed header values before the
	// signature is recomputed (wangsu-sdk-go's reading of the docs); off
	// by default, so clients must send lowercase values to be safe.
	LowercaseHeaderValues bool
	// RateLimit, if > 0, is the API calls accepted per 5 minutes per
	// access key (Wangsu's default is 300); more answer code 1429.
	RateLimit int
	// FormLimit is the largest file /file/upload takes (default 2 GB);
	// larger ones must use the slice upload.
	FormLimit int64
	// Logf, if set, gets one line per request and fault; never a key,
	// signature or token.
	Logf func(format string, args ...any)
}

// Stats counts what the sandbox did.
type Stats struct {
	Tokens       int   // getUploadToken answers with a token
	Videos       int   // video entities created
	Batches      int   // distinct UploadBatch values that made a block
	Mkblks       int   // mkblk requests accepted
	Bputs        int   // bput requests accepted
	Mkfiles      int   // mkfile requests accepted (repeats included)
	StaleCtx     int   // bput or mkfile refused for a ctx
	Received     int64 // block body bytes read, cut requests included
	Polls        int   // getVideoList answers
	Edits        int   // videoEdit answers
	Refused      int   // API requests refused for their signature or key
	TokenRefused int   // upload requests refused for their token (401)
}

// Video is a snapshot of one video entity.
type Video struct {
	ID, FileID, FileKey  string
	OriginFileName, Name string
	Description          string
	Merged               bool
	Size                 int64
	Hash                 string // the WCS hash of the merged file
	TranscodeState       int    // 0 before mkfile, then 3, 1 or 4
}

type video struct {
	Video
	polls int
	fail  string
	batch string // the batch that merged it
	ctxs  string // its mkfile body
}

type block struct {
	batch, fileKey string
	size, offset   int64
	ctx            string
	sha            hash.Hash
	crc            uint32
}

type blockKey struct {
	batch string
	idx   int
}

// Server is the emulator: serve API() and Upload().
type Server struct {
	cfg       Config
	uploadSK  []byte // the WCS signing key of upload tokens
	ctxKey    []byte
	received  atomic.Int64
	uploadURL atomic.Value // string

	mu       sync.Mutex
	closed   bool
	videos   map[string]*video
	byFileID map[string]string
	byKey    map[string]string // fileKey -> videoID
	blocks   map[blockKey]*block
	batches  map[string]bool
	faults   []*queuedFault
	stats    Stats
	fail     string
	expireAt time.Time // tokens issued before it are expired
	// expireAfter > 0 counts upload requests down to an ExpireTokens.
	expireAfter int
	now         func() time.Time
	seq         int
	calls       []time.Time // accepted API calls in the last 5 min
}

// New returns a Server; see Config.
func New(cfg Config) *Server {
	if cfg.AccessKey == "" {
		cfg.AccessKey = DemoAccessKey
	}
	if cfg.SecretKey == "" {
		cfg.SecretKey = DemoSecretKey
	}
	if cfg.BlockUnit <= 0 {
		cfg.BlockUnit = DefaultBlockUnit
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 24 * time.Hour
	}
	if cfg.Window <= 0 {
		cfg.Window = 300 * time.Second
	}
	if cfg.FormLimit <= 0 {
		cfg.FormLimit = 2 << 30
	}
	if cfg.Polls == 0 {
		cfg.Polls = 2
	}
	s := &Server{cfg: cfg, uploadSK: randomBytes(20), ctxKey: randomBytes(20),
		videos: map[string]*video{}, byFileID: map[string]string{}, byKey: map[string]string{},
		blocks: map[blockKey]*block{}, batches: map[string]bool{}, now: time.Now}
	s.uploadURL.Store("")
	return s
}

// Keys are the account's access key and secret key.
func (s *Server) Keys() (ak, sk string) { return s.cfg.AccessKey, s.cfg.SecretKey }

// SetUploadURL is the uploadUrl getUploadToken hands out.
func (s *Server) SetUploadURL(u string) { s.uploadURL.Store(u) }

// Close makes every later request answer 503.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

// ExpireTokens makes every upload token issued so far expired (401 on the
// upload host); blocks and ctxs stay valid under a new token.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	s.expireAt = s.now()
	s.mu.Unlock()
}

// SetClockSkew sets the sandbox clock to the real time plus d (its Date
// headers say so too): a client whose clock is more than 5 min off is
// refused with code 1302.
func (s *Server) SetClockSkew(d time.Duration) {
	s.mu.Lock()
	s.now = func() time.Time { return time.Now().Add(d) }
	s.mu.Unlock()
}

// ExpireTokensAfter expires every token issued so far once n more upload
// requests have been answered (token expiry mid-upload, for a test that
// cannot hook the client).
func (s *Server) ExpireTokensAfter(n int) {
	s.mu.Lock()
	s.expireAfter = n
	s.mu.Unlock()
}

// PurgeBlocks forgets every block not merged yet (WCS purges them about
// monthly): their ctxs are refused afterwards. It returns how many.
func (s *Server) PurgeBlocks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.blocks)
	s.blocks = map[blockKey]*block{}
	return n
}

// FailProcessing makes every video merged from now on end its transcoding
// in state 4 with words.
func (s *Server) FailProcessing(words string) {
	s.mu.Lock()
	s.fail = words
	s.mu.Unlock()
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Received = s.received.Load()
	return st
}

// Video returns one video entity.
func (s *Server) Video(id string) (Video, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.videos[id]
	if !ok {
		return Video{}, false
	}
	return v.Video, true
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

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
		s.logf("wangsu-%s %-4s %s -> %d (%s)", name, r.Method, pathForLog(r.URL.Path), sw.status, time.Since(start).Round(time.Microsecond))
	})
}

// pathForLog hides a bput's ctx.
func pathForLog(p string) string {
	if strings.HasPrefix(p, "/bput/") {
		if i := strings.LastIndex(p, "/"); i > len("/bput") {
			return "/bput/…" + p[i:]
		}
	}
	return p
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
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

// ---- API host ----

// API codes.
const (
	CodeOK            = 200
	CodeNoPermission  = 1301 // documented: "User has no permission"
	CodeTimestamp     = 1302 // chosen: X-WS-Timestamp outside the window
	CodeParam         = 1004 // documented family: a parameter error
	CodeNameTooLong   = 1500 // documented
	CodeNameEmpty     = 1606 // documented
	CodeOverwrite     = 1608 // documented
	CodeFileIDTooLong = 1611 // chosen
	CodeNoVideo       = 1404 // chosen
	CodeRateLimited   = 1429 // chosen: over Config.RateLimit calls in 5 min
)

// API is the handler of api.cloudv.haplat.net.
func (s *Server) API() http.Handler {
	routes := map[string]func(url.Values) (int, string, any){
		"/vod/videoManage/getUploadToken": s.getUploadToken,
		"/vod/videoManage/getVideoList":   s.getVideoList,
		"/vod/videoManage/videoEdit":      s.videoEdit,
	}
	return s.host("api", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fn, ok := routes[r.URL.Path]
		if !ok {
			writeError(w, r, http.StatusNotFound, "no such API: "+r.URL.Path)
			return
		}
		if r.Method != http.MethodPost && r.Method != http.MethodGet {
			writeError(w, r, http.StatusMethodNotAllowed, "POST or GET only")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			return
		}
		params, code, msg := s.authenticate(r, body)
		if code == CodeOK && s.cfg.Strict {
			for k := range params {
				if !knownParams[r.URL.Path][k] {
					code, msg = CodeParam, fmt.Sprintf("The parameter is incorrect: unknown parameter %q", k)
					break
				}
			}
		}
		if code == CodeOK && !s.admit() {
			code, msg = CodeRateLimited, "Too many requests: at most 300 calls per 5 minutes"
		}
		if code == CodeOK {
			code, msg, data := fn(params)
			s.answer(w, code, msg, data)
			return
		}
		s.answer(w, code, msg, nil)
	}))
}

// headerValue is a signed header's value as canonicalised: as received,
// or lowercased with Config.LowercaseHeaderValues (the Go SDK's reading).
func (s *Server) headerValue(v string) string {
	if s.cfg.LowercaseHeaderValues {
		return strings.ToLower(v)
	}
	return v
}

// admit is the rate limiter: RateLimit calls in any 5 minutes.
func (s *Server) admit() bool {
	if s.cfg.RateLimit <= 0 {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	keep := s.calls[:0]
	for _, t := range s.calls {
		if now.Sub(t) < 5*time.Minute {
			keep = append(keep, t)
		}
	}
	s.calls = keep
	if len(s.calls) >= s.cfg.RateLimit {
		return false
	}
	s.calls = append(s.calls, now)
	return true
}

// knownParams are each API's documented parameters (Config.Strict).
var knownParams = map[string]map[string]bool{
	"/vod/videoManage/getUploadToken": set("originFileName", "fileId", "fileMd5", "domain", "workflowId", "overwrite",
		"categoryNames", "waterMarkName", "transCodeCombineName", "subtitleId", "subtitle"),
	"/vod/videoManage/getVideoList": set("videoId", "videoName", "videoStatus", "transcodeState", "pageIndex", "pageSize"),
	"/vod/videoManage/videoEdit": set("videoId", "videoName", "videoDescription", "videoClassification", "categoryNames",
		"publishDomain", "playerId"),
}

func set(keys ...string) map[string]bool {
	m := map[string]bool{}
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func (s *Server) answer(w http.ResponseWriter, code int, msg string, data any) {
	s.mu.Lock()
	now := s.now()
	s.mu.Unlock()
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	out := map[string]any{"code": code, "message": msg}
	if data != nil {
		out["data"] = data
	}
	writeJSON(w, http.StatusOK, out)
}

var authRe = regexp.MustCompile(`^WS3-HMAC-SHA256 Credential=([^,\s]+), SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$`)

// authenticate checks the V3 headers and signature over body, and parses
// the parameters.
func (s *Server) authenticate(r *http.Request, body []byte) (url.Values, int, string) {
	refuse := func(code int, msg string) (url.Values, int, string) {
		s.mu.Lock()
		s.stats.Refused++
		s.mu.Unlock()
		return nil, code, msg
	}
	ak, tsText := r.Header.Get("X-WS-AccessKey"), r.Header.Get("X-WS-Timestamp")
	if ak == "" || tsText == "" {
		return refuse(CodeNoPermission, "User has no permission: X-WS-AccessKey and X-WS-Timestamp are required")
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return refuse(CodeTimestamp, "X-WS-Timestamp: unix seconds required")
	}
	s.mu.Lock()
	now := s.now()
	s.mu.Unlock()
	if d := now.Sub(time.Unix(ts, 0)); d > s.cfg.Window || d < -s.cfg.Window {
		return refuse(CodeTimestamp, "X-WS-Timestamp differs from server time by more than 5 minutes")
	}
	m := authRe.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return refuse(CodeNoPermission, "User has no permission: malformed Authorization (WS3-HMAC-SHA256 Credential=<AK>, SignedHeaders=content-type;host, Signature=<hex>)")
	}
	if m[1] != ak || ak != s.cfg.AccessKey {
		return refuse(CodeNoPermission, "User has no permission: unknown AccessKey")
	}
	names := strings.Split(m[2], ";")
	hdrs := map[string]string{}
	for _, n := range names {
		switch n {
		case "host":
			hdrs[n] = s.headerValue(r.Host)
		default:
			hdrs[n] = s.headerValue(r.Header.Get(n))
		}
	}
	if _, ok := hdrs["content-type"]; !ok || !strings.Contains(m[2], "host") {
		return refuse(CodeNoPermission, "User has no permission: SignedHeaders must include content-type and host")
	}
	query := ""
	if r.Method == http.MethodGet {
		query = r.URL.RawQuery
	}
	want := wangsu.Signature(s.cfg.SecretKey, r.Method, r.URL.EscapedPath(), query, hdrs, tsText, body)
	if !hmac.Equal([]byte(want), []byte(m[3])) {
		return refuse(CodeNoPermission, "User has no permission: signature mismatch")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	params := url.Values{}
	switch {
	case r.Method == http.MethodGet:
		if len(body) > 0 {
			return nil, CodeParam, "GET takes no body"
		}
		if mt != "application/x-www-form-urlencoded" {
			return nil, CodeParam, "GET: Content-Type application/x-www-form-urlencoded only"
		}
		params = r.URL.Query()
	case mt == "application/json":
		var obj map[string]any
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, CodeParam, "The parameter is incorrect: the body is not a JSON object"
		}
		for k, v := range obj {
			switch v := v.(type) {
			case string:
				params.Set(k, v)
			case float64:
				params.Set(k, strconv.FormatFloat(v, 'f', -1, 64))
			default:
				return nil, CodeParam, "The parameter is incorrect: " + k + " must be a string or a number"
			}
		}
	case mt == "application/x-www-form-urlencoded":
		if params, err = url.ParseQuery(string(body)); err != nil {
			return nil, CodeParam, "The parameter is incorrect: a malformed form body"
		}
	default:
		return nil, CodeParam, "Content-Type: application/json or application/x-www-form-urlencoded only"
	}
	return params, CodeOK, ""
}

func (s *Server) getUploadToken(p url.Values) (int, string, any) {
	name, fileID := p.Get("originFileName"), p.Get("fileId")
	switch {
	case strings.TrimSpace(name) == "":
		return CodeNameEmpty, "The video name cannot be empty.", nil
	case len([]rune(name)) > 40:
		return CodeNameTooLong, "The file name has exceeded 40 characters.", nil
	case len(fileID) > 32:
		return CodeFileIDTooLong, "fileId: up to 32 characters", nil
	}
	if o := p.Get("overwrite"); o != "" && o != "0" && o != "1" {
		return CodeOverwrite, "Parameter overwrite is neither 0 nor 1.", nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var v *video
	if fileID != "" {
		v = s.videos[s.byFileID[fileID]]
	}
	if v == nil {
		s.seq++
		id := randomHex(16)
		ext := ""
		if i := strings.LastIndex(name, "."); i > 0 {
			ext = name[i:]
		}
		key := fmt.Sprintf("video/%s/%s/%s%s", s.now().UTC().Format("20060102"), randomHex(16), randomHex(16), ext)
		stem := strings.TrimSuffix(name, ext)
		v = &video{Video: Video{ID: id, FileID: fileID, FileKey: key, OriginFileName: name, Name: stem}}
		s.videos[id] = v
		s.byKey[key] = id
		if fileID != "" {
			s.byFileID[fileID] = id
		}
		s.stats.Videos++
	}
	s.stats.Tokens++
	tok := s.tokenLocked(v.FileKey)
	return CodeOK, "Operation successfully", map[string]any{
		"speedDomainlUrl": "", "bucketName": Bucket, "uploadUrl": s.uploadURL.Load().(string),
		"uploadToken": tok, "fileKey": v.FileKey, "httpDnsServer": "", "videoId": v.ID,
	}
}

// tokenLocked is a WCS upload token for fileKey.
func (s *Server) tokenLocked(fileKey string) string {
	deadline := s.now().Add(s.cfg.TokenTTL).UnixMilli()
	policy, _ := json.Marshal(map[string]string{"scope": Bucket + ":" + fileKey, "deadline": strconv.FormatInt(deadline, 10),
		"issued": strconv.FormatInt(s.now().UnixNano(), 10)})
	enc := base64.URLEncoding.EncodeToString(policy)
	return s.cfg.AccessKey + ":" + base64.URLEncoding.EncodeToString([]byte(hmacSHA1Hex(s.uploadSK, enc))) + ":" + enc
}

func hmacSHA1Hex(key []byte, msg string) string {
	m := hmac.New(sha1.New, key)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) getVideoList(p url.Values) (int, string, any) {
	id := p.Get("videoId")
	if ps := p.Get("pageSize"); ps != "" {
		if n, err := strconv.Atoi(ps); err != nil || n < 1 || n > 50 {
			return CodeParam, "pageSize: 1 to 50", nil
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Polls++
	list := []any{}
	for _, v := range s.videos {
		if id != "" && v.ID != id {
			continue
		}
		s.advanceLocked(v)
		info := map[string]any{"videoId": v.ID, "videoName": v.Name, "videoDescription": v.Description,
			"videoState": 0, "videoSize": v.Size, "transcodeState": v.TranscodeState, "videoSourceCode": 1, "publishDomain": PublishDomain}
		if v.TranscodeState == 0 {
			info["transcodeState"] = 2 // not transcoded: no file yet
		}
		if v.TranscodeState == 1 {
			info["playUrl"] = "https://" + PublishDomain + "/" + v.FileKey
		}
		if v.TranscodeState == 4 {
			info["failReason"] = v.fail
		}
		list = append(list, info)
	}
	return CodeOK, "Operation successfully", map[string]any{"videoListInfo": list, "total": len(list)}
}

func (s *Server) advanceLocked(v *video) {
	if v.TranscodeState != 3 {
		return
	}
	v.polls++
	switch {
	case v.fail != "":
		v.TranscodeState = 4
	case s.cfg.Polls < 0 || v.polls > s.cfg.Polls:
		v.TranscodeState = 1
	}
}

func (s *Server) videoEdit(p url.Values) (int, string, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.videos[p.Get("videoId")]
	if v == nil {
		return CodeNoVideo, "The video does not exist", nil
	}
	name, desc := p.Get("videoName"), p.Get("videoDescription")
	if len([]rune(name)) > 40 {
		return CodeNameTooLong, "Video name, more than 40 characters", nil
	}
	if len([]rune(desc)) > 200 {
		return CodeParam, "videoDescription: at most 200 characters", nil
	}
	if name != "" {
		v.Name = name
	}
	if desc != "" {
		v.Description = desc
	}
	s.stats.Edits++
	return CodeOK, "Operation successfully", nil
}

// ---- upload host ----

// Upload is the handler of the WCS upload host.
func (s *Server) Upload() http.Handler {
	return s.host("upload", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		op := parts[0]
		if op != "mkblk" && op != "bput" && op != "mkfile" && r.URL.Path != "/file/upload" {
			writeError(w, r, http.StatusNotFound, "no such endpoint: "+r.URL.Path)
			return
		}
		if r.Method != http.MethodPost {
			writeError(w, r, http.StatusMethodNotAllowed, "POST only")
			return
		}
		if r.URL.Path == "/file/upload" {
			s.formUpload(w, r)
			return
		}
		fileKey, ok := s.checkToken(w, r, r.Header.Get("Authorization"))
		if !ok {
			return
		}
		batch := r.Header.Get("UploadBatch")
		if batch == "" {
			writeError(w, r, http.StatusBadRequest, "UploadBatch header required")
			return
		}
		switch {
		case op == "mkblk" && len(parts) == 3:
			s.mkblk(w, r, batch, fileKey, parts[1], parts[2])
		case op == "bput" && len(parts) == 3:
			s.bput(w, r, batch, parts[1], parts[2])
		case op == "mkfile" && len(parts) >= 2:
			s.mkfile(w, r, batch, fileKey, parts[1])
		default:
			writeError(w, r, http.StatusNotFound, "malformed path: "+r.URL.Path)
		}
	}))
}

// checkToken verifies the raw upload token: HMAC, deadline, scope (and the
// Key header against it). It returns the scope's file key.
func (s *Server) checkToken(w http.ResponseWriter, r *http.Request, token string) (string, bool) {
	refuse := func(msg string) (string, bool) {
		s.mu.Lock()
		s.stats.TokenRefused++
		s.mu.Unlock()
		writeError(w, r, http.StatusUnauthorized, msg)
		return "", false
	}
	parts := strings.Split(token, ":")
	if len(parts) != 3 || parts[0] != s.cfg.AccessKey {
		return refuse("token invalid")
	}
	sig, err := base64.URLEncoding.DecodeString(parts[1])
	if err != nil || !hmac.Equal(sig, []byte(hmacSHA1Hex(s.uploadSK, parts[2]))) {
		return refuse("token invalid")
	}
	raw, err := base64.URLEncoding.DecodeString(parts[2])
	var pol struct{ Scope, Deadline, Issued string }
	if err != nil || json.Unmarshal(raw, &pol) != nil {
		return refuse("token invalid")
	}
	deadline, err1 := strconv.ParseInt(pol.Deadline, 10, 64)
	issued, _ := strconv.ParseInt(pol.Issued, 10, 64)
	s.mu.Lock()
	if s.expireAfter > 0 {
		if s.expireAfter--; s.expireAfter == 0 {
			s.expireAt = s.now()
		}
	}
	now, expireAt := s.now(), s.expireAt
	s.mu.Unlock()
	if err1 != nil || now.UnixMilli() > deadline || (!expireAt.IsZero() && issued <= expireAt.UnixNano()) {
		return refuse("token expired")
	}
	bucket, key, ok := strings.Cut(pol.Scope, ":")
	if !ok || bucket != Bucket || key == "" {
		return refuse("token invalid: scope")
	}
	if k := r.Header.Get("Key"); k != "" {
		if b, err := base64.URLEncoding.DecodeString(k); err != nil || string(b) != key {
			return refuse("token invalid: Key does not match the token's scope")
		}
	}
	return key, true
}

// formUpload is the simple upload: multipart/form-data with the fields
// token and file only; the answer is urlsafe_b64("hash=<WCS hash>").
func (s *Server) formUpload(w http.ResponseWriter, r *http.Request) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" || params["boundary"] == "" {
		writeError(w, r, http.StatusBadRequest, "file/upload: Content-Type multipart/form-data")
		return
	}
	mr := multipart.NewReader(&countingReader{body: r.Body, n: &s.received, rate: s.cfg.Throttle, start: time.Now()}, params["boundary"])
	var token string
	var etag []byte
	var size int64
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeError(w, r, http.StatusBadRequest, "file/upload: a malformed multipart body")
			return
		}
		switch part.FormName() {
		case "token":
			b, _ := io.ReadAll(io.LimitReader(part, 8<<10))
			token = string(b)
		case "file":
			if token == "" {
				writeError(w, r, http.StatusBadRequest, "file/upload: the token field goes before the file")
				return
			}
			var blocks [][]byte
			for {
				h := sha1.New()
				n, err := io.Copy(h, io.LimitReader(part, DefaultBlockUnit))
				size += n
				if n > 0 {
					blocks = append(blocks, h.Sum(nil))
				}
				if size > s.cfg.FormLimit {
					writeError(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("file/upload takes at most %d bytes: use the slice upload (mkblk/bput/mkfile)", s.cfg.FormLimit))
					return
				}
				if err != nil {
					return // a dropped connection: nothing stored
				}
				if n < DefaultBlockUnit {
					break
				}
			}
			if len(blocks) == 1 {
				etag = append([]byte{0x16}, blocks[0]...)
			} else if len(blocks) > 1 {
				all := sha1.New()
				for _, b := range blocks {
					all.Write(b)
				}
				etag = append([]byte{0x96}, all.Sum(nil)...)
			}
		default:
			writeError(w, r, http.StatusBadRequest, fmt.Sprintf("file/upload: unknown field %q (token and file only)", part.FormName()))
			return
		}
	}
	if etag == nil || size == 0 {
		writeError(w, r, http.StatusBadRequest, "file/upload: the file field is required")
		return
	}
	fileKey, ok := s.checkToken(w, r, token)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.videos[s.byKey[fileKey]]
	switch {
	case v == nil:
		writeError(w, r, http.StatusNotFound, "File Not Found: no video for the token's key")
		return
	case v.Merged:
		writeError(w, r, http.StatusBadRequest, "the file is uploaded already")
		return
	}
	v.Merged, v.Size, v.Hash, v.TranscodeState, v.fail = true, size, base64.URLEncoding.EncodeToString(etag), 3, s.fail
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, base64.URLEncoding.EncodeToString([]byte("hash="+v.Hash)))
}

func (s *Server) readChunk(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body := &countingReader{body: r.Body, n: &s.received, rate: s.cfg.Throttle, start: time.Now()}
	b, err := io.ReadAll(http.MaxBytesReader(w, body, 1<<30))
	if err != nil {
		return nil, false // a dropped connection: nothing is stored
	}
	if len(b) == 0 {
		writeError(w, r, http.StatusBadRequest, "empty chunk")
		return nil, false
	}
	return b, true
}

func (s *Server) mkblk(w http.ResponseWriter, r *http.Request, batch, fileKey, sizeText, idxText string) {
	size, err1 := strconv.ParseInt(sizeText, 10, 64)
	idx, err2 := strconv.Atoi(idxText)
	if err1 != nil || err2 != nil || size <= 0 || idx < 0 {
		writeError(w, r, http.StatusBadRequest, "mkblk/<blockSize>/<blockIndex>: blockSize > 0, blockIndex >= 0")
		return
	}
	b, ok := s.readChunk(w, r)
	if !ok {
		return
	}
	if int64(len(b)) > size {
		writeError(w, r, http.StatusBadRequest, "the chunk is larger than the block")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	blk := &block{batch: batch, fileKey: fileKey, size: size, sha: sha1.New()}
	s.blocks[blockKey{batch, idx}] = blk
	if !s.batches[batch] {
		s.batches[batch] = true
		s.stats.Batches++
	}
	s.stats.Mkblks++
	s.appendLocked(w, blk, idx, b)
}

func (s *Server) appendLocked(w http.ResponseWriter, blk *block, idx int, b []byte) {
	blk.sha.Write(b)
	blk.crc = crc32.Update(blk.crc, crc32.IEEETable, b)
	blk.offset += int64(len(b))
	blk.ctx = s.newCtx(blk.batch, idx, blk.offset)
	sum := sha1.Sum(b)
	writeJSON(w, http.StatusOK, map[string]any{"ctx": blk.ctx, "checksum": base64.URLEncoding.EncodeToString(sum[:]),
		"crc32": crc32.ChecksumIEEE(b), "offset": blk.offset})
}

// newCtx is an opaque ctx bound by HMAC to batch, block and offset.
func (s *Server) newCtx(batch string, idx int, offset int64) string {
	m := hmac.New(sha1.New, s.ctxKey)
	fmt.Fprintf(m, "%s|%d|%d|%s", batch, idx, offset, randomHex(4))
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(idx))) + "-" + hex.EncodeToString(m.Sum(nil))
}

// findCtxLocked is the block whose latest ctx is ctx.
func (s *Server) findCtxLocked(ctx string) (blockKey, *block) {
	for k, b := range s.blocks {
		if b.ctx == ctx {
			return k, b
		}
	}
	return blockKey{}, nil
}

func (s *Server) bput(w http.ResponseWriter, r *http.Request, batch, ctx, offText string) {
	off, err := strconv.ParseInt(offText, 10, 64)
	if err != nil || off < 0 {
		writeError(w, r, http.StatusBadRequest, "bput/<ctx>/<offset>: offset >= 0")
		return
	}
	b, ok := s.readChunk(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, blk := s.findCtxLocked(ctx)
	switch {
	case blk == nil:
		s.stats.StaleCtx++
		writeError(w, r, http.StatusNotAcceptable, "ctx invalid: not the latest ctx of any block (stale, or purged)")
		return
	case blk.batch != batch:
		writeError(w, r, http.StatusNotFound, "UploadId Not Found")
		return
	case off != blk.offset:
		s.stats.StaleCtx++
		writeError(w, r, http.StatusNotAcceptable, fmt.Sprintf("ctx invalid: offset %d, the block holds %d bytes", off, blk.offset))
		return
	case blk.offset+int64(len(b)) > blk.size:
		writeError(w, r, http.StatusBadRequest, "the chunk overflows the block")
		return
	}
	s.stats.Bputs++
	s.appendLocked(w, blk, k.idx, b)
}

func (s *Server) mkfile(w http.ResponseWriter, r *http.Request, batch, fileKey, sizeText string) {
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil || size <= 0 {
		writeError(w, r, http.StatusBadRequest, "mkfile/<fileSize>: fileSize > 0")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "text/plain" {
		writeError(w, r, http.StatusBadRequest, "mkfile: Content-Type text/plain")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 16<<20))
	if err != nil {
		return
	}
	ctxs := strings.Split(strings.TrimSpace(string(body)), ",")
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.videos[s.byKey[fileKey]]
	if v == nil {
		writeError(w, r, http.StatusNotFound, "File Not Found: no video for the token's key")
		return
	}
	if v.Merged {
		if v.batch == batch && v.ctxs == string(body) && v.Size == size {
			s.stats.Mkfiles++
			writeJSON(w, http.StatusOK, map[string]any{"hash": v.Hash, "key": v.FileKey})
			return
		}
		writeError(w, r, http.StatusBadRequest, "the file is merged already")
		return
	}
	var total, first int64
	hashes := sha1.New()
	n := len(ctxs)
	blks := make([]*block, n)
	for i, c := range ctxs {
		k, blk := s.findCtxLocked(c)
		switch {
		case blk == nil:
			s.stats.StaleCtx++
			writeError(w, r, http.StatusNotAcceptable, fmt.Sprintf("ctx invalid: ctx %d of %d is not the last ctx of a block (stale, or purged)", i+1, n))
			return
		case blk.batch != batch || blk.fileKey != fileKey:
			writeError(w, r, http.StatusNotFound, "UploadId Not Found")
			return
		case k.idx != i:
			writeError(w, r, http.StatusBadRequest, fmt.Sprintf("ctx %d is block %d's: ctxs go in block order", i, k.idx))
			return
		case blk.offset != blk.size:
			writeError(w, r, http.StatusBadRequest, fmt.Sprintf("block %d is incomplete: %d of %d bytes", i, blk.offset, blk.size))
			return
		}
		if i == 0 {
			first = blk.size
		}
		if i < n-1 && (blk.size != first || blk.size%s.cfg.BlockUnit != 0) {
			writeError(w, r, http.StatusBadRequest, fmt.Sprintf("block %d: every block but the last is one size, a multiple of %d", i, s.cfg.BlockUnit))
			return
		}
		if i == n-1 && n > 1 && blk.size > first {
			writeError(w, r, http.StatusBadRequest, "the last block is larger than the others")
			return
		}
		total += blk.size
		blks[i] = blk
		hashes.Write(blk.sha.Sum(nil))
	}
	if total != size {
		writeError(w, r, http.StatusBadRequest, fmt.Sprintf("the blocks hold %d bytes, mkfile says %d", total, size))
		return
	}
	var etag []byte
	if n == 1 {
		etag = append([]byte{0x16}, blks[0].sha.Sum(nil)...)
	} else {
		etag = append([]byte{0x96}, hashes.Sum(nil)...)
	}
	v.Merged, v.Size, v.Hash, v.TranscodeState, v.fail = true, size, base64.URLEncoding.EncodeToString(etag), 3, s.fail
	v.batch, v.ctxs = batch, string(body)
	for k, b := range s.blocks {
		if b.batch == batch {
			delete(s.blocks, k)
		}
	}
	s.stats.Mkfiles++
	writeJSON(w, http.StatusOK, map[string]any{"hash": v.Hash, "key": v.FileKey})
}

// ---- helpers ----

type countingReader struct {
	body  io.ReadCloser
	n     *atomic.Int64
	rate  int64
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

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError answers a WCS-style error {"code":"<status>","message"}.
func writeError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	writeJSON(w, status, map[string]any{"code": strconv.Itoa(status), "message": msg})
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }
