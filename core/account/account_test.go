package account

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// modes runs a test with the (mocked) system keyring and with the
// data-folder fallback (a keyring that does not answer).
var modes = []struct {
	name  string
	init  func()
	where string
}{
	{"keyring", keyring.MockInit, WhereKeyring},
	{"data-folder", func() { keyring.MockInitWithError(errors.New("dbus: no session bus")) }, WhereData},
}

func openDisk(t *testing.T, dir string) *persist.DB {
	t.Helper()
	db, err := persist.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func open(t *testing.T, db *persist.DB) *Manager {
	t.Helper()
	m, err := Open(db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func session(access, refresh, channel string) persist.Credentials {
	return persist.Credentials{AccessToken: access, RefreshToken: refresh, ChannelID: channel, ExpiresAt: time.Now().Add(time.Hour * 48).Round(time.Second)}
}

func TestMigrateV1SessionAndReopen(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			mode.init()
			dir := t.TempDir()
			db := openDisk(t, dir)
			v1 := session("access-v1", "refresh-v1", "chan-1")
			if err := db.PutCredentials(v1); err != nil {
				t.Fatal(err)
			}
			m := open(t, db)
			if m.SecretsWhere() != mode.where {
				t.Fatalf("secrets in %q, want %q", m.SecretsWhere(), mode.where)
			}
			if _, ok, _ := db.Credentials(); ok {
				t.Fatal("the version 1 record is still there")
			}
			a, ok, _ := m.Get("gjw")
			if !ok || a.Platform != GJW || !a.Default || a.ChannelID != "chan-1" {
				t.Fatalf("migrated account %+v (found %v)", a, ok)
			}
			cr, ok, err := m.GJWCredentials("gjw").Credentials()
			if err != nil || !ok || cr.AccessToken != "access-v1" || cr.RefreshToken != "refresh-v1" || cr.ChannelID != "chan-1" || !cr.ExpiresAt.Equal(v1.ExpiresAt) {
				t.Fatalf("migrated session %+v %v %v", cr, ok, err)
			}
			if got := m.SecretWhere("gjw"); got != mode.where {
				t.Fatalf("secret in %q", got)
			}
			// The account record holds no secret; the data folder holds one
			// only without a keyring.
			rec, _, _ := db.Account("gjw")
			if rec.Version != persist.RecordVersion {
				t.Fatalf("record version %d", rec.Version)
			}
			_, inData, _ := db.Secret("gjw")
			if inData != (mode.where == WhereData) {
				t.Fatalf("secret/gjw present: %v", inData)
			}
			db.Close()

			db = openDisk(t, dir)
			defer db.Close()
			m = open(t, db)
			cr, ok, _ = m.GJWCredentials("gjw").Credentials()
			if !ok || cr.RefreshToken != "refresh-v1" {
				t.Fatalf("after reopening: %+v %v", cr, ok)
			}
		})
	}
}

func TestAddNamesDefaultsAndUnavailable(t *testing.T) {
	keyring.MockInit()
	db, _ := persist.OpenInMemory()
	defer db.Close()
	m := open(t, db)
	if err := m.Add(Account{Platform: GJW}, session("a1", "r1", "chan-a")); err != nil {
		t.Fatal(err)
	}
	a, ok, _ := m.Get("gjw")
	if !ok || !a.Default || a.ChannelID != "chan-a" {
		t.Fatalf("first account %+v", a)
	}
	// A second GJW account needs a name of its own.
	err := m.Add(Account{Platform: GJW}, session("a2", "r2", "chan-b"))
	if !errors.Is(err, ErrExists) || strings.Contains(err.Error(), "a2") || strings.Contains(err.Error(), "r2") {
		t.Fatalf("second account without a name: %v", err)
	}
	if err := m.Add(Account{Name: "second", Platform: GJW}, session("a2", "r2", "chan-b")); err != nil {
		t.Fatal(err)
	}
	b, _, _ := m.Get("second")
	if b.Default {
		t.Fatal("the second account became a default")
	}
	// Signing the same channel in again replaces its session only.
	if err := m.Add(Account{Platform: GJW}, session("a1b", "r1b", "chan-a")); err != nil {
		t.Fatal(err)
	}
	if cr, _, _ := m.GJWCredentials("gjw").Credentials(); cr.AccessToken != "a1b" {
		t.Fatalf("re-sign-in kept %q", cr.AccessToken)
	}
	if a, _, _ := m.Get("gjw"); !a.Default {
		t.Fatal("re-sign-in lost the default flag")
	}
	// Every platform has its driver now; a Wangsu account needs both keys.
	if err := m.Add(Account{Platform: Wangsu}, map[string]string{"access_key": "ak"}); err == nil || errors.Is(err, ErrUnavailable) {
		t.Fatalf("a Wangsu account without its secret key: %v", err)
	}
	if err := m.Add(Account{Platform: "vimeo"}, nil); err == nil {
		t.Fatal("unknown platform accepted")
	}
	for _, bad := range []string{"a,b", "a/b", "with space", strings.Repeat("x", 65)} {
		if err := m.Add(Account{Name: bad, Platform: GJW}, session("a", "r", "c")); err == nil {
			t.Fatalf("name %q accepted", bad)
		}
	}
	if err := m.Add(Account{Name: "nochan", Platform: GJW}, session("a", "r", "")); err == nil {
		t.Fatal("an account without a channel was accepted")
	}
	if err := m.Add(Account{Name: "notoken", Platform: GJW}, session("", "r", "c")); err == nil {
		t.Fatal("an account without an access token was accepted")
	}
	list, _ := m.List()
	if len(list) != 2 || list[0].Name != "gjw" || list[1].Name != "second" {
		t.Fatalf("list %+v", list)
	}

	if err := m.SetDefaults([]string{"second"}); err != nil {
		t.Fatal(err)
	}
	defs, _ := m.Defaults()
	if len(defs) != 1 || defs[0].Name != "second" {
		t.Fatalf("defaults %+v", defs)
	}
	if d, ok, _ := m.DefaultOf(GJW); !ok || d.Name != "second" {
		t.Fatalf("default GJW %+v", d)
	}
	if err := m.SetDefaults([]string{"gjw", "nobody"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown default: %v", err)
	}
	if err := m.SetDefaults([]string{"gjw", "second"}); err != nil {
		t.Fatal(err)
	}
	if d, _, _ := m.DefaultOf(GJW); d.Name != "gjw" {
		t.Fatalf("default GJW of two defaults: %s", d.Name)
	}
	if _, ok, _ := m.DefaultOf(Gcore); ok {
		t.Fatal("a Gcore default without Gcore accounts")
	}
}

func TestOtherPlatformSecrets(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			mode.init()
			db, _ := persist.OpenInMemory()
			defer db.Close()
			m := open(t, db)
			if err := m.Add(Account{Platform: JW}, map[string]string{"site_id": "S"}); err == nil || strings.Contains(err.Error(), "S\"") {
				t.Fatalf("JW without a secret: %v", err)
			}
			if err := m.Add(Account{Platform: Gcore}, map[string]string{"api_key": " key-1 "}); err != nil {
				t.Fatal(err)
			}
			s, err := m.Secret("gcore")
			if err != nil || s["api_key"] != "key-1" {
				t.Fatalf("secret %v %v", s, err)
			}
			if err := m.Add(Account{Name: "gjw", Platform: GJW}, session("a", "r", "c")); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Secret("gjw"); err == nil {
				t.Fatal("Secret returned a GJW session")
			}
			if a, _, _ := m.Get("gcore"); !a.Default || a.ChannelID != "" {
				t.Fatalf("gcore account %+v", a)
			}
		})
	}
}

func TestRemoveWipesAtOnce(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			mode.init()
			db, _ := persist.OpenInMemory()
			defer db.Close()
			m := open(t, db)
			m.Add(Account{Platform: GJW}, session("a", "r", "c"))
			store := m.GJWCredentials("gjw")
			var heard []string
			m.OnRemove(func(name string) {
				// Subscribers run before Remove returns, with the secret gone.
				_, ok, _ := store.Credentials()
				heard = append(heard, name+map[bool]string{true: ":still-signed-in", false: ""}[ok])
			})
			if err := m.Remove("gjw"); err != nil {
				t.Fatal(err)
			}
			if len(heard) != 1 || heard[0] != "gjw" {
				t.Fatalf("subscribers heard %v", heard)
			}
			if _, ok, _ := store.Credentials(); ok {
				t.Fatal("the removed account is still signed in")
			}
			if err := store.PutCredentials(session("a2", "r2", "c")); !errors.Is(err, gjw.ErrSignedOut) {
				t.Fatalf("a refresh brought the removed account back: %v", err)
			}
			if _, ok, _ := db.Secret("gjw"); ok {
				t.Fatal("secret/gjw is left")
			}
			if _, ok, _ := db.Account("gjw"); ok {
				t.Fatal("account/gjw is left")
			}
			if _, err := keyring.Get(KeyringService, m.keyringUser("gjw")); mode.where == WhereKeyring && !errors.Is(err, keyring.ErrNotFound) {
				t.Fatalf("keyring entry left: %v", err)
			}
			if err := m.Remove("gjw"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("second remove: %v", err)
			}
			// The next account added is a default again.
			m.Add(Account{Name: "other", Platform: GJW}, session("a", "r", "c2"))
			if a, _, _ := m.Get("other"); !a.Default {
				t.Fatal("an account added while none is a default did not become one")
			}
		})
	}
}

func TestKeyringOffByEnvironment(t *testing.T) {
	keyring.MockInit()
	t.Setenv("GJW_KEYRING", "off")
	db, _ := persist.OpenInMemory()
	defer db.Close()
	if m := open(t, db); m.SecretsWhere() != WhereData {
		t.Fatalf("GJW_KEYRING=off: %s", m.SecretsWhere())
	}
}

// failingSet is a keyring that answers but refuses to store.
type failingSet struct{ Keyring }

func (failingSet) Set(string, string, string) error { return errors.New("collection locked") }

func TestKeyringRefusingWritesFallsBack(t *testing.T) {
	keyring.MockInit()
	db, _ := persist.OpenInMemory()
	defer db.Close()
	m, err := Open(db, Options{Keyring: failingSet{systemKeyring{}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Add(Account{Platform: GJW}, session("a", "r", "c")); err != nil {
		t.Fatal(err)
	}
	if m.SecretWhere("gjw") != WhereData {
		t.Fatalf("secret in %q", m.SecretWhere("gjw"))
	}
}

// Two data folders never share keyring entries.
func TestDataFoldersDoNotShareKeyring(t *testing.T) {
	keyring.MockInit()
	db1, _ := persist.OpenInMemory()
	db2, _ := persist.OpenInMemory()
	defer db1.Close()
	defer db2.Close()
	m1, m2 := open(t, db1), open(t, db2)
	m1.Add(Account{Platform: GJW}, session("one", "r1", "c1"))
	m2.Add(Account{Platform: GJW}, session("two", "r2", "c2"))
	m1b := open(t, db1)
	if cr, _, _ := m1b.GJWCredentials("gjw").Credentials(); cr.AccessToken != "one" {
		t.Fatalf("folder 1 reads %q", cr.AccessToken)
	}
}

// Refreshes, reads and a removal at once: no race, and once Remove has
// returned, nothing brings the account's session back.
func TestConcurrentUseAndRemove(t *testing.T) {
	keyring.MockInit()
	db, _ := persist.OpenInMemory()
	defer db.Close()
	m := open(t, db)
	m.Add(Account{Platform: GJW}, session("a", "r", "c"))
	m.Add(Account{Name: "other", Platform: GJW}, session("a2", "r2", "c2"))
	store := m.GJWCredentials("gjw")
	done := make(chan struct{})
	for i := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := range 50 {
				if cr, ok, _ := store.Credentials(); ok {
					cr.AccessToken = fmt.Sprintf("a-%d-%d", i, j)
					store.PutCredentials(cr)
				}
				m.List()
				m.DefaultOf(GJW)
			}
		}()
	}
	time.Sleep(time.Millisecond)
	if err := m.Remove("gjw"); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		<-done
	}
	if _, ok, _ := store.Credentials(); ok {
		t.Fatal("a refresh brought the removed account back")
	}
	if _, ok, _ := db.Secret("gjw"); ok {
		t.Fatal("secret/gjw came back")
	}
	if _, err := keyring.Get(KeyringService, m.keyringUser("gjw")); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("the keyring entry came back: %v", err)
	}
	if d, ok, _ := m.DefaultOf(GJW); !ok || d.Name != "other" {
		t.Fatalf("the default GJW account after removing gjw: %+v", d)
	}
}
