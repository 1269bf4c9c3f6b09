package article

import (
	"net/url"
	"path/filepath"
	"strings"
)

// cleanURL turns an attribute value into the canonical form used in the
// output, or reports false if it cannot be made into a stable URL.
//
// Like a browser, it removes tabs and newlines anywhere and C0 controls and
// spaces at both ends. Remaining spaces and non-ASCII bytes are
// percent-encoded, a protocol-relative "//host/x" gets "https:", and a
// Windows drive path (C:\dir\x.png) becomes a file: URL. The result is
// url.URL.String(), and only if parsing that again gives the same string,
// so a second pass (ours or bluemonday's) never changes it.
func cleanURL(raw string) (*url.URL, string, bool) {
	s := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, raw)
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	if s == "" {
		return nil, "", false
	}
	if isDrivePath(s) {
		s = "file:///" + strings.ReplaceAll(s, `\`, "/")
	}
	if strings.HasPrefix(s, "//") {
		s = "https:" + s
	}
	s = escapeUnsafeBytes(s)
	u, err := url.Parse(s)
	if err != nil {
		return nil, "", false
	}
	out := u.String()
	u2, err := url.Parse(out)
	if err != nil || u2.String() != out {
		return nil, "", false
	}
	return u2, out, true
}

// isDrivePath reports whether s looks like C:\x or C:/x.
func isDrivePath(s string) bool {
	return len(s) >= 3 && isASCIILetter(s[0]) && s[1] == ':' && (s[2] == '\\' || s[2] == '/')
}

func isASCIILetter(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// escapeUnsafeBytes percent-encodes spaces, controls and non-ASCII bytes, so
// that no part of the URL (not even the query, which url.URL keeps raw)
// carries them into the output.
func escapeUnsafeBytes(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f {
			if b.Len() == 0 {
				b.Grow(len(s) + 16)
				b.WriteString(s[:i])
			}
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return s
	}
	return b.String()
}

// cleanHref returns the canonical form of a link target, which must be an
// absolute http(s) URL with a host or a mailto: URL.
func cleanHref(raw string) (string, bool) {
	u, s, ok := cleanURL(raw)
	if !ok {
		return "", false
	}
	switch u.Scheme {
	case "http", "https":
		return s, u.Host != ""
	case "mailto":
		return s, u.Opaque != ""
	}
	return "", false
}

// cleanSrc returns the canonical form of an image source: an absolute
// http(s) URL with a host, a file: URL, or a relative or absolute path (a
// URL reference without scheme and host).
func cleanSrc(raw string) (string, bool) {
	u, s, ok := cleanURL(raw)
	if !ok {
		return "", false
	}
	switch u.Scheme {
	case "http", "https":
		return s, u.Host != ""
	case "file":
		return s, u.Path != ""
	case "":
		return s, u.Host == "" && u.Path != ""
	}
	return "", false
}

// IsRemote reports whether an image source (as returned by Images) is an
// http(s) URL rather than a local file.
func IsRemote(src string) bool {
	u, _, ok := cleanURL(src)
	return ok && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// LocalPath converts an image source that refers to a local file (a file:
// URL, or a relative or absolute path) to a file system path, with
// percent-escapes decoded and the OS separator. A relative result is
// relative to the article's own location; joining it is the caller's job.
// It reports false for http(s) URLs and anything that is not a usable
// image source.
func LocalPath(src string) (string, bool) {
	s, ok := cleanSrc(src)
	if !ok {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", false
	}
	switch u.Scheme {
	case "file":
		p := u.Path
		if len(p) >= 3 && p[0] == '/' && isASCIILetter(p[1]) && p[2] == ':' {
			p = p[1:] // file:///C:/x -> C:/x
		} else if u.Host != "" && u.Host != "localhost" {
			p = "//" + u.Host + p // UNC share
		}
		return filepath.FromSlash(p), true
	case "":
		return filepath.FromSlash(u.Path), true
	}
	return "", false
}
