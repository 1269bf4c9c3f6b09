package gui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/ask"
)

// bulkBar is the Uploads toolbar's actions on the whole queue: Pause all,
// Resume all, Retry failed and Cancel all (which asks first). Each is
// enabled while some target is in a state it acts on.
type bulkBar struct {
	u                                *uploadsView
	pauseAll, resumeAll, retry, stop *widget.Button
	box                              *fyne.Container
}

func newBulkBar(u *uploadsView) *bulkBar {
	b := &bulkBar{u: u}
	engine := u.ui.deps.Engine
	b.pauseAll = widget.NewButtonWithIcon("Pause all", theme.MediaPauseIcon(), func() { b.run("Paused", engine.PauseAll) })
	b.resumeAll = widget.NewButtonWithIcon("Resume all", theme.MediaPlayIcon(), func() { b.run("Resumed", engine.ResumeAll) })
	b.retry = widget.NewButtonWithIcon("Retry failed", theme.ViewRefreshIcon(), func() { b.run("Retrying", engine.RetryFailed) })
	b.stop = widget.NewButtonWithIcon("Cancel all", theme.CancelIcon(), b.confirmCancelAll)
	for _, btn := range []*widget.Button{b.pauseAll, b.resumeAll, b.retry, b.stop} {
		btn.Importance = widget.LowImportance
		btn.Disable()
	}
	b.box = container.NewHBox(b.pauseAll, b.resumeAll, b.retry, b.stop)
	return b
}

// run does one bulk action and says what it did.
func (b *bulkBar) run(did string, fn func() (int, error)) {
	n, err := fn()
	switch {
	case err != nil:
		b.u.say(widget.WarningImportance, did+" "+plural(n, "upload", "uploads")+"; some could not be: "+err.Error())
	case n > 0:
		b.u.say(widget.SuccessImportance, did+" "+plural(n, "upload", "uploads")+".")
	}
}

// confirmCancelAll asks before canceling every unfinished upload.
func (b *bulkBar) confirmCancelAll() {
	n, remote := 0, 0
	for _, r := range b.u.rows {
		for _, t := range r.job.Targets {
			if t.State != core.StateDone && t.State != core.StateCanceled {
				n++
				if remoteID(t) != "" {
					remote++
				}
			}
		}
	}
	if n == 0 {
		return
	}
	text := plural(n, "unfinished upload stops", "unfinished uploads stop") + " for good."
	if remote > 0 {
		text += " " + plural(remote, "entry already made stays", "entries already made stay") + " on the platform, unpublished."
	}
	ask.Confirm(b.u.ui.win, "Cancel all uploads?", text, "Cancel all", "Keep them",
		ask.Then(func() { b.run("Canceled", b.u.ui.deps.Engine.CancelAll) }))
}

// refresh enables the actions that have something to act on.
func (b *bulkBar) refresh() {
	var pausable, paused, failed, unfinished bool
	for _, r := range b.u.rows {
		for _, t := range r.job.Targets {
			switch t.State {
			case core.StateRunning, core.StateQueued, core.StateWaiting:
				pausable = true
			case core.StatePaused:
				paused = true
			case core.StateFailed:
				failed = true
			}
			unfinished = unfinished || (t.State != core.StateDone && t.State != core.StateCanceled)
		}
	}
	for btn, on := range map[*widget.Button]bool{b.pauseAll: pausable, b.resumeAll: paused, b.retry: failed, b.stop: unfinished} {
		if on && btn.Disabled() {
			btn.Enable()
		} else if !on && !btn.Disabled() {
			btn.Disable()
		}
	}
}

// startOver asks, then makes the failed targets of a job (of account; ""
// for all) upload again from the start as new entries. It is never done
// without this confirmation: the old entry stays on the platform.
func (u *uploadsView) startOver(id, account string) {
	r := u.row(id)
	if r == nil {
		return
	}
	var where, left []string
	for _, t := range r.job.Targets {
		if t.State != core.StateFailed || (account != "" && t.Account != account) {
			continue
		}
		where = append(where, platformName(t.Platform))
		if rid := remoteID(t); rid != "" {
			left = append(left, fmt.Sprintf("%s (id %s)", platformName(t.Platform), rid))
		}
	}
	if len(where) == 0 {
		return
	}
	text := fmt.Sprintf("“%s” will be uploaded again from the beginning, as a new entry on %s.", r.job.Meta.Title, strings.Join(where, " and "))
	if len(left) > 0 {
		text += " The entry the failed upload made stays on " + strings.Join(left, " and ") + ": delete it there if you do not want it."
	}
	ask.Confirm(u.ui.win, "Start over?", text, "Start over", "Keep it", ask.Then(func() {
		u.act(id, "start over", func(id string) error { return u.ui.deps.Engine.StartOver(id, account) })
	}))
}

// startOverTarget is startOver for one target of a cross-posted job.
func (u *uploadsView) startOverTarget(id, account string) { u.startOver(id, account) }
