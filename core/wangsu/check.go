package wangsu

import (
	"context"
	"errors"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
)

// ListVideos is getVideoList for one video of the account (the cheapest
// signed call).
func (c *Client) ListVideos(ctx context.Context) error {
	var d struct {
		VideoListInfo []VideoInfo `json:"videoListInfo"`
	}
	return c.call(ctx, "list videos", "/vod/videoManage/getVideoList", map[string]string{"pageIndex": "1", "pageSize": "1"}, true, &d)
}

// CheckAccount checks the access key and secret key with one ListVideos.
// Wangsu answers an unknown access key and a signature made with the wrong
// secret key alike (1301), so the check names both.
func (d *Driver) CheckAccount(ctx context.Context) error {
	err := d.client.ListVideos(ctx)
	if errors.Is(err, ErrKeyRefused) {
		return dest.Refused(err, "access_key", "secret_key")
	}
	return dest.CheckFailed(err)
}

var _ dest.AccountChecker = (*Driver)(nil)
