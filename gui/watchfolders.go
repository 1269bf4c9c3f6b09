package gui

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core/batch"
	"github.com/gjw-uploader/gjw-uploader/core/watch"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// watchSettle is how long a watched video must stay unchanged before it is
// queued, for a folder whose settle time is the default (tests shorten it).
var watchSettle = watch.DefaultSettle

// settleChoices are the offered settle times of a watch folder; 0 is the
// default (watchSettle).
var settleChoices = []struct {
	label string
	d     time.Duration
}{
	{"5 s", 5 * time.Second}, {"10 s", 0}, {"30 s", 30 * time.Second}, {"1 min", time.Minute}, {"5 min", 5 * time.Minute},
}

// settleLabel is the choice that shows d ("" for a time set elsewhere,
// which is kept while no other is chosen).
func settleLabel(d time.Duration) string {
	if d == watch.DefaultSettle {
		d = 0
	}
	for _, c := range settleChoices {
		if c.d == d {
			return c.label
		}
	}
	return ""
}

// watchView is Settings' watch-folders section: each folder with its
// destinations, its metadata template and where published videos go. It
// is saved with the other settings; the watchers then start again.
type watchView struct {
	ui      *UI
	path    *widget.Entry // the folder to add
	list    *fyne.Container
	rows    []*watchRow
	content fyne.CanvasObject
}

// watchRow is one folder's card.
type watchRow struct {
	path                  string
	dests                 *widget.CheckGroup // none ticked: the default destinations
	title, desc, moveDone *widget.Entry
	settle                *widget.Select
	settleWas             time.Duration // the stored settle time, kept if none is chosen
	status                *widget.Label // what its watcher did, and its problems
	card                  fyne.CanvasObject

	done     string            // the last video queued or moved, in words
	problems map[string]string // video (or folder) -> its problems, until it is queued
}

func newWatchView(ui *UI, folders []persist.WatchFolder) *watchView {
	v := &watchView{ui: ui, list: container.NewVBox()}
	v.path = widget.NewEntry()
	v.path.SetPlaceHolder("a folder the recorder or editor writes finished videos into")
	browse := widget.NewButtonWithIcon("Browse…", theme.FolderOpenIcon(), func() {
		d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
			if err == nil && l != nil {
				v.path.SetText(l.Path())
			}
		}, ui.win)
		d.Resize(fyne.NewSize(760, 520))
		d.Show()
	})
	add := widget.NewButtonWithIcon("Add folder", theme.ContentAddIcon(), v.add)
	for _, f := range folders {
		v.addRow(f)
	}
	note := widget.NewLabel("A video written into a watch folder (or below it) is published by itself once it has stopped changing, " +
		"with the title and poster of its sidecar (VIDEO.json), else of its row in the folder's manifest.csv, else of the template " +
		"({filename}, {dirname}, {date}); its poster is VIDEO.jpg or .png beside it, else a frame taken with ffmpeg. " +
		"Watch folders are watched while GJW Uploader is open; each file is published once.")
	note.Wrapping = fyne.TextWrapWord
	note.SizeName = theme.SizeNameCaptionText
	v.content = widget.NewCard("Watch folders", "", container.NewVBox(v.list,
		container.NewBorder(nil, nil, nil, container.NewHBox(browse, add), v.path), note))
	return v
}

// add adds the folder typed (or browsed to) as a new card.
func (v *watchView) add() {
	p := strings.TrimSpace(v.path.Text)
	if p == "" {
		v.ui.prefs.say(widget.DangerImportance, "Type or browse to the folder to watch first.")
		return
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
		v.ui.prefs.say(widget.DangerImportance, fmt.Sprintf("%s is not a folder: create it, or choose another.", p))
		return
	}
	for _, r := range v.rows {
		if r.path == p {
			v.ui.prefs.say(widget.WarningImportance, p+" is watched already.")
			return
		}
	}
	v.addRow(persist.WatchFolder{Path: p})
	v.path.SetText("")
	v.ui.prefs.say(widget.MediumImportance, "Folder added: choose its destinations and template, then save.")
}

func (v *watchView) addRow(f persist.WatchFolder) {
	r := &watchRow{path: f.Path, settleWas: f.Settle, problems: map[string]string{}}
	entry := func(text, placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		e.SetText(text)
		return e
	}
	r.title = entry(f.Template.Title, batch.DefaultTitle)
	r.desc = entry(f.Template.Description, "(none)")
	r.moveDone = entry(f.MoveDone, "leave published videos where they are")
	r.dests = widget.NewCheckGroup(nil, nil)
	r.dests.Horizontal = true
	v.offer(r, f.Destinations)
	var settles []string
	for _, c := range settleChoices {
		settles = append(settles, c.label)
	}
	r.settle = widget.NewSelect(settles, nil)
	r.settle.SetSelected(settleLabel(f.Settle))
	r.status = widget.NewLabel("")
	r.status.Wrapping = fyne.TextWrapWord
	r.status.SizeName = theme.SizeNameCaptionText
	r.status.Hide()
	remove := widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() { v.remove(r) })
	r.card = widget.NewCard("", "", container.NewVBox(
		container.NewBorder(nil, nil, widget.NewIcon(theme.FolderIcon()), remove, widget.NewLabel(f.Path)),
		widget.NewForm(
			&widget.FormItem{Text: "Destinations", Widget: r.dests, HintText: "none ticked: the default destinations"},
			widget.NewFormItem("Title", r.title),
			widget.NewFormItem("Description", r.desc),
			widget.NewFormItem("Move published to", r.moveDone),
			&widget.FormItem{Text: "Upload once unchanged for", Widget: r.settle,
				HintText: "how long a file must stay unchanged before it is uploaded: longer for copies from a slow disk or network share"},
		), r.status))
	v.rows = append(v.rows, r)
	v.list.Add(r.card)
}

func (v *watchView) remove(r *watchRow) {
	v.rows = slices.DeleteFunc(v.rows, func(x *watchRow) bool { return x == r })
	v.list.Remove(r.card)
	v.ui.prefs.say(widget.MediumImportance, "Folder removed: save to stop watching it.")
}

// offer shows every account in r's destinations, ticking ticked.
func (v *watchView) offer(r *watchRow, ticked []string) {
	accts, _ := v.ui.deps.Accounts.List()
	var names []string
	for _, a := range accts {
		names = append(names, a.Name)
	}
	r.dests.Options = names
	r.dests.SetSelected(ticked)
}

// loadDests offers accounts added since (the tab was shown again).
func (v *watchView) loadDests() {
	for _, r := range v.rows {
		v.offer(r, r.dests.Selected)
	}
}

// folders are the cards as settings, or the first mistake in one line.
func (v *watchView) folders() ([]persist.WatchFolder, error) {
	out := []persist.WatchFolder{}
	for _, r := range v.rows {
		f := persist.WatchFolder{Path: r.path, Destinations: slices.Clone(r.dests.Selected),
			Template: persist.MetaTemplate{Title: strings.TrimSpace(r.title.Text), Description: r.desc.Text},
			MoveDone: strings.TrimSpace(r.moveDone.Text), Settle: r.settleWas}
		for _, c := range settleChoices {
			if c.label == r.settle.Selected {
				f.Settle = c.d
			}
		}
		if err := batch.CheckTemplate("Title", f.Template.Title); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		if err := batch.CheckTemplate("Description", f.Template.Description); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		if f.MoveDone != "" && filepath.Clean(f.MoveDone) == filepath.Clean(f.Path) {
			return nil, fmt.Errorf("%s: published videos cannot move into the folder itself: choose another folder, or none", f.Path)
		}
		out = append(out, f)
	}
	return out, nil
}

// event shows on folder's card what its watcher did: the last video it
// queued or moved, and the problems still standing (UI goroutine).
func (v *watchView) event(folder string, ev watch.Event) {
	i := slices.IndexFunc(v.rows, func(r *watchRow) bool { return r.path == folder })
	if i < 0 {
		return
	}
	r := v.rows[i]
	name := filepath.Base(ev.Path)
	switch ev.Kind {
	case watch.Queued:
		r.done = fmt.Sprintf("Queued %s as %q.", name, ev.Job.Meta.Title)
		delete(r.problems, ev.Path)
	case watch.Moved:
		r.done = fmt.Sprintf("Published %s and moved it to %s.", name, filepath.Dir(ev.To))
	case watch.Problem:
		r.problems[ev.Path] = ev.Err.Error()
	}
	lines := []string{r.done}
	for _, p := range slices.Sorted(maps.Keys(r.problems)) {
		lines = append(lines, r.problems[p])
	}
	r.status.Importance = widget.SuccessImportance
	if len(r.problems) > 0 {
		r.status.Importance = widget.WarningImportance
	}
	r.status.SetText(strings.TrimSpace(strings.Join(lines, "\n")))
	r.status.Show()
}

// watchers runs one watcher per watch folder while the app is open (UI
// goroutine only, but for wg).
type watchers struct {
	cancel context.CancelFunc // of the watchers running now
	wg     sync.WaitGroup     // every watcher goroutine, for Close
}

// startWatchers starts a watcher for each folder, with the settings'
// defaults as they are now; the ones running before are told to stop
// (without waiting: the UI never blocks on them).
func (u *UI) startWatchers(folders []persist.WatchFolder) {
	if u.watch.cancel != nil {
		u.watch.cancel()
	}
	ctx, cancel := context.WithCancel(u.ctx)
	u.watch.cancel = cancel
	posters := ""
	if u.deps.DataDir != "" {
		posters = filepath.Join(u.deps.DataDir, "posters")
	}
	for _, f := range folders {
		r := &batch.Resolver{Accounts: u.deps.Accounts, Destinations: f.Destinations, Template: f.Template,
			Defaults: u.settings.Defaults, CategoryNames: u.settings.CategoryNames, PosterDir: posters}
		o := watch.Options{Dir: f.Path, Settle: cmp.Or(f.Settle, watchSettle), MoveDone: f.MoveDone, Engine: u.deps.Engine,
			Resolver: r, Store: u.deps.DB, OnEvent: func(ev watch.Event) { u.do(func() { u.watchEvent(f.Path, ev) }) }}
		u.watch.wg.Add(1)
		go func() {
			defer u.watch.wg.Done()
			if err := watch.Run(ctx, o); err != nil {
				u.do(func() { u.watchEvent(f.Path, watch.Event{Kind: watch.Problem, Path: f.Path, Err: err}) })
			}
		}()
	}
}

// watchEvent shows what a watcher did: on its card, and a problem above
// the queue too (UI goroutine).
func (u *UI) watchEvent(folder string, ev watch.Event) {
	u.prefs.watch.event(folder, ev)
	if ev.Kind == watch.Problem {
		lines := strings.Split(ev.Err.Error(), "\n")
		msg := "Watch folder: " + lines[0]
		if len(lines) > 1 {
			msg += fmt.Sprintf(" (and %d more: see Settings)", len(lines)-1)
		}
		u.uploads.say(widget.WarningImportance, msg)
		fyne.LogError("watch folder "+folder, ev.Err)
	}
}
