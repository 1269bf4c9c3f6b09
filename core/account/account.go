// Package account keeps the creator's destination accounts: which
// platforms they publish to, under which names, and those accounts'
// secrets. The GUI and the CLI both go through a Manager; neither writes
// credential records itself.
//
// An account's public part (name, platform, default flag, GJW channel) is
// a persist.Account record. Its secrets (GJW tokens, API keys, secret
// keys) are never in that record: they go to the operating system's
// keyring (service "gjw-uploader") when one answers at Open, else to a
// persist.Secret record in the data folder, which is readable by its owner
// only. SecretsWhere says which.
//
// Open migrates the single session of a version 1 data folder (the
// "credentials" record) into an account named "gjw".
package account

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Platforms.
const (
	GJW    = "gjw"
	Gcore  = "gcore"
	JW     = "jw"
	Wangsu = "wangsu"
)

// Platforms lists every platform an account can be for, in display order.
var Platforms = []string{GJW, Gcore, JW, Wangsu}

// Title is a platform's name for people ("Gan Jing World").
func Title(platform string) string {
	switch platform {
	case GJW:
		return "Gan Jing World"
	case Gcore:
		return "Gcore"
	case JW:
		return "JW Player"
	case Wangsu:
		return "Wangsu"
	}
	return platform
}

// available are the platforms that have a driver. Accounts of the others
// cannot be added yet.
var available = map[string]bool{GJW: true, Gcore: true, JW: true, Wangsu: true}

// Available reports whether accounts of platform can be added (its driver
// exists).
func Available(platform string) bool { return available[platform] }

// secretKeys are the secret fields each non-GJW platform needs.
var secretKeys = map[string][]string{
	Gcore:  {"api_key"},
	JW:     {"site_id", "api_secret"},
	Wangsu: {"access_key", "secret_key"},
}

// SecretFields are the secret fields an account of platform needs
// (GJW's session is not a list of fields: nil).
func SecretFields(platform string) []string { return secretKeys[platform] }

// Account is one destination account. Its secrets are kept apart (see the
// package comment).
type Account struct {
	Name     string
	Platform string // GJW, Gcore, JW or Wangsu
	// Default marks one of the destinations used when none is named.
	Default bool
	// ChannelID is the Gan Jing World channel (public); GJW accounts only.
	ChannelID string
	AddedAt   time.Time
}

var (
	// ErrNotFound means there is no account by that name.
	ErrNotFound = errors.New("no such account")
	// ErrExists means an account by that name exists already, for
	// another platform or another channel.
	ErrExists = errors.New("an account by that name exists already")
	// ErrUnavailable means the platform has no driver yet.
	ErrUnavailable = errors.New("not available yet")
)

// ExistsError is Add's answer when the name is taken by another platform
// or another channel; it matches ErrExists.
type ExistsError struct{ Account Account }

func (e *ExistsError) Error() string {
	what := Title(e.Account.Platform)
	if e.Account.ChannelID != "" {
		what += " channel " + e.Account.ChannelID
	}
	return fmt.Sprintf("account %q is already %s: give the new account another name", e.Account.Name, what)
}

func (e *ExistsError) Is(target error) bool { return target == ErrExists }

// maxNameLen bounds account names (they are keys and keyring user names).
const maxNameLen = 64

// CheckName reports whether name can name an account: 1 to 64 letters,
// digits, '-', '_', '.' or '@' (no commas: lists of names are
// comma-separated; no slashes: names are record keys).
func CheckName(name string) error {
	if name == "" {
		return errors.New("an account needs a name")
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("account name %.20q… is longer than %d characters", name, maxNameLen)
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.@", r)
		if !ok {
			return fmt.Errorf("account name %q: use letters, digits, '-', '_', '.' or '@'", name)
		}
	}
	return nil
}

func knownPlatform(p string) bool { return slices.Contains(Platforms, p) }

func sortAccounts(accts []Account) {
	slices.SortFunc(accts, func(a, b Account) int { return cmp.Compare(a.Name, b.Name) })
}
