package gcore

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"
)

func mkdir(dir string) error { return os.MkdirAll(dir, 0o755) }

// Running is a Server listening on loopback: the API on one port and the
// upload servers on others.
type Running struct {
	APIURL     string
	UploadURLs []string
	Server     *Server

	servers []*http.Server
}

// Start creates a Server and serves its API at apiPort and one upload
// server per uploadPorts entry (at least two; port 0 picks a free one).
func Start(cfg Config, addr string, apiPort int, uploadPorts ...int) (*Running, error) {
	if len(uploadPorts) < 2 {
		uploadPorts = []int{0, 0}
	}
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	run := &Running{Server: s}
	var hosts []string
	ports := append([]int{apiPort}, uploadPorts...)
	for i, port := range ports {
		h := s.Upload()
		if i == 0 {
			h = s.API()
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
		if err != nil {
			_ = run.Close()
			return nil, fmt.Errorf("gcore sandbox: %w", err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
		run.servers = append(run.servers, srv)
		go func() { _ = srv.Serve(ln) }()
		a := ln.Addr().(*net.TCPAddr)
		ip := a.IP
		if ip == nil || ip.IsUnspecified() {
			ip = net.IPv4(127, 0, 0, 1)
		}
		hostport := net.JoinHostPort(ip.String(), strconv.Itoa(a.Port))
		if i == 0 {
			run.APIURL = "http://" + hostport
		} else {
			run.UploadURLs = append(run.UploadURLs, "http://"+hostport)
			hosts = append(hosts, hostport)
		}
	}
	s.SetUploadHosts(hosts...)
	return run, nil
}

// Close stops the listeners and the Server.
func (r *Running) Close() error {
	var errs []error
	for _, srv := range r.servers {
		errs = append(errs, srv.Close())
	}
	errs = append(errs, r.Server.Close())
	return errors.Join(errs...)
}

// Env is the GCORE_API_URL assignment pointing a client at this sandbox.
func (r *Running) Env() []string { return []string{"GCORE_API_URL=" + r.APIURL} }
