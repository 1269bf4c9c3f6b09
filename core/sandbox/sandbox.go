package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tus/tusd/v2/pkg/filestore"
)

// Config configures a Server. Only Dir is required.
type Config struct {
	// Dir holds tusd's filestore and the stored images. It must exist or be
	// creatable; the Server never removes it.
	Dir string
	// AccessTTL is the lifetime of issued access tokens. Default 864000s,
	// as in the guide's refresh example.
	AccessTTL time.Duration
	// TranscodePolls is how many status polls of a video answer
	// "in_progress" (progress rising) before it is done. 0 means the default
	// of 3; a negative value means done on the first poll.
	TranscodePolls int
	// Shapes selects the response variants; zero means the guide's main
	// examples.
	Shapes Shapes
	// Throttle, if > 0, limits each TUS PATCH to that many bytes per
	// second, so a demo on loopback shows a real progress bar.
	Throttle int64
	// Logf, if set, receives one line per request (host, method, path,
	// status, duration) and one per injected fault. Tokens are never logged.
	Logf func(format string, args ...any)
}

// Shapes selects where responses put the values the guides say may move.
type Shapes struct {
	// Refresh: where the refresh response puts access_token, refresh_token
	// and expires_in: "" (top level), "data" or "body".
	Refresh string
	// VODToken: where get-vod-token puts the upload token: "body.token"
	// (default, also for ""), "data.token", "body.upload_token" or
	// "body.vod_token".
	VODToken string
	// ContentID: where add-content and update-content put the content id:
	// "content_id" (default, also for ""), "data.content_id", "data.id" or
	// "id". The other response fields sit next to it.
	ContentID string
}

// Account is a token pair for a channel.
type Account struct {
	AccessToken, RefreshToken, ChannelID string
	ExpiresIn                            int64 // seconds until AccessToken expires
}

// Stats counts successful calls per endpoint, except StatusPolls, which
// counts every authorized status request (unknown ids too), and
// TusPatchBytes, which counts every PATCH body byte handed to tusd,
// including those of cut requests.
type Stats struct {
	Refreshes, VODTokens, Images, AddContent, UpdateContent, UploadIDs, TusCreates, StatusPolls int

	TusPatchBytes int64
}

// Content is a snapshot of one content entry.
type Content struct {
	ID, Type, ChannelID string
	// Fields is the latest add-content or update-content body, as decoded
	// JSON (numbers are float64). It is a deep copy.
	Fields    map[string]any
	Published bool
	// Updates counts accepted update-content calls.
	Updates  int
	UploadID string
	// VideoID is set when a TUS upload for this content completes.
	VideoID string
}

// Demo account values. They are fixed so `make demo` can log in; they are
// sandbox-only and grant nothing elsewhere.
const (
	demoChannel = "sandbox-demo-channel"
	demoAccess  = "sandbox-demo-access-token"
	demoRefresh = "sandbox-demo-refresh-token"
)

const (
	defaultAccessTTL = 864000 * time.Second
	refreshTTL       = 90 * 24 * time.Hour
	defaultPolls     = 3
)

// Server is the emulator. Create it with New; its three handlers may be
// served by any HTTP server (httptest in tests, Start for loopback).
type Server struct {
	cfg      Config
	polls    int
	imageDir string
	tusStore filestore.FileStore
	tus      http.Handler

	api, image, vod http.Handler

	mu         sync.Mutex
	closed     bool
	shapes     Shapes
	access     map[string]*token // access token -> grant
	refresh    map[string]*token // refresh token -> grant
	upload     map[string]string // upload token -> channel
	images     map[string]*storedImage
	issued     map[string]string // absolute image URL -> image id
	contents   map[string]*content
	uploadIDs  map[string]string // registered upload id -> content id
	videos     map[string]*video
	videoByTus map[string]string // tusd upload id -> video id
	faults     []*queuedFault
	failReason string
	stats      Stats
	patchBytes atomic.Int64 // Stats.TusPatchBytes, counted outside mu
}

type token struct {
	channel string
	expires time.Time
}

type content struct {
	Content
	createdAt time.Time
	// draft is set once a Video body carried a "mode" field: the real
	// platform then never auto-publishes it.
	draft bool
}

// New creates a Server storing its files under cfg.Dir.
func New(cfg Config) (*Server, error) {
	if cfg.Dir == "" {
		return nil, errors.New("sandbox: Config.Dir is required")
	}
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = defaultAccessTTL
	}
	polls := cfg.TranscodePolls
	switch {
	case polls == 0:
		polls = defaultPolls
	case polls < 0:
		polls = 0
	}
	if err := checkShapes(cfg.Shapes); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:        cfg,
		polls:      polls,
		imageDir:   filepath.Join(cfg.Dir, "images"),
		shapes:     cfg.Shapes,
		access:     map[string]*token{},
		refresh:    map[string]*token{},
		upload:     map[string]string{},
		images:     map[string]*storedImage{},
		issued:     map[string]string{},
		contents:   map[string]*content{},
		uploadIDs:  map[string]string{},
		videos:     map[string]*video{},
		videoByTus: map[string]string{},
	}
	for _, d := range []string{s.imageDir, filepath.Join(cfg.Dir, "tus")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
	}
	if err := s.initTus(); err != nil {
		return nil, err
	}
	now := time.Now()
	s.access[demoAccess] = &token{channel: demoChannel, expires: now.Add(cfg.AccessTTL)}
	s.refresh[demoRefresh] = &token{channel: demoChannel, expires: now.Add(refreshTTL)}

	s.api = s.host("api", s.apiRoutes())
	s.image = s.host("image", s.imageRoutes())
	s.vod = s.host("vod", s.vodRoutes())
	return s, nil
}

// API serves gw.ganjingworld.com.
func (s *Server) API() http.Handler { return s.api }

// Image serves imgapi.cloudokyo.cloud: uploads and the stored images.
func (s *Server) Image() http.Handler { return s.image }

// VOD serves vodapi.cloudokyo.cloud: TUS, status and HLS playlists.
func (s *Server) VOD() http.Handler { return s.vod }

// Close makes every handler answer 503. Files under Dir are left in place.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return nil
}

// DemoAccount returns the built-in demo channel's fixed token pair. Like any
// other pair it stops working after ExpireAccessTokens (access token),
// RevokeSession (both) or one use of its refresh token (rotation).
// ExpiresIn is the demo access token's remaining lifetime (0 once dead).
func (s *Server) DemoAccount() Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	var left time.Duration
	if t, ok := s.access[demoAccess]; ok {
		left = max(time.Until(t.expires), 0)
	}
	return Account{
		AccessToken:  demoAccess,
		RefreshToken: demoRefresh,
		ChannelID:    demoChannel,
		ExpiresIn:    int64(left.Round(time.Second) / time.Second),
	}
}

// Login issues a fresh random token pair for the demo channel, as signing in
// again in the browser would (for example after RevokeSession).
func (s *Server) Login() Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	access, refresh := s.issuePairLocked(demoChannel)
	return Account{
		AccessToken:  access,
		RefreshToken: refresh,
		ChannelID:    demoChannel,
		ExpiresIn:    int64(s.cfg.AccessTTL / time.Second),
	}
}

// SetShapes switches the response variants for the following requests.
// It panics on an unknown variant, which is a bug in the calling test.
func (s *Server) SetShapes(sh Shapes) {
	if err := checkShapes(sh); err != nil {
		panic(err)
	}
	s.mu.Lock()
	s.shapes = sh
	s.mu.Unlock()
}

// ExpireAccessTokens makes every access token issued so far answer 401.
// Refresh tokens keep working, and tokens issued later are valid.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := time.Now().Add(-time.Second)
	for _, t := range s.access {
		t.expires = past
	}
}

// RevokeSession kills every access and refresh token issued so far: API
// calls and refreshes answer 401 until Login issues a new pair. Upload
// tokens already handed out keep working, as CDN tokens are separate.
func (s *Server) RevokeSession() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.access)
	clear(s.refresh)
}

// ForgetImages makes the image host forget every image issued so far, as
// a restarted sandbox or a CDN purge does: their URLs stop serving, and
// add-content and update-content refuse them (400, "was not issued by
// this image host"). Images uploaded later are known again.
func (s *Server) ForgetImages() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.issued)
	clear(s.images)
}

// FailTranscode makes transcoding fail with error text reason for every
// video whose status has not yet reported done, and for every video uploaded
// later, until FailTranscode("") restores success. A failing video still
// answers TranscodePolls "in_progress" polls first, then "failed".
func (s *Server) FailTranscode(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failReason = reason
	for _, v := range s.videos {
		if !v.done && !v.failed {
			v.failReason = reason
		}
	}
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.TusPatchBytes = s.patchBytes.Load()
	return st
}

// Content returns a snapshot of the content with the given id.
func (s *Server) Content(id string) (Content, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.contents[id]
	if !ok {
		return Content{}, false
	}
	out := c.Content
	out.Fields, _ = deepCopy(c.Fields).(map[string]any)
	return out, true
}

func checkShapes(sh Shapes) error {
	switch sh.Refresh {
	case "", "data", "body":
	default:
		return fmt.Errorf("sandbox: unknown Shapes.Refresh %q", sh.Refresh)
	}
	switch sh.VODToken {
	case "", "body.token", "data.token", "body.upload_token", "body.vod_token":
	default:
		return fmt.Errorf("sandbox: unknown Shapes.VODToken %q", sh.VODToken)
	}
	switch sh.ContentID {
	case "", "content_id", "data.content_id", "data.id", "id":
	default:
		return fmt.Errorf("sandbox: unknown Shapes.ContentID %q", sh.ContentID)
	}
	return nil
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	default:
		return v
	}
}
