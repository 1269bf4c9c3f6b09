package gui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/ask"
)

// bulkBar is the Uploads toolbar's "All uploads" menu, acting on the
// whole queue: Pause all, Resume all, Retry failed and Cancel all (which
// asks first). An action is offered while some target is in a state it
// acts on; the button is disabled while none is.
type bulkBar struct {
	u      *uploadsView
	button *widget.Button
	box    fyne.CanvasObject
}

// Bulk actions, as the menu names them.
const (
	pauseAllLabel  = "Pause all"
	resumeAllLabel = "Resume all"
	retryAllLabel  = "Retry all failed"
	cancelAllLabel = "Cancel all…"
)

func newBulkBar(u *uploadsView) *bulkBar {
	b := &bulkBar{u: u}
	b.button = widget.NewButtonWithIcon("All uploads", theme.MoreVerticalIcon(), b.showMenu)
	b.button.Disable()
	b.box = b.button
	return b
}

// menu is the actions, each disabled while it has nothing to act on.
func (b *bulkBar) menu() *fyne.Menu {
	engine := b.u.ui.deps.Engine
	can := b.states()
	item := func(label string, icon fyne.Resource, on bool, fn func()) *fyne.MenuItem {
		it := fyne.NewMenuItemWithIcon(label, icon, fn)
		it.Disabled = !on
		return it
	}
	return fyne.NewMenu("",
		item(pauseAllLabel, theme.MediaPauseIcon(), can.pausable, func() { b.run("Paused", engine.PauseAll) }),
		item(resumeAllLabel, theme.MediaPlayIcon(), can.paused, func() { b.run("Resumed", engine.ResumeAll) }),
		item(retryAllLabel, theme.ViewRefreshIcon(), can.failed, func() { b.run("Retrying", engine.RetryFailed) }),
		fyne.NewMenuItemSeparator(),
		item(cancelAllLabel, theme.CancelIcon(), can.unfinished, b.confirmCancelAll),
	)
}

func (b *bulkBar) showMenu() {
	widget.ShowPopUpMenuAtRelativePosition(b.menu(), b.u.ui.win.Canvas(), fyne.NewPos(0, b.button.Size().Height), b.button)
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

// queueStates says which bulk actions have something to act on.
type queueStates struct{ pausable, paused, failed, unfinished bool }

func (b *bulkBar) states() queueStates {
	var q queueStates
	for _, r := range b.u.rows {
		for _, t := range r.job.Targets {
			switch t.State {
			case core.StateRunning, core.StateQueued, core.StateWaiting:
				q.pausable = true
			case core.StatePaused:
				q.paused = true
			case core.StateFailed:
				q.failed = true
			}
			q.unfinished = q.unfinished || (t.State != core.StateDone && t.State != core.StateCanceled)
		}
	}
	return q
}

// refresh enables the menu while some upload is unfinished (every action
// acts on unfinished ones).
func (b *bulkBar) refresh() {
	if on := b.states().unfinished; on && b.button.Disabled() {
		b.button.Enable()
	} else if !on && !b.button.Disabled() {
		b.button.Disable()
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
