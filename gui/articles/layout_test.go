package articles

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/gjw-uploader/gjw-uploader/gui/internal/uitest"
)

// Defect 7: inserting an image moves neither split of the editor (drafts |
// editor, source | preview) nor the source editor's top or bottom edge.
func TestEditorDoesNotMoveWhenAnImageIsInserted(t *testing.T) {
	f := newFixture(t)
	v := f.v
	test.Tap(v.newBtn)
	test.Type(v.source, "A first paragraph.")
	v.wait()
	check := uitest.Watch(t, f.win.Content(), map[string]fyne.CanvasObject{
		"the source editor": v.source, "the preview": v.preview.scroll, "the drafts list": v.list})

	// A wide photo, as a phone takes them.
	pic := filepath.Join(f.dir, "wide photo.png")
	img := image.NewNRGBA(image.Rect(0, 0, 1600, 900))
	for x := range 1600 {
		img.Set(x, x%900, color.NRGBA{200, 80, 40, 255})
	}
	w, err := os.Create(pic)
	if err != nil {
		t.Fatal(err)
	}
	png.Encode(w, img)
	w.Close()

	v.Drop([]string{pic})
	check("while the image uploads") // the progress bar and status are shown
	v.wait()
	if n := previewImages(v); n != 1 {
		t.Fatalf("the preview shows %d images", n)
	}
	check("with the image in the preview")
}
