package gui

import (
	"image/png"
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

func TestZZScratchShot(t *testing.T) {
	db, _ := persist.OpenInMemory()
	defer db.Close()
	now := time.Now()
	const mb = 1000 * 1000
	mk := func(id string, pos int64, accts ...string) persist.Job {
		j := persist.Job{ID: id, Position: pos, CreatedAt: now, VideoPath: "/v/" + id + ".mp4", Size: 500 * mb,
			Meta: persist.VideoMeta{Title: "Video " + id, Category: "cat13", Lang: "en-US", Visibility: "public"}}
		for k, a := range accts {
			tg := gjwTarget(t, gjw.StepUpload, core.StateRunning, gjw.Checkpoint{ContentID: "c" + id + a})
			tg.Account, tg.Offset = a, int64(100*(k+1))*mb
			if k == 1 {
				tg.State, tg.Step = core.StateDone, "done"
				tg.Result = persist.TargetResult{URL: core.VideoURL("c" + id + a)}
			}
			if k == 2 {
				tg.State = core.StatePaused
			}
			j.Targets = append(j.Targets, tg)
		}
		j.State = core.Overall(j.Targets)
		db.PutJob(j)
		return j
	}
	mk("a", 0, "gjw")
	jb := mk("b", 1, "gjw", "backup", "third")
	mk("c", 2, "gjw")
	h := newHarness(t, nil, harnessOpts{db: db, noStart: true})
	fyne.CurrentApp().Settings().SetTheme(lightTheme{theme.DefaultTheme()})
	h.events.Push(core.Event{Job: jb, Target: "gjw", Sent: 250 * mb, Speed: 3 * mb, ETA: time.Minute})
	h.pump()
	f, _ := os.Create("/tmp/multi.png")
	png.Encode(f, h.win.Canvas().Capture())
	f.Close()
}
