package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// technical is the technical line of a message, folded under "Details":
// the message says what happened in the creator's words; the exact error
// (status, host, the platform's own words) is one click away for a bug
// report. Empty, it is hidden.
type technical struct {
	text *widget.Label
	acc  *widget.Accordion
}

func newTechnical() *technical {
	t := &technical{text: widget.NewLabel("")}
	t.text.Wrapping = fyne.TextWrapWord
	t.text.Selectable = true
	t.acc = widget.NewAccordion(widget.NewAccordionItem("Details", t.text))
	t.acc.Hide()
	return t
}

// set shows line under "Details" (folded), or hides it for "".
func (t *technical) set(line string) {
	if line == t.text.Text {
		return
	}
	t.text.SetText(line)
	if line == "" {
		t.acc.CloseAll()
		t.acc.Hide()
		return
	}
	t.acc.Show()
}

func (t *technical) object() fyne.CanvasObject { return t.acc }
