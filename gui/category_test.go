package gui

import (
	"image/color"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
)

// Categories named in Settings are shown and taken by name in the details
// panel, while the platform gets the id.
func TestCategoryNamesShownAndTakenByName(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{})
	s := h.ui.prefs
	s.categoryNames.SetText("cat13 = Culture\ncat7 = Travel")
	s.category.SetText("travel")
	h.saveSettings()
	st, _ := h.db.Settings()
	if got := gjw.CategoryNames(st.CategoryNames).String(); got != "cat13 = Culture\ncat7 = Travel" {
		t.Fatalf("stored names %q", got)
	}
	if got := gjw.Category(st.Defaults); got != "cat7" {
		t.Fatalf("the default category typed as a name was stored as %q, want cat7", got)
	}
	if s.category.Text != "Travel (cat7)" {
		t.Fatalf("Settings shows the default category as %q", s.category.Text)
	}

	dir := t.TempDir()
	thumb := sandboxtest.WritePoster(t, filepath.Join(dir, "poster.png"), color.NRGBA{40, 120, 200, 255})
	p.holdPatches()
	if err := h.add(sandboxtest.WriteRandom(t, filepath.Join(dir, "walk.mp4"), testSize), thumb); err != nil {
		t.Fatal(err)
	}
	id := h.ui.uploads.rows[0].job.ID
	h.ui.uploads.list.Select(0)
	d := h.ui.uploads.details
	if d.category.Text != "Travel (cat7)" {
		t.Fatalf("details show the category as %q, want its name", d.category.Text)
	}
	if got := strings.Join(d.category.Choices(), "|"); got != "Culture (cat13)|Travel (cat7)" {
		t.Fatalf("the picker offers %q", got)
	}
	d.category.SetText("Cultur") // half-typed: no category
	test.Tap(d.save)
	if !strings.Contains(d.result.Text, `"Cultur" is no category`) {
		t.Fatalf("a half-typed name was not refused: %q", d.result.Text)
	}
	d.category.SetText("Culture (cat13)") // chosen in the picker
	test.Tap(d.save)
	h.eventually("the save", func() bool { return gjw.Category(h.job(id).Meta) == "cat13" })
	p.releasePatches()
	h.eventually("publish", func() bool { return h.job(id).State == core.StateDone })
	c, _ := p.sb.Content(view(h.job(id)).ContentID)
	if c.Fields["category_id"] != "cat13" {
		t.Fatalf("the platform got category %v, want the id cat13", c.Fields["category_id"])
	}
}

func TestSettingsRefuseCategoryNamesThatWouldMislabel(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{noStart: true})
	s := h.ui.prefs
	s.categoryNames.SetText("cat13 = Culture\nculture2")
	h.saveSettings()
	if !strings.HasPrefix(s.result.Text, "Category names, line 2") {
		t.Fatalf("result %q does not name the bad line", s.result.Text)
	}
	if st, _ := h.db.Settings(); len(st.CategoryNames) != 0 {
		t.Fatalf("a refused list was stored: %v", st.CategoryNames)
	}
}
