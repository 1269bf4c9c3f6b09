package gui

import (
	"errors"
	"image/color"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// closedURL is an http URL on a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}

// addVideo queues a new random video with its own poster, as a drop and
// a chosen poster do, and returns its job id.
func (h *harness) addVideo(name string) string {
	h.t.Helper()
	dir := h.t.TempDir()
	video := sandboxtest.WriteRandom(h.t, filepath.Join(dir, name+".mp4"), testSize)
	thumb := sandboxtest.WritePoster(h.t, filepath.Join(dir, name+".png"), color.NRGBA{90, 160, 200, 255})
	if err := h.add(video, thumb); err != nil {
		h.t.Fatal(err)
	}
	rows := h.ui.uploads.rows
	return rows[len(rows)-1].job.ID
}

// Errors read as people's words: a platform that cannot be reached is
// "Can't reach Gan Jing World — check your connection; retrying in N s"
// while it retries; after the last retry the row waits, reconnecting,
// with a sentence that says it goes on by itself (it is not failed: the
// queue retries when the connection returns); the technical line
// ("connection refused") is only under Details.
func TestErrorsInPeoplesWordsUnreachable(t *testing.T) {
	p := newPlatform(t)
	p.hosts.API = closedURL(t)
	h := newHarness(t, p, harnessOpts{delays: []time.Duration{0, 1500 * time.Millisecond, 1500 * time.Millisecond}})
	id := h.addVideo("offline")
	h.eventuallyRow(id, "the retry in words", func(rv *rowView) bool {
		return strings.Contains(rv.detail.Text, "Can't reach Gan Jing World — check your connection; retrying in 2 s")
	})
	rv := h.eventuallyRow(id, "the wait in words", func(rv *rowView) bool { return h.row(id).job.State == core.StateWaiting })
	if want := "Can't reach Gan Jing World — check your connection; it goes on by itself once it is back."; rv.detail.Text != want || !strings.HasPrefix(rv.status.Text, "Reconnecting") {
		t.Fatalf("waiting row says %q / %q, want Reconnecting / %q", rv.status.Text, rv.detail.Text, want)
	}
	if v := view(h.job(id)); v.Reason != dest.ReasonOffline {
		t.Fatalf("reason %s", v.Reason)
	}
	h.ui.uploads.list.Select(h.ui.uploads.index[id])
	d := h.ui.uploads.details
	if !d.tech.acc.Visible() || !strings.Contains(d.tech.text.Text, "connection refused") {
		t.Fatalf("Details: shown %v, %q", d.tech.acc.Visible(), d.tech.text.Text)
	}
	if strings.Contains(d.state.Text, "dial tcp") || strings.Contains(rv.detail.Text, "dial tcp") {
		t.Fatal("the technical line is outside Details")
	}
	if notes := h.app.notifications(); len(notes) == 0 || !strings.Contains(notes[len(notes)-1].Content, "Can't reach Gan Jing World") {
		t.Fatalf("notification %+v", notes)
	}
}

// A poster the image host refuses (HTTP 400 on /api/v2/image) reads "Gan
// Jing World refused the poster image — choose another", with the HTTP
// line under Details and the poster's "Choose poster…" offered; choosing
// another publishes the video.
func TestErrorsInPeoplesWordsPosterRefused(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{})
	p.sb.Inject(sandbox.Fault{Host: "image", Path: "/api/v2/image", Status: 400})
	id := h.addVideo("clip")
	rv := h.eventuallyRow(id, "the refusal", func(rv *rowView) bool { return h.row(id).job.State == core.StateFailed })
	if want := "Gan Jing World refused the poster image — choose another."; rv.detail.Text != want {
		t.Fatalf("row says %q, want %q", rv.detail.Text, want)
	}
	if !rv.pickPoster.Visible() {
		t.Fatal("no Choose poster… on a refused poster")
	}
	h.ui.uploads.list.Select(h.ui.uploads.index[id])
	if d := h.ui.uploads.details; !d.tech.acc.Visible() || !strings.Contains(d.tech.text.Text, "HTTP 400") {
		t.Fatalf("Details: %q", d.tech.text.Text)
	}
	other := sandboxtest.WritePoster(t, filepath.Join(t.TempDir(), "other.png"), color.NRGBA{200, 90, 90, 255})
	h.ui.uploads.setPoster(id, other)
	h.eventually("the upload with the other poster", func() bool { return h.job(id).State == core.StateDone })
	h.eventuallyRow(id, "the row to publish", func(rv *rowView) bool { return !rv.pickPoster.Visible() && rv.copyLink.Visible() })
}

// "Start over…" on a failed upload asks first, saying the old entry stays
// on the platform; keeping it changes nothing, confirming makes a new
// content entry that publishes, and the old one is still there.
func TestStartOverAsksThenMakesANewEntry(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{})
	p.sb.FailTranscode("unsupported codec")
	id := h.addVideo("codec")
	rv := h.eventuallyRow(id, "the failure", func(rv *rowView) bool { return rv.startOver.Visible() })
	if !strings.Contains(rv.detail.Text, "could not process the video") || !rv.retry.Visible() {
		t.Fatalf("failed row: %q, retry %v", rv.detail.Text, rv.retry.Visible())
	}
	old := view(h.job(id)).ContentID

	test.Tap(rv.startOver)
	top := h.win.Canvas().Overlays().Top()
	if top == nil || !strings.Contains(labels(top), "stays on Gan Jing World (id "+old+")") {
		t.Fatalf("the confirmation does not say the old entry stays: %q", labels(top))
	}
	h.tapDialogButton("Keep it")
	h.pump()
	if j := h.job(id); j.State != core.StateFailed || view(j).ContentID != old || p.sb.Stats().AddContent != 1 {
		t.Fatalf("keeping it changed the upload: %s %s", j.State, view(j).ContentID)
	}

	p.sb.FailTranscode("")
	test.Tap(h.rowView(id).startOver)
	h.tapDialogButton("Start over")
	h.eventually("the new entry to publish", func() bool { return h.job(id).State == core.StateDone })
	fresh := view(h.job(id)).ContentID
	if fresh == "" || fresh == old {
		t.Fatalf("no new entry: %q (old %q)", fresh, old)
	}
	if _, ok := p.sb.Content(old); !ok {
		t.Fatal("the old entry is gone from the platform")
	}
	if st := p.sb.Stats(); st.AddContent != 2 {
		t.Fatalf("add-content %d times, want 2", st.AddContent)
	}
}

// bulk opens the toolbar's "All uploads" menu and taps label in it,
// failing if it is not offered.
func (h *harness) bulk(label string) {
	h.t.Helper()
	test.Tap(h.ui.uploads.bulk.button)
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		h.t.Fatal("no menu shown")
	}
	// The item is the innermost tappable holding the label (the pop-up
	// around it is tappable too: that dismisses it).
	var last fyne.Tappable
	for _, o := range test.LaidOutObjects(top) {
		if tp, ok := o.(fyne.Tappable); ok {
			last = tp
		}
		if tx, ok := o.(*canvas.Text); ok && tx.Text == label && last != nil {
			test.Tap(last)
			h.pump()
			return
		}
	}
	h.t.Fatalf("no %q in the menu", label)
}

// offered reports whether the "All uploads" menu offers label (enabled).
func (h *harness) offered(label string) bool {
	for _, it := range h.ui.uploads.bulk.menu().Items {
		if it.Label == label {
			return !it.Disabled
		}
	}
	return false
}

// The toolbar's "All uploads" menu pauses, retries the failed, resumes
// and (after asking) cancels the whole queue, each action on the uploads
// it is for.
func TestBulkActionsInTheToolbar(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{parallel: 1})
	// The first fails on its content entry (the call and its one retry).
	p.sb.Inject(sandbox.Fault{Host: "api", Path: "/v1.0c/add-content", Status: 400, Times: 2})
	a := h.addVideo("a")
	h.eventually("a to fail", func() bool { return h.row(a).job.State == core.StateFailed })
	if !h.offered(retryAllLabel) || h.offered(resumeAllLabel) || h.ui.uploads.bulk.button.Disabled() {
		t.Fatalf("with one failed: retry %v, resume %v", h.offered(retryAllLabel), h.offered(resumeAllLabel))
	}
	p.slowPatch.Store(int64(250 * time.Millisecond)) // slow enough that b is still sending when the menu acts
	bID, cID := h.addVideo("b"), h.addVideo("c")
	h.eventually("b to upload", func() bool { return view(h.job(bID)).Offset > 0 })

	h.bulk(pauseAllLabel)
	h.eventually("everything moving to pause", func() bool {
		return h.job(bID).State == core.StatePaused && h.job(cID).State == core.StatePaused
	})
	if h.job(a).State != core.StateFailed {
		t.Fatal("Pause all touched the failed upload")
	}
	h.eventually("the menu to follow", func() bool { return h.offered(resumeAllLabel) && !h.offered(pauseAllLabel) })

	p.slowPatch.Store(0)
	h.bulk(retryAllLabel)
	h.eventually("the failed one to publish", func() bool { return h.job(a).State == core.StateDone })
	if h.job(bID).State != core.StatePaused {
		t.Fatal("Retry all failed resumed a paused upload")
	}

	p.slowPatch.Store(int64(250 * time.Millisecond)) // slow enough that b is still sending when the menu acts
	h.bulk(resumeAllLabel)
	h.eventually("b to upload again", func() bool { return h.job(bID).State == core.StateRunning })

	h.bulk(cancelAllLabel)
	h.tapDialogButton("Keep them")
	h.pump()
	if s := h.job(cID).State; s == core.StateCanceled {
		t.Fatal("Keep them canceled")
	}
	h.bulk(cancelAllLabel)
	h.tapDialogButton("Cancel all")
	h.eventually("everything unfinished to cancel", func() bool {
		return h.job(bID).State == core.StateCanceled && h.job(cID).State == core.StateCanceled
	})
	if h.job(a).State != core.StateDone {
		t.Fatal("Cancel all touched the published upload")
	}
	h.eventually("the menu to go grey", func() bool { return h.ui.uploads.bulk.button.Disabled() })
}

// Every reason a target stops for reads as a sentence with the next step,
// from the stored code alone (after a restart) as from the live error; the
// stored message is kept for Details whenever the words differ from it.
func TestProblemWordsEveryReason(t *testing.T) {
	down := &httpx.Error{Op: "add-content", Err: errors.New("api.example: dial tcp: connection refused")}
	for _, c := range []struct {
		platform string
		reason   dest.Reason
		err      error
		want     string
	}{
		{"gjw", dest.ReasonSignedOut, nil, "Your Gan Jing World session has ended"},
		{"gjw", dest.ReasonNeedPoster, nil, "Choose a poster image"},
		{"gjw", dest.ReasonPosterRefused, nil, "Gan Jing World refused the poster image — choose another."},
		{"jw", dest.ReasonUnreachable, nil, "Can't reach JW Player — check your connection, then Retry."},
		{"gcore", dest.ReasonFailed, down, "Can't reach Gcore — check your connection, then Retry."},
		{"gjw", dest.ReasonAmbiguousCreate, down, "so it was not created twice"},
		{"wangsu", dest.ReasonProcessingFailed, nil, "Wangsu could not process the video"},
		{"gjw", dest.ReasonGaveUp, &httpx.Error{Op: "add-content", Status: 502}, "Gan Jing World did not finish after several tries"},
		{"jw", dest.ReasonRefused, nil, "JW Player refused the upload (see Details)"},
		{"gjw", dest.ReasonFailed, &httpx.Error{Op: "add-content", Status: 400, Message: "title: required"}, "Gan Jing World refused the upload"},
		{"gjw", dest.ReasonFileChanged, nil, `Video "/v/a.mp4" changed since it was queued`},
	} {
		tg := persist.Target{Platform: c.platform, State: core.StateFailed, Reason: string(c.reason),
			Error: `step 6 (uploading video): video "/v/a.mp4" changed since it was queued: cancel and add it again`}
		if c.reason != dest.ReasonFileChanged {
			tg.Error = "step 4 (creating content entry): the technical line"
		}
		words, tech := problem(c.err, tg)
		if !strings.Contains(words, c.want) {
			t.Errorf("%s %s: %q, want %q", c.platform, c.reason, words, c.want)
		}
		if c.reason != dest.ReasonFileChanged && tech == "" {
			t.Errorf("%s %s: no technical line for Details", c.platform, c.reason)
		}
		if strings.Contains(words, "step 4") || strings.Contains(words, "dial tcp") || strings.Contains(words, "HTTP") {
			t.Errorf("%s %s: technical words in %q", c.platform, c.reason, words)
		}
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{down, "Can't reach Gan Jing World — check your connection; retrying in 20 s"},
		{&httpx.Error{Op: "upload chunk", Status: 503}, "Gan Jing World is busy; retrying in 20 s"},
		{&httpx.Error{Op: "upload chunk", Status: 500}, "Gan Jing World had a problem; retrying in 20 s"},
	} {
		if got := retryWords("gjw", c.err, 20*time.Second); got != c.want {
			t.Errorf("retry words %q, want %q", got, c.want)
		}
	}
}
