package gui

import (
	"fmt"
	"image/color"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
)

// posterSize is the row's poster thumbnail (16:9).
var posterSize = fyne.NewSize(112, 63)

// rowView is the list's template for one upload: poster, title, state,
// progress and the actions that apply to the job's state.
type rowView struct {
	widget.BaseWidget
	u  *uploadsView
	id string

	poster     *canvas.Image
	posterBg   *canvas.Rectangle
	posterNote *widget.Label
	pickPoster *widget.Button

	title  *widget.Label
	status *widget.Label
	bar    *widget.ProgressBar
	detail *widget.Label

	up, down, pause, resume, retry, cancel, copyLink, open, remove *widget.Button

	root fyne.CanvasObject
}

func newRowView(u *uploadsView) *rowView {
	rv := &rowView{u: u}
	rv.poster = canvas.NewImageFromImage(noPoster)
	rv.poster.FillMode = canvas.ImageFillContain
	rv.poster.ScaleMode = canvas.ImageScaleFastest
	rv.posterBg = canvas.NewRectangle(color.NRGBA{0x80, 0x80, 0x80, 0x30})
	rv.posterBg.CornerRadius = 4
	rv.posterNote = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	rv.posterNote.SizeName = theme.SizeNameCaptionText
	rv.pickPoster = widget.NewButton("Choose poster…", func() { u.choosePoster(rv.id) })
	rv.pickPoster.Importance = widget.WarningImportance
	posterBox := container.NewGridWrap(posterSize,
		container.NewStack(rv.posterBg, rv.poster, container.NewCenter(rv.posterNote), container.NewCenter(rv.pickPoster)))

	rv.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	rv.title.Truncation = fyne.TextTruncateEllipsis
	// The two lines that change with every tick are cut to length here
	// rather than by the label: a truncating label shapes its text again on
	// every change, which made a tick across a long queue cost milliseconds.
	rv.status = widget.NewLabel("")
	rv.status.SizeName = theme.SizeNameCaptionText
	rv.bar = widget.NewProgressBar()
	rv.detail = widget.NewLabel("")
	rv.detail.SizeName = theme.SizeNameCaptionText

	btn := func(label string, icon fyne.Resource, fn func(string)) *widget.Button {
		b := widget.NewButtonWithIcon(label, icon, func() { fn(rv.id) })
		return b
	}
	rv.up = btn("", theme.MoveUpIcon(), u.moveUp)
	rv.down = btn("", theme.MoveDownIcon(), u.moveDown)
	rv.pause = btn("Pause", theme.MediaPauseIcon(), u.pause)
	rv.resume = btn("Resume", theme.MediaPlayIcon(), u.resume)
	rv.retry = btn("Retry", theme.ViewRefreshIcon(), u.retry)
	rv.retry.Importance = widget.HighImportance
	rv.cancel = btn("Cancel", theme.CancelIcon(), u.cancel)
	rv.copyLink = btn("Copy link", theme.ContentCopyIcon(), u.copyLink)
	rv.open = btn("Open", theme.ComputerIcon(), u.open)
	rv.remove = btn("", theme.DeleteIcon(), u.remove)
	actions := container.NewHBox(rv.up, rv.down, rv.pause, rv.resume, rv.retry, rv.copyLink, rv.open, rv.cancel, rv.remove)
	for _, b := range actions.Objects {
		b.Hide() // set shows the ones that apply; hidden, they do not widen the list's minimum
	}

	text := container.New(layout.NewCustomPaddedVBoxLayout(0), rv.title, rv.status, rv.bar, rv.detail)
	rv.root = container.NewBorder(nil, nil, container.NewCenter(posterBox), container.NewCenter(actions), text)
	rv.ExtendBaseWidget(rv)
	return rv
}

func (rv *rowView) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(rv.root) }

// set shows row r at list index i. It runs on the UI goroutine, for visible
// rows only.
func (rv *rowView) set(i int, r *row) {
	j := r.job
	rv.id = j.ID
	setText(rv.title, j.Meta.Title)

	// Poster: the picked or extracted image, a note while ffmpeg works, or a
	// prompt to pick one.
	img := rv.u.posters.get(j.ThumbnailPath)
	loaded := img != nil
	if img == nil {
		img = noPoster
	}
	if rv.poster.Image != img {
		rv.poster.Image = img
		rv.poster.Refresh()
	}
	note := ""
	switch {
	case j.ThumbnailPath != "" && !loaded:
		note = "loading…"
	case j.ThumbnailPath == "" && r.framing:
		note = "taking a frame…"
	}
	setText(rv.posterNote, note)
	show(rv.pickPoster, j.ThumbnailPath == "" && !r.framing && core.Unfinished(j))

	status, detail, imp := describe(rv.u, i, r)
	if rv.status.Importance != imp {
		rv.status.Importance = imp
		rv.status.Refresh()
	}
	setText(rv.status, clip(status, 72))
	setText(rv.detail, clip(detail, 96))
	v := progressValue(r)
	if rv.bar.Value != v {
		rv.bar.SetValue(v)
	}
	show(rv.bar, j.State != core.StateCanceled)

	notStarted := j.State == core.StateQueued && j.Step == core.StepToken
	show(rv.up, notStarted && i > 0)
	show(rv.down, notStarted && i < len(rv.u.rows)-1)
	show(rv.pause, j.State == core.StateRunning || j.State == core.StateQueued || (j.State == core.StateWaiting && !needsPoster(j.Error)))
	show(rv.resume, j.State == core.StatePaused)
	show(rv.retry, j.State == core.StateFailed)
	show(rv.cancel, core.Unfinished(j))
	show(rv.copyLink, j.State == core.StateDone)
	show(rv.open, j.State == core.StateDone)
	show(rv.remove, !core.Unfinished(j))
}

// describe is a row's state line, detail line and colour.
func describe(u *uploadsView, i int, r *row) (status, detail string, imp widget.Importance) {
	j := r.job
	step := stepLabel(j.Step)
	switch j.State {
	case core.StateQueued:
		status = "Queued"
		if j.Step != core.StepToken {
			status = "Queued · resumes at " + step
		}
		detail = fmt.Sprintf("Number %d in line", u.linePosition(i))
		if j.Step == core.StepUpload && j.Offset > 0 {
			detail += " · " + formatBytes(j.Offset) + " of " + formatBytes(j.Size) + " already sent"
		}
	case core.StateRunning:
		status, imp = "Uploading · "+step, widget.HighImportance
		switch j.Step {
		case core.StepUpload:
			detail = formatBytes(r.sent) + " of " + formatBytes(j.Size)
			if r.retryIn > 0 {
				detail += fmt.Sprintf(" · connection problem, retrying in %d s", int(r.retryIn.Seconds()+0.99))
			} else {
				for _, s := range []string{formatSpeed(r.speed), formatETA(r.eta)} {
					if s != "" {
						detail += " · " + s
					}
				}
			}
		case core.StepProcessing:
			detail = fmt.Sprintf("Gan Jing World is processing the video: %d%%", j.ProcessingPercent)
		case core.StepFinalize:
			detail = "Publishing…"
		default:
			detail = formatBytes(j.Size) + " to send"
		}
	case core.StatePaused:
		status, imp = "Paused · at "+step, widget.WarningImportance
		detail = "Resume to continue where it stopped"
		if j.Offset > 0 && j.Offset < j.Size {
			detail = formatBytes(j.Offset) + " of " + formatBytes(j.Size) + " sent · resume to continue"
		}
	case core.StateWaiting:
		status, imp = "Waiting · "+step, widget.WarningImportance
		detail = explain(nil, j.Error)
		if needsPoster(j.Error) && r.framing {
			detail = "Taking a poster frame with ffmpeg…"
		}
	case core.StateFailed:
		status, imp = "Failed · "+step, widget.DangerImportance
		detail = explain(r.err, j.Error)
	case core.StateCanceled:
		status, imp = "Canceled", widget.LowImportance
		detail = "Stopped for good; remove it from the list when you like"
	case core.StateDone:
		status, imp = "Published", widget.SuccessImportance
		detail = core.VideoURL(j.ContentID)
		if j.MetaDirty {
			detail += " · changes not yet sent"
		}
	}
	return status, detail, imp
}

// linePosition is a queued row's place among the queued rows (1-based).
func (u *uploadsView) linePosition(i int) int {
	n := 1
	for k := 0; k < i && k < len(u.rows); k++ {
		if u.rows[k].job.State == core.StateQueued {
			n++
		}
	}
	return n
}

// progressValue is the bar: bytes while uploading, the platform's
// percentage while processing, full when published.
func progressValue(r *row) float64 {
	j := r.job
	switch {
	case j.State == core.StateDone || j.Step == core.StepDone || j.Step == core.StepFinalize:
		return 1
	case j.Step == core.StepProcessing:
		return float64(j.ProcessingPercent) / 100
	case j.Step == core.StepUpload && j.Size > 0:
		return float64(max(r.sent, j.Offset)) / float64(j.Size)
	}
	return 0
}

// clip shortens s to at most n characters, ending in "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " ·,;:") + "…"
}

func setText(l *widget.Label, s string) {
	if l.Text != s {
		l.SetText(s)
	}
}

func show(o fyne.CanvasObject, visible bool) {
	if visible && !o.Visible() {
		o.Show()
	} else if !visible && o.Visible() {
		o.Hide()
	}
}
