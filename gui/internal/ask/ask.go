// Package ask shows the app's questions. Fyne's ShowConfirm draws a large
// question icon over the top corner of its message, on top of the text
// once the message wraps, and answers Yes or No; Confirm draws no icon,
// wraps the message at a readable width, and its buttons say what they do.
package ask

import (
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
	l := widget.NewLabel(message)
	l.Wrapping = fyne.TextWrapWord
	dialog.NewCustomConfirm(title, yes, no, container.New(fixedWidth{}, l), answer, win).Show()
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
