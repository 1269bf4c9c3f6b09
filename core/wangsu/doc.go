// Package wangsu publishes videos to Wangsu (CDNetworks) Cloud VoD: the
// WS3-HMAC-SHA256 request signer (sign.go), the API and upload-host client
// (client.go) and its dest.Driver (driver.go). See docs/wangsu.md.
//
// The secret key only ever keys the HMAC: no request, error text, log
// line or checkpoint contains it.
package wangsu
