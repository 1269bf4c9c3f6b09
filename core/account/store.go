package account

import (
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// DefaultGJWStore is a persist.DB whose session is the default GJW
// account's (see Manager.DefaultOf) instead of the version 1
// "credentials" record. It is what the single-account engine is built on
// (core.New(account.DefaultGJWStore{DB: db, Accounts: m}, ...)) until the
// engine takes accounts per target. The default is looked up at every call,
// so signing in after the engine was built works.
type DefaultGJWStore struct {
	*persist.DB
	Accounts *Manager
}

// Credentials returns the default GJW account's session; ok is false when
// there is no GJW account or it has no session.
func (s DefaultGJWStore) Credentials() (persist.Credentials, bool, error) {
	a, ok, err := s.Accounts.DefaultOf(GJW)
	if err != nil || !ok {
		return persist.Credentials{}, false, err
	}
	return s.Accounts.GJWCredentials(a.Name).Credentials()
}

// PutCredentials stores a refreshed session into the GJW account of its
// channel (the default one if several share it), so a default changed
// during a refresh never gets another channel's tokens. It fails with
// gjw.ErrSignedOut when that account is gone.
func (s DefaultGJWStore) PutCredentials(c persist.Credentials) error {
	name := ""
	if def, ok, _ := s.Accounts.DefaultOf(GJW); ok && (c.ChannelID == "" || def.ChannelID == c.ChannelID) {
		name = def.Name
	} else if c.ChannelID != "" {
		accts, _ := s.Accounts.List()
		for _, a := range accts {
			if a.Platform == GJW && a.ChannelID == c.ChannelID {
				name = a.Name
				break
			}
		}
	}
	if name == "" {
		return gjw.ErrSignedOut
	}
	return s.Accounts.GJWCredentials(name).PutCredentials(c)
}
