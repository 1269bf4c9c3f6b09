package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// The tests of this package never touch the real keyring: in process it
// is go-keyring's mock, and the gjw binaries the tests start inherit
// GJW_KEYRING=off (secrets in the data folder).
func init() {
	keyring.MockInit()
	if os.Getenv("GJW_KEYRING") == "" {
		os.Setenv("GJW_KEYRING", "off")
	}
}

// accountCLI is gjw in process on a fresh data folder, keeping every
// output to check for secrets.
type accountCLI struct {
	t       *testing.T
	data    string
	outputs []string
	secrets []string
}

func newAccountCLI(t *testing.T) *accountCLI {
	c := &accountCLI{t: t, data: filepath.Join(t.TempDir(), "data")}
	t.Setenv("GJW_DATA_DIR", c.data)
	t.Cleanup(c.checkNoSecrets)
	return c
}

func (c *accountCLI) gjw(args ...string) outcome {
	c.t.Helper()
	o := inProcess(c.t, args...)
	c.outputs = append(c.outputs, o.stdout, o.stderr)
	return o
}

func (c *accountCLI) ok(args ...string) string {
	c.t.Helper()
	o := c.gjw(args...)
	if o.code != 0 {
		c.t.Fatalf("gjw %s: %v", strings.Join(args, " "), o)
	}
	return o.stdout
}

// secret returns s, remembering it as a secret that must never show.
func (c *accountCLI) secret(s string) string {
	c.secrets = append(c.secrets, s)
	return s
}

func (c *accountCLI) checkNoSecrets() {
	for _, out := range c.outputs {
		for _, s := range c.secrets {
			if strings.Contains(out, s) {
				c.t.Errorf("a secret (%d characters) appears in gjw's output:\n%s", len(s), out)
			}
		}
	}
}

func (c *accountCLI) list() []accountRow {
	c.t.Helper()
	var rows []accountRow
	out := c.ok("account", "list", "--json")
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		c.t.Fatalf("account list --json: %v\n%s", err, out)
	}
	return rows
}

func TestAccountCommands(t *testing.T) {
	for _, keyringMode := range []string{"off", "on"} {
		t.Run("keyring-"+keyringMode, func(t *testing.T) {
			if keyringMode == "on" {
				keyring.MockInit()
				t.Setenv("GJW_KEYRING", "on")
			}
			c := newAccountCLI(t)
			if out := c.ok("account", "list"); !strings.Contains(out, "no accounts") {
				t.Fatalf("empty list: %q", out)
			}
			if out := c.ok("account", "list", "--json"); strings.TrimSpace(out) != "[]" {
				t.Fatalf("empty list --json: %q", out)
			}
			out := c.ok("account", "add", "gjw", "--no-check", "--access-token", c.secret("acc-SECRET-1"), "--refresh-token", c.secret("ref-SECRET-1"),
				"--channel", "chan-one", "--expires-in", "864000")
			if !strings.Contains(out, `"gjw"`) || !strings.Contains(out, "chan-one") || !strings.Contains(out, "default") {
				t.Fatalf("add: %q", out)
			}
			// A second GJW account needs --name: one line, nothing stored.
			o := c.gjw("account", "add", "gjw", "--no-check", "--access-token", c.secret("acc-SECRET-2"), "--refresh-token", c.secret("ref-SECRET-2"), "--channel", "chan-two")
			if o.code == 0 || !strings.Contains(oneErrorLine(t, o), "--name") {
				t.Fatalf("second account without --name: %v", o)
			}
			c.ok("account", "add", "gjw", "--no-check", "--name", "second", "--access-token", "acc-SECRET-2", "--refresh-token", "ref-SECRET-2", "--channel", "chan-two")

			rows := c.list()
			where := account.WhereData
			if keyringMode == "on" {
				where = account.WhereKeyring
			}
			if len(rows) != 2 || rows[0].Name != "gjw" || !rows[0].Default || rows[1].Name != "second" || rows[1].Default ||
				rows[0].Platform != "gjw" || rows[1].ChannelID != "chan-two" || !rows[0].SignedIn || rows[0].ExpiresAt.IsZero() || rows[0].Secrets != where {
				t.Fatalf("list: %+v", rows)
			}
			text := c.ok("account", "list")
			for _, want := range []string{"NAME", "gjw", "second", "Gan Jing World", "yes", "chan-two", where} {
				if !strings.Contains(text, want) {
					t.Fatalf("list lacks %q:\n%s", want, text)
				}
			}

			c.ok("account", "default", "second")
			if rows := c.list(); rows[0].Default || !rows[1].Default {
				t.Fatalf("after default second: %+v", rows)
			}
			c.ok("account", "default", "gjw,second")
			if rows := c.list(); !rows[0].Default || !rows[1].Default {
				t.Fatalf("after default gjw,second: %+v", rows)
			}
			if o := c.gjw("account", "default", "nobody"); o.code == 0 || !strings.Contains(oneErrorLine(t, o), "nobody") {
				t.Fatalf("unknown default: %v", o)
			}

			// Gcore accounts are stored; the key is never printed.
			out = c.ok("account", "add", "gcore", "--no-check", "--api-key", c.secret("gcore-KEY-123"), "--name", "studio")
			if !strings.Contains(out, `Gcore account "studio"`) {
				t.Fatalf("add gcore: %q", out)
			}
			if rows := c.list(); len(rows) != 3 || rows[2].Name != "studio" || rows[2].Platform != "gcore" || !rows[2].SignedIn || rows[2].Default {
				t.Fatalf("after add gcore: %+v", rows)
			}
			if o := c.gjw("account", "add", "gcore", "--no-check", "--name", "nokey"); o.code == 0 || !strings.Contains(oneErrorLine(t, o), "--api-key") {
				t.Fatalf("gcore without a key: %v", o)
			}
			c.ok("account", "remove", "studio")

			out = c.ok("account", "add", "jw", "--no-check", "--site-id", "site1", "--api-secret", c.secret("jw-SECRET-456"))
			if !strings.Contains(out, `JW Player account "jw"`) {
				t.Fatalf("add jw: %q", out)
			}
			if rows := c.list(); len(rows) != 3 || rows[1].Name != "jw" || rows[1].Platform != "jw" || !rows[1].SignedIn || rows[1].Default {
				t.Fatalf("after add jw: %+v", rows)
			}
			if o := c.gjw("account", "add", "jw", "--no-check", "--site-id", "site1", "--name", "nosecret"); o.code == 0 || !strings.Contains(oneErrorLine(t, o), "--api-secret") {
				t.Fatalf("jw without a secret: %v", o)
			}
			c.ok("account", "remove", "jw")

			// Wangsu accounts are stored; neither key is printed.
			out = c.ok("account", "add", "wangsu", "--no-check", "--access-key", c.secret("ws-AK-789"), "--secret-key", c.secret("ws-SK-012"), "--name", "ws")
			if !strings.Contains(out, `Wangsu account "ws"`) {
				t.Fatalf("add wangsu: %q", out)
			}
			if rows := c.list(); len(rows) != 3 || rows[2].Name != "ws" || rows[2].Platform != "wangsu" || !rows[2].SignedIn || rows[2].Default {
				t.Fatalf("after add wangsu: %+v", rows)
			}
			if o := c.gjw("account", "add", "wangsu", "--no-check", "--access-key", "ak", "--name", "nosk"); o.code == 0 || !strings.Contains(oneErrorLine(t, o), "--secret-key") {
				t.Fatalf("wangsu without a secret key: %v", o)
			}
			c.ok("account", "remove", "ws")
			if rows := c.list(); len(rows) != 2 {
				t.Fatalf("after remove ws: %+v", rows)
			}

			c.ok("account", "remove", "second")
			if o := c.gjw("account", "remove", "second"); o.code == 0 || !strings.Contains(oneErrorLine(t, o), "second") {
				t.Fatalf("removing twice: %v", o)
			}
			db, err := persist.Open(c.data)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := db.Secret("second"); ok {
				t.Fatal("the removed account's secret is left in the data folder")
			}
			if _, ok, _ := db.Account("second"); ok {
				t.Fatal("the removed account is left")
			}
			db.Close()

			// gjw logout removes the default GJW account.
			if out := c.ok("logout"); !strings.Contains(out, "signed out") || !strings.Contains(out, "chan-one") {
				t.Fatalf("logout: %q", out)
			}
			if rows := c.list(); len(rows) != 0 {
				t.Fatalf("after logout: %+v", rows)
			}
			if out := c.ok("logout"); !strings.Contains(out, "not signed in") {
				t.Fatalf("logout twice: %q", out)
			}

			// A data folder holds no secret in plain sight when the keyring
			// is used; either way the account record never holds one.
			c.ok("login", "--no-check", "--access-token", c.secret("acc-SECRET-3"), "--refresh-token", c.secret("ref-SECRET-3"), "--channel", "chan-three")
			db, err = persist.Open(c.data)
			if err != nil {
				t.Fatal(err)
			}
			rec, _, _ := db.Account("gjw")
			b, _ := json.Marshal(rec)
			if strings.Contains(string(b), "SECRET") {
				t.Fatalf("the account record holds a secret: %s", b)
			}
			_, inData, _ := db.Secret("gjw")
			db.Close()
			if inData != (keyringMode == "off") {
				t.Fatalf("secret in the data folder: %v (keyring %s)", inData, keyringMode)
			}
		})
	}
}

func TestAccountUsageErrors(t *testing.T) {
	c := newAccountCLI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"account", "add"}, "PLATFORM"},
		{[]string{"account", "add", "vimeo"}, "unknown platform"},
		{[]string{"account", "add", "gjw", "--refresh-token", c.secret("R-SECRET"), "--channel", "C"}, "--access-token"},
		{[]string{"account", "add", "gjw", c.secret("POSITIONAL-SECRET")}, "flags only"},
		{[]string{"account", "add", "gjw", "--name", "a,b", "--access-token", c.secret("A-SECRET"), "--refresh-token", "R-SECRET", "--channel", "C"}, "account name"},
		{[]string{"account", "remove"}, "NAME"},
		{[]string{"account", "default"}, "NAME"},
		{[]string{"account", "frobnicate"}, "unknown account command"},
		{[]string{"login", "--access-token", c.secret("A2-SECRET"), "--channel", "C"}, "login needs --refresh-token"},
	} {
		o := c.gjw(tc.args...)
		if o.code != exitUsage || !strings.Contains(oneErrorLine(t, o), tc.want) {
			t.Fatalf("%v: %v", tc.args, o)
		}
	}
	if out := c.ok("account", "help"); !strings.Contains(out, "gjw account add wangsu") {
		t.Fatalf("help: %q", out)
	}
}

// A version 1 data folder (one "credentials" record) keeps working: gjw
// migrates it into the account "gjw" and uploads with it.
func TestAccountMigratesV1AndUploads(t *testing.T) {
	c := newCLI(t, sandbox.Config{}, testSize)
	demo := c.sb.Server.DemoAccount()
	db, err := persist.Open(c.data)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutCredentials(persist.Credentials{AccessToken: demo.AccessToken, RefreshToken: demo.RefreshToken, ChannelID: demo.ChannelID}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	o := c.gjw(inProcess, "account", "list", "--json")
	var rows []accountRow
	if err := json.Unmarshal([]byte(o.stdout), &rows); err != nil || len(rows) != 1 || rows[0].Name != "gjw" || !rows[0].Default || rows[0].ChannelID != demo.ChannelID || !rows[0].SignedIn {
		t.Fatalf("after migration: %v %v", o, err)
	}
	o = c.gjw(inProcess, "upload", c.video, "--title", "Migrated", "--thumbnail", c.thumb, "--json")
	var r uploadResult
	if err := json.Unmarshal([]byte(o.stdout), &r); o.code != 0 || err != nil {
		t.Fatalf("upload after migration: %v (%v)", o, err)
	}
	c.published(r)
	db, err = persist.Open(c.data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, ok, _ := db.Credentials(); ok {
		t.Fatal("the version 1 record is back")
	}
	m, err := account.Open(db, account.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cr, _, _ := m.GJWCredentials("gjw").Credentials(); cr.RefreshToken != "" {
		c.tokens = append(c.tokens, cr.AccessToken, cr.RefreshToken)
	}
}

// gjw login and gjw account add gjw ask the platform whether the tokens
// work before storing them: wrong ones are refused (exit 3, both flags
// named, nothing stored), good ones are stored, and a platform that does
// not answer says so and offers --no-check.
func TestLoginChecksTheTokens(t *testing.T) {
	c := newCLI(t, sandbox.Config{}, testSize)
	a := newAccountCLI(t)
	t.Setenv("GJW_DATA_DIR", c.data)
	o := a.gjw("login", "--access-token", a.secret("wrong-ACCESS-1"), "--refresh-token", a.secret("wrong-REFRESH-1"), "--channel", "chan")
	if line := oneErrorLine(t, o); o.code != exitSignedOut || !strings.Contains(line, "Gan Jing World refused --access-token and --refresh-token") ||
		!strings.Contains(line, "nothing was stored") {
		t.Fatalf("login with wrong tokens: %v", o)
	}
	if rows := a.list(); len(rows) != 0 {
		t.Fatalf("refused tokens were stored: %+v", rows)
	}
	demo := c.sb.Server.DemoAccount()
	if out := a.ok("account", "add", "gjw", "--access-token", a.secret(demo.AccessToken), "--refresh-token", a.secret(demo.RefreshToken),
		"--channel", demo.ChannelID); !strings.Contains(out, `"gjw"`) {
		t.Fatalf("good tokens: %q", out)
	}
	t.Setenv("GJW_API_URL", "http://127.0.0.1:1")
	o = a.gjw("account", "add", "gjw", "--name", "other", "--access-token", a.secret("x-ACCESS"), "--refresh-token", a.secret("x-REFRESH"), "--channel", "c2")
	if line := oneErrorLine(t, o); o.code != exitFailed || !strings.Contains(line, "cannot reach Gan Jing World") || !strings.Contains(line, "--no-check") {
		t.Fatalf("unreachable: %v", o)
	}
}
