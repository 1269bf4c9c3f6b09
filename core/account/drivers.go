package account

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gcore"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
)

// Drivers is the engine's driver factory over m's accounts: each account
// gets its platform's driver with its own session, so two GJW channels
// publish side by side. images remembers uploaded pictures.
func Drivers(m *Manager, images gjw.ImageStore, o core.Options) dest.Factory {
	return func(name string) (dest.Driver, error) {
		a, ok, err := m.Get(name)
		if err != nil {
			return nil, err
		}
		if !ok { // removed, or not added yet: its uploads wait for it
			return absent{name}, nil
		}
		switch a.Platform {
		case GJW:
			return core.NewGJWDriver(m.GJWCredentials(name), images, o), nil
		case Gcore:
			return NewGcoreDriver(m, name, o), nil
		case JW:
			return NewJWDriver(m, name, o)
		case Wangsu:
			return NewWangsuDriver(m, name, o), nil
		}
		return nil, fmt.Errorf("account %q: %s is %w", name, Title(a.Platform), ErrUnavailable)
	}
}

// NewGcoreDriver is the Gcore driver of account name: the API at
// $GCORE_API_URL, else the settings' Gcore API host, else
// https://api.gcore.com; the key read from m at
// each call (so a key added again is used at once, and a removed account's
// work waits), the engine options' chunk size, polling, retry delays and
// stall watchdog.
func NewGcoreDriver(m *Manager, name string, o core.Options) *gcore.Driver {
	return gcoreDriver(m, name, o, m.secretOf(name))
}

func gcoreDriver(m *Manager, name string, o core.Options, secret secretFunc) *gcore.Driver {
	settings, _ := m.db.Settings() // unreadable settings: the default host
	c := &gcore.Client{
		BaseURL: gcore.APIURL(settings.GcoreAPIURL), Account: name,
		HTTP:        httpx.WithWatchdog(o.HTTP, o.StallTimeout),
		RetryDelays: o.RetryDelays,
		Key: func() (string, error) {
			s, err := secret()
			if err != nil {
				return "", fmt.Errorf("%w: %v", gcore.ErrNoKey, err)
			}
			if s["api_key"] == "" {
				return "", fmt.Errorf("%w: account %q has none: add it again with gjw account add gcore --api-key KEY --name %s", gcore.ErrNoKey, name, name)
			}
			return s["api_key"], nil
		},
	}
	return gcore.NewDriver(c, gcore.DriverOptions{ChunkSize: o.ChunkSize, PollInterval: o.PollInterval, PollAttempts: o.PollAttempts})
}

// secretFunc reads an account's secrets at each call.
type secretFunc func() (map[string]string, error)

// secretOf reads the stored secrets of account name.
func (m *Manager) secretOf(name string) secretFunc {
	return func() (map[string]string, error) { return m.Secret(name) }
}

// absent is the driver of an account that does not exist (removed, or
// not added yet): its targets wait, signed out, until it is added again.
type absent struct{ name string }

func (a absent) Platform() string                   { return "" }
func (a absent) Steps() []dest.Step                 { return nil }
func (a absent) Check(dest.Source, dest.Meta) error { return nil }
func (a absent) Publish(context.Context, json.RawMessage, dest.Progress) (dest.Result, error) {
	return dest.Result{}, a.err()
}
func (a absent) Update(context.Context, json.RawMessage, dest.Edition, dest.Progress) error {
	return a.err()
}
func (a absent) err() error {
	return dest.Stop(dest.ReasonSignedOut, fmt.Errorf("%w: account %q is not signed in (gjw login, or Account in the app)", gjw.ErrSignedOut, a.name))
}

// DefaultNames are the names of the default destinations. With no account
// at all, new uploads go to "gjw", the name the first sign-in takes, and
// wait for it.
func (m *Manager) DefaultNames() []string {
	if all, _ := m.List(); len(all) == 0 {
		return []string{GJW}
	}
	accts, _ := m.Defaults()
	names := make([]string, 0, len(accts))
	for _, a := range accts {
		names = append(names, a.Name)
	}
	return names
}

// Wire makes engine options publish through m's accounts: drivers per
// account and the default destinations. (Callers also pass the engine's
// StopAccount to m.OnRemove, so a removed account's uploads stop at once.)
func Wire(m *Manager, images gjw.ImageStore, o core.Options) core.Options {
	o.Drivers = Drivers(m, images, o)
	o.DefaultTargets = m.DefaultNames
	return o
}
