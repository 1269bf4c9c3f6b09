package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// checkDelays are the waits of a credential check's calls when the
// options give none: two attempts (a check uses the first two of the
// options' delays), so a form is answered in seconds even when the
// platform is down.
var checkDelays = []time.Duration{0, time.Second}

// Check asks the platform whether the credentials of account a (not stored
// yet, or stored and entered again) are good, with one cheap authorized
// call of its driver (dest.AccountChecker), and returns the secret to
// store: for GJW the session, whose tokens the check may have rotated (an
// access token refused or close to expiry is refreshed, and the refresh
// token entered is dead after that). A wrong one gives a
// *dest.CheckError naming the fields at fault. o gives the hosts, the HTTP
// client and the watchdog; its retries are cut to two attempts.
func (m *Manager) Check(ctx context.Context, a Account, secret any, o core.Options) (any, error) {
	a, _, err := m.prepare(a, secret)
	if err != nil {
		return nil, err
	}
	if len(o.RetryDelays) >= 2 {
		o.RetryDelays = o.RetryDelays[:2]
	} else {
		o.RetryDelays = checkDelays
	}
	var d dest.Driver
	var session *memorySession
	switch a.Platform {
	case GJW:
		cr, _ := secret.(persist.Credentials)
		if p, ok := secret.(*persist.Credentials); ok {
			cr = *p
		}
		cr.ChannelID = a.ChannelID
		session = &memorySession{cr: cr}
		d = core.NewGJWDriver(session, nil, o)
	case Gcore, JW, Wangsu:
		given, _ := secret.(map[string]string)
		s := func() (map[string]string, error) { return given, nil }
		switch a.Platform {
		case Gcore:
			d = gcoreDriver(m, a.Name, o, s)
		case JW:
			if d, err = jwDriver(m, a.Name, o, s); err != nil {
				return nil, err
			}
		default:
			d = wangsuDriver(m, a.Name, o, s)
		}
	}
	c, ok := d.(dest.AccountChecker)
	if !ok {
		return secret, nil // a platform without a check: its first upload tells
	}
	if err := c.CheckAccount(ctx); err != nil {
		var ce *dest.CheckError
		if errors.As(err, &ce) {
			return nil, err
		}
		return nil, fmt.Errorf("%s could not check the account: %w", Title(a.Platform), err)
	}
	if session != nil {
		return session.cr, nil
	}
	return secret, nil
}

// AddChecked checks the credentials (Check), then stores the account with
// the checked secret (Add).
func (m *Manager) AddChecked(ctx context.Context, a Account, secret any, o core.Options) error {
	checked, err := m.Check(ctx, a, secret, o)
	if err != nil {
		return err
	}
	return m.Add(a, checked)
}

// memorySession is a GJW session held in memory while it is checked.
type memorySession struct{ cr persist.Credentials }

func (s *memorySession) Credentials() (persist.Credentials, bool, error) { return s.cr, true, nil }
func (s *memorySession) PutCredentials(cr persist.Credentials) error {
	s.cr = cr
	return nil
}
