package gui

import (
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// saveSettings taps Save settings and waits until the save is over: its
// writes made and applied, or one of them failed, or a field was refused
// (the button is enabled again and the result says which).
func (h *harness) saveSettings() {
	h.t.Helper()
	s := h.ui.prefs
	test.Tap(findButton(h.t, s.content, "Save settings"))
	h.eventually("the settings saved", func() bool { return !s.saveBtn.Disabled() })
}

// A save's writes run off the UI goroutine: until they are over the button
// is disabled and the result says "Saving…"; a write that fails (here the
// data folder is closed) enables it again, says why, and applies nothing.
func TestSettingsSaveWaitsForItsWrites(t *testing.T) {
	t.Cleanup(func() { httpx.SetProxy("", "") })
	h := newHarness(t, nil, harnessOpts{noStart: true})
	s := h.ui.prefs
	before, proxy := h.ui.settings, httpx.ProxyInUse()
	s.parallel.SetSelected("5")
	s.limit.SetText("512k")
	s.proxy.SetText("http://127.0.0.1:3128")
	h.db.Close()
	test.Tap(findButton(t, s.content, "Save settings"))
	// The writes' answer waits in the UI queue until the test pumps it.
	if !s.saveBtn.Disabled() || s.result.Text != "Saving…" {
		t.Fatalf("while writing: button disabled %v, result %q", s.saveBtn.Disabled(), s.result.Text)
	}
	test.Tap(s.saveBtn) // a second tap meanwhile does nothing
	h.eventually("the failed save", func() bool { return !s.saveBtn.Disabled() })
	if !strings.HasPrefix(s.result.Text, "Could not save: ") || !strings.Contains(s.result.Text, persist.ErrClosed.Error()) ||
		s.result.Importance != widget.DangerImportance {
		t.Fatalf("after the failed write: %q (importance %v)", s.result.Text, s.result.Importance)
	}
	if !reflect.DeepEqual(h.ui.settings, before) {
		t.Fatalf("a failed save was applied: %+v", h.ui.settings)
	}
	if got := httpx.ProxyInUse(); got != proxy {
		t.Fatalf("a failed save set the proxy %q", got)
	}
	if sched, rate := h.engine.Limit(); rate != 0 {
		t.Fatalf("a failed save set the limit %s", sched)
	}
}
