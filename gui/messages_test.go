package gui

import (
	"fmt"
	"image/color"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/awake"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
)

// Defect 8: a web link dragged from a browser reaches the app as a file
// URI (GLFW's drop callback gives names, and Fyne makes each a file URI,
// relative ones made absolute): it is refused as a link, not as a file
// that "cannot be read", on the Uploads tab and on the Articles tab.
func TestDroppedWebLinkIsRefusedAsALink(t *testing.T) {
	h := newHarness(t, nil, harnessOpts{noStart: true})
	link := "https://example.com/holiday/video.mp4"
	h.ui.DropURIs([]fyne.URI{storage.NewFileURI(link)}) // what the GLFW driver hands over
	h.waitDrops()
	msg := h.ui.uploads.msg.Text
	if !strings.Contains(msg, link) || !strings.Contains(msg, "a link") || strings.Contains(msg, "cannot be read") {
		t.Fatalf("message %q", msg)
	}
	if n := len(h.ui.uploads.rows); n != 0 {
		t.Fatalf("%d rows", n)
	}
	// A real file whose folder happens to be named like a scheme is a file.
	dir := filepath.Join(t.TempDir(), "http:", "clips")
	video := sandboxtest.WriteRandom(t, filepath.Join(dir, "real.mp4"), testSize)
	h.ui.DropURIs([]fyne.URI{storage.NewFileURI(video)})
	h.waitDrops()
	if n := len(h.ui.uploads.rows); n != 1 {
		t.Fatalf("a video in a folder named http: was not queued: %q", h.ui.uploads.msg.Text)
	}

	h.ui.tabs.Select(h.ui.articlesTab)
	h.ui.DropURIs([]fyne.URI{storage.NewFileURI("http://example.com/cat.png")})
	if drops := h.ui.articles.(*fakeArticles).drops; len(drops) != 1 || drops[0][0] != "http://example.com/cat.png" {
		t.Fatalf("the Articles tab got %v", drops)
	}
}

// confirm taps the confirming button of the top dialog (the one that
// stands out), whatever its words.
func (h *harness) confirm() {
	h.t.Helper()
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		h.t.Fatal("no dialog shown")
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Importance == widget.HighImportance && b.Visible() {
			test.Tap(b)
			return
		}
	}
	h.t.Fatal("no confirming button in the dialog")
}

// Defect 8: the first save of Settings, with nothing changed, does not ask
// for a restart; changing a host does.
func TestFirstSettingsSaveDoesNotClaimARestart(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{noStart: true})
	s := h.ui.prefs
	s.notify.SetChecked(false)
	h.saveSettings()
	if s.result.Text != "Saved." {
		t.Fatalf("first save says %q", s.result.Text)
	}
	h.saveSettings()
	if s.result.Text != "Saved." {
		t.Fatalf("second save says %q", s.result.Text)
	}
	s.chunk.SetSelected("5 MiB")
	h.saveSettings()
	if !strings.Contains(s.result.Text, "Restart") {
		t.Fatalf("a new chunk size: %q", s.result.Text)
	}
	// Back to what the engine runs with: no restart needed.
	s.chunk.SetSelected("10 MiB (recommended)")
	h.saveSettings()
	if s.result.Text != "Saved." {
		t.Fatalf("the running chunk size again: %q", s.result.Text)
	}
}

// Defect 8: after a deliberate sign-out the banner and the rows say so
// (not that a session ended), and a row that waits in line for a session
// says it waits for sign-in, not "Queued".
func TestSignedOutWordsAfterSigningOut(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{noStart: true})
	dir := t.TempDir()
	thumb := sandboxtest.WritePoster(t, filepath.Join(dir, "poster.png"), color.NRGBA{40, 120, 200, 255})
	if err := h.add(sandboxtest.WriteRandom(t, filepath.Join(dir, "later.mp4"), testSize), thumb); err != nil {
		t.Fatal(err)
	}
	id := h.ui.uploads.rows[0].job.ID
	if rv := h.rowView(id); rv.status.Text != "Queued" {
		t.Fatalf("signed in, the row shows %q", rv.status.Text)
	}
	test.Tap(h.ui.account.signOut)
	h.confirm()
	h.eventually("the sign-out", func() bool { return h.ui.account.status.Text == "Not signed in" })
	rv := h.rowView(id)
	if strings.HasPrefix(rv.status.Text, "Queued") || !strings.Contains(rv.status.Text+rv.detail.Text, "sign in") {
		t.Fatalf("a queued row of a signed-out account shows %q / %q", rv.status.Text, rv.detail.Text)
	}
	h.start()
	h.eventually("the job to wait for a session", func() bool {
		j := h.job(id)
		return j.State == core.StateWaiting && view(j).Reason == dest.ReasonSignedOut
	})
	h.eventually("the banner", func() bool { return h.ui.banner.Visible() })
	banner := h.ui.bannerText.Text
	if strings.Contains(banner, "ended") || !strings.Contains(banner, "signed out") || !strings.Contains(banner, "1 upload waits") {
		t.Fatalf("banner %q", banner)
	}
	rv = h.eventuallyRow(id, "the row to wait", func(rv *rowView) bool { return strings.HasPrefix(rv.status.Text, "Waiting") })
	if strings.Contains(rv.detail.Text, "ended") || !strings.Contains(rv.detail.Text, "signed out") {
		t.Fatalf("waiting row says %q", rv.detail.Text)
	}
}

// Defect 8: "Queued N videos" goes once none of them is queued any more,
// and "sent when the upload publishes" once the upload has published.
func TestMessagesGoWhenNoLongerTrue(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{noStart: true})
	dir := t.TempDir()
	thumb := sandboxtest.WritePoster(t, filepath.Join(dir, "poster.png"), color.NRGBA{40, 120, 200, 255})
	h.ui.Drop([]string{sandboxtest.WriteRandom(t, filepath.Join(dir, "clip.mp4"), testSize)})
	h.waitDrops()
	u := h.ui.uploads
	if !u.msgBar.Visible() || !strings.Contains(u.msg.Text, "Queued 1 video") {
		t.Fatalf("message %q", u.msg.Text)
	}
	id := u.rows[0].job.ID
	u.setPoster(id, thumb)
	p.slowPatch.Store(int64(30e6))
	h.start()
	h.eventually("the upload to send bytes", func() bool { return view(h.job(id)).Step == gjw.StepUpload })
	h.eventually("the Queued message to go", func() bool { return !strings.Contains(u.msg.Text, "Queued") || !u.msgBar.Visible() })

	u.list.Select(0)
	d := u.details
	d.title.SetText("Renamed mid-upload")
	test.Tap(d.save)
	h.eventually("the saved message", func() bool { return strings.Contains(d.result.Text, "when the upload publishes") })
	p.slowPatch.Store(0)
	h.eventually("publish", func() bool { return h.job(id).State == core.StateDone })
	h.eventually("the details to say it published", func() bool { return !strings.Contains(d.result.Text, "when the upload publishes") })
}

// refusedAwake is a keep-awake hold the system refuses, as logind does
// when polkit says no; it counts the times it was asked.
type refusedAwake struct{ asked atomic.Int32 }

func (r *refusedAwake) Inhibit(string) (func(), error) {
	r.asked.Add(1)
	return nil, fmt.Errorf("keeping the computer awake: logind refused: Permission denied: %w", awake.ErrRefused)
}

// TestRefusedKeepAwakeIsSaid: while an upload runs and the system refused
// to keep the computer awake, the message bar says so in one calm line,
// in its own slot (the queue does not move), beside another message said
// meanwhile; it goes by itself when the upload ends or keeping awake is
// turned off, comes back with the next upload, and once closed stays
// closed while that one runs.
func TestRefusedKeepAwakeIsSaid(t *testing.T) {
	const want = "Your computer may sleep during uploads: the system's power manager did not allow it. Keep it awake in its power settings."
	p := newPlatform(t)
	refused := &refusedAwake{}
	var events atomic.Int64
	h := newHarness(t, p, harnessOpts{awake: refused, onEvent: func(core.Event) { events.Add(1) }})
	u := h.ui.uploads
	check := h.watch(map[string]fyne.CanvasObject{"the list": u.list, "the tabs": h.ui.tabs})
	said := func() bool { return u.msgBar.Visible() && strings.Contains(u.msg.Text, want) }

	p.holdPatches()
	first := h.addVideo("first")
	h.eventually("the keep-awake note while the upload runs", func() bool { return h.row(first).job.State == core.StateRunning && said() })
	if refused.asked.Load() == 0 || u.msg.Importance == widget.DangerImportance || u.msg.Importance == widget.WarningImportance {
		t.Fatalf("asked the system %d times; the note's importance is %v", refused.asked.Load(), u.msg.Importance)
	}
	check("the keep-awake note")
	u.say(widget.SuccessImportance, "Link copied.")
	h.eventually("the note beside another message", func() bool {
		u.refreshSummary() // as the next progress event does
		return said() && strings.Contains(u.msg.Text, "Link copied.") && strings.Count(u.msg.Text, want) == 1
	})
	u.hideMessage()

	p.releasePatches()
	h.eventually("the upload to be published", func() bool { return h.row(first).job.State == core.StateDone })
	u.refreshSummary()
	if said() {
		t.Fatalf("after the upload: %q", u.msg.Text)
	}

	p.holdPatches()
	second := h.addVideo("second")
	h.eventually("the note again with the next upload", func() bool { return h.row(second).job.State == core.StateRunning && said() })
	h.engine.SetKeepAwake(false) // Settings' "Keep the computer awake" unticked
	h.eventually("the note to go once keeping awake is off", func() bool { u.refreshSummary(); return !said() })
	h.engine.SetKeepAwake(true)
	h.eventually("the note once keeping awake is on again", func() bool { u.refreshSummary(); return said() })
	test.Tap(findButton(t, u.msgBar, ""))
	seen := events.Load()
	h.eventually("more progress of the running upload", func() bool { return events.Load() >= seen+3 })
	if u.msgBar.Visible() || h.row(second).job.State != core.StateRunning {
		t.Fatalf("closed while the upload runs (%s): the bar says %q", h.row(second).job.State, u.msg.Text)
	}
	check("the note closed")
}
