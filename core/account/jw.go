package account

import (
	"fmt"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/core/jw"
)

// NewJWDriver is the JW Player driver of account name: the API at
// $JW_API_URL, else the settings' JW API host, else
// https://api.jwplayer.com; the site id and API secret
// read from m at each call (so a secret added again is used at once, and
// a removed account's work waits), the engine options' part size
// (GJW_CHUNK_SIZE), polling, retry delays and stall watchdog.
func NewJWDriver(m *Manager, name string, o core.Options) (*jw.Driver, error) {
	return jwDriver(m, name, o, m.secretOf(name))
}

func jwDriver(m *Manager, name string, o core.Options, secret secretFunc) (*jw.Driver, error) {
	s, err := secret()
	if err != nil {
		return nil, fmt.Errorf("account %q: %w: %v", name, jw.ErrNoSecret, err)
	}
	settings, _ := m.db.Settings() // unreadable settings: the default host
	c := &jw.Client{
		BaseURL: jw.APIURL(settings.JWAPIURL), SiteID: s["site_id"], Account: name,
		HTTP:        httpx.WithWatchdog(o.HTTP, o.StallTimeout),
		RetryDelays: o.RetryDelays,
		Secret: func() (string, error) {
			s, err := secret()
			if err != nil {
				return "", fmt.Errorf("%w: %v", jw.ErrNoSecret, err)
			}
			if s["api_secret"] == "" {
				return "", fmt.Errorf("%w: account %q has none: add it again with gjw account add jw --site-id SITE --api-secret SECRET --name %s", jw.ErrNoSecret, name, name)
			}
			return s["api_secret"], nil
		},
	}
	return jw.NewDriver(c, jw.DriverOptions{ChunkSize: o.ChunkSize, PollInterval: o.PollInterval, PollAttempts: o.PollAttempts}), nil
}
