package gui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/uitest"
)

// iconOverText reports a picture the top dialog draws over its text: the
// places of the first image and label that overlap, or "".
func (h *harness) iconOverText() (icon, text uitest.Place, found bool) {
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		h.t.Fatal("no dialog shown")
	}
	uitest.Layout(top)
	var imgs, labels []uitest.Place
	uitest.Walk(top, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *canvas.Image:
			if x.Resource != nil && x.Visible() && !x.Size().IsZero() {
				imgs = append(imgs, uitest.PlaceOf(x))
			}
		case *widget.Label:
			if x.Text != "" && x.Visible() {
				labels = append(labels, uitest.PlaceOf(x))
			}
		}
	})
	for _, i := range imgs {
		for _, l := range labels {
			if i.Overlaps(l) {
				return i, l, true
			}
		}
	}
	return
}

// Defect 10: the confirmation dialogs draw no icon over their message.
func TestConfirmDialogsDrawNoIconOverTheirText(t *testing.T) {
	db := storeJobs(t, seedJob(t, "Interview with the orchestra conductor, full length", core.StateQueued, gjw.StepUpload,
		gjw.Checkpoint{ContentID: "c0ffee"}))
	h := newHarness(t, nil, harnessOpts{db: db, noStart: true})
	for _, c := range []struct {
		name string
		open func()
	}{
		{"Cancel", func() { test.Tap(h.rowView("seeda").cancel) }},
		{"Sign out", func() { test.Tap(h.ui.account.signOut) }},
		{"Cancel all", func() { h.ui.uploads.bulk.confirmCancelAll() }}, // the "All uploads" menu's Cancel all…
	} {
		c.open()
		if h.win.Canvas().Overlays().Top() == nil {
			t.Fatalf("%s: no dialog", c.name)
		}
		if icon, text, ok := h.iconOverText(); ok {
			t.Errorf("%s: the dialog draws an icon at %+v over its text at %+v", c.name, icon, text)
		}
		h.win.Canvas().Overlays().Remove(h.win.Canvas().Overlays().Top())
	}
}
