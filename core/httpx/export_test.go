package httpx

import (
	"crypto/tls"
	"crypto/x509"
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
