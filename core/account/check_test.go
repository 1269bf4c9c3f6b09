package account

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	gcoresb "github.com/gjw-uploader/gjw-uploader/core/sandbox/gcore"
	jwsb "github.com/gjw-uploader/gjw-uploader/core/sandbox/jw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	wangsusb "github.com/gjw-uploader/gjw-uploader/core/sandbox/wangsu"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

var checkFast = []time.Duration{0, time.Millisecond}

// wantCheck fails unless err is a CheckError with problem p about fields,
// whose text holds none of secrets.
func wantCheck(t *testing.T, what string, err error, p dest.Problem, fields []string, secrets ...string) {
	t.Helper()
	var ce *dest.CheckError
	if !errors.As(err, &ce) || ce.Problem != p || !slices.Equal(ce.Fields, fields) {
		t.Fatalf("%s: %v (%+v), want %s %v", what, err, ce, p, fields)
	}
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("%s: the error shows a secret: %v", what, err)
		}
	}
}

// A GJW session is checked with one authorized call when it is entered:
// good tokens pass as they are, a refused access token is refreshed (the
// rotated pair is what gets stored), both refused name both, no answer
// says so; nothing wrong is stored.
func TestCheckGJWSession(t *testing.T) {
	keyring.MockInit()
	env := sandboxtest.New(t)
	db, _ := persist.OpenInMemory()
	defer db.Close()
	m := open(t, db)
	o := core.Options{Hosts: env.Hosts, RetryDelays: checkFast}
	ctx := context.Background()

	demo := env.Sandbox.DemoAccount()
	good := persist.Credentials{AccessToken: demo.AccessToken, RefreshToken: demo.RefreshToken, ChannelID: demo.ChannelID}
	if err := m.AddChecked(ctx, Account{Platform: GJW}, good, o); err != nil {
		t.Fatalf("good tokens: %v", err)
	}
	if cr, _, _ := m.GJWCredentials("gjw").Credentials(); cr.AccessToken != demo.AccessToken || cr.RefreshToken != demo.RefreshToken {
		t.Fatal("good tokens were not stored as given")
	}
	if env.Sandbox.Stats().Refreshes != 0 {
		t.Fatal("a good access token was refreshed")
	}

	// A dead access token with a live refresh token: refreshed once, and
	// the new pair is stored (the one entered is spent).
	other := env.Sandbox.NewChannel("chan-two")
	stale := persist.Credentials{AccessToken: "expired-ACCESS", RefreshToken: other.RefreshToken, ChannelID: "chan-two"}
	if err := m.AddChecked(ctx, Account{Name: "two", Platform: GJW}, stale, o); err != nil {
		t.Fatalf("refused access token, good refresh token: %v", err)
	}
	cr, _, _ := m.GJWCredentials("two").Credentials()
	if cr.AccessToken == "expired-ACCESS" || cr.RefreshToken == other.RefreshToken || env.Sandbox.Stats().Refreshes != 1 {
		t.Fatalf("the rotated session was not stored (refreshes %d)", env.Sandbox.Stats().Refreshes)
	}
	if _, err := core.NewGJWDriver(m.GJWCredentials("two"), nil, o).Client().UploadToken(ctx); err != nil {
		t.Fatalf("the stored session does not work: %v", err)
	}

	// Both wrong: refused, naming both; not stored.
	err := m.AddChecked(ctx, Account{Name: "three", Platform: GJW},
		persist.Credentials{AccessToken: "wrong-ACCESS-x", RefreshToken: "wrong-REFRESH-y", ChannelID: "c3"}, o)
	wantCheck(t, "wrong tokens", err, dest.ProblemRefused, []string{"access_token", "refresh_token"}, "wrong-ACCESS-x", "wrong-REFRESH-y")
	if _, ok, _ := m.Get("three"); ok {
		t.Fatal("an account with refused tokens was stored")
	}

	// A name taken by another channel is refused before any call.
	before := env.Sandbox.Stats()
	if err := m.AddChecked(ctx, Account{Name: "two", Platform: GJW}, good, o); !errors.Is(err, ErrExists) {
		t.Fatalf("taken name: %v", err)
	}
	if env.Sandbox.Stats() != before {
		t.Fatal("a refused name still called the platform")
	}

	// No platform answering.
	down := o
	down.Hosts = gjw.Hosts{API: "http://127.0.0.1:1", Image: "http://127.0.0.1:1", VOD: "http://127.0.0.1:1"}
	err = m.AddChecked(ctx, Account{Name: "four", Platform: GJW}, persist.Credentials{AccessToken: "a", RefreshToken: "r", ChannelID: "c4"}, down)
	wantCheck(t, "unreachable", err, dest.ProblemUnreachable, nil)
}

// Gcore, JW Player and Wangsu keys are checked on their sandboxes, which
// refuse wrong ones as the platforms do: the check names the part that is
// wrong (a key refused, a JW site unknown) and never the key.
func TestCheckKeyAccounts(t *testing.T) {
	keyring.MockInit()
	k := sandboxtest.StartKeyPlatforms(t)
	db, _ := persist.OpenInMemory()
	defer db.Close()
	m := open(t, db)
	o := core.Options{RetryDelays: checkFast}
	ctx := context.Background()

	for _, c := range []struct {
		name, platform string
		secret         map[string]string
		problem        dest.Problem
		fields         []string
	}{
		{"gcore", Gcore, map[string]string{"api_key": gcoresb.DemoKey}, "", nil},
		{"gcore-bad", Gcore, map[string]string{"api_key": "wrong-KEY-1"}, dest.ProblemRefused, []string{"api_key"}},
		{"jw", JW, map[string]string{"site_id": jwsb.DemoSite, "api_secret": jwsb.DemoSecret}, "", nil},
		{"jw-bad-secret", JW, map[string]string{"site_id": jwsb.DemoSite, "api_secret": "wrong-SECRET-2"}, dest.ProblemRefused, []string{"api_secret"}},
		{"jw-bad-site", JW, map[string]string{"site_id": "NoSuchSite", "api_secret": jwsb.DemoSecret}, dest.ProblemUnknown, []string{"site_id"}},
		{"wangsu", Wangsu, map[string]string{"access_key": wangsusb.DemoAccessKey, "secret_key": wangsusb.DemoSecretKey}, "", nil},
		{"wangsu-bad", Wangsu, map[string]string{"access_key": wangsusb.DemoAccessKey, "secret_key": "wrong-SK-3"}, dest.ProblemRefused, []string{"access_key", "secret_key"}},
	} {
		err := m.AddChecked(ctx, Account{Name: c.name, Platform: c.platform}, c.secret, o)
		_, stored, _ := m.Get(c.name)
		if c.problem == "" {
			if err != nil || !stored {
				t.Fatalf("%s: good credentials: %v (stored %v)", c.name, err, stored)
			}
			continue
		}
		var secrets []string
		for field, v := range c.secret {
			if field != "site_id" { // shown in the form: not a secret
				secrets = append(secrets, v)
			}
		}
		wantCheck(t, c.name, err, c.problem, c.fields, secrets...)
		if stored {
			t.Fatalf("%s: wrong credentials were stored", c.name)
		}
	}
	if k.Gcore.Server.Stats().Refused != 1 {
		t.Fatalf("Gcore refused %d calls, want the one wrong key", k.Gcore.Server.Stats().Refused)
	}
}
