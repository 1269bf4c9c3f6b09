package articles

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
)

// Defect 8: a video dropped on the Articles view is pointed to the
// Uploads tab (not told to save a picture from the web).
func TestVideoDroppedOnArticlesPointsToUploads(t *testing.T) {
	f := newFixture(t)
	v := f.v
	clip := sandboxtest.WriteRandom(t, filepath.Join(f.dir, "clip.mp4"), 1000)
	v.Drop([]string{clip})
	v.wait()
	if !strings.Contains(v.status.Text, "clip.mp4") || !strings.Contains(v.status.Text, "Uploads tab") || strings.Contains(v.status.Text, "picture") {
		t.Fatalf("status %q", v.status.Text)
	}
}

// Defect 8: "poster is missing" goes once a poster is chosen.
func TestPosterMissingGoesWhenAPosterIsChosen(t *testing.T) {
	f := newFixture(t)
	v := f.v
	test.Tap(v.newBtn)
	v.title.SetText("Spring")
	test.Type(v.source, "<p>Hello.</p>")
	test.Tap(v.publishBtn)
	v.wait()
	if !strings.Contains(v.status.Text, "poster is missing") || v.status.Importance != widget.DangerImportance {
		t.Fatalf("status %q", v.status.Text)
	}
	v.poster.SetText(f.png(t, "cover.png", 1))
	if strings.Contains(v.status.Text, "poster is missing") {
		t.Fatalf("status still %q with a poster chosen", v.status.Text)
	}
}

// Defect 10: the schedule field's hint and error show a real date, not
// Go's reference time.
func TestSchedulePlaceholderIsARealDate(t *testing.T) {
	f := newFixture(t)
	if ph := f.v.sched.PlaceHolder; strings.Contains(ph, "2006") {
		t.Fatalf("placeholder %q", ph)
	}
	_, err := parseSchedule("next tuesday")
	if err == nil || strings.Contains(err.Error(), "2006") {
		t.Fatalf("error %v", err)
	}
}
