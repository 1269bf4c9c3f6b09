package httpx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/url"

	"golang.org/x/net/http/httpproxy"
)

// TrustForTest makes the shared transport trust pool (an httptest TLS
// server's certificate, which names example.com whatever the host) and read the proxy variables from cfg rather than from the
// process's environment (which net/http reads only once); the returned
// func undoes both. Tests that call it must not run in parallel.
func TrustForTest(pool *x509.CertPool, cfg *httpproxy.Config) func() {
	oldTLS, oldEnv := shared.TLSClientConfig, envProxy
	shared.TLSClientConfig = &tls.Config{RootCAs: pool, ServerName: "example.com"}
	fn := cfg.ProxyFunc()
	envProxy = func(r *http.Request) (*url.URL, error) { return fn(r.URL) }
	shared.CloseIdleConnections()
	return func() { shared.TLSClientConfig, envProxy = oldTLS, oldEnv; shared.CloseIdleConnections() }
}

// OnProbe makes fn hear every probe's outcome until the returned func.
func OnProbe(fn func(addr string, ok bool)) func() {
	probed.Store(&fn)
	return func() { probed.Store(nil) }
}

// ResolveForTest makes the shared transport's own connections (not the
// proxy's) reach name at 127.0.0.1, so a request that went direct to it
// succeeds while the proxy never hears of it; the returned func undoes it.
func ResolveForTest(name string) func() {
	old := shared.DialContext
	shared.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil && host == name {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return old(ctx, network, addr)
	}
	shared.CloseIdleConnections()
	return func() { shared.DialContext = old; shared.CloseIdleConnections() }
}
