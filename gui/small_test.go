package gui

import (
	"context"
	"errors"
	"image/color"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/contrast"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/uitest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// iconOverText reports a picture the top dialog draws over its text: the
// places of the first image and label that overlap, or "".
func (h *harness) iconOverText() (icon, text uitest.Place, found bool) {
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		h.t.Fatal("no dialog shown")
	}
	uitest.Layout(top)
	var imgs, labels []uitest.Place
	uitest.Walk(top, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *canvas.Image:
			if x.Resource != nil && x.Visible() && !x.Size().IsZero() {
				imgs = append(imgs, uitest.PlaceOf(x))
			}
		case *widget.Label:
			if x.Text != "" && x.Visible() {
				labels = append(labels, uitest.PlaceOf(x))
			}
		}
	})
	for _, i := range imgs {
		for _, l := range labels {
			if i.Overlaps(l) {
				return i, l, true
			}
		}
	}
	return
}

// Defect 10: the confirmation dialogs draw no icon over their message.
func TestConfirmDialogsDrawNoIconOverTheirText(t *testing.T) {
	db := storeJobs(t, seedJob(t, "Interview with the orchestra conductor, full length", core.StateQueued, gjw.StepUpload,
		gjw.Checkpoint{ContentID: "c0ffee"}))
	h := newHarness(t, nil, harnessOpts{db: db, noStart: true})
	for _, c := range []struct {
		name string
		open func()
	}{
		{"Cancel", func() { test.Tap(h.rowView("seeda").cancel) }},
		{"Sign out", func() { test.Tap(h.ui.account.signOut) }},
		{"Cancel all", func() { h.ui.uploads.bulk.confirmCancelAll() }}, // the "All uploads" menu's Cancel all…
	} {
		c.open()
		if h.win.Canvas().Overlays().Top() == nil {
			t.Fatalf("%s: no dialog", c.name)
		}
		if icon, text, ok := h.iconOverText(); ok {
			t.Errorf("%s: the dialog draws an icon at %+v over its text at %+v", c.name, icon, text)
		}
		h.win.Canvas().Overlays().Remove(h.win.Canvas().Overlays().Top())
	}
}

// Defect 10: "Choose poster…" fits in the row's thumbnail.
func TestPosterButtonFitsTheThumbnail(t *testing.T) {
	// The platform refused its poster: the row asks for another.
	j := seedJob(t, "poster refused", core.StateFailed, gjw.StepThumbnail, gjw.Checkpoint{})
	j.ThumbnailPath = "/videos/refused.png"
	j.Targets[0].Reason = string(dest.ReasonPosterRefused)
	h := newHarness(t, nil, harnessOpts{db: storeJobs(t, j), noStart: true})
	rv := h.rowView("seeda")
	if !rv.pickPoster.Visible() {
		t.Fatal("no poster button on a row without a poster")
	}
	if m := rv.pickPoster.MinSize(); m.Width > posterSize.Width || m.Height > posterSize.Height {
		t.Fatalf("the poster button needs %v in a %v thumbnail", m, posterSize)
	}
}

// darkTheme is Fyne's default theme in its dark variant.
type darkTheme struct{ fyne.Theme }

func (t darkTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, theme.VariantDark)
}

// Defect 10: every state's words are readable on the selected row (and
// on the others), in the light and the dark theme: contrast at least 4.5
// (WCAG AA for small text).
func TestStateWordsAreReadableOnSelectedRows(t *testing.T) {
	var jobs []persist.Job
	states := []struct{ state, step string }{
		{core.StateQueued, ""}, {core.StateRunning, gjw.StepUpload}, {core.StatePaused, gjw.StepUpload},
		{core.StateWaiting, gjw.StepThumbnail}, {core.StateFailed, gjw.StepContent}, {core.StateCanceled, gjw.StepUpload},
		{core.StateDone, gjw.StepDone},
	}
	for _, s := range states {
		jobs = append(jobs, seedJob(t, s.state, s.state, s.step, gjw.Checkpoint{ContentID: "c" + s.state}))
	}
	h := newHarness(t, nil, harnessOpts{db: storeJobs(t, jobs...), noStart: true})
	for _, th := range []struct {
		name string
		th   fyne.Theme
	}{{"light", lightTheme{theme.DefaultTheme()}}, {"dark", darkTheme{theme.DefaultTheme()}}} {
		fyne.CurrentApp().Settings().SetTheme(th.th)
		bg := th.th.Color(theme.ColorNameBackground, 0)
		selected := contrast.Over(th.th.Color(theme.ColorNameSelection, 0), bg)
		for i, s := range states {
			id := jobs[i].ID
			h.ui.uploads.list.Select(i)
			rv := h.drawnRow(id)
			rv.status.Refresh()
			for _, c := range []struct {
				where string
				bg    color.Color
			}{{"selected", selected}} {
				fg := textColor(t, rv.status)
				if r := contrast.Ratio(contrast.Over(fg, c.bg), c.bg); r < contrast.AA {
					t.Errorf("%s theme, %s row %q: contrast %.2f", th.name, c.where, s.state, r)
				}
			}
			h.ui.uploads.list.Unselect(i)
			rv = h.drawnRow(id)
			rv.status.Refresh()
			if r := contrast.Ratio(contrast.Over(textColor(t, rv.status), bg), bg); r < contrast.AA {
				t.Errorf("%s theme, row %q: contrast %.2f", th.name, s.state, r)
			}
		}
	}
}

// textColor is the colour a label's text is drawn in.
func textColor(t *testing.T, l *widget.Label) color.Color {
	t.Helper()
	var c color.Color
	uitest.Walk(l, func(o fyne.CanvasObject) {
		if tx, ok := o.(*canvas.Text); ok && tx.Text != "" {
			c = tx.Color
		}
	})
	if c == nil {
		t.Fatalf("label %q draws no text", l.Text)
	}
	return c
}

// Defect 10: the window a second copy shows (the data folder is in use)
// is small and says why.
func TestStartupErrorWindowIsSmallAndSaysWhy(t *testing.T) {
	test.NewTempApp(t)
	err := errors.New("GJW Uploader is already running (or the gjw command is using /home/ana/.config/gjw-uploader). " +
		"Switch to the open window, or close the other program and start GJW Uploader again")
	// A new window lays its content out before it has its size (the GLFW
	// driver at a few pixels wide), then grows to the content's minimum:
	// a word-wrapping label laid out that narrow asks for a word a line,
	// which made this window 520×770 and mostly empty.
	content := startupErrorContent(err, func() {})
	content.Resize(fyne.NewSize(40, 40))
	if min := content.MinSize(); min.Width > 600 || min.Height > 300 {
		t.Fatalf("the window's content asks for %v once laid out narrow", min)
	}
	w := StartupError(fyne.CurrentApp(), err)
	defer w.Close()
	min := w.Content().MinSize()
	w.Resize(min)
	uitest.Layout(w.Content())
	var text string
	var close *widget.Button
	uitest.Walk(w.Content(), func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			if x.Size().Height > 0 {
				text += x.Text
			}
		case *widget.Button:
			close = x
		}
	})
	if !strings.Contains(text, "already running") {
		t.Fatalf("the window says %q", text)
	}
	if close == nil || close.Text != "Close" {
		t.Fatal("no Close button")
	}
	if p := uitest.PlaceOf(close); p.Pos.Y+p.Size.Height > min.Height+1 {
		t.Fatalf("the Close button at %+v is outside the %v window", p, min)
	}
}

// Defect 10: each row shows its file's name, size and (with ffprobe) its
// length, so videos with the same title can be told apart.
func TestRowsShowFileNameSizeAndLength(t *testing.T) {
	old := probeDuration
	probeDuration = func(_ context.Context, path string) (time.Duration, error) {
		return 3*time.Minute + 12*time.Second, nil
	}
	findFFmpeg = func() (string, error) { return "ffmpeg", nil } // probeDuration stands in for it
	t.Cleanup(func() { probeDuration, findFFmpeg = old, noFFmpeg })
	a := seedJob(t, "Same title", core.StateDone, gjw.StepDone, gjw.Checkpoint{ContentID: "aa"})
	a.VideoPath, a.Size = "/home/ana/Videos/take one.mp4", 812_000_000
	b := seedJob(t, "Same title", core.StateDone, gjw.StepDone, gjw.Checkpoint{ContentID: "bb"})
	b.VideoPath, b.Size = "/home/ana/Videos/take two.mov", 9_400_000
	h := newHarness(t, nil, harnessOpts{db: storeJobs(t, a, b), noStart: true})
	for id, want := range map[string]string{"seeda": "812.0 MB · 3:12 · take one.mp4", "seedb": "9.4 MB · 3:12 · take two.mov"} {
		h.eventuallyRow(id, "the file line", func(rv *rowView) bool { return rv.file.Text == want })
	}
}

// The title comes first on its line: whole when it fits, and when title
// and file line do not both fit, the file line gives way (to 40 % at
// most), so a long file name never cuts the title to a few letters; the
// two never overlap.
func TestRowTitleBeforeFileLine(t *testing.T) {
	test.NewTempApp(t)
	title, file := widget.NewLabel(""), widget.NewLabel("655.0 MB · 3:12 · Cooking dumplings with grandma.mp4")
	title.Truncation, file.Truncation = fyne.TextTruncateEllipsis, fyne.TextTruncateEllipsis
	file.SizeName = theme.SizeNameCaptionText
	line := container.New(titleFileLayout{}, title, file)
	place := func(w float32) (tw, fx, fw float32) {
		line.Resize(fyne.NewSize(w, 30))
		line.Refresh() // as rowView.set does when a text changes
		return title.Size().Width, file.Position().X, file.Size().Width
	}
	title.SetText("Cooking dumplings with grandma")
	need := natural(title) + natural(file)
	if tw, fx, fw := place(need + 50); tw != natural(title) || fw != natural(file) || fx+fw != need+50 {
		t.Fatalf("with room for both: title %v (needs %v), file at %v, %v wide (needs %v)", tw, natural(title), fx, fw, natural(file))
	}
	if tw, fx, fw := place(need - 100); tw != natural(title) || fx != tw || fw != need-100-tw {
		t.Fatalf("short of room: the title was cut (%v of %v) or the file line overlaps (at %v)", tw, natural(title), fx)
	}
	if tw, fx, fw := place(300); fw != 120 || tw != 180 || fx != 180 {
		t.Fatalf("at 300 px: title %v, file at %v, %v wide; want 180, 180, 120", tw, fx, fw)
	}
	title.SetText("Hi")
	if tw, fx, fw := place(300); tw != natural(title) || fx != tw || fw != 300-tw {
		t.Fatalf("a short title leaves the rest to the file line: title %v, file at %v, %v wide", tw, fx, fw)
	}
}

// TestRowShowsLengthWithRealFFmpeg measures a real video's length with
// ffmpeg (make deps installs it).
func TestRowShowsLengthWithRealFFmpeg(t *testing.T) {
	ffmpegInstalled(t)
	video := sandboxtest.WriteVideo(t, filepath.Join(t.TempDir(), "pattern.mp4"), 2.5)
	h := newHarness(t, nil, harnessOpts{noStart: true})
	h.ui.Drop([]string{video})
	h.waitDrops()
	id := h.ui.uploads.rows[0].job.ID
	h.eventuallyRow(id, "the length", func(rv *rowView) bool {
		return strings.HasSuffix(rv.file.Text, " · 0:03 · pattern.mp4")
	})
}

// Defect 10: dropping a video that is already published asks before
// uploading it again.
func TestDroppingAPublishedVideoAgainAsks(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{})
	dir := t.TempDir()
	thumb := sandboxtest.WritePoster(t, filepath.Join(dir, "poster.png"), color.NRGBA{40, 120, 200, 255})
	video := sandboxtest.WriteRandom(t, filepath.Join(dir, "festival.mp4"), testSize)
	if err := h.add(video, thumb); err != nil {
		t.Fatal(err)
	}
	id := h.ui.uploads.rows[0].job.ID
	h.eventually("publish", func() bool { return h.job(id).State == core.StateDone })
	h.eventually("the row to publish", func() bool { return h.row(id).job.State == core.StateDone })

	h.ui.DropURIs([]fyne.URI{storage.NewFileURI("https://example.com/a.mp4")})
	h.waitDrops()
	if !h.ui.uploads.msgBar.Visible() {
		t.Fatal("a dropped link said nothing")
	}
	h.ui.Drop([]string{video})
	h.waitDrops()
	if h.ui.uploads.msgBar.Visible() {
		t.Fatalf("the last drop's message stays: %q", h.ui.uploads.msg.Text)
	}
	if jobs, _ := h.engine.Jobs(); len(jobs) != 1 {
		t.Fatalf("the published video was queued again without asking: %d jobs", len(jobs))
	}
	if got := h.dialogText(); !strings.Contains(got, "festival.mp4") || !strings.Contains(got, "already published") {
		t.Fatalf("the question is %q", got)
	}
	h.confirm()
	h.waitDrops()
	if jobs, _ := h.engine.Jobs(); len(jobs) != 2 {
		t.Fatalf("Upload again: %d jobs", len(jobs))
	}
}

// Defect 10: Open without a browser to open (no xdg-open) says so and
// offers to copy the link.
func TestOpenWithoutABrowserOffersCopy(t *testing.T) {
	db := storeJobs(t, seedJob(t, "published", core.StateDone, gjw.StepDone, gjw.Checkpoint{ContentID: "c0ffee"}))
	h := newHarness(t, nil, harnessOpts{db: db, noStart: true})
	h.app.openErr = errors.New(`exec: "xdg-open": executable file not found in $PATH`)
	test.Tap(h.rowView("seeda").open)
	got := h.dialogText()
	if !strings.Contains(got, "browser") || !strings.Contains(got, "[Copy link]") {
		t.Fatalf("Open without a browser shows %q", got)
	}
	h.tapDialogButton("Copy link")
	if c := h.app.Clipboard().Content(); c != siteHosts.OnSite(core.VideoURL("c0ffee")) {
		t.Fatalf("clipboard %q", c)
	}
}

// Defect 10: in sandbox mode (the hosts on this computer) a published
// video's link is the sandbox's page of it, which opens, not a page of the
// real site with a sandbox id.
func TestSandboxLinksOpenTheSandboxPage(t *testing.T) {
	p := newPlatform(t)
	h := newHarness(t, p, harnessOpts{})
	dir := t.TempDir()
	thumb := sandboxtest.WritePoster(t, filepath.Join(dir, "poster.png"), color.NRGBA{40, 120, 200, 255})
	if err := h.add(sandboxtest.WriteRandom(t, filepath.Join(dir, "lantern festival.mp4"), testSize), thumb); err != nil {
		t.Fatal(err)
	}
	id := h.ui.uploads.rows[0].job.ID
	h.eventually("publish", func() bool { return h.job(id).State == core.StateDone })
	rv := h.eventuallyRow(id, "the link", func(rv *rowView) bool { return rv.copyLink.Visible() })
	link := rv.detail.Text
	if want := p.hosts.API + "/video/" + view(h.job(id)).ContentID; link != want {
		t.Fatalf("the row links to %q, want %q", link, want)
	}
	test.Tap(rv.copyLink)
	if got := h.app.Clipboard().Content(); got != link {
		t.Fatalf("Copy link gave %q", got)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "lantern festival") {
		t.Fatalf("the link answers %d %s", resp.StatusCode, page)
	}
}

// A title or file line that fits is drawn whole, not cut with "…": Fyne
// cuts a label's text at a whole number of pixels (it rounds the room
// down), so the width the layout gives must be rounded up. In a real frame
// "clip 01" was drawn "clip …" and "15 KB · 0:03 · clip 01.mp4" lost its
// last letters, with room to spare between them.
func TestRowTitleAndFileLineFitWhole(t *testing.T) {
	test.NewTempApp(t)
	title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	file := widget.NewLabel("")
	title.Truncation, file.Truncation = fyne.TextTruncateEllipsis, fyne.TextTruncateEllipsis
	file.SizeName = theme.SizeNameCaptionText
	line := container.New(titleFileLayout{}, title, file)
	drawn := func(l *widget.Label) string {
		var s strings.Builder
		for _, o := range test.WidgetRenderer(test.WidgetRenderer(l).Objects()[0].(fyne.Widget)).Objects() {
			if txt, ok := o.(*canvas.Text); ok {
				s.WriteString(txt.Text)
			}
		}
		return s.String()
	}
	for _, c := range [][2]string{
		{"clip 01", "15 KB · 0:03 · clip 01.mp4"},
		{"clip 02", "11 KB · 0:02 · clip 02.mp4"},
		{"Cooking dumplings with grandma", "655.0 MB · 3:12 · Cooking dumplings with grandma.mp4"},
		{"holiday 2024", "123 KB · 0:20 · holiday 2024.mp4"},
	} {
		title.SetText(c[0])
		file.SetText(c[1])
		line.Resize(fyne.NewSize(natural(title)+natural(file)+40, 30))
		line.Refresh()
		if got := drawn(title); got != c[0] {
			t.Errorf("title %q drawn %q in %v px", c[0], got, title.Size().Width)
		}
		if got := drawn(file); got != c[1] {
			t.Errorf("file line %q drawn %q in %v px", c[1], got, file.Size().Width)
		}
	}
}
