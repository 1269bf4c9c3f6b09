// Package ask shows the app's questions. Fyne's ShowConfirm draws a large
// question icon over the top corner of its message, on top of the text
// once the message wraps, and answers Yes or No; Confirm draws no icon,
// wraps the message at a readable width, and its buttons say what they do.
package ask

import (
	"errors"
	"os/exec"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// width is how wide a question's message wraps.
const width = 440

// Confirm asks title with message, under buttons labelled yes and no, and
// hands the answer to answer.
func Confirm(win fyne.Window, title, message, yes, no string, answer func(ok bool)) {
	dialog.NewCustomConfirm(title, yes, no, Text(message), answer, win).Show()
}

// Text is message wrapped at a readable width, as tall as that makes it
// from the start (a bare word-wrapping label asks for one word a line
// until it is laid out, which makes a new window hundreds of pixels tall).
func Text(message string) fyne.CanvasObject {
	l := widget.NewLabel(message)
	l.Wrapping = fyne.TextWrapWord
	return container.New(fixedWidth{}, l)
}

// Then is an answer that runs fn on yes.
func Then(fn func()) func(bool) {
	return func(ok bool) {
		if ok {
			fn()
		}
	}
}

// fixedWidth lays its one object out width wide, as tall as it then needs
// (a word-wrapping label's height depends on its width).
type fixedWidth struct{}

func (fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	o := objs[0]
	if o.Size().Width != width {
		o.Resize(fyne.NewSize(width, o.Size().Height))
	}
	return fyne.NewSize(width, o.MinSize().Height)
}

func (fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
}

// WhyNoBrowser says why no web browser opened a link (fyne.App.OpenURL's
// error): on a Linux desktop without xdg-open, in words.
func WhyNoBrowser(err error) string {
	if errors.Is(err, exec.ErrNotFound) {
		return "xdg-open, which opens links on this desktop, is not installed"
	}
	return err.Error()
}
