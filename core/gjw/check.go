package gjw

import (
	"context"
	"errors"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
)

// CheckAccount checks the session with one get-vod-token call: the access
// token, and the refresh token too when the access token is refused or
// about to expire (the refresh rotates the pair; the new one is in the
// credential store after the check). The guide has no call that names a
// token's channel, so the channel id is checked by the first upload's
// add-content.
func (d *Driver) CheckAccount(ctx context.Context) error {
	_, err := d.client.UploadToken(ctx)
	switch {
	case errors.Is(err, ErrSignedOut): // the refresh token was refused as well
		return dest.Refused(err, "access_token", "refresh_token")
	case errors.Is(err, ErrUnauthorized):
		return dest.Refused(err, "access_token")
	}
	return dest.CheckFailed(err)
}

var _ dest.AccountChecker = (*Driver)(nil)
