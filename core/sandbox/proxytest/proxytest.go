// Package proxytest is a loopback HTTP proxy for tests: it forwards
// absolute-URI requests (httputil.ReverseProxy) and tunnels CONNECT, and
// it alone resolves one alias name to 127.0.0.1, so a client that reaches
// a sandbox by that name provably went through it. It counts requests per
// host. Only tests import it.
package proxytest

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"strings"
	"sync"
	"testing"
)

// Alias is the name sandboxes are reached by through the proxy. .invalid
// never resolves (RFC 2606), so no request can reach such a host but
// through the proxy; and it is not a loopback name, which Go's
// ProxyFromEnvironment would skip.
const Alias = "sandbox.invalid"

// Proxy is a running proxy; URL is its address.
type Proxy struct {
	*httptest.Server
	mu    sync.Mutex
	hosts map[string]int // host:port -> requests (a CONNECT tunnel counts once)
}

// New starts a proxy, closed when the test ends.
func New(t testing.TB) *Proxy {
	p := &Proxy{hosts: map[string]int{}}
	rp := &httputil.ReverseProxy{
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.Out.URL = pr.In.URL; pr.Out.Host = pr.In.Host },
		Transport: &http.Transport{DialContext: dial},
	}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.hosts[r.Host]++
		p.mu.Unlock()
		if r.Method != http.MethodConnect {
			if !r.URL.IsAbs() {
				http.Error(w, "not a proxy request", http.StatusBadRequest)
				return
			}
			rp.ServeHTTP(w, r)
			return
		}
		up, err := dial(r.Context(), "tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			up.Close()
			return
		}
		go func() { io.Copy(up, buf); up.Close() }()
		io.Copy(conn, up)
		conn.Close()
	}))
	t.Cleanup(p.Close)
	return p
}

// dial maps Alias to 127.0.0.1.
func dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if host == Alias {
		host = "127.0.0.1"
	}
	return (&net.Dialer{}).DialContext(ctx, network, net.JoinHostPort(host, port))
}

// Count is how many requests (or tunnels) went to hostport.
func (p *Proxy) Count(hostport string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hosts[hostport]
}

// Total is how many requests went through.
func (p *Proxy) Total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, v := range p.hosts {
		n += v
	}
	return n
}

// Aliased is u (a URL or host:port on 127.0.0.1) by the alias name.
func Aliased(u string) string { return strings.Replace(u, "127.0.0.1", Alias, 1) }

// Host is the host:port of u (http:// or https://) by the alias name.
func Host(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
	return Aliased(u)
}
