package account

import (
	"errors"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name of every keyring entry. The user name
// is "<account name>@<data folder id>", so two data folders (a demo one
// and the real one) never overwrite each other's entries.
const KeyringService = "gjw-uploader"

// keyringEnv set to off (or 0, no, false) keeps secrets in the data folder
// even where a keyring runs.
const keyringEnv = "GJW_KEYRING"

// Where secrets live, as SecretsWhere says it.
const (
	WhereKeyring = "system keyring"
	WhereData    = "data folder (owner only)"
)

// ErrNoKeyring is what a Keyring returns when there is no keyring to talk
// to (for Options.Keyring in tests).
var ErrNoKeyring = errors.New("no system keyring")

// Keyring is the part of a system keyring the Manager uses; Get returns
// keyring.ErrNotFound for a missing entry. The zero Options use the
// operating system's (github.com/zalando/go-keyring, which tests can mock
// with keyring.MockInit).
type Keyring interface {
	Set(service, user, secret string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// systemKeyring is go-keyring's provider. Its calls are serialised: the
// D-Bus client is fine with concurrency, but go-keyring's mock is not.
type systemKeyring struct{}

var systemMu sync.Mutex

func (systemKeyring) Set(service, user, secret string) error {
	systemMu.Lock()
	defer systemMu.Unlock()
	return keyring.Set(service, user, secret)
}

func (systemKeyring) Get(service, user string) (string, error) {
	systemMu.Lock()
	defer systemMu.Unlock()
	return keyring.Get(service, user)
}

func (systemKeyring) Delete(service, user string) error {
	systemMu.Lock()
	defer systemMu.Unlock()
	return keyring.Delete(service, user)
}

// probeTimeout bounds the keyring probe at Open: a keyring that does not
// answer by then counts as none.
const probeTimeout = 5 * time.Second

// probe reports whether kr answers: a missing entry is an answer, any
// other error (no D-Bus session, no Secret Service, a locked-out Keychain)
// is not.
func probe(kr Keyring, user string) bool {
	done := make(chan error, 1)
	go func() {
		_, err := kr.Get(KeyringService, user)
		done <- err
	}()
	select {
	case err := <-done:
		return err == nil || errors.Is(err, keyring.ErrNotFound)
	case <-time.After(probeTimeout):
		return false
	}
}

// keyringOff reports whether $GJW_KEYRING turns the keyring off.
func keyringOff() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(keyringEnv))) {
	case "off", "0", "no", "false":
		return true
	}
	return false
}
