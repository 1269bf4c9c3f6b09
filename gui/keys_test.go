package gui

import (
	"image/color"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
)

// press sends a shortcut to the window, as the driver does when no text
// field has the keyboard.
func (h *harness) press(key fyne.KeyName, mod fyne.KeyModifier) {
	h.t.Helper()
	c, ok := h.win.Canvas().(interface{ TypedShortcut(fyne.Shortcut) })
	if !ok {
		h.t.Fatal("the canvas takes no shortcuts")
	}
	c.TypedShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: mod})
	h.pump()
}

// typeKey sends a key to the window with nothing focused.
func (h *harness) typeKey(key fyne.KeyName) {
	h.t.Helper()
	on := h.win.Canvas().OnTypedKey()
	if on == nil {
		h.t.Fatal("the window takes no keys")
	}
	on(&fyne.KeyEvent{Name: key})
	h.pump()
}

// dialogText is all the labels of the top dialog.
func (h *harness) dialogText() string {
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	var text []string
	for _, o := range test.LaidOutObjects(top) {
		switch l := o.(type) {
		case *widget.Label:
			text = append(text, l.Text)
		case *widget.Button:
			text = append(text, "["+l.Text+"]")
		}
	}
	return strings.Join(text, " ")
}

// Ctrl+O opens "Add videos…"; Ctrl+Tab and Ctrl+Shift+Tab go through the tabs.
func TestKeyboardAddVideosAndTabs(t *testing.T) {
	h := newHarness(t, nil, harnessOpts{noStart: true})
	if h.win.Canvas().Overlays().Top() != nil {
		t.Fatal("a dialog is open at start")
	}
	h.press(fyne.KeyO, fyne.KeyModifierShortcutDefault)
	if got := h.dialogText(); !strings.Contains(got, "[Add]") {
		t.Fatalf("Ctrl+O shows %q, want the Add videos dialog", got)
	}
	h.win.Canvas().Overlays().Top().Hide()
	h.win.Canvas().Overlays().Remove(h.win.Canvas().Overlays().Top())

	order := []string{"Articles", "Account", "Settings", "Uploads"}
	for _, name := range order {
		h.press(fyne.KeyTab, fyne.KeyModifierControl)
		if got := h.ui.tabs.Selected().Text; got != name {
			t.Fatalf("Ctrl+Tab went to %s, want %s", got, name)
		}
	}
	h.press(fyne.KeyTab, fyne.KeyModifierControl|fyne.KeyModifierShift)
	if got := h.ui.tabs.Selected().Text; got != "Settings" {
		t.Fatalf("Ctrl+Shift+Tab went to %s, want Settings", got)
	}
}

// Delete removes the selected row after asking: a published one from the
// list, an unfinished one stopped first; nothing selected, nothing asked.
func TestDeleteKeyRemovesTheSelectedRow(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{})
	dir := t.TempDir()
	thumb := sandboxtest.WritePoster(t, filepath.Join(dir, "poster.png"), color.NRGBA{40, 120, 200, 255})
	if err := h.add(sandboxtest.WriteRandom(t, filepath.Join(dir, "done.mp4"), testSize), thumb); err != nil {
		t.Fatal(err)
	}
	done := h.ui.uploads.rows[0].job.ID
	h.eventually("the first upload to publish", func() bool { return h.job(done).State == core.StateDone })
	p.slowPatch.Store(int64(200 * time.Millisecond))
	if err := h.add(sandboxtest.WriteRandom(t, filepath.Join(dir, "running.mp4"), testSize), thumb); err != nil {
		t.Fatal(err)
	}
	running := h.ui.uploads.rows[1].job.ID
	h.eventually("the second upload to send bytes", func() bool { return view(h.job(running)).Step == gjw.StepUpload })

	h.typeKey(fyne.KeyDelete)
	if h.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Delete with nothing selected asked something")
	}

	h.eventuallyRow(done, "the published row", func(rv *rowView) bool { return rv.copyLink.Visible() })
	h.ui.uploads.list.Select(h.ui.uploads.index[done])
	h.typeKey(fyne.KeyDelete)
	if got := h.dialogText(); !strings.Contains(got, "done") {
		t.Fatalf("Delete asks %q", got)
	}
	h.confirm()
	h.eventually("the published row to go", func() bool { return h.ui.uploads.row(done) == nil })
	if _, ok, _ := h.db.Job(done); ok {
		t.Fatal("the engine still has the removed upload")
	}

	// The running one, with the list holding the keyboard.
	h.ui.uploads.list.Select(h.ui.uploads.index[running])
	h.win.Canvas().Focus(h.ui.uploads.list)
	h.ui.uploads.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
	h.pump()
	if got := h.dialogText(); !strings.Contains(got, "running") || !strings.Contains(got, "stops") {
		t.Fatalf("Delete on an unfinished upload asks %q", got)
	}
	h.confirm()
	if !h.poll(func() bool { return h.ui.uploads.row(running) == nil }) {
		t.Fatalf("the running row is still there; the message bar says %q, the job is %s", h.ui.uploads.msg.Text, h.job(running).State)
	}
	h.eventually("the engine to forget it", func() bool { _, ok, _ := h.db.Job(running); return !ok })
	if n := len(h.ui.uploads.rows); n != 0 {
		t.Fatalf("%d rows left", n)
	}
}
