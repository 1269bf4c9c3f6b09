package sandbox

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Running is a Server listening on three loopback ports.
type Running struct {
	APIURL, ImageURL, VODURL string
	Server                   *Server

	servers []*http.Server
}

// Start creates a Server and serves API, Image and VOD on addr (for example
// "127.0.0.1") at ports[0], ports[1] and ports[2]; port 0 picks a free one.
func Start(cfg Config, addr string, ports [3]int) (*Running, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	run := &Running{Server: s}
	errLog := log.New(io.Discard, "", 0)
	if cfg.Logf != nil {
		errLog = log.New(logfWriter(cfg.Logf), "http: ", 0)
	}
	handlers := [3]http.Handler{s.API(), s.Image(), s.VOD()}
	urls := [3]*string{&run.APIURL, &run.ImageURL, &run.VODURL}
	for i, h := range handlers {
		ln, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(ports[i])))
		if err != nil {
			_ = run.Close()
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second, ErrorLog: errLog}
		run.servers = append(run.servers, srv)
		go func() { _ = srv.Serve(ln) }()
		*urls[i] = "http://" + dialAddr(ln.Addr().(*net.TCPAddr))
	}
	return run, nil
}

// dialAddr turns a listener address into one a client can dial: an
// unspecified IP (":8481", "0.0.0.0") becomes loopback.
func dialAddr(a *net.TCPAddr) string {
	ip := a.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(a.Port))
}

// Close stops the three listeners, drops open connections and closes the
// Server.
func (r *Running) Close() error {
	var errs []error
	for _, srv := range r.servers {
		errs = append(errs, srv.Close())
	}
	errs = append(errs, r.Server.Close())
	return errors.Join(errs...)
}

// Env returns the three base URLs as GJW_API_URL, GJW_IMAGE_URL and
// GJW_VOD_URL assignments.
func (r *Running) Env() []string {
	return []string{
		"GJW_API_URL=" + r.APIURL,
		"GJW_IMAGE_URL=" + r.ImageURL,
		"GJW_VOD_URL=" + r.VODURL,
	}
}

type logfWriter func(format string, args ...any)

func (f logfWriter) Write(p []byte) (int, error) {
	f("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
