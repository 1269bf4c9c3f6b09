package wangsu

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Running is a Server listening on loopback: the API on one port, the
// upload host on another.
type Running struct {
	APIURL, UploadURL string
	Server            *Server

	servers []*http.Server
}

// Start creates a Server and serves its API at apiPort and its upload host
// at uploadPort (0 picks a free port).
func Start(cfg Config, addr string, apiPort, uploadPort int) (*Running, error) {
	s := New(cfg)
	run := &Running{Server: s}
	for i, port := range []int{apiPort, uploadPort} {
		h := s.API()
		if i == 1 {
			h = s.Upload()
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
		if err != nil {
			_ = run.Close()
			return nil, fmt.Errorf("wangsu sandbox: %w", err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
		run.servers = append(run.servers, srv)
		go func() { _ = srv.Serve(ln) }()
		a := ln.Addr().(*net.TCPAddr)
		ip := a.IP
		if ip == nil || ip.IsUnspecified() {
			ip = net.IPv4(127, 0, 0, 1)
		}
		u := "http://" + net.JoinHostPort(ip.String(), strconv.Itoa(a.Port))
		if i == 0 {
			run.APIURL = u
		} else {
			run.UploadURL = u
		}
	}
	s.SetUploadURL(run.UploadURL)
	return run, nil
}

// Close stops the listeners and the Server.
func (r *Running) Close() error {
	var errs []error
	for _, srv := range r.servers {
		errs = append(errs, srv.Close())
	}
	r.Server.Close()
	return errors.Join(errs...)
}

// Env is the WANGSU_API_URL assignment pointing a client at this sandbox.
func (r *Running) Env() []string { return []string{"WANGSU_API_URL=" + r.APIURL} }
