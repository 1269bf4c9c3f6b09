package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/zalando/go-keyring"

	"github.com/gjw-uploader/gjw-uploader/core/account"
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
	fill := func(name string) {
		a.name.SetText(name)
		test.Type(a.access, "second-ACCESS-SECRET")
		test.Type(a.refreshTk, "second-REFRESH-SECRET")
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
	h.tapDialogButton("Yes")
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

	// A Gcore account: stored through the Manager, listed, its key never shown.
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
		for _, tok := range []string{"ACCESS-SECRET", "REFRESH-SECRET", demo.AccessToken, demo.RefreshToken} {
			if strings.Contains(l, tok) {
				t.Fatal("a label shows a token")
			}
		}
	}
}
