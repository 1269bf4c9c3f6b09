package gcore

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
)

// ListVideos is GET /streaming/videos?page=1, the first page of the
// account's videos (the cheapest call the API key authorizes).
func (c *Client) ListVideos(ctx context.Context) error {
	var page json.RawMessage
	return c.call(ctx, "list videos", http.MethodGet, "/streaming/videos?page=1", nil, true, &page)
}

// CheckAccount checks the API key with one ListVideos.
func (d *Driver) CheckAccount(ctx context.Context) error {
	err := d.client.ListVideos(ctx)
	if errors.Is(err, ErrKeyRefused) {
		return dest.Refused(err, "api_key")
	}
	return dest.CheckFailed(err)
}

var _ dest.AccountChecker = (*Driver)(nil)
