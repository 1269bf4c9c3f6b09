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
	"github.com/gjw-uploader/gjw-uploader/core/watch"
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

// A watch folder's settle time, chosen on its card, is stored with it and
// is the time its watcher waits: a video in a folder set to 30 s is not
// queued while one in a folder with the default time (shortened here) is,
// neither before nor after a restart of the app; set back to the default,
// the watcher starts again with it and queues the video.
func TestWatchFolderSettleTime(t *testing.T) {
	watchSettle = 150 * time.Millisecond
	t.Cleanup(func() { watchSettle = watch.DefaultSettle })
	p := newPlatform(t)
	db, err := persist.OpenInMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	acct := p.sb.DemoAccount()
	db.PutCredentials(persist.Credentials{AccessToken: acct.AccessToken, RefreshToken: acct.RefreshToken, ChannelID: acct.ChannelID,
		ExpiresAt: time.Now().Add(time.Hour)})
	h := newHarness(t, p, harnessOpts{db: db, noStart: true})
	s := h.ui.prefs
	quick, slow := filepath.Join(t.TempDir(), "Camera"), filepath.Join(t.TempDir(), "Share")
	for _, dir := range []string{quick, slow} {
		os.MkdirAll(dir, 0o755)
		test.Type(s.watch.path, dir)
		test.Tap(findButton(t, s.content, "Add folder"))
	}
	if len(s.watch.rows) != 2 || s.watch.rows[0].settle.Selected != "10 s" || s.watch.rows[1].settle.Selected != "10 s" {
		t.Fatalf("a new folder's settle time: %+v (%q)", s.watch.rows, s.result.Text)
	}
	s.watch.rows[1].settle.SetSelected("30 s")
	h.saveSettings()
	if s.result.Text != "Saved." {
		t.Fatalf("save: %q", s.result.Text)
	}
	folders, _ := db.WatchFolders()
	if len(folders) != 2 || folders[0].Settle != 0 || folders[1].Path != slow || folders[1].Settle != 30*time.Second {
		t.Fatalf("stored %+v", folders)
	}

	// The slow folder's video is written first.
	for _, dir := range []string{slow, quick} {
		sandboxtest.WritePNG(t, filepath.Join(dir, "clip.png"), 3)
		sandboxtest.WriteRandom(t, filepath.Join(dir, "clip.mp4"), testSize)
	}
	queued := func(h *harness) []string {
		var dirs []string
		for _, r := range h.ui.uploads.rows {
			dirs = append(dirs, filepath.Dir(r.job.VideoPath))
		}
		return dirs
	}
	// notQueued checks for a second that only the quick folder's video is
	// queued: many times its settle time, far less than the slow one's.
	notQueued := func(h *harness, when string) {
		t.Helper()
		h.eventually("the quick folder's video", func() bool { return len(h.ui.uploads.rows) > 0 })
		for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
			h.pump()
			if got := queued(h); len(got) != 1 || got[0] != quick {
				t.Fatalf("%s: queued from %q, want only %s", when, got, quick)
			}
		}
	}
	notQueued(h, "with 30 s")

	h.close()
	h2 := newHarness(t, p, harnessOpts{db: db, noStart: true})
	s = h2.ui.prefs
	if got := s.watch.rows[1].settle.Selected; got != "30 s" {
		t.Fatalf("after a restart the slow folder shows %q", got)
	}
	notQueued(h2, "after a restart")

	s.watch.rows[1].settle.SetSelected("10 s")
	h2.saveSettings()
	h2.eventually("the slow folder's video, at the default time", func() bool {
		return slices.Contains(queued(h2), slow)
	})
	if folders, _ := db.WatchFolders(); folders[1].Settle != 0 {
		t.Fatalf("the default is stored as %s", folders[1].Settle)
	}
}
