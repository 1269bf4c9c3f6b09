package account_test

// In package account_test: sandboxtest imports core, which may import
// this package.

import (
	"context"
	"errors"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

func openDB(t *testing.T, dir string) *persist.DB {
	t.Helper()
	db, err := persist.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func openManager(t *testing.T, db *persist.DB) *account.Manager {
	t.Helper()
	m, err := account.Open(db, account.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A refresh through DefaultGJWStore rotates the default account's tokens
// and stores them (durably) before they are used.
func TestDefaultGJWStoreRefresh(t *testing.T) {
	for _, mode := range []struct {
		name string
		init func()
	}{{"keyring", keyring.MockInit}, {"data-folder", func() { keyring.MockInitWithError(errors.New("no bus")) }}} {
		t.Run(mode.name, func(t *testing.T) {
			mode.init()
			env := sandboxtest.New(t)
			dir := t.TempDir()
			db := openDB(t, dir)
			env.SignIn(t, db) // a version 1 session
			m := openManager(t, db)
			store := account.DefaultGJWStore{DB: db, Accounts: m}
			before, ok, _ := store.Credentials()
			if !ok {
				t.Fatal("the migrated session is not the default")
			}
			c := gjw.NewClient(env.Hosts, store, nil)
			if err := c.Refresh(context.Background()); err != nil {
				t.Fatal(err)
			}
			after, _, _ := store.Credentials()
			if after.RefreshToken == before.RefreshToken || after.AccessToken == before.AccessToken {
				t.Fatal("the refresh did not rotate the tokens")
			}
			db.Close()
			db = openDB(t, dir)
			defer db.Close()
			m = openManager(t, db)
			if cr, _, _ := m.GJWCredentials("gjw").Credentials(); cr.RefreshToken != after.RefreshToken {
				t.Fatal("the rotated refresh token was not stored")
			}
			// No GJW account: signed out.
			m.Remove("gjw")
			store = account.DefaultGJWStore{DB: db, Accounts: m}
			if _, ok, _ := store.Credentials(); ok {
				t.Fatal("signed in without an account")
			}
			if err := store.PutCredentials(after); !errors.Is(err, gjw.ErrSignedOut) {
				t.Fatalf("put without an account: %v", err)
			}
		})
	}
}
