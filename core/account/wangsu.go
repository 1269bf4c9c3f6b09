package account

import (
	"fmt"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/core/wangsu"
)

// NewWangsuDriver is the Wangsu Cloud VoD driver of account name: the API
// at $WANGSU_API_URL, else the settings' Wangsu API host, else
// https://api.cloudv.haplat.net; the access key
// and secret key read from m at each call (so keys added again are used at
// once, and a removed account's work waits), the engine options' polling,
// retry delays and stall watchdog. Blocks are WCS's 4 MiB; GJW_CHUNK_SIZE,
// when set, sizes the chunks inside a block (at most the block).
func NewWangsuDriver(m *Manager, name string, o core.Options) *wangsu.Driver {
	return wangsuDriver(m, name, o, m.secretOf(name))
}

func wangsuDriver(m *Manager, name string, o core.Options, secret secretFunc) *wangsu.Driver {
	settings, _ := m.db.Settings() // unreadable settings: the default host
	c := &wangsu.Client{
		BaseURL: wangsu.APIURL(settings.WangsuAPIURL), Account: name,
		HTTP:        httpx.WithWatchdog(o.HTTP, o.StallTimeout),
		RetryDelays: o.RetryDelays,
		Keys: func() (wangsu.Keys, error) {
			s, err := secret()
			if err != nil {
				return wangsu.Keys{}, fmt.Errorf("%w: %v", wangsu.ErrNoKey, err)
			}
			if s["access_key"] == "" || s["secret_key"] == "" {
				return wangsu.Keys{}, fmt.Errorf("%w: account %q has none: add it again with gjw account add wangsu --access-key AK --secret-key SK --name %s", wangsu.ErrNoKey, name, name)
			}
			return wangsu.Keys{AccessKey: s["access_key"], SecretKey: s["secret_key"]}, nil
		},
	}
	return wangsu.NewDriver(c, wangsu.DriverOptions{ChunkSize: o.ChunkSize, PollInterval: o.PollInterval, PollAttempts: o.PollAttempts})
}
