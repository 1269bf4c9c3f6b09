package gui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Languages offered for videos (any BCP 47 tag may be typed).
var languages = []string{"en-US", "zh-TW", "zh-CN", "ja-JP", "ko-KR", "es-ES", "fr-FR", "de-DE", "vi-VN", "pt-BR", "ru-RU", "id-ID"}

// detailsPanel edits the selected upload's metadata and poster, before,
// during or after the upload. The form is filled when a row is selected and
// is not overwritten by progress events, so typing is never disturbed.
type detailsPanel struct {
	u  *uploadsView
	id string

	heading   *widget.Label
	state     *widget.Label
	tech      *technical // why it failed or waits, technically, under Details
	poster    *canvas.Image
	posterFor string
	newPoster string
	title     *widget.Entry
	desc      *widget.Entry
	category  *widget.Entry     // Gan Jing World's
	loaded    persist.VideoMeta // the job's metadata when the form was filled
	lang      *widget.SelectEntry
	vis       *widget.RadioGroup
	kids      *widget.Check
	dests     *widget.CheckGroup // the accounts the video goes to
	filling   bool               // dests is being set from the job, not by the creator
	save      *widget.Button
	result    *widget.Label
	// toSend is set while result says saved changes go out when the
	// upload publishes: update replaces it once that is no longer true.
	toSend bool
	link   *widget.Hyperlink

	form    fyne.CanvasObject
	empty   fyne.CanvasObject
	content *fyne.Container
}

func newDetailsPanel(u *uploadsView) *detailsPanel {
	d := &detailsPanel{u: u}
	d.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.heading.Truncation = fyne.TextTruncateEllipsis
	d.state = widget.NewLabel("")
	d.state.Wrapping = fyne.TextWrapWord
	d.tech = newTechnical()
	d.poster = canvas.NewImageFromImage(noPoster)
	d.poster.FillMode = canvas.ImageFillContain
	d.poster.SetMinSize(fyne.NewSize(192, 108))
	choose := widget.NewButtonWithIcon("Choose poster…", theme.FileImageIcon(), d.choosePoster)

	d.title = widget.NewEntry()
	d.title.SetPlaceHolder("Title shown on Gan Jing World")
	d.desc = widget.NewMultiLineEntry()
	d.desc.SetPlaceHolder("What the video is about")
	d.desc.Wrapping = fyne.TextWrapWord
	d.desc.SetMinRowsVisible(4)
	d.category = widget.NewEntry()
	d.category.SetPlaceHolder(gjw.DefaultCategory)
	d.lang = widget.NewSelectEntry(languages)
	d.lang.SetPlaceHolder(core.DefaultVideoMeta.Lang)
	d.vis = widget.NewRadioGroup([]string{"public", "private"}, nil)
	d.vis.Horizontal = true
	d.vis.Required = true
	d.kids = widget.NewCheck("Made for kids", nil)
	d.dests = widget.NewCheckGroup(nil, d.destsChanged)
	d.dests.Horizontal = true
	d.save = widget.NewButtonWithIcon("Save changes", theme.DocumentSaveIcon(), d.doSave)
	d.save.Importance = widget.HighImportance
	d.result = widget.NewLabel("")
	d.result.Wrapping = fyne.TextWrapWord
	d.link = widget.NewHyperlink("", nil)
	d.link.Truncation = fyne.TextTruncateEllipsis
	d.link.Hide()

	form := widget.NewForm(
		widget.NewFormItem("Title", d.title),
		widget.NewFormItem("Description", d.desc),
		widget.NewFormItem("Category", d.category),
		widget.NewFormItem("Language", d.lang),
		widget.NewFormItem("Visibility", d.vis),
		widget.NewFormItem("", d.kids),
		widget.NewFormItem("Destinations", d.dests),
	)
	// Scrolling both ways, the panel asks the split for no width of its
	// own: a long link or a wide form never moves the split (a vertical
	// scroll would be as wide as its widest line).
	d.form = container.NewScroll(container.NewVBox(
		d.heading, d.state, d.tech.object(), d.link,
		container.NewBorder(nil, nil, nil, container.NewCenter(choose), container.NewCenter(d.poster)),
		form, d.save, d.result,
	))
	// Fixed lines: a word-wrapping label in a Center has no width to wrap
	// to and would ask for a window thousands of pixels tall.
	emptyText := widget.NewLabelWithStyle("Select an upload to edit its title,\ndescription, category, language,\nvisibility and poster — before,\nduring or after the upload.",
		fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	d.empty = container.NewCenter(emptyText)
	d.content = container.NewStack(d.empty, d.form)
	d.form.Hide()
	return d
}

// show fills the form from a row, or shows the hint for nil.
func (d *detailsPanel) show(r *row) {
	if r == nil {
		d.id = ""
		d.form.Hide()
		d.empty.Show()
		return
	}
	j := r.job
	d.id, d.newPoster = j.ID, ""
	d.loaded = j.Meta
	d.title.SetText(j.Meta.Title)
	d.desc.SetText(j.Meta.Description)
	d.category.SetText(j.Meta.Extra(gjw.Platform, gjw.CategoryField))
	d.lang.SetText(j.Meta.Lang)
	d.vis.SetSelected(j.Meta.Visibility)
	d.kids.SetChecked(j.Meta.MadeForKids)
	d.result.SetText("")
	d.toSend = false
	var names []string
	if accts, err := d.u.ui.deps.Accounts.List(); err == nil { // in memory: no disk read
		for _, a := range accts {
			names = append(names, a.Name)
		}
	}
	d.filling = true
	d.dests.Options = names
	d.dests.Refresh()
	d.filling = false
	d.update(r)
	d.empty.Hide()
	d.form.Show()
}

// update refreshes the read-only parts (state, link, poster, button label)
// when the selected job changes; the fields keep what the creator typed.
func (d *detailsPanel) update(r *row) {
	j := r.job
	setText(d.heading, j.Meta.Title)
	i := d.u.index[j.ID]
	status, detail, _ := describe(d.u, i, r)
	if len(j.Targets) > 1 { // a line per target
		var lines []string
		for _, t := range j.Targets {
			ts, td, _ := describeTarget(d.u, i, r, t)
			if td != "" {
				ts += " · " + td
			}
			lines = append(lines, t.Account+": "+ts)
		}
		detail = strings.Join(lines, "\n")
	}
	setText(d.state, status+"\n"+detail)
	if d.toSend && !core.Unfinished(j) && !unsent(j) {
		d.toSend = false
		if j.State == core.StateDone {
			d.result.SetText("Saved and published on Gan Jing World with these changes.")
		} else {
			d.result.SetText("")
		}
	}
	d.tech.set(technicalLines(r))
	label := "Save changes"
	if j.State == core.StateDone {
		if link := jobLink(j); d.link.Text != link {
			d.link.SetText(link)
			d.link.SetURLFromString(link)
		}
		label = "Save and update on Gan Jing World"
	}
	show(d.link, j.State == core.StateDone)
	if d.save.Text != label {
		d.save.SetText(label)
	}
	if d.newPoster == "" {
		d.setPoster(j.ThumbnailPath)
	}
	if accts := targetAccounts(j); strings.Join(accts, ",") != strings.Join(d.dests.Selected, ",") {
		d.filling = true
		d.dests.SetSelected(accts)
		d.filling = false
	}
	if (core.Unfinished(j) || j.State == core.StateDone) && d.result.Text != "Saving…" {
		if d.save.Disabled() {
			d.save.Enable()
		}
	} else if !d.save.Disabled() {
		d.save.Disable()
	}
}

func (d *detailsPanel) setPoster(path string) {
	d.posterFor = path
	img := d.u.posters.get(path)
	if img == nil {
		img = noPoster
	}
	if d.poster.Image != img {
		d.poster.Image = img
		d.poster.Refresh()
	}
}

func (d *detailsPanel) posterLoaded(path string) {
	if d.id != "" && path == d.posterFor {
		d.setPoster(path)
	}
}

// meta is the form's metadata (other platforms' extras kept as they are).
func (d *detailsPanel) meta() persist.VideoMeta {
	m := d.loaded
	m.Title = strings.TrimSpace(d.title.Text)
	m.Description = d.desc.Text
	m.Lang = strings.TrimSpace(d.lang.Text)
	m.Visibility = d.vis.Selected
	m.MadeForKids = d.kids.Checked
	return gjw.WithCategory(m, strings.TrimSpace(d.category.Text))
}

func (d *detailsPanel) choosePoster() {
	if d.id == "" {
		return
	}
	id := d.id
	fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil || d.id != id {
			return
		}
		rc.Close()
		d.newPoster = rc.URI().Path()
		d.setPoster(d.newPoster)
		d.result.SetText("New poster chosen: save to use it.")
	}, d.u.ui.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".jpg", ".jpeg", ".png", ".gif", ".webp", ".JPG", ".JPEG", ".PNG", ".WEBP"}))
	fd.Resize(fyne.NewSize(760, 520))
	fd.Show()
}

// destsChanged applies a change of destinations made by the creator: new
// accounts are added, unticked ones dropped if they have not started.
func (d *detailsPanel) destsChanged(selected []string) {
	if d.filling || d.id == "" {
		return
	}
	id, engine := d.id, d.u.ui.deps.Engine
	sel := append([]string(nil), selected...)
	d.u.ui.goBackground(func(context.Context) {
		j, err := engine.SetTargets(id, sel)
		d.u.ui.do(func() {
			if d.id != id {
				return
			}
			if err != nil {
				d.result.Importance = widget.DangerImportance
				d.result.SetText("Destinations not changed: " + err.Error())
				if i, ok := d.u.index[id]; ok {
					d.update(d.u.rows[i]) // back to the job's destinations
				}
				return
			}
			d.result.Importance = widget.SuccessImportance
			d.result.SetText(fmt.Sprintf("Goes to %s.", strings.Join(targetAccounts(j), ", ")))
		})
	})
}

// unsent reports whether a published target of j lacks the latest edit.
func unsent(j persist.Job) bool {
	for _, t := range j.Targets {
		if t.State == core.StateDone && t.SentRev < j.EditRev {
			return true
		}
	}
	return false
}

// technicalLines is the technical line of each target that failed or
// waits (with its account when the job has several), for Details.
func technicalLines(r *row) string {
	var lines []string
	for _, t := range r.job.Targets {
		if t.State != core.StateFailed && t.State != core.StateWaiting {
			continue
		}
		if _, tech := problem(r.transfer(t.Account).err, t); tech != "" {
			if len(r.job.Targets) > 1 {
				tech = t.Account + ": " + tech
			}
			lines = append(lines, tech)
		}
	}
	return strings.Join(lines, "\n")
}

// targetAccounts are the accounts of j's targets, in order.
func targetAccounts(j persist.Job) []string {
	names := make([]string, len(j.Targets))
	for i, t := range j.Targets {
		names[i] = t.Account
	}
	return names
}

// doSave sends the form (and a newly chosen poster) to the engine.
func (d *detailsPanel) doSave() {
	if d.id == "" {
		return
	}
	m := d.meta()
	if m.Title == "" {
		d.result.Importance = widget.DangerImportance
		d.result.SetText("Give the video a title.")
		return
	}
	d.result.Importance = widget.MediumImportance
	d.result.SetText("Saving…")
	d.save.Disable()
	d.u.edit(d.id, &m, d.newPoster)
}

// saved reports an edit's result (UI goroutine).
func (d *detailsPanel) saved(j persist.Job, err error) {
	d.save.Enable()
	if err != nil {
		d.result.Importance = widget.DangerImportance
		d.result.SetText("Not saved: " + err.Error())
		return
	}
	d.newPoster = ""
	d.result.Importance = widget.SuccessImportance
	d.toSend = false
	switch {
	case j.State == core.StateDone:
		d.result.SetText("Saved and updated on Gan Jing World.")
	case hasRemote(j):
		d.result.SetText("Saved; sent to Gan Jing World when the upload publishes.")
		d.toSend = true
	default:
		d.result.SetText("Saved.")
	}
}
