package persist

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"time"
)

// Key prefixes and single keys of the account records (see the package
// comment).
const (
	accountPrefix  = "account/"
	secretPrefix   = "secret/"
	secretStoreKey = "secretstore"
)

// Account is one destination account: a platform and what about it is not
// secret. Its secrets live in the system keyring or in a Secret record,
// never here (core/account decides which).
type Account struct {
	Version  int    `json:"v"`
	Name     string `json:"name"`
	Platform string `json:"platform"`
	// Default marks the account as one of the destinations used when none
	// is named.
	Default bool `json:"default,omitempty"`
	// ChannelID is the GJW channel (public); empty for other platforms.
	ChannelID string    `json:"channel_id,omitempty"`
	AddedAt   time.Time `json:"added_at"`
}

// Secret is an account's secrets kept in the data folder, for when there is
// no system keyring. Data is opaque to this package (core/account encodes
// it); it is never logged.
type Secret struct {
	Version int    `json:"v"`
	Data    string `json:"data"`
}

// SecretStore identifies this data folder's secrets in the system keyring,
// so two data folders (a demo one, say) never share keyring entries.
type SecretStore struct {
	Version int    `json:"v"`
	ID      string `json:"id"`
}

func checkAccountName(name string) error {
	if name == "" {
		return errors.New("persist: account has no name")
	}
	if strings.ContainsAny(name, "/\x00") {
		return errors.New("persist: account name holds a slash")
	}
	return nil
}

// PutAccount stores a under its Name, setting Version. It is on disk when
// PutAccount returns.
func (d *DB) PutAccount(a Account) error {
	if err := checkAccountName(a.Name); err != nil {
		return err
	}
	a.Version = RecordVersion
	return d.put(accountPrefix+a.Name, a)
}

// Account loads one account; ok is false when there is none by that name.
func (d *DB) Account(name string) (a Account, ok bool, err error) {
	if err := checkAccountName(name); err != nil {
		return Account{}, false, err
	}
	ok, err = d.get(accountPrefix+name, &a)
	return a, ok, err
}

// Accounts loads every account, sorted by name.
func (d *DB) Accounts() ([]Account, error) {
	var accts []Account
	if err := scan(d, accountPrefix, func(a Account) { accts = append(accts, a) }); err != nil {
		return nil, err
	}
	slices.SortFunc(accts, func(a, b Account) int { return cmp.Compare(a.Name, b.Name) })
	return accts, nil
}

// DeleteAccount removes an account and its data-folder secrets in one
// transaction. Deleting one that does not exist is not an error.
func (d *DB) DeleteAccount(name string) error {
	if err := checkAccountName(name); err != nil {
		return err
	}
	return d.del(accountPrefix+name, secretPrefix+name)
}

// PutSecret stores an account's secrets in the data folder, setting
// Version. It is on disk when PutSecret returns (a rotated refresh token is
// used right after).
func (d *DB) PutSecret(name string, s Secret) error {
	if err := checkAccountName(name); err != nil {
		return err
	}
	s.Version = RecordVersion
	return d.put(secretPrefix+name, s)
}

// Secret loads an account's data-folder secrets; ok is false when there
// are none.
func (d *DB) Secret(name string) (s Secret, ok bool, err error) {
	if err := checkAccountName(name); err != nil {
		return Secret{}, false, err
	}
	ok, err = d.get(secretPrefix+name, &s)
	return s, ok, err
}

// DeleteSecret removes an account's data-folder secrets. Deleting ones that
// do not exist is not an error.
func (d *DB) DeleteSecret(name string) error {
	if err := checkAccountName(name); err != nil {
		return err
	}
	return d.del(secretPrefix + name)
}

// PutSecretStore stores the keyring identity of this data folder.
func (d *DB) PutSecretStore(s SecretStore) error {
	s.Version = RecordVersion
	return d.put(secretStoreKey, s)
}

// SecretStore loads the keyring identity; ok is false before the first
// PutSecretStore.
func (d *DB) SecretStore() (s SecretStore, ok bool, err error) {
	ok, err = d.get(secretStoreKey, &s)
	return s, ok, err
}
