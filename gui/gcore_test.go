package gui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/account"
	gcoresb "github.com/gjw-uploader/gjw-uploader/core/sandbox/gcore"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
)

// A Gcore account added in the Account tab and chosen as a destination:
// a drop publishes to Gan Jing World and Gcore, and the row shows both
// links. Nothing in the rows is special to Gcore.
func TestDropToGJWAndGcorePublishesBoth(t *testing.T) {
	run, err := gcoresb.Start(gcoresb.Config{Dir: t.TempDir(), Polls: 1}, "127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	t.Setenv("GCORE_API_URL", run.APIURL)
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{parallel: 2})

	a := h.ui.account
	g := a.keyForms[account.Gcore]
	test.Type(g.fields["api_key"], run.Server.Key())
	test.Tap(g.add)
	h.eventually("the Gcore account", func() bool { return strings.Contains(g.msg.Text, "Added") })
	h.ui.tabs.Select(h.ui.settingsTab)
	s := h.ui.prefs
	s.dests.SetSelected([]string{"gcore", "gjw"})
	h.saveSettings()

	dir := t.TempDir()
	// No ffmpeg in the tests: the drop draws a title card as poster.
	h.ui.Drop([]string{sandboxtest.WriteRandom(t, filepath.Join(dir, "both.mp4"), testSize)})
	h.waitDrops()
	id := h.ui.uploads.rows[0].job.ID
	h.eventually("both to publish", func() bool { return h.job(id).State == core.StateDone })
	j := h.job(id)
	if len(j.Targets) != 2 {
		t.Fatalf("targets %+v", j.Targets)
	}
	rv := h.eventuallyRow(id, "both links", func(rv *rowView) bool {
		a, b := line(rv, "gjw"), line(rv, "gcore")
		return a != nil && b != nil && a.copyLink.Visible() && b.copyLink.Visible()
	})
	gc := jobTarget(j, "gcore")
	if gc.Platform != "gcore" || gc.Result.ID == "" || gc.Result.URL == "" || !strings.Contains(line(rv, "gcore").detail.Text, gc.Result.URL) {
		t.Fatalf("gcore target %+v, line %q", gc, lineText(line(rv, "gcore")))
	}
	if st := run.Server.Stats(); st.Creates != 1 || st.TusCreates != 1 {
		t.Fatalf("gcore: %+v", st)
	}
	if st := p.sb.Stats(); st.AddContent != 1 || st.TusCreates != 1 {
		t.Fatalf("gjw: %+v", st)
	}
}
