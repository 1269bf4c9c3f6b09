package core

import (
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
)

// gjwDrivers is the default driver factory: every account publishes to
// Gan Jing World with the session in store. Apps with several accounts
// pass their own Options.Drivers (see core/account).
func gjwDrivers(store Store, o Options) dest.Factory {
	return func(account string) (dest.Driver, error) {
		return NewGJWDriver(store, store, o), nil
	}
}

// NewGJWDriver returns the GJW driver for the session in creds, with the
// engine options' hosts, chunk size, polling and retry delays.
func NewGJWDriver(creds gjw.CredentialStore, images gjw.ImageStore, o Options) *gjw.Driver {
	hosts := o.Hosts
	if hosts == (gjw.Hosts{}) {
		hosts = gjw.DefaultHosts
	}
	// Every request gets the stall watchdog (a zero timeout is its default).
	c := gjw.NewClient(hosts, creds, httpx.WithWatchdog(o.HTTP, o.StallTimeout))
	if len(o.RetryDelays) > 0 {
		c.RetryDelays = o.RetryDelays
	}
	return gjw.NewDriver(c, gjw.DriverOptions{
		ChunkSize: o.ChunkSize, PollInterval: o.PollInterval, PollAttempts: o.PollAttempts, Images: images,
	})
}
