package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/zalando/go-keyring"

	"github.com/gjw-uploader/gjw-uploader/core/account"
	gcoresb "github.com/gjw-uploader/gjw-uploader/core/sandbox/gcore"
	jwsb "github.com/gjw-uploader/gjw-uploader/core/sandbox/jw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	wangsusb "github.com/gjw-uploader/gjw-uploader/core/sandbox/wangsu"
)

// GUI tests never touch the real keyring.
func init() { keyring.MockInit() }

// labels returns the text of every label laid out in o.
func labels(o fyne.CanvasObject) string {
	var text []string
	for _, l := range test.LaidOutObjects(o) {
		if l, ok := l.(*widget.Label); ok {
			text = append(text, l.Text)
		}
	}
	return strings.Join(text, "\n")
}

func TestAccountTabSecondChannelAndRemove(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{noStart: true})
	h.ui.tabs.Select(h.ui.accountTab)
	a := h.ui.account
	demo := p.sb.DemoAccount()
	if all := labels(a.list); !strings.Contains(all, "Gan Jing World · gjw · default · channel "+demo.ChannelID) || !strings.Contains(all, "Signed in") {
		t.Fatalf("account list: %q", all)
	}
	if !strings.Contains(a.where.Text, h.accts.SecretsWhere()) {
		t.Fatalf("where: %q", a.where.Text)
	}

	// A second channel without a name is refused, with one that says so.
	second := p.sb.NewChannel("chan-second")
	fill := func(name string) {
		a.name.SetText(name)
		test.Type(a.access, second.AccessToken)
		test.Type(a.refreshTk, second.RefreshToken)
		a.channel.SetText("chan-second")
		test.Tap(a.signIn)
	}
	fill("")
	h.eventually("the refusal", func() bool { return strings.Contains(a.formMsg.Text, "name") && !a.signIn.Disabled() })
	if accts, _ := h.accts.List(); len(accts) != 1 {
		t.Fatalf("accounts %+v", accts)
	}
	a.access.SetText("")
	a.refreshTk.SetText("")
	fill("second")
	h.eventually("the second account", func() bool { return strings.Contains(a.formMsg.Text, "Signed in") })
	all := labels(a.list)
	if !strings.Contains(all, "Gan Jing World · second · channel chan-second") {
		t.Fatalf("account list: %q", all)
	}
	if a.access.Text != "" || a.refreshTk.Text != "" || a.name.Text != "" {
		t.Fatal("the form keeps what was typed")
	}

	// Remove the second account, after confirming.
	var remove *widget.Button
	for _, o := range test.LaidOutObjects(a.list.Objects[1]) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Remove" {
			remove = b
		}
	}
	if remove == nil {
		t.Fatal("no Remove button on the second account")
	}
	test.Tap(remove)
	h.confirm()
	h.eventually("the removal", func() bool { return strings.Contains(a.result.Text, "Removed second") })
	if _, ok, _ := h.accts.Get("second"); ok {
		t.Fatal("the account is still there")
	}
	if len(a.list.Objects) != 1 {
		t.Fatalf("%d rows after removing", len(a.list.Objects))
	}
	// The default account is untouched.
	if _, ok, _ := h.accts.GJWCredentials("gjw").Credentials(); !ok {
		t.Fatal("removing the second account signed the first out")
	}

	// A Gcore account: checked on the sandbox, stored through the Manager,
	// listed, its key never shown.
	gr, err := gcoresb.Start(gcoresb.Config{Dir: t.TempDir(), Key: "GCORE-KEY-SECRET"}, "127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer gr.Close()
	t.Setenv("GCORE_API_URL", gr.APIURL)
	g := a.keyForms[account.Gcore]
	test.Tap(g.add)
	h.eventually("the missing key", func() bool { return strings.Contains(g.msg.Text, "API key") })
	g.name.SetText("studio")
	test.Type(g.fields["api_key"], "GCORE-KEY-SECRET")
	test.Tap(g.add)
	h.eventually("the Gcore account", func() bool { return strings.Contains(g.msg.Text, "Added") })
	if sec, err := h.accts.Secret("studio"); err != nil || sec["api_key"] != "GCORE-KEY-SECRET" {
		t.Fatalf("the Gcore key was not stored: %v", err)
	}
	if all := labels(a.content); !strings.Contains(all, "studio") || strings.Contains(all, "GCORE-KEY-SECRET") || g.fields["api_key"].Text != "" {
		t.Fatalf("after adding Gcore: %q (key field %q)", all, g.fields["api_key"].Text)
	}
	// JW Player and Wangsu have their forms too, one field per secret.
	if len(a.keyForms[account.JW].fields) != 2 || len(a.keyForms[account.Wangsu].fields) != 2 {
		t.Fatal("the JW Player and Wangsu forms do not ask for both their credentials")
	}

	// The other platforms are shown, not offered.
	soon := 0
	for _, o := range test.LaidOutObjects(a.content) {
		if b, ok := o.(*widget.Button); ok && strings.HasSuffix(b.Text, "coming soon") {
			soon++
			if !b.Disabled() {
				t.Fatalf("%q is enabled", b.Text)
			}
		}
	}
	unavailable := 0
	for _, p := range account.Platforms {
		if !account.Available(p) {
			unavailable++
		}
	}
	if soon != unavailable {
		t.Fatalf("%d coming-soon entries, want one per platform not available yet (%d)", soon, unavailable)
	}
	for _, l := range []string{labels(a.content), h.ui.bannerText.Text} {
		for _, tok := range []string{second.AccessToken, second.RefreshToken, demo.AccessToken, demo.RefreshToken} {
			if strings.Contains(l, tok) {
				t.Fatal("a label shows a token")
			}
		}
	}
}

// Sign-in checks what is typed with the platform before saying "Signed
// in": wrong tokens or keys are refused in the creator's words, naming the
// part that is wrong (tokens, key, site), with the platform's answer under
// Details; nothing is stored and no secret is shown. Right ones are stored.
func TestSignInChecksCredentials(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{noStart: true, noSession: true})
	h.ui.tabs.Select(h.ui.accountTab)
	a := h.ui.account
	secrets := []string{"wrong-ACCESS-1", "wrong-REFRESH-1", "WRONG-GCORE-KEY", "WRONG-JW-SECRET", "WRONG-WANGSU-SK"}
	noSecret := func() {
		t.Helper()
		all := labels(a.content)
		for _, s := range secrets {
			if strings.Contains(all, s) {
				t.Fatalf("a label shows a secret (%d characters)", len(s))
			}
		}
	}

	test.Type(a.access, "wrong-ACCESS-1")
	test.Type(a.refreshTk, "wrong-REFRESH-1")
	a.channel.SetText("chan-x")
	test.Tap(a.signIn)
	h.eventually("the refusal", func() bool { return !a.signIn.Disabled() && a.formMsg.Importance == widget.DangerImportance })
	if want := "Gan Jing World refused the access token and the refresh token"; !strings.Contains(a.formMsg.Text, want) {
		t.Fatalf("form says %q, want %q", a.formMsg.Text, want)
	}
	if !a.formTech.acc.Visible() || !strings.Contains(a.formTech.text.Text, "refresh token was rejected") {
		t.Fatalf("no technical line under Details: %q", a.formTech.text.Text)
	}
	if accts, _ := h.accts.List(); len(accts) != 0 || a.status.Text != "Not signed in" {
		t.Fatalf("refused tokens were stored: %+v, status %q", accts, a.status.Text)
	}
	noSecret()

	// The right tokens: signed in, and the refusal's Details go away.
	demo := p.sb.DemoAccount()
	a.access.SetText(demo.AccessToken)
	a.refreshTk.SetText(demo.RefreshToken)
	a.channel.SetText(demo.ChannelID)
	test.Tap(a.signIn)
	h.eventually("the sign-in", func() bool { return strings.Contains(a.formMsg.Text, "Signed in") })
	if a.formTech.acc.Visible() {
		t.Fatal("the refusal's Details stay after signing in")
	}

	// Keys: Gcore, JW Player and Wangsu sandboxes refuse wrong ones as the
	// platforms do; the message names the key, or the JW site.
	sandboxtest.StartKeyPlatforms(t)
	for _, c := range []struct {
		platform string
		fields   map[string]string
		want     string
	}{
		{account.Gcore, map[string]string{"api_key": "WRONG-GCORE-KEY"}, "Gcore refused the API key"},
		{account.JW, map[string]string{"site_id": jwsb.DemoSite, "api_secret": "WRONG-JW-SECRET"}, "JW Player refused the API secret"},
		{account.JW, map[string]string{"site_id": "NoSuchSite", "api_secret": jwsb.DemoSecret}, "JW Player does not know the site ID “NoSuchSite”"},
		{account.Wangsu, map[string]string{"access_key": wangsusb.DemoAccessKey, "secret_key": "WRONG-WANGSU-SK"}, "Wangsu refused the access key and the secret key"},
		{account.Gcore, map[string]string{"api_key": gcoresb.DemoKey}, "Added"},
	} {
		f := a.keyForms[c.platform]
		for k, v := range c.fields {
			f.fields[k].SetText(v)
		}
		test.Tap(f.add)
		h.eventually(c.want, func() bool { return !f.add.Disabled() && !strings.HasPrefix(f.msg.Text, "Checking") })
		if !strings.Contains(f.msg.Text, c.want) {
			t.Fatalf("%s form says %q, want %q", c.platform, f.msg.Text, c.want)
		}
		noSecret()
	}
	if accts, _ := h.accts.List(); len(accts) != 2 {
		t.Fatalf("accounts after the key forms: %+v (want gjw and gcore only)", accts)
	}
}
