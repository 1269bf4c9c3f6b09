package gui

import (
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/core/watch"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/uitest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// lightTheme is Fyne's default theme in its light variant (the test app
// otherwise renders dark).
type lightTheme struct{ fyne.Theme }

func (t lightTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, theme.VariantLight)
}

// light switches the test app to the light theme.
func light() { fyne.CurrentApp().Settings().SetTheme(lightTheme{theme.DefaultTheme()}) }

// TestScreenshots renders the main states with Fyne's test driver into
// docs/screenshots (README.md shows them). Run with GJW_SCREENSHOTS=1:
//
//	GJW_SCREENSHOTS=1 go test -run TestScreenshots ./gui/
func TestScreenshots(t *testing.T) {
	if os.Getenv("GJW_SCREENSHOTS") == "" {
		t.Skip("set GJW_SCREENSHOTS=1 to write docs/screenshots")
	}
	t.Run("empty", func(t *testing.T) {
		h := newHarness(t, nil, harnessOpts{noStart: true})
		light()
		writeScreenshot(t, h, "empty.png")
	})

	files := t.TempDir()
	posters := []color.NRGBA{{220, 90, 60, 255}, {60, 140, 210, 255}, {90, 170, 90, 255}, {200, 160, 40, 255}, {140, 90, 190, 255}, {40, 160, 170, 255}}
	poster := func(i int) string {
		return sandboxtest.WritePoster(t, filepath.Join(files, "poster"+string(rune('a'+i))+".png"), posters[i%len(posters)])
	}
	now := time.Now()
	meta := func(title string) persist.VideoMeta {
		return persist.VideoMeta{Title: title, Lang: "en-US", Visibility: "public"}
	}
	queue := func(t *testing.T, failed bool) *harness {
		db, err := persist.OpenInMemory()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.PutCredentials(persist.Credentials{AccessToken: "a", RefreshToken: "r", ChannelID: "demo-channel", ExpiresAt: now.Add(9*24*time.Hour + time.Hour)})
		const mb = 1000 * 1000
		type shot struct {
			job  persist.Job
			step string
			cp   gjw.Checkpoint
		}
		target := func(sh shot) persist.Job {
			j := sh.job
			j.Targets = []persist.Target{gjwTarget(t, sh.step, j.State, sh.cp)}
			return j
		}
		jobs := []persist.Job{
			target(shot{persist.Job{Meta: meta("Spring festival in the old town"), ThumbnailPath: poster(0), State: core.StateDone, Size: 412 * mb},
				gjw.StepDone, gjw.Checkpoint{ContentID: "1fe2c7a9b0d34e"}}),
			target(shot{persist.Job{Meta: meta("Interview with the orchestra conductor"), ThumbnailPath: poster(1), State: core.StateRunning, Size: 1830 * mb},
				gjw.StepUpload, gjw.Checkpoint{ContentID: "2ab"}}),
			target(shot{persist.Job{Meta: meta("Morning tai chi by the lake"), ThumbnailPath: poster(2), State: core.StateRunning, Size: 264 * mb},
				gjw.StepProcessing, gjw.Checkpoint{ContentID: "3cd"}}),
			target(shot{persist.Job{Meta: meta("Cooking dumplings with grandma"), ThumbnailPath: poster(3), State: core.StateQueued, Size: 655 * mb}, "", gjw.Checkpoint{}}),
			target(shot{persist.Job{Meta: meta("Drone flight over the rice terraces"), ThumbnailPath: poster(4), State: core.StateQueued, Size: 1210 * mb}, "", gjw.Checkpoint{}}),
			target(shot{persist.Job{Meta: meta("Behind the scenes"), State: core.StateWaiting, Size: 98 * mb}, gjw.StepThumbnail, gjw.Checkpoint{}}),
		}
		jobs[0].Targets[0].Offset = 412 * mb
		jobs[0].Targets[0].Result = persist.TargetResult{ID: "1fe2c7a9b0d34e", URL: core.VideoURL("1fe2c7a9b0d34e")}
		jobs[1].Targets[0].Offset = 796 * mb
		jobs[2].Targets[0].Offset, jobs[2].Targets[0].ProcessingPercent = 264*mb, 62
		jobs[5].Targets[0].Reason, jobs[5].Targets[0].Error = string(dest.ReasonNeedPoster), core.ErrNeedPoster.Error()
		if failed {
			jobs[3].State = core.StateFailed
			jobs[3].Targets[0] = gjwTarget(t, gjw.StepUpload, core.StateFailed, gjw.Checkpoint{ContentID: "4ef"})
			jobs[3].Targets[0].Offset = 120 * mb
			jobs[3].Targets[0].Reason = string(dest.ReasonUnreachable)
			jobs[3].Targets[0].Error = "step 6 (uploading video): gave up after 6 attempts: upload chunk: cannot reach the server: " +
				"vodapi.cloudokyo.cloud: dial tcp 104.18.32.7:443: connect: connection refused"
		}
		for i := range jobs {
			j := &jobs[i]
			j.ID, j.Position, j.CreatedAt = "shot"+string(rune('a'+i)), int64(i), now
			j.VideoPath = filepath.Join("/home/ana/Videos", j.Meta.Title+".mp4")
			if err := db.PutJob(*j); err != nil {
				t.Fatal(err)
			}
		}
		h := newHarness(t, nil, harnessOpts{db: db, noStart: true})
		siteHosts = gjw.DefaultHosts // the pictures show the real site's links, not the test's loopback hosts
		light()
		// 12 s of the second at 6.4 MB/s, as the engine reports it.
		play(h, now, 12*time.Second, []*steadyUpload{newSteadyUpload(jobs[1], 6.4*mb, 10*mb, now)}, nil)
		h.eventually("posters", func() bool { return len(h.ui.uploads.posters.loading) == 0 })
		return h
	}

	t.Run("queue", func(t *testing.T) {
		h := queue(t, false)
		h.ui.uploads.list.Select(1)
		h.ui.uploads.say(widget.SuccessImportance, "Queued 5 videos.")
		writeScreenshot(t, h, "queue.png")
	})

	t.Run("failure", func(t *testing.T) {
		h := queue(t, true)
		h.ui.uploads.list.Select(3)
		h.ui.uploads.details.tech.acc.OpenAll() // the technical line, under Details
		h.ui.uploads.details.content.Refresh()
		h.ui.uploads.Drop([]string{sandboxtest.WriteRandom(t, filepath.Join(files, "notes.txt"), 10)})
		h.waitDrops()
		writeScreenshot(t, h, "failure.png")
	})

	t.Run("signed-out", func(t *testing.T) {
		h := queue(t, false)
		h.ui.setSignedOut(true)
		writeScreenshot(t, h, "signed-out.png")
	})

	t.Run("account", func(t *testing.T) {
		db, err := persist.OpenInMemory()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.PutCredentials(persist.Credentials{AccessToken: "a", RefreshToken: "r", ChannelID: "c9d7e1f0a2b34c5d", ExpiresAt: now.Add(9*24*time.Hour + 2*time.Hour)})
		h := newHarness(t, nil, harnessOpts{db: db, noStart: true})
		light()
		h.ui.tabs.Select(h.ui.accountTab)
		h.ui.account.say(h.ui.account.result, widget.SuccessImportance, "Session refreshed.")
		writeScreenshot(t, h, "account.png")
	})

	t.Run("settings", func(t *testing.T) {
		db, err := persist.OpenInMemory()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.PutCredentials(persist.Credentials{AccessToken: "a", RefreshToken: "r", ChannelID: "c9d7e1f0a2b34c5d", ExpiresAt: now.Add(9 * 24 * time.Hour)})
		names, _ := gjw.ParseCategoryNames("cat13 = Culture\ncat7 = Travel")
		db.PutSettings(persist.Settings{Notify: true, LimitRate: "08:00,2M 18:00,512k 23:00,off", Proxy: "http://proxy.example:3128",
			NoProxy: ".lan, 10.0.0.0/8", CategoryNames: names})
		h := newHarness(t, nil, harnessOpts{db: db, noStart: true})
		light()
		h.ui.tabs.Select(h.ui.settingsTab)
		// Scrolled to the Network card: the speed limit, the proxy and the
		// hosts that skip it, then the defaults with the category names.
		sc := h.ui.prefs.content.(*container.Scroll)
		var network *widget.Card
		uitest.Walk(sc, func(o fyne.CanvasObject) {
			if c, ok := o.(*widget.Card); ok && c.Title == "Network" {
				network = c
			}
		})
		sc.ScrollToOffset(fyne.NewPos(0, uitest.PlaceOf(network).Pos.Y-uitest.PlaceOf(sc).Pos.Y))
		writeScreenshot(t, h, "settings.png")
	})

	t.Run("watch-folders", func(t *testing.T) {
		root := filepath.Join(os.TempDir(), "gjw-screens", "Videos")
		in, done := filepath.Join(root, "To publish"), filepath.Join(root, "Published")
		os.MkdirAll(in, 0o755)
		t.Cleanup(func() { os.RemoveAll(filepath.Dir(root)) })
		db, err := persist.OpenInMemory()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.PutCredentials(persist.Credentials{AccessToken: "a", RefreshToken: "r", ChannelID: "c9d7e1f0a2b34c5d", ExpiresAt: now.Add(9 * 24 * time.Hour)})
		db.PutWatchFolders([]persist.WatchFolder{{Path: in, Destinations: []string{"gjw"},
			Template: persist.MetaTemplate{Title: "{dirname} {date}", Description: "Recorded {date}"}, MoveDone: done, Settle: time.Minute}})
		h := newHarness(t, nil, harnessOpts{db: db, noStart: true})
		light()
		h.ui.tabs.Select(h.ui.settingsTab)
		w := h.ui.prefs.watch
		w.event(in, watch.Event{Kind: watch.Queued, Path: filepath.Join(in, "beach.mp4"), Job: persist.Job{Meta: meta("Beach at dawn")}})
		w.event(in, watch.Event{Kind: watch.Problem, Path: filepath.Join(in, "drive.mp4"),
			Err: errors.New(filepath.Join(in, "drive.json") + ` (visibility): "unlisted" is not allowed for videos: use public or private`)})
		// The section alone (a scrolled Settings tab would show it cut).
		h.win.SetContent(container.NewPadded(w.content))
		h.win.Resize(fyne.NewSize(1120, 490))
		writeScreenshot(t, h, "watch-folders.png")
	})
}
