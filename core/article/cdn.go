package article

import (
	"net"
	"net/url"
	"strings"
)

// IsCDNURL reports whether src is an image URL issued by the image CDN
// whose upload API is at imageAPI (gjw.Client.Hosts.Image). It is the one
// definition of "CDN URL" in the app: such an <img> is already on the CDN
// and is sent as it is; any other http(s) source is refused.
//
// src is a CDN URL when it is an http(s) URL and either
//
//   - its host (and port) is the image API's own: the sandbox, for one,
//     serves the images it issues on its image host; or
//   - the image API's host is "imgapi.<domain>" (with at least two labels
//     in <domain>) and src's host is "image<anything>.<domain>" on the
//     default port: the real API at imgapi.cloudokyo.cloud issues
//     image1-us-east.cloudokyo.cloud, image5-us-west.cloudokyo.cloud, ...
//
// Hosts compare case-insensitively. Whether the platform still knows the
// image is not checked here; add-content refuses one it never issued.
func IsCDNURL(imageAPI, src string) bool {
	api, err := url.Parse(imageAPI)
	if err != nil || api.Host == "" {
		return false
	}
	if !IsRemote(src) {
		return false
	}
	_, s, ok := cleanURL(src)
	if !ok {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	if strings.EqualFold(hostPort(u), hostPort(api)) {
		return true
	}
	apiHost := strings.ToLower(api.Hostname())
	domain, found := strings.CutPrefix(apiHost, "imgapi.")
	if !found || strings.Count(domain, ".") < 1 || net.ParseIP(apiHost) != nil || u.Port() != "" {
		return false
	}
	label, rest, found := strings.Cut(strings.ToLower(u.Hostname()), ".")
	return found && rest == domain && strings.HasPrefix(label, "image")
}

// hostPort is u's host with the scheme's default port made explicit, so
// that https://h and https://h:443 are the same server.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
