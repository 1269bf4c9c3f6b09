package httpx

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
)

// shared is the process's one *http.Transport: every client in core is
// built on it (through Watchdog, WithWatchdog or Client), so every request
// of every platform takes the same proxy, and a network change can drop
// every pooled connection at once (CloseIdle).
var shared = newTransport()

func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = proxyFor
	return t
}

// proxyURL is the proxy from the settings; nil means the environment's.
var proxyURL atomic.Pointer[url.URL]

// envProxy reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY (once per process,
// as net/http does). It is a variable so a test can read the environment
// it set.
var envProxy = http.ProxyFromEnvironment

func proxyFor(req *http.Request) (*url.URL, error) {
	if u := proxyURL.Load(); u != nil {
		return u, nil
	}
	return envProxy(req)
}

// ParseProxy checks a proxy setting: "" (use HTTPS_PROXY, HTTP_PROXY and
// NO_PROXY from the environment), or a URL with scheme http, https or
// socks5 and a host, such as http://proxy.example:3128 or
// socks5://127.0.0.1:1080. Its error is one line naming the value.
func ParseProxy(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("proxy %q is not a URL: write it like http://proxy.example:3128 or socks5://127.0.0.1:1080", raw)
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, fmt.Errorf("proxy %q: the scheme must be http, https or socks5", raw)
	}
	return u, nil
}

// SetProxy makes every request go through the proxy raw (see ParseProxy;
// "" is the environment's). It applies to the next request; pooled
// connections, made without it, are closed.
func SetProxy(raw string) error {
	u, err := ParseProxy(raw)
	if err != nil {
		return err
	}
	proxyURL.Store(u)
	shared.CloseIdleConnections()
	return nil
}

// ProxyInUse describes where requests go: the settings' proxy, the
// environment's variables, or "direct". It never shows a password.
func ProxyInUse() string {
	if u := proxyURL.Load(); u != nil {
		return u.Redacted()
	}
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		if v := strings.TrimSpace(os.Getenv(k)); v != "" {
			if u, err := url.Parse(v); err == nil {
				v = u.Redacted()
			}
			return k + "=" + v
		}
	}
	return "direct"
}

// CloseIdle closes every pooled connection, so the next requests dial
// afresh (after a wake or a network change the old ones are likely dead).
func CloseIdle() { shared.CloseIdleConnections() }

// Client is a client on the shared transport with the stall watchdog, for
// callers with no client of their own.
func Client() *http.Client {
	return &http.Client{Transport: Watchdog(nil, 0)}
}
