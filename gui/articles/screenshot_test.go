package articles

import (
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
)

// lightTheme is Fyne's default theme in its light variant, as in the other
// screenshots.
type lightTheme struct{ fyne.Theme }

func (t lightTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, theme.VariantLight)
}

// TestScreenshot renders the Articles view with a Markdown draft into
// docs/screenshots/articles.png (README.md shows it). Run with
// GJW_SCREENSHOTS=1, like gui's TestScreenshots.
func TestScreenshot(t *testing.T) {
	if os.Getenv("GJW_SCREENSHOTS") == "" {
		t.Skip("set GJW_SCREENSHOTS=1 to write docs/screenshots")
	}
	f := newFixture(t)
	fyne.CurrentApp().Settings().SetTheme(lightTheme{theme.DefaultTheme()})
	v := f.v
	test.Tap(v.newBtn)
	test.Type(v.title, "Spring in the old town")
	test.Type(v.desc, "Lanterns, music and dumplings")
	test.Type(v.hashtags, "#festival, #spring")
	test.Type(v.source, "The festival opened with **a thousand lanterns** along the river.\n\n"+
		"*Read the program* on the [town's site](https://example.com).\n\n")
	v.Drop([]string{sandboxtest.WritePoster(t, filepath.Join(f.dir, "lanterns.png"), color.NRGBA{230, 140, 60, 255})})
	v.wait()
	f.win.Canvas().Refresh(v.Content())

	out := filepath.Join("..", "..", "docs", "screenshots", "articles.png")
	file, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if err := png.Encode(file, f.win.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}
