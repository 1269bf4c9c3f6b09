package gui

import (
	"context"
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/ask"
)

// keys wires the window's keyboard: Ctrl+O adds videos, Ctrl+Tab and
// Ctrl+Shift+Tab go through the tabs, Delete removes the selected upload
// after asking. They work while no text field has the keyboard; a text
// field keeps its own keys (Delete deletes text there).
func (u *UI) keys() {
	c := u.win.Canvas()
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		u.tabs.Select(u.uploadsTab)
		u.uploads.chooseVideos()
	})
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyTab, Modifier: fyne.KeyModifierControl}, func(fyne.Shortcut) { u.nextTab(1) })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyTab, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift},
		func(fyne.Shortcut) { u.nextTab(-1) })
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyDelete && u.tabs.Selected() == u.uploadsTab {
			u.uploads.deleteSelected()
		}
	})
}

// nextTab selects the tab delta places on, round the end.
func (u *UI) nextTab(delta int) {
	n := len(u.tabs.Items)
	i := slices.Index(u.tabs.Items, u.tabs.Selected())
	u.tabs.SelectIndex(((i+delta)%n + n) % n)
}

// queueList is the upload list; Delete on it, when it has the keyboard,
// removes the selected upload as Delete on the window does.
type queueList struct {
	widget.List
	onDelete func()
}

func (l *queueList) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyDelete {
		l.onDelete()
		return
	}
	l.List.TypedKey(ev)
}

// deleteSelected removes the selected upload after asking: a finished one
// from the list, an unfinished one stopped first.
func (u *uploadsView) deleteSelected() {
	r := u.row(u.selected)
	if r == nil {
		return
	}
	id, title := r.job.ID, r.job.Meta.Title
	if !core.Unfinished(r.job) {
		ask.Confirm(u.ui.win, "Remove this upload from the list?",
			fmt.Sprintf("“%s” leaves the list; what is published stays on the platform.", title),
			"Remove", "Keep it", ask.Then(func() { u.remove(id) }))
		return
	}
	msg := fmt.Sprintf("“%s” stops uploading and leaves the queue.", title)
	if hasRemote(r.job) {
		msg += " Its unpublished entry stays in your channel's drafts."
	}
	ask.Confirm(u.ui.win, "Stop and remove this upload?", msg, "Stop and remove", "Keep uploading",
		ask.Then(func() { u.cancelAndRemove(id, title) }))
}

// cancelAndRemove cancels an upload and, once it has stopped (within one
// chunk), removes it, off the UI goroutine.
func (u *uploadsView) cancelAndRemove(id, title string) {
	eng := u.ui.deps.Engine
	u.ui.goBackground(func(ctx context.Context) {
		err := eng.Cancel(id)
		if err == nil {
			// Remove refuses while the upload still runs.
			deadline := time.Now().Add(10 * time.Second)
			for err = eng.Remove(id); err != nil && time.Now().Before(deadline) && ctx.Err() == nil; err = eng.Remove(id) {
				time.Sleep(20 * time.Millisecond)
			}
		}
		u.ui.do(func() {
			if err != nil {
				u.say(widget.WarningImportance, "Could not remove “"+title+"”: "+err.Error())
				return
			}
			u.forget(id)
		})
	})
}
