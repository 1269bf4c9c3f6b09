package httpx_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/net/http/httpproxy"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/proxytest"
)

// tlsHost is an HTTPS server (as every real platform is) reached by the
// alias name, which only the proxy resolves.
func tlsHost(t *testing.T) (url string, srv *httptest.Server) {
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, r.Method+" "+string(b))
	}))
	t.Cleanup(srv.Close)
	return proxytest.Aliased(srv.URL), srv
}

func get(t *testing.T, url string) (string, error) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPut, url, strings.NewReader("body"))
	res, err := httpx.Client().Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

// TestHTTPSThroughTheProxy: an HTTPS request (with its body) reaches its
// host through the proxy's CONNECT tunnel, from the environment's
// HTTPS_PROXY and from the settings' proxy alike; NO_PROXY sends the host
// direct, which here cannot work (the name resolves only at the proxy).
func TestHTTPSThroughTheProxy(t *testing.T) {
	url, srv := tlsHost(t)
	p := proxytest.New(t)
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	host := proxytest.Host(url)

	undo := httpx.TrustForTest(pool, &httpproxy.Config{HTTPSProxy: p.URL})
	defer undo()
	if got, err := get(t, url); err != nil || got != "PUT body" {
		t.Fatalf("through HTTPS_PROXY: %q %v", got, err)
	}
	if p.Count(host) != 1 {
		t.Fatalf("the proxy saw %d tunnels to %s", p.Count(host), host)
	}

	httpx.TrustForTest(pool, &httpproxy.Config{HTTPSProxy: p.URL, NoProxy: proxytest.Alias})
	if _, err := get(t, url); err == nil {
		t.Fatalf("with NO_PROXY=%s the request went through anyway", proxytest.Alias)
	}
	if p.Count(host) != 1 {
		t.Fatal("a NO_PROXY host went through the proxy")
	}

	// The settings' proxy wins over the environment (here: none).
	httpx.TrustForTest(pool, &httpproxy.Config{})
	if err := httpx.SetProxy(p.URL, ""); err != nil {
		t.Fatal(err)
	}
	defer httpx.SetProxy("", "")
	if got, err := get(t, url); err != nil || got != "PUT body" {
		t.Fatalf("through the settings' proxy: %q %v", got, err)
	}
	if p.Count(host) != 2 {
		t.Fatalf("the proxy saw %d tunnels to %s", p.Count(host), host)
	}
	if httpx.ProxyInUse() != p.URL {
		t.Fatalf("ProxyInUse %q", httpx.ProxyInUse())
	}
}

// TestSettingsProxySkipsNoProxyHosts: with the settings' proxy, a host in
// its "no proxy for" list, or in NO_PROXY, goes direct (and is reached:
// only the client resolves direct.invalid), while an unlisted host goes
// through the proxy, which counts it. Both names are not loopback, which
// would skip any proxy.
func TestSettingsProxySkipsNoProxyHosts(t *testing.T) {
	const direct = "direct.invalid"
	url, srv := tlsHost(t)
	directURL := strings.Replace(url, proxytest.Alias, direct, 1)
	p := proxytest.New(t)
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	host := proxytest.Host(url)
	directHost := strings.Replace(host, proxytest.Alias, direct, 1)
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")

	defer httpx.TrustForTest(pool, &httpproxy.Config{})()
	defer httpx.ResolveForTest(direct)()
	defer httpx.SetProxy("", "")

	// Through the proxy: direct.invalid is unknown there, so it fails,
	// but the proxy was asked.
	if err := httpx.SetProxy(p.URL, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := get(t, directURL); err == nil || p.Count(directHost) != 1 {
		t.Fatalf("an unlisted host: err %v, the proxy saw %d tunnels to it", err, p.Count(directHost))
	}

	// A bad entry is one line naming it.
	for _, bad := range []string{"https://example.com", "10.0.0.0/33"} {
		if err := httpx.SetProxy(p.URL, bad); err == nil || !strings.Contains(err.Error(), bad) || strings.Contains(err.Error(), "\n") {
			t.Errorf("no proxy for %q: want a one-line error naming it, got %v", bad, err)
		}
	}

	for _, c := range []struct{ list, env string }{
		{list: direct},
		{list: "example.com  " + directHost},          // spaces, and a host with its port
		{list: "localhost,.invalid"},                  // a domain covers its subdomains
		{list: "example.com", env: "other," + direct}, // NO_PROXY counts too
	} {
		t.Setenv("NO_PROXY", c.env)
		if err := httpx.SetProxy(p.URL, c.list); err != nil {
			t.Fatal(err)
		}
		before := p.Total()
		if got, err := get(t, directURL); err != nil || got != "PUT body" {
			t.Fatalf("list %q, NO_PROXY %q: a listed host: %q %v", c.list, c.env, got, err)
		}
		if p.Total() != before {
			t.Fatalf("list %q, NO_PROXY %q: a listed host went through the proxy", c.list, c.env)
		}
		if c.list == "localhost,.invalid" {
			continue // that list covers sandbox.invalid too
		}
		n := p.Count(host)
		if got, err := get(t, url); err != nil || got != "PUT body" || p.Count(host) != n+1 {
			t.Fatalf("list %q, NO_PROXY %q: an unlisted host: %q %v, the proxy saw %d tunnels to it", c.list, c.env, got, err, p.Count(host))
		}
	}
}

func TestParseProxy(t *testing.T) {
	for _, ok := range []string{"", "http://proxy.example:3128", "https://p.example", "socks5://127.0.0.1:1080", " http://u:pw@p:1 "} {
		if _, err := httpx.ParseProxy(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"proxy.example:3128", "ftp://p.example", "http://", "::"} {
		_, err := httpx.ParseProxy(bad)
		if err == nil || !strings.Contains(err.Error(), bad) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: want a one-line error naming it, got %v", bad, err)
		}
	}
	// A password in the proxy URL never shows.
	defer httpx.SetProxy("", "")
	httpx.SetProxy("http://user:secret@proxy.example:3128", "")
	if got := httpx.ProxyInUse(); strings.Contains(got, "secret") {
		t.Fatalf("ProxyInUse shows the password: %q", got)
	}
}
