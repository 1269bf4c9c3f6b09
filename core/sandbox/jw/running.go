package jw

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

// Running is a Server listening on loopback: the API on one port and the
// S3 stand-in on another.
type Running struct {
	APIURL, S3URL string
	Server        *Server

	servers []*http.Server
}

// Start creates a Server and serves its API at apiPort and its S3 stand-in
// at s3Port (0 picks a free port).
func Start(cfg Config, addr string, apiPort, s3Port int) (*Running, error) {
	s := New(cfg)
	run := &Running{Server: s}
	for i, port := range []int{apiPort, s3Port} {
		h := s.API()
		if i == 1 {
			h = s.S3()
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
		if err != nil {
			_ = run.Close()
			return nil, fmt.Errorf("jw sandbox: %w", err)
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
			run.S3URL = u
		}
	}
	s.SetS3URL(run.S3URL)
	return run, nil
}

// Close stops the listeners.
func (r *Running) Close() error {
	var errs []error
	for _, srv := range r.servers {
		errs = append(errs, srv.Close())
	}
	return errors.Join(errs...)
}

// Env is the JW_API_URL assignment pointing a client at this sandbox.
func (r *Running) Env() []string { return []string{"JW_API_URL=" + r.APIURL} }
