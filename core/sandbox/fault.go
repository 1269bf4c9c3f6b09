package sandbox

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Fault is a failure queued with Inject. The first queued fault matching a
// request (host, method, path prefix) takes it over, before authentication
// and before the real handler.
type Fault struct {
	Host   string // "api", "image" or "vod"
	Method string // "" = any
	Path   string // prefix of the URL path, e.g. "/v1.0c/add-content", "/api/v1/tus/upload/"
	// Status, if set, answers the request with this status and a JSON error
	// body without handling it. It wins over CutAfter.
	Status int
	// CutAfter > 0 lets the real handler read this many request-body bytes,
	// then drops the TCP connection (reset), so the client gets a transport
	// error and no HTTP response. What the handler did with the bytes it got
	// stands: tusd keeps them, so HEAD reports the partial offset. If the
	// body is shorter, the request is handled in full and the connection is
	// dropped instead of sending the response ("request done, reply lost").
	// Note that net/http's Transport silently replays an idempotent request
	// (GET, HEAD) whose reused connection dies before any response byte;
	// use Times: 2 to make such a cut visible to a Go client.
	CutAfter int64
	// Hold keeps the request without answering, as a half-open connection
	// does (a laptop asleep, a dropped Wi-Fi): the real handler never runs,
	// so nothing is created or stored, and no response byte is sent. The
	// hold ends after Hold, when Release is closed, or when the client hangs
	// up (a client with a stall watchdog does), whichever comes first; a
	// negative Hold waits for Release or the client only. Then the
	// connection is dropped. Status and CutAfter win over it.
	Hold time.Duration
	// Release, if not nil, ends a Hold early when closed.
	Release <-chan struct{}
	// Times is how many matching requests the fault hits; 0 means 1.
	Times int
}

type queuedFault struct {
	Fault
	left int
}

// Inject queues f. It panics on a fault that could never fire (unknown host,
// neither Status nor CutAfter), which is a bug in the calling test.
func (s *Server) Inject(f Fault) {
	switch f.Host {
	case "api", "image", "vod":
	default:
		panic(fmt.Sprintf("sandbox: Fault.Host %q: want api, image or vod", f.Host))
	}
	if f.Status == 0 && f.CutAfter <= 0 && f.Hold == 0 {
		panic("sandbox: Fault needs Status, CutAfter or Hold")
	}
	left := f.Times
	if left <= 0 {
		left = 1
	}
	s.mu.Lock()
	s.faults = append(s.faults, &queuedFault{Fault: f, left: left})
	s.mu.Unlock()
}

func (s *Server) takeFault(host string, r *http.Request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, q := range s.faults {
		if q.Host != host || (q.Method != "" && !strings.EqualFold(q.Method, r.Method)) || !strings.HasPrefix(r.URL.Path, q.Path) {
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

func (s *Server) withFaults(host string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := s.takeFault(host, r)
		if f == nil {
			next.ServeHTTP(w, r)
			return
		}
		if f.Status != 0 {
			s.logf("fault: %s %s %s -> injected %d", host, r.Method, r.URL.Path, f.Status)
			writeError(w, r, f.Status, fmt.Sprintf("sandbox: injected fault (%d)", f.Status))
			return
		}
		if f.CutAfter <= 0 {
			s.hold(host, w, r, f)
			return
		}
		s.logf("fault: %s %s %s -> connection cut after %d body bytes", host, r.Method, r.URL.Path, f.CutAfter)
		c := &cutter{conn: w}
		dw := &discardWriter{ResponseWriter: w}
		r2 := *r
		r2.Body = &cutReader{body: r.Body, left: f.CutAfter, cut: c.cut}
		next.ServeHTTP(dw, &r2)
		// Body shorter than CutAfter, or never read: the reply is lost.
		c.cut()
	})
}

// cutter drops the client connection once: it hijacks it from net/http and
// closes it with SO_LINGER 0, so the client sees a reset.
type cutter struct {
	conn http.ResponseWriter
	once sync.Once
}

func (c *cutter) cut() {
	c.once.Do(func() {
		conn, _, err := http.NewResponseController(c.conn).Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	})
}

// cutReader hands the handler at most left bytes. The Read after the last
// allowed byte cuts the connection and fails, so a handler that writes as it
// reads (tusd's filestore) has stored every byte before the client notices.
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
// It implements Flush itself so http.ResponseController never flushes the
// real writer; deadlines still reach it through Unwrap.
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
