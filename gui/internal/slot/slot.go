// Package slot gives a changing piece of the window a fixed place, so what
// appears, grows or goes there never moves the rest of the window under
// the pointer.
package slot

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// Lines is o in a slot as tall as n lines of text, shown or not: text
// longer than that scrolls inside it.
func Lines(n int, o fyne.CanvasObject) fyne.CanvasObject {
	keep := canvas.NewRectangle(color.Transparent)
	keep.SetMinSize(fyne.NewSize(0, Height(n)))
	return container.NewStack(keep, container.NewVScroll(o))
}

// Height is the height of n lines of a label's text.
func Height(n int) float32 {
	return float32(n)*fyne.MeasureText("Ag", theme.TextSize(), fyne.TextStyle{}).Height + 2*theme.InnerPadding()
}
