package gui

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// The "done when" in the app: a watch folder set in Settings with
// its own destination and title template; three videos copied in with
// their sidecars publish by themselves with their own titles, a fourth
// without one takes the template, and one whose sidecar is wrong is named
// above the queue and not uploaded. After a restart of the app the folder
// is watched again and nothing is published twice.
func TestSettingsWatchFolderPublishesByItself(t *testing.T) {
	watchSettle = 150 * time.Millisecond
	t.Cleanup(func() { watchSettle = 10 * time.Second })
	p := newPlatform(t)
	db, err := persist.Open(filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	acct := p.sb.DemoAccount()
	db.PutCredentials(persist.Credentials{AccessToken: acct.AccessToken, RefreshToken: acct.RefreshToken, ChannelID: acct.ChannelID,
		ExpiresAt: time.Now().Add(time.Hour)})
	h := newHarness(t, p, harnessOpts{db: db, parallel: 2})
	studio := p.sb.NewChannel("studio-channel")
	if err := h.accts.Add(account.Account{Name: "studio", Platform: account.GJW, ChannelID: studio.ChannelID},
		persist.Credentials{AccessToken: studio.AccessToken, RefreshToken: studio.RefreshToken, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	// Settings: add the folder, tick its destination, give it a template, save.
	h.ui.tabs.Select(h.ui.settingsTab)
	s := h.ui.prefs
	in := filepath.Join(t.TempDir(), "Holidays")
	os.MkdirAll(in, 0o755)
	test.Type(s.watch.path, in)
	test.Tap(findButton(t, s.content, "Add folder"))
	if len(s.watch.rows) != 1 || s.watch.rows[0].path != in {
		t.Fatalf("folder cards: %+v (%q)", s.watch.rows, s.result.Text)
	}
	row := s.watch.rows[0]
	if strings.Join(row.dests.Options, ",") != "gjw,studio" {
		t.Fatalf("destinations offered: %v", row.dests.Options)
	}
	tapCheck(t, row.dests, "studio")
	test.Type(row.title, "{dirname}: {filename}")
	h.saveSettings()
	if !strings.HasPrefix(s.result.Text, "Saved.") {
		t.Fatalf("save: %q", s.result.Text)
	}
	folders, _ := db.WatchFolders()
	if len(folders) != 1 || folders[0].Path != in || strings.Join(folders[0].Destinations, ",") != "studio" || folders[0].Template.Title != "{dirname}: {filename}" {
		t.Fatalf("stored %+v", folders)
	}

	// Copy the videos in, sidecars and posters first as a file manager may.
	titles := []string{"Beach at dawn", "Lunch, with Grandma", "The long drive home"}
	for i, title := range titles {
		name := fmt.Sprintf("day%d", i+1)
		sandboxtest.WritePoster(t, filepath.Join(in, "posters", name+".png"), color.NRGBA{uint8(60 * i), 120, 200, 255})
		os.WriteFile(filepath.Join(in, name+".json"), []byte(fmt.Sprintf(`{"title": %q, "thumbnail": "posters/%s.png"}`, title, name)), 0o644)
		sandboxtest.WriteRandom(t, filepath.Join(in, name+".mp4"), testSize+int64(i))
	}
	sandboxtest.WritePNG(t, filepath.Join(in, "extra.png"), 9)
	sandboxtest.WriteRandom(t, filepath.Join(in, "extra.mp4"), testSize)
	os.WriteFile(filepath.Join(in, "broken.json"), []byte(`{"title": "Broken", "visibility": "unlisted"}`), 0o644)
	sandboxtest.WritePNG(t, filepath.Join(in, "broken.png"), 8)
	sandboxtest.WriteRandom(t, filepath.Join(in, "broken.mp4"), testSize)

	h.eventually("four rows", func() bool { return len(h.ui.uploads.rows) == 4 })
	var shown []string
	for _, r := range h.ui.uploads.rows {
		id := r.job.ID
		h.eventuallyRow(id, "published", func(rv *rowView) bool { return rv.status.Text == "Published" })
		shown = append(shown, h.row(id).job.Meta.Title)
		if tg := h.row(id).job.Targets; len(tg) != 1 || tg[0].Account != "studio" {
			t.Fatalf("targets %+v", tg)
		}
	}
	slices.Sort(shown)
	want := append(slices.Clone(titles), "Holidays: extra")
	slices.Sort(want)
	if strings.Join(shown, "|") != strings.Join(want, "|") {
		t.Fatalf("rows %q, want %q", shown, want)
	}
	var onPlatform []string
	for _, c := range p.sb.ContentsOf(studio.ChannelID) {
		if c.Published {
			onPlatform = append(onPlatform, fmt.Sprint(c.Fields["title"]))
		}
	}
	slices.Sort(onPlatform)
	if strings.Join(onPlatform, "|") != strings.Join(want, "|") || len(p.sb.ContentsOf(acct.ChannelID)) != 0 {
		t.Fatalf("on the studio channel %q", onPlatform)
	}
	broken := filepath.Join(in, "broken.json") + ` (visibility): "unlisted" is not allowed for videos: use public or private`
	h.eventually("the broken sidecar named above the queue", func() bool {
		return h.ui.uploads.msg.Text == "Watch folder: "+broken && strings.HasSuffix(row.status.Text, "\n"+broken) &&
			strings.HasPrefix(row.status.Text, "Queued ")
	})

	// The app restarts: the folder is watched again, nothing is sent twice,
	// and a video copied in meanwhile publishes.
	h.close()
	sandboxtest.WritePNG(t, filepath.Join(in, "later.png"), 10)
	sandboxtest.WriteRandom(t, filepath.Join(in, "later.mp4"), testSize)
	h2 := newHarness(t, p, harnessOpts{db: db, parallel: 2})
	h2.eventually("the later video's row", func() bool { return len(h2.ui.uploads.rows) == 5 })
	for _, r := range h2.ui.uploads.rows {
		id := r.job.ID
		h2.eventuallyRow(id, "published", func(rv *rowView) bool { return rv.status.Text == "Published" })
	}
	time.Sleep(4 * watchSettle)
	h2.pump()
	if n := len(h2.ui.uploads.rows); n != 5 {
		t.Fatalf("%d rows after the restart", n)
	}
	if st := p.sb.Stats(); st.AddContent != 5 || st.TusCreates != 5 {
		t.Fatalf("five videos, the sandbox: %+v", st)
	}
	if jobs, _ := h2.engine.Jobs(); jobs[len(jobs)-1].Meta.Title != "Holidays: later" || jobs[len(jobs)-1].State != core.StateDone {
		t.Fatalf("the later job: %+v", jobs[len(jobs)-1])
	}
}

// tapCheck taps the check labelled label in a CheckGroup.
func tapCheck(t *testing.T, g *widget.CheckGroup, label string) {
	t.Helper()
	for _, o := range test.LaidOutObjects(g) {
		if c, ok := o.(*widget.Check); ok && c.Text == label {
			test.Tap(c)
			return
		}
	}
	t.Fatalf("no %q check", label)
}
