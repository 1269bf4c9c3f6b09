package jw

import (
	"context"
	"errors"
	"net/http"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
)

// ListMedia is GET /v2/sites/{site}/media/?page=1&page_length=1, one media
// of the site (the cheapest call that needs both the site id and the API
// secret).
func (c *Client) ListMedia(ctx context.Context) error {
	var page struct {
		Media []Media `json:"media"`
	}
	return c.call(ctx, "list media", http.MethodGet, c.mediaPath("")+"?page=1&page_length=1", "", nil, true, &page)
}

// CheckAccount checks the site id and API secret with one ListMedia: JW
// answers 401 to a secret it refuses, 403 or 404 to a site it does not
// know (or the secret does not hold).
func (d *Driver) CheckAccount(ctx context.Context) error {
	err := d.client.ListMedia(ctx)
	var he *httpx.Error
	switch {
	case errors.Is(err, ErrSecretRefused):
		return dest.Refused(err, "api_secret")
	case errors.As(err, &he) && (he.Status == http.StatusNotFound || he.Status == http.StatusForbidden):
		return dest.Unknown(err, "site_id")
	}
	return dest.CheckFailed(err)
}

var _ dest.AccountChecker = (*Driver)(nil)
