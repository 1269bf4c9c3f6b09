package articles

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
)

// The Articles view picks the GJW account: an article published to the
// second channel lands there, the draft remembers it, and the account
// can no longer be changed once it is on the platform.
func TestArticlePublishesToTheChosenAccount(t *testing.T) {
	f := newFixture(t)
	accts, err := account.Open(f.db, account.Options{}) // takes over the fixture's session as "gjw"
	if err != nil {
		t.Fatal(err)
	}
	second := f.env.Sandbox.NewChannel("news-channel")
	cr, _, _ := sandboxtest.SessionOf(second).Credentials()
	if err := accts.Add(account.Account{Name: "news", Platform: account.GJW, ChannelID: second.ChannelID}, cr); err != nil {
		t.Fatal(err)
	}
	opts := core.Options{Hosts: f.env.Hosts, RetryDelays: sandboxtest.FastDelays}
	eng := core.New(account.DefaultGJWStore{DB: f.db, Accounts: accts}, account.Wire(accts, f.db, opts))
	v := New(f.win, Deps{Ctx: context.Background(), Engine: eng, DB: f.db, Accounts: accts})
	defer func() { v.Close(); v.wait() }()
	v.wait()
	test.Tap(v.newBtn)
	if strings.Join(v.channel.Options, ",") != "gjw,news" || v.channel.Selected != "gjw" {
		t.Fatalf("accounts offered %v, chosen %q", v.channel.Options, v.channel.Selected)
	}
	v.channel.SetSelected("news")
	test.Type(v.title, "To the news channel")
	v.poster.SetText(f.png(t, "cover.png", 1))
	test.Type(v.source, `<p>Body</p>`)
	test.Tap(v.publishBtn)
	v.wait()
	d := v.current.Draft()
	if d.ContentID == "" || d.Account != "news" {
		t.Fatalf("published %q to %q: %s", d.ContentID, d.Account, v.status.Text)
	}
	if c, ok := f.env.Sandbox.Content(d.ContentID); !ok || c.ChannelID != "news-channel" {
		t.Fatalf("content on channel %q, want news-channel", c.ChannelID)
	}
	if !v.channel.Disabled() {
		t.Fatal("the account of a published draft can still be changed")
	}
}
