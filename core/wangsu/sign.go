package wangsu

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the signature scheme of Wangsu's "Interface Authentication
// V3" (destinations-protocols.md 2.1.1).
const Algorithm = "WS3-HMAC-SHA256"

// SignedHeaders are the headers every request signs (both mandatory).
var SignedHeaders = []string{"content-type", "host"}

// Signature is lower(hex(HMAC-SHA256(secret, StringToSign))) of one
// request, where
//
//	CanonicalRequest = Method \n RequestURI \n QueryString \n CanonicalHeaders \n SignedHeaders \n lower(hex(SHA256(body)))
//	CanonicalHeaders = for each signed header, sorted: name ":" value "\n"
//	StringToSign     = "WS3-HMAC-SHA256" \n timestamp \n lower(hex(SHA256(CanonicalRequest)))
//
// headers maps each lowercase signed header name to its value as sent
// (values are not lowercased or trimmed here: the client sends lowercase
// values, so both readings of the docs agree). query is "" for POST.
func Signature(secret, method, path, query string, headers map[string]string, timestamp string, body []byte) string {
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, strings.ToLower(k))
	}
	sort.Strings(names)
	lower := map[string]string{}
	for k, v := range headers {
		lower[strings.ToLower(k)] = v
	}
	var ch strings.Builder
	for _, n := range names {
		ch.WriteString(n + ":" + lower[n] + "\n")
	}
	payload := sha256.Sum256(body)
	canonical := method + "\n" + path + "\n" + query + "\n" + ch.String() + "\n" + strings.Join(names, ";") + "\n" + hex.EncodeToString(payload[:])
	ch2 := sha256.Sum256([]byte(canonical))
	sts := Algorithm + "\n" + timestamp + "\n" + hex.EncodeToString(ch2[:])
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(sts))
	return hex.EncodeToString(mac.Sum(nil))
}

// Authorization is the Authorization header value for accessKey and sig.
func Authorization(accessKey, sig string) string {
	return Algorithm + " Credential=" + accessKey + ", SignedHeaders=" + strings.Join(SignedHeaders, ";") + ", Signature=" + sig
}

// Sign sets X-WS-AccessKey, X-WS-Timestamp and Authorization on req, whose
// body is body (the exact bytes sent). The Host signed is req.URL.Host
// (lowercase), the Content-Type the one set on req.
func Sign(req *http.Request, accessKey, secret string, body []byte, now time.Time) {
	host := strings.ToLower(req.URL.Host)
	req.Host = host
	ts := strconv.FormatInt(now.Unix(), 10)
	query := ""
	if req.Method == http.MethodGet {
		query = req.URL.RawQuery
	}
	sig := Signature(secret, req.Method, req.URL.EscapedPath(), query,
		map[string]string{"content-type": req.Header.Get("Content-Type"), "host": host}, ts, body)
	req.Header.Set("X-WS-AccessKey", accessKey)
	req.Header.Set("X-WS-Timestamp", ts)
	req.Header.Set("Authorization", Authorization(accessKey, sig))
}
