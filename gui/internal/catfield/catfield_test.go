package catfield

import (
	"bytes"
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core/gjw"
)

// The window draws the field as it draws a plain SelectEntry holding the
// same text, after the text changed: the drawn renderer is the one the
// field refreshes and lays out.
func TestFieldDrawsWhatItHolds(t *testing.T) {
	test.NewTempApp(t)
	names, _ := gjw.ParseCategoryNames("cat13 = Culture")
	f := New(gjw.DefaultCategory)
	got := capture(t, f, func() {
		f.SetNames(names)
		f.SetID("cat13")
	})
	plain := widget.NewSelectEntry(names.Labels())
	plain.SetPlaceHolder(gjw.DefaultCategory)
	plain.Validator = func(string) error { return nil }
	want := capture(t, plain, func() { plain.SetText("Culture (cat13)") })
	if !bytes.Equal(got.Pix, want.Pix) {
		t.Fatal("the field is not drawn as a SelectEntry holding its text")
	}
	if f.Text != "Culture (cat13)" || f.ID() != "cat13" {
		t.Fatalf("text %q id %q", f.Text, f.ID())
	}
}

// capture shows o in a window, runs change, and returns what the window
// draws.
func capture(t *testing.T, o fyne.CanvasObject, change func()) *image.NRGBA {
	w := test.NewTempWindow(t, o)
	w.Resize(fyne.NewSize(300, 60))
	change()
	img := w.Canvas().Capture()
	out := image.NewNRGBA(img.Bounds())
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			out.Set(x, y, img.At(x, y))
		}
	}
	return out
}
