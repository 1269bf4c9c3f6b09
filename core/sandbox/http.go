package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// host wraps one host's routes: request log (outermost), closed check, then
// queued faults, then the routes themselves.
func (s *Server) host(name string, routes http.Handler) http.Handler {
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		closed := s.closed
		s.mu.Unlock()
		if closed {
			writeError(w, r, http.StatusServiceUnavailable, "sandbox closed")
			return
		}
		s.withFaults(name, routes).ServeHTTP(w, r)
	})
	if s.cfg.Logf == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		status := "cut"
		if sw.status != 0 {
			status = fmt.Sprint(sw.status)
		} else if sw.wrote {
			status = "200"
		}
		// Only method and path: tokens travel in headers and bodies.
		s.cfg.Logf("%-5s %-6s %s -> %s (%s)", name, r.Method, r.URL.Path, status, time.Since(start).Round(time.Microsecond))
	})
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// statusWriter records the status for the request log. Unwrap keeps
// http.ResponseController (deadlines, hijacking) working through it.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError answers {"message": msg}; HEAD responses carry no body.
func writeError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, map[string]any{"message": msg})
}

// wrapped wraps a payload the way the CDN and most platform calls answer.
func wrapped(wrapper string, payload any) map[string]any {
	return map[string]any{wrapper: payload, "status_code": http.StatusOK}
}

// baseURL is the absolute URL this handler is mounted at, from the request's
// Host (X-Forwarded-* are ignored, as tusd's RespectForwardedHeaders=false).
// A prefix stripped by an outer http.StripPrefix is kept.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	prefix := ""
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
		full, rest := u.EscapedPath(), r.URL.EscapedPath()
		if strings.HasSuffix(full, rest) {
			prefix = strings.TrimSuffix(full, rest)
		}
	}
	return scheme + "://" + r.Host + strings.TrimSuffix(prefix, "/")
}

func randomHex(nbytes int) string {
	b := make([]byte, nbytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

const maxJSONBody = 16 << 20

// decodeJSONObject reads a JSON object body. Like the real platform's body
// parser it ignores a body not labelled application/json, which this
// emulator reports instead of silently seeing no fields.
func decodeJSONObject(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return nil, errors.New("Content-Type: must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	var body map[string]any
	if err := dec.Decode(&body); err != nil {
		return nil, fmt.Errorf("body: invalid JSON: %v", err)
	}
	if body == nil {
		return nil, errors.New("body: must be a JSON object")
	}
	if dec.More() {
		return nil, errors.New("body: trailing data after the JSON object")
	}
	return body, nil
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
}
