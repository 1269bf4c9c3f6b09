package gui

import (
	"image/color"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// line is the shown line of target account in a row, or nil.
func line(rv *rowView, account string) *targetLine {
	for _, l := range rv.lines {
		if l.root.Visible() && l.account == account {
			return l
		}
	}
	return nil
}

// lineText is all a target's line says.
func lineText(l *targetLine) string { return l.text.Text + " · " + l.detail.Text }

// A cross-posted video is one row with a line per target: each shows its
// own step and bytes (one target's ticks never hide the other's), and has
// its own pause, resume and link.
func TestCrossPostRowShowsALinePerTarget(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{parallel: 2})
	h.addAccount("backup")
	dir := t.TempDir()
	thumb := sandboxtest.WritePoster(t, filepath.Join(dir, "poster.png"), color.NRGBA{40, 120, 200, 255})
	video := sandboxtest.WriteRandom(t, filepath.Join(dir, "both.mp4"), testSize)
	p.slowPatch.Store(int64(150 * time.Millisecond))
	meta := h.ui.settings.Defaults
	meta.Title = "both"
	j, err := h.engine.Add(core.NewUpload{VideoPath: video, ThumbnailPath: thumb, Meta: meta, Targets: []string{"gjw", "backup"}})
	if err != nil {
		t.Fatal(err)
	}
	h.ui.uploads.upsert(j)
	id := j.ID

	// Each line shows its target's bytes (seen at some moment each: on a
	// loaded machine one may start late).
	seen := map[string]bool{}
	rv := h.eventuallyRow(id, "both targets to send bytes", func(rv *rowView) bool {
		r := h.row(id)
		for _, acct := range []string{"gjw", "backup"} {
			tg := r.job.Target(acct)
			if tg == nil || tg.State != core.StateRunning || tg.Step != gjw.StepUpload || r.transfer(acct).sent <= 0 {
				continue
			}
			if l := line(rv, acct); l != nil && strings.Contains(l.text.Text, "Step 6 of 8 · uploading video") && strings.Contains(l.detail.Text, " of ") {
				seen[acct] = true
			}
		}
		return seen["gjw"] && seen["backup"] && jobTarget(r.job, "backup").State == core.StateRunning
	})
	if rv.detail.Visible() || !rv.targets.Visible() || !strings.Contains(rv.status.Text, "destinations published") {
		t.Fatalf("cross-post row: detail shown %v, status %q", rv.detail.Visible(), rv.status.Text)
	}
	if hgt := rv.MinSize().Height; h.ui.uploads.heights[h.ui.uploads.index[id]] < hgt {
		t.Fatalf("the row is given %v of the %v it needs", h.ui.uploads.heights[h.ui.uploads.index[id]], hgt)
	}
	if h.ui.uploads.heights[h.ui.uploads.index[id]] <= h.ui.uploads.baseHeight() {
		t.Fatal("the cross-post row is no taller than a one-target row")
	}

	// Pause one target: the other goes on.
	test.Tap(line(rv, "backup").pause)
	h.eventually("the backup target to pause", func() bool { return jobTarget(h.job(id), "backup").State == core.StatePaused })
	h.eventuallyRow(id, "the backup line to offer resume", func(rv *rowView) bool {
		l := line(rv, "backup")
		return l != nil && l.resume.Visible() && strings.HasPrefix(l.text.Text, "backup: Paused")
	})
	if s := jobTarget(h.job(id), "gjw").State; s != core.StateRunning && s != core.StateDone {
		t.Fatalf("pausing backup left gjw %s", s)
	}
	p.slowPatch.Store(0)
	h.eventually("gjw to publish", func() bool { return jobTarget(h.job(id), "gjw").State == core.StateDone })
	if s := jobTarget(h.job(id), "backup").State; s != core.StatePaused {
		t.Fatalf("backup is %s while paused", s)
	}
	test.Tap(line(h.rowView(id), "backup").resume)
	h.eventually("both to publish", func() bool { return h.job(id).State == core.StateDone })
	rv = h.eventuallyRow(id, "the row to show both links", func(rv *rowView) bool {
		a, b := line(rv, "gjw"), line(rv, "backup")
		return a != nil && b != nil && a.copyLink.Visible() && b.copyLink.Visible() && rv.copyLink.Visible()
	})
	done := h.job(id)
	for _, tg := range done.Targets {
		// The sandbox's page (sandbox mode: the hosts are on this computer).
		if want := p.hosts.OnSite(tg.Result.URL); tg.Result.URL == "" || !strings.Contains(line(rv, tg.Account).detail.Text, want) {
			t.Fatalf("line of %s: %q, want the link %q", tg.Account, lineText(line(rv, tg.Account)), want)
		}
	}
	if done.Targets[0].Result.URL == done.Targets[1].Result.URL {
		t.Fatal("both targets have one link")
	}
	test.Tap(line(rv, "backup").copyLink)
	if got, want := h.app.Clipboard().Content(), p.hosts.OnSite(jobTarget(done, "backup").Result.URL); got != want {
		t.Fatalf("clipboard %q, want backup's link %q", got, want)
	}
	if st := p.sb.Stats(); st.AddContent != 2 || st.TusCreates != 2 {
		t.Fatalf("want one content entry and one upload per target: %+v", st)
	}
}

// Events keep the latest event of every target of a job, not of the job:
// two targets ticking in one turn both reach the row.
func TestEventsCoalescePerTarget(t *testing.T) {
	e := NewEvents()
	var queued []func()
	e.do = func(fn func()) { queued = append(queued, fn) }
	var got []core.Event
	e.attach(func(batch []core.Event, _ bool) { got = append(got, batch...) })
	j := persist.Job{ID: "j", Targets: []persist.Target{{Account: "a"}, {Account: "b"}}}
	e.Push(core.Event{Job: j, Target: "a", Sent: 1})
	e.Push(core.Event{Job: j, Target: "b", Sent: 10})
	e.Push(core.Event{Job: j, Target: "a", Sent: 2})
	e.Push(core.Event{Job: j})
	if len(queued) != 1 {
		t.Fatalf("%d flushes scheduled, want 1", len(queued))
	}
	queued[0]()
	if len(got) != 3 {
		t.Fatalf("batch of %d events, want 3 (a, b and the job)", len(got))
	}
	// In the order of their latest push: b, a, the job.
	if got[0].Target != "b" || got[0].Sent != 10 || got[1].Target != "a" || got[1].Sent != 2 || got[2].Target != "" {
		t.Fatalf("batch %+v", got)
	}
}

// jobTarget is j's target of account (the zero target if it has none).
func jobTarget(j persist.Job, account string) persist.Target {
	if t := j.Target(account); t != nil {
		return *t
	}
	return persist.Target{}
}

// Add reports a job after saving it, and the queue may have started it
// (and reported that) in between: that late report of the new job must
// not take its row back to queued, nor must the job Add returned.
func TestLateAddReportDoesNotTakeARowBack(t *testing.T) {
	h := newHarness(t, nil, harnessOpts{noStart: true})
	u := h.ui.uploads
	added := persist.Job{ID: "late", Rev: 1, Meta: persist.VideoMeta{Title: "late"}, State: core.StateQueued, Size: 100,
		Targets: []persist.Target{{Account: "gjw", Platform: gjw.Platform, State: core.StateQueued}}}
	running := added
	running.State, running.Rev = core.StateRunning, 2
	running.Targets = []persist.Target{{Account: "gjw", Platform: gjw.Platform, State: core.StateRunning, Step: gjw.StepToken}}
	u.apply([]core.Event{{Job: running, Target: "gjw"}, {Job: added}})
	if s := h.row("late").job.State; s != core.StateRunning {
		t.Fatalf("after a late Add report the row is %s", s)
	}
	u.upsert(added)
	if s := h.row("late").job.State; s != core.StateRunning {
		t.Fatalf("after showing Add's job the row is %s", s)
	}
}

// addAccount adds a second GJW account, on the default account's session.
func (h *harness) addAccount(name string) {
	h.t.Helper()
	cr, _, _ := h.accts.GJWCredentials("gjw").Credentials()
	if err := h.accts.Add(account.Account{Name: name, Platform: account.GJW, ChannelID: cr.ChannelID}, cr); err != nil {
		h.t.Fatal(err)
	}
}

// The details panel chooses an upload's destinations: ticking a second
// account adds a target that publishes too; unticking a started one is
// refused with a message and the ticks go back to the job's.
func TestDetailsPanelChoosesDestinations(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{parallel: 2})
	h.addAccount("backup")
	dir := t.TempDir()
	thumb := sandboxtest.WritePoster(t, filepath.Join(dir, "poster.png"), color.NRGBA{200, 120, 40, 255})
	video := sandboxtest.WriteRandom(t, filepath.Join(dir, "choose.mp4"), testSize)
	p.slowPatch.Store(int64(100 * time.Millisecond))
	meta := h.ui.settings.Defaults
	meta.Title = "choose"
	j, err := h.engine.Add(core.NewUpload{VideoPath: video, ThumbnailPath: thumb, Meta: meta, Targets: []string{"gjw"}})
	if err != nil {
		t.Fatal(err)
	}
	h.ui.uploads.upsert(j)
	id := j.ID
	h.eventually("the row", func() bool { return h.row(id) != nil })
	d := h.ui.uploads.details
	d.show(h.row(id))
	if strings.Join(d.dests.Options, ",") != "backup,gjw" || strings.Join(d.dests.Selected, ",") != "gjw" {
		t.Fatalf("destinations offered %v, ticked %v", d.dests.Options, d.dests.Selected)
	}
	d.dests.SetSelected([]string{"gjw", "backup"})
	h.eventually("the second target", func() bool { return len(h.job(id).Targets) == 2 })
	h.eventually("the message", func() bool { return strings.Contains(d.result.Text, "Goes to gjw, backup") })

	// gjw has started: dropping it is refused, and the ticks come back.
	h.eventually("gjw to start", func() bool { return jobTarget(h.job(id), "gjw").Step != "" })
	d.dests.SetSelected([]string{"backup"})
	h.eventually("the refusal", func() bool { return strings.Contains(d.result.Text, "Destinations not changed") })
	h.eventually("the ticks back", func() bool { return len(d.dests.Selected) == 2 })
	p.slowPatch.Store(0)
	h.eventually("both to publish", func() bool { return h.job(id).State == core.StateDone })
	if st := p.sb.Stats(); st.AddContent != 2 || st.TusCreates != 2 {
		t.Fatalf("want one content entry and one upload per destination: %+v", st)
	}
}
