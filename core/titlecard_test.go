package core_test

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
)

// A title card is a 16:9 JPEG the platform takes, with the title drawn on
// it: a plain background, light text, and two titles give two pictures.
func TestTitleCard(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jpg"), filepath.Join(dir, "b.jpg")
	if err := core.TitleCard(a, "My trip to Taipei, day one: the night market and a very long title that wraps onto more lines than three allow", "Gan Jing World · gjw"); err != nil {
		t.Fatal(err)
	}
	if err := core.TitleCard(b, "Another video", "gjw"); err != nil {
		t.Fatal(err)
	}
	if err := gjw.ValidateImage(a); err != nil {
		t.Fatal(err)
	}
	img := decode(t, a)
	if s := img.Bounds().Size(); s.X != 1280 || s.Y != 720 {
		t.Fatalf("title card is %v, want 1280×720", s)
	}
	bg := img.At(4, 4)
	light := 0
	for y := 0; y < 720; y += 2 {
		for x := 0; x < 1280; x += 2 {
			if r, g, b, _ := img.At(x, y).RGBA(); r > 0xc000 && g > 0xc000 && b > 0xc000 {
				light++
			}
		}
	}
	if light < 2000 {
		t.Fatalf("only %d light pixels: no title drawn", light)
	}
	if r, g, b, _ := bg.RGBA(); r > 0x8000 || g > 0x8000 || b > 0x8000 {
		t.Fatalf("background %v is not dark", color.NRGBAModel.Convert(bg))
	}
	if img2 := decode(t, b); img2.At(640, 360) == img.At(640, 360) && img2.At(200, 300) == img.At(200, 300) && img2.At(400, 330) == img.At(400, 330) {
		t.Fatal("two titles drew the same card")
	}
}

func decode(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}
