// Package uitest has helpers for the GUI's tests that Fyne's test package
// lacks: laying a window out as the real driver does before a frame, and
// finding where an object is drawn. Only tests import it.
package uitest

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// Place is where an object is drawn in its window, and how big.
type Place struct {
	Pos  fyne.Position
	Size fyne.Size
}

// PlaceOf is where o is drawn now.
func PlaceOf(o fyne.CanvasObject) Place {
	return Place{fyne.CurrentApp().Driver().AbsolutePositionForObject(o), o.Size()}
}

// Overlaps reports whether a and b share any area.
func (a Place) Overlaps(b Place) bool {
	return a.Pos.X < b.Pos.X+b.Size.Width && b.Pos.X < a.Pos.X+a.Size.Width &&
		a.Pos.Y < b.Pos.Y+b.Size.Height && b.Pos.Y < a.Pos.Y+a.Size.Height
}

// Layout lays o and everything under it out again, parents first, as the
// driver does before drawing a frame (its EnsureMinSize) once objects have
// been shown, hidden or changed their minimum size. Fyne's test canvas
// lays out only when it is resized.
func Layout(o fyne.CanvasObject) {
	Walk(o, func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *fyne.Container:
			if o.Layout != nil {
				o.Layout.Layout(o.Objects, o.Size())
			}
		case fyne.Widget:
			test.WidgetRenderer(o).Layout(o.Size())
		}
	})
}

// Walk calls fn for o and everything under it, parents first, through the
// widgets' cached renderers. (test.LaidOutObjects makes a new renderer for
// every widget it meets, which gives a List a new scroller, scrolled back
// to the top.)
func Walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	fn(o)
	switch o := o.(type) {
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(o).Objects() {
			Walk(c, fn)
		}
	case *fyne.Container:
		for _, c := range o.Objects {
			Walk(c, fn)
		}
	}
}

// Watch records where the named objects are drawn in content; the check
// it returns lays content out again and reports each object that moved or
// changed size since.
func Watch(t testing.TB, content fyne.CanvasObject, objs map[string]fyne.CanvasObject) (check func(when string)) {
	t.Helper()
	Layout(content)
	before := map[string]Place{}
	for name, o := range objs {
		before[name] = PlaceOf(o)
	}
	return func(when string) {
		t.Helper()
		Layout(content)
		for name, o := range objs {
			if now := PlaceOf(o); now != before[name] {
				t.Errorf("%s: %s moved from %+v to %+v", when, name, before[name], now)
			}
		}
	}
}
