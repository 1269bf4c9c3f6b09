package wangsu

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is a failure queued with Inject. The first queued fault matching a
// request (host, method, path prefix) takes it over, before authentication,
// the rate limiter and the real handler.
type Fault struct {
	Host   string // "api" or "upload"
	Method string // "" = any
	// Path is a prefix of the URL path ("/vod/videoManage/getUploadToken",
	// "/mkblk/", "/bput/"), or several separated by "|" ("/mkblk/|/bput/":
	// any chunk).
	Path string
	// Status, if set, answers the request with this status (and, for 429
	// and 503, RetryAfter) without handling it. It wins over CutAfter.
	Status int
	// RetryAfter is sent as Retry-After (whole seconds) with Status.
	RetryAfter time.Duration
	// CutAfter > 0 lets the real handler read this many request-body bytes,
	// then drops the TCP connection (reset). tusd keeps what it read, so a
	// client must re-sync its offset with HEAD. A shorter body is handled
	// in full and its reply is lost.
	CutAfter int64
	// Hold keeps the request without answering (a half-open connection):
	// for Hold, until Release is closed, or until the client hangs up; a
	// negative Hold waits for Release or the client only.
	Hold    time.Duration
	Release <-chan struct{}
	// Times is how many matching requests the fault hits; 0 means 1.
	Times int
}

type queuedFault struct {
	Fault
	left int
}

// Inject queues f. It panics on a fault that could never fire, a bug in the
// calling test.
func (s *Server) Inject(f Fault) {
	if f.Host != "api" && f.Host != "upload" {
		panic(fmt.Sprintf("wangsu sandbox: Fault.Host %q: want api or upload", f.Host))
	}
	if f.Status == 0 && f.CutAfter <= 0 && f.Hold == 0 {
		panic("wangsu sandbox: Fault needs Status, CutAfter or Hold")
	}
	left := max(f.Times, 1)
	s.mu.Lock()
	s.faults = append(s.faults, &queuedFault{Fault: f, left: left})
	s.mu.Unlock()
}

func (s *Server) takeFault(host string, r *http.Request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, q := range s.faults {
		if q.Host != host || (q.Method != "" && !strings.EqualFold(q.Method, r.Method)) || !pathMatches(r.URL.Path, q.Path) {
			continue
		}
		q.left--
		if q.left == 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		f := q.Fault
		return &f
	}
	return nil
}

func pathMatches(path, prefixes string) bool {
	for _, p := range strings.Split(prefixes, "|") {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

func (s *Server) withFaults(host string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := s.takeFault(host, r)
		switch {
		case f == nil:
			next.ServeHTTP(w, r)
		case f.Status != 0:
			s.logf("fault: %s %s %s -> injected %d", host, r.Method, r.URL.Path, f.Status)
			if f.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int((f.RetryAfter+time.Second-1)/time.Second)))
			}
			writeError(w, r, f.Status, fmt.Sprintf("sandbox: injected fault (%d)", f.Status))
		case f.CutAfter <= 0:
			s.logf("fault: %s %s %s -> held without an answer", host, r.Method, r.URL.Path)
			hold(w, f)
		default:
			s.logf("fault: %s %s %s -> connection cut after %d body bytes", host, r.Method, r.URL.Path, f.CutAfter)
			c := &cutter{conn: w}
			r2 := *r
			r2.Body = &cutReader{body: r.Body, left: f.CutAfter, cut: c.cut}
			next.ServeHTTP(&discardWriter{ResponseWriter: w}, &r2)
			c.cut()
		}
	})
}

// hold takes the connection over, reads and drops what the client sends,
// answers nothing, and drops the connection when the hold ends.
func hold(w http.ResponseWriter, f *Fault) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer resetClose(conn)
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		_, _ = io.Copy(io.Discard, buf)
	}()
	var timeout <-chan time.Time
	if f.Hold > 0 {
		t := time.NewTimer(f.Hold)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-timeout:
	case <-f.Release:
	case <-gone:
	}
}

func resetClose(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// cutter drops the client connection once, with a reset.
type cutter struct {
	conn http.ResponseWriter
	once sync.Once
}

func (c *cutter) cut() {
	c.once.Do(func() {
		if conn, _, err := http.NewResponseController(c.conn).Hijack(); err == nil {
			resetClose(conn)
		}
	})
}

// cutReader hands the handler at most left bytes; the Read after the last
// one cuts the connection and fails.
type cutReader struct {
	body io.ReadCloser
	left int64
	cut  func()
}

func (r *cutReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		r.cut()
		return 0, io.ErrUnexpectedEOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.body.Read(p)
	r.left -= int64(n)
	return n, err
}

func (r *cutReader) Close() error { return r.body.Close() }

// discardWriter swallows the response of a request whose connection is cut.
type discardWriter struct {
	http.ResponseWriter
	header http.Header
}

func (w *discardWriter) Header() http.Header {
	if w.header == nil {
		w.header = http.Header{}
	}
	return w.header
}
func (w *discardWriter) WriteHeader(int)             {}
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) Flush()                      {}
func (w *discardWriter) FlushError() error           { return nil }
func (w *discardWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
