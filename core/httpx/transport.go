package httpx

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"unicode"

	"golang.org/x/net/http/httpproxy"
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

// settingsProxy is the proxy from the settings, with the hosts that skip
// it; nil means the environment's.
type settingsProxy struct {
	url *url.URL
	fn  func(*url.URL) (*url.URL, error) // httpproxy's matching of NoProxy
}

var proxySet atomic.Pointer[settingsProxy]

// envProxy reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY (once per process,
// as net/http does). It is a variable so a test can read the environment
// it set.
var envProxy = http.ProxyFromEnvironment

func proxyFor(req *http.Request) (*url.URL, error) {
	if p := proxySet.Load(); p != nil {
		return p.fn(req.URL)
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

// ParseNoProxy checks the hosts that skip the settings' proxy, written as
// NO_PROXY is (curl's and rclone's form): host names (example.com, which
// covers its subdomains too), domains (.example.com), IP addresses and
// ranges (10.0.0.0/8), each with an optional :port, or * for every host;
// separated by commas or spaces. It returns them comma-separated; its
// error is one line naming the entry.
func ParseNoProxy(raw string) (string, error) {
	hosts := strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	for _, h := range hosts {
		if strings.Contains(h, "://") {
			return "", fmt.Errorf("%q is a web address: write its host name only, like example.com", h)
		}
		if strings.Contains(h, "/") {
			if _, _, err := net.ParseCIDR(h); err != nil {
				return "", fmt.Errorf("%q is not a host name or an IP range: write example.com or 10.0.0.0/8", h)
			}
		}
	}
	return strings.Join(hosts, ","), nil
}

// SetProxy makes every request go through the proxy raw (see ParseProxy;
// "" is the environment's), except requests to the hosts in noProxy (see
// ParseNoProxy) and in the NO_PROXY variable, which go direct, as do
// requests to localhost and loopback addresses (as with the environment's
// proxy). It applies to the next request; pooled connections, made
// without it, are closed.
func SetProxy(raw, noProxy string) error {
	u, err := ParseProxy(raw)
	if err != nil {
		return err
	}
	skip, err := ParseNoProxy(noProxy)
	if err != nil {
		return fmt.Errorf("no proxy for: %w", err)
	}
	if u == nil {
		proxySet.Store(nil)
	} else {
		if env := httpproxy.FromEnvironment().NoProxy; env != "" {
			skip = strings.Trim(skip+","+env, ",")
		}
		cfg := &httpproxy.Config{HTTPProxy: u.String(), HTTPSProxy: u.String(), NoProxy: skip}
		proxySet.Store(&settingsProxy{url: u, fn: cfg.ProxyFunc()})
	}
	shared.CloseIdleConnections()
	return nil
}

// ProxyInUse describes where requests go: the settings' proxy, the
// environment's variables, or "direct". It never shows a password.
func ProxyInUse() string {
	if p := proxySet.Load(); p != nil {
		return p.url.Redacted()
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
