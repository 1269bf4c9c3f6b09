package sandbox

import (
	"io"
	"net"
	"net/http"
	"time"
)

// hold serves a Hold fault: it takes the connection over from net/http (so
// the sandbox's servers never wait for it on Close), reads and drops
// whatever the client sends (so its hanging up is noticed), answers
// nothing, and drops the connection when the hold ends.
func (s *Server) hold(host string, w http.ResponseWriter, r *http.Request, f *Fault) {
	s.logf("fault: %s %s %s -> held without an answer (%s)", host, r.Method, r.URL.Path, holdText(f.Hold))
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer func() {
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	}()
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		_, _ = io.Copy(io.Discard, buf) // the body, then EOF or a reset when the client hangs up
	}()
	var timeout <-chan time.Time
	if f.Hold > 0 {
		t := time.NewTimer(f.Hold)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-timeout:
	case <-f.Release: // nil: never
	case <-gone:
	}
}

func holdText(d time.Duration) string {
	if d < 0 {
		return "until released"
	}
	return "for " + d.String()
}
