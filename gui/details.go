package gui

import (
	"context"
	"fmt"
	"image"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/catfield"
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
	category  *catfield.Field   // Gan Jing World's
	loaded    persist.VideoMeta // the job's metadata when the form was filled
	lang      *widget.SelectEntry
	vis       *widget.RadioGroup
	kids      *widget.Check
	// frames are the poster frames offered (10 %, 50 %, 90 % in), taken
	// with ffmpeg when a job is first shown; framesOf keeps them by job.
	frames    []*frameChoice
	frameNote *widget.Label
	framesOf  map[string][]string
	taking    map[string]bool
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
	d := &detailsPanel{u: u, framesOf: map[string][]string{}, taking: map[string]bool{}}
	d.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.heading.Truncation = fyne.TextTruncateEllipsis
	d.state = widget.NewLabel("")
	d.state.Wrapping = fyne.TextWrapWord
	d.tech = newTechnical()
	d.poster = canvas.NewImageFromImage(noPoster)
	d.poster.FillMode = canvas.ImageFillContain
	d.poster.SetMinSize(fyne.NewSize(192, 108))
	choose := widget.NewButtonWithIcon("Choose file…", theme.FileImageIcon(), d.choosePoster)
	frameBox := container.NewHBox()
	for range 3 {
		f := newFrameChoice(d)
		d.frames = append(d.frames, f)
		frameBox.Add(f.box)
	}
	d.frameNote = widget.NewLabel("")
	d.frameNote.SizeName = theme.SizeNameCaptionText
	d.frameNote.Alignment = fyne.TextAlignCenter

	d.title = widget.NewEntry()
	d.title.SetPlaceHolder("Title shown on Gan Jing World")
	d.desc = widget.NewMultiLineEntry()
	d.desc.SetPlaceHolder("What the video is about")
	d.desc.Wrapping = fyne.TextWrapWord
	d.desc.SetMinRowsVisible(4)
	d.category = catfield.New(gjw.DefaultCategory)
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
	d.link.OnTapped = func() { u.ui.openURL(d.link.Text) } // says so when no browser opens
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
		container.NewCenter(d.poster),
		container.NewCenter(frameBox), container.NewCenter(choose), // on two lines: one is wider than the panel
		d.frameNote,
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
	d.category.SetNames(d.u.ui.categoryNames())
	d.category.SetID(j.Meta.Extra(gjw.Platform, gjw.CategoryField))
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
	d.showFrames(j)
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
	if d.id == "" {
		return
	}
	if path == d.posterFor {
		d.setPoster(path)
	}
	for _, f := range d.frames {
		if f.path == path {
			f.set(path)
		}
	}
}

// choose makes path the poster in the form (saved with Save).
func (d *detailsPanel) choose(path string) {
	if d.id == "" {
		return
	}
	d.newPoster = path
	d.setPoster(path)
	d.result.Importance = widget.MediumImportance
	d.result.SetText("New poster chosen: save to use it.")
}

// showFrames offers the job's poster frames, taking them with ffmpeg the
// first time (off the UI goroutine).
func (d *detailsPanel) showFrames(j persist.Job) {
	paths, ok := d.framesOf[j.ID]
	switch {
	case ok:
		d.frameNote.SetText("")
		if len(paths) == 0 {
			d.frameNote.SetText("No frames could be taken of this video: choose a file.")
		}
	case j.State == core.StateCanceled:
		d.frameNote.SetText("")
	case d.taking[j.ID]:
		d.frameNote.SetText("Taking frames of the video…")
	default:
		if _, err := findFFmpeg(); err != nil {
			d.frameNote.SetText("Install ffmpeg to pick a frame of the video; or choose a file.")
			break
		}
		d.frameNote.SetText("Taking frames of the video…")
		d.taking[j.ID] = true
		id, video := j.ID, j.VideoPath
		d.u.ui.goBackground(func(ctx context.Context) {
			dir, err := d.u.posterDir()
			var frames []string
			if err == nil {
				frames, err = takeFrames(ctx, dir, id, video)
			}
			d.u.ui.do(func() {
				delete(d.taking, id)
				if err != nil && ctx.Err() == nil {
					fyne.LogError("poster frames of "+video, err)
				}
				d.framesOf[id] = frames
				if d.id == id {
					if r := d.u.row(id); r != nil {
						d.showFrames(r.job)
					}
				}
			})
		})
	}
	for k, f := range d.frames {
		p := ""
		if k < len(paths) {
			p = paths[k]
		}
		f.set(p)
	}
}

// frameChoice is one poster frame offered in the details panel: tapping it
// makes it the poster in the form.
type frameChoice struct {
	path string
	btn  *widget.Button
	img  *canvas.Image
	box  *fyne.Container
	get  func(path string) image.Image // the poster cache
}

func newFrameChoice(d *detailsPanel) *frameChoice {
	f := &frameChoice{}
	f.img = canvas.NewImageFromImage(noPoster)
	f.img.FillMode = canvas.ImageFillContain
	f.img.SetMinSize(fyne.NewSize(96, 54))
	f.btn = widget.NewButton("", func() {
		if f.path != "" {
			d.choose(f.path)
		}
	})
	f.btn.Importance = widget.LowImportance
	f.box = container.NewStack(f.btn, container.NewPadded(f.img))
	f.box.Hide()
	f.get = d.u.posters.get
	return f
}

// set shows the frame at path ("" hides the choice).
func (f *frameChoice) set(path string) {
	f.path = path
	show(f.box, path != "")
	img := noPoster
	if path != "" {
		if got := f.get(path); got != nil {
			img = got
		}
	}
	if f.img.Image != img {
		f.img.Image = img
		f.img.Refresh()
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
	return gjw.WithCategory(m, d.category.ID())
}

func (d *detailsPanel) choosePoster() {
	if d.id == "" {
		return
	}
	id := d.id
	r := d.u.row(id)
	if r == nil {
		return
	}
	d.u.posterDialog(r.job.VideoPath, func(path string) {
		if d.id == id {
			d.choose(path)
		}
	})
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
	if err := d.category.Validate(); err != nil {
		d.result.Importance = widget.DangerImportance
		d.result.SetText("Category: " + err.Error())
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
