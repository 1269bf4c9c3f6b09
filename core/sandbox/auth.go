package sandbox

import (
	"net/http"
	"strings"
	"time"
)

func (s *Server) apiRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1.1/auth/token/refresh", s.handleRefresh)
	mux.HandleFunc("GET /v1.0c/get-vod-token", s.handleVODToken)
	mux.HandleFunc("POST /v1.0c/add-content", s.handleAddContent)
	mux.HandleFunc("POST /v1.0c/update-content", s.handleUpdateContent)
	mux.HandleFunc("POST /v1.1/content/upload-id", s.handleUploadID)
	mux.HandleFunc("GET /video/{id}", s.handlePage("Video"))
	mux.HandleFunc("GET /news/{id}", s.handlePage("News"))
	mux.HandleFunc("/", notFound)
	return mux
}

// issuePairLocked issues a random access and refresh token for channel.
func (s *Server) issuePairLocked(channel string) (access, refresh string) {
	now := time.Now()
	access, refresh = randomHex(32), randomHex(32)
	s.access[access] = &token{channel: channel, expires: now.Add(s.cfg.AccessTTL)}
	s.refresh[refresh] = &token{channel: channel, expires: now.Add(refreshTTL)}
	return access, refresh
}

// platformAuth checks the platform's raw-token Authorization header and
// returns the channel, or answers 401 and returns false.
func (s *Server) platformAuth(w http.ResponseWriter, r *http.Request) (string, bool) {
	v := r.Header.Get("Authorization")
	if v == "" {
		writeError(w, r, http.StatusUnauthorized, "missing Authorization header (send the raw access token)")
		return "", false
	}
	if hasBearer(v) {
		writeError(w, r, http.StatusUnauthorized, "invalid token: the platform API takes the raw access token, without a Bearer prefix")
		return "", false
	}
	s.mu.Lock()
	t, ok := s.access[v]
	var channel string
	expired := false
	if ok {
		channel = t.channel
		expired = !time.Now().Before(t.expires)
	}
	s.mu.Unlock()
	switch {
	case !ok:
		writeError(w, r, http.StatusUnauthorized, "invalid access token")
		return "", false
	case expired:
		writeError(w, r, http.StatusUnauthorized, "access token expired")
		return "", false
	}
	return channel, true
}

// cdnAuth checks the CDNs' "Bearer <upload token>" Authorization header and
// returns the channel the upload token was issued to.
func (s *Server) cdnAuth(w http.ResponseWriter, r *http.Request) (string, bool) {
	v := r.Header.Get("Authorization")
	if v == "" {
		writeError(w, r, http.StatusUnauthorized, "missing Authorization header (send Bearer <upload token>)")
		return "", false
	}
	if !hasBearer(v) {
		writeError(w, r, http.StatusUnauthorized, "invalid token: the CDN takes Bearer <upload token>")
		return "", false
	}
	s.mu.Lock()
	channel, ok := s.upload[strings.TrimSpace(v[len("Bearer "):])]
	s.mu.Unlock()
	if !ok {
		writeError(w, r, http.StatusUnauthorized, "invalid upload token")
		return "", false
	}
	return channel, true
}

func hasBearer(v string) bool {
	return len(v) >= len("Bearer ") && strings.EqualFold(v[:len("Bearer ")], "Bearer ")
}

// handleRefresh rotates a refresh token: the one used dies, a new pair is
// issued. The guide says the old one "may be invalidated"; the emulator
// always does, so a client that keeps the old one fails here first.
func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) {
	body, err := decodeJSONObject(w, r)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	old, _ := body["refresh_token"].(string)
	if old == "" {
		writeError(w, r, http.StatusBadRequest, "refresh_token: required (a non-empty string)")
		return
	}
	s.mu.Lock()
	t, ok := s.refresh[old]
	if !ok || !time.Now().Before(t.expires) {
		s.mu.Unlock()
		writeError(w, r, http.StatusUnauthorized, "invalid or expired refresh token")
		return
	}
	delete(s.refresh, old)
	access, refresh := s.issuePairLocked(t.channel)
	s.stats.Refreshes++
	shape := s.shapes.Refresh
	s.mu.Unlock()

	tokens := map[string]any{
		"access_token":  access,
		"refresh_token": refresh,
		"expires_in":    int64(s.cfg.AccessTTL / time.Second),
	}
	if shape == "" {
		writeJSON(w, http.StatusOK, tokens)
		return
	}
	writeJSON(w, http.StatusOK, wrapped(shape, tokens))
}

func (s *Server) handleVODToken(w http.ResponseWriter, r *http.Request) {
	channel, ok := s.platformAuth(w, r)
	if !ok {
		return
	}
	tok := randomHex(24)
	s.mu.Lock()
	s.upload[tok] = channel
	s.stats.VODTokens++
	shape := s.shapes.VODToken
	s.mu.Unlock()

	if shape == "" {
		shape = "body.token"
	}
	outer, inner, _ := strings.Cut(shape, ".")
	writeJSON(w, http.StatusOK, wrapped(outer, map[string]any{inner: tok}))
}
