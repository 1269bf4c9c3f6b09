package gui

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/persist"
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

	title *widget.Label
	file  *widget.Label // file name, size, length
	// titleLine holds title and file (titleFileLayout).
	titleLine *fyne.Container
	status    *widget.Label
	bar       *widget.ProgressBar
	detail    *widget.Label

	up, down, pause, resume, retry, startOver, cancel, copyLink, open, remove *widget.Button

	// targets holds the lines of a cross-posted job's targets.
	targets *fyne.Container
	lines   []*targetLine

	highlight *canvas.Rectangle // a row just added

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
	rv.pickPoster = widget.NewButtonWithIcon("Poster…", theme.FileImageIcon(), func() { u.choosePoster(rv.id) })
	rv.pickPoster.Importance = widget.WarningImportance
	posterBox := container.NewGridWrap(posterSize,
		container.NewStack(rv.posterBg, rv.poster, container.NewCenter(rv.posterNote), container.NewCenter(rv.pickPoster)))

	rv.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	rv.title.Truncation = fyne.TextTruncateEllipsis
	rv.file = widget.NewLabel("")
	rv.file.SizeName = theme.SizeNameCaptionText
	rv.file.Truncation = fyne.TextTruncateEllipsis
	rv.titleLine = container.New(titleFileLayout{}, rv.title, rv.file)
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
	rv.startOver = btn("Start over…", theme.MediaReplayIcon(), func(id string) { u.startOver(id, "") })
	rv.cancel = btn("Cancel", theme.CancelIcon(), u.cancel)
	rv.copyLink = btn("Copy link", theme.ContentCopyIcon(), u.copyLink)
	rv.open = btn("Open", theme.ComputerIcon(), u.open)
	rv.remove = btn("", theme.DeleteIcon(), u.remove)
	actions := container.NewHBox(rv.up, rv.down, rv.pause, rv.resume, rv.retry, rv.startOver, rv.copyLink, rv.open, rv.cancel, rv.remove)
	for _, b := range actions.Objects {
		b.Hide() // set shows the ones that apply; hidden, they do not widen the list's minimum
	}

	rv.targets = container.New(layout.NewCustomPaddedVBoxLayout(0))
	rv.targets.Hide()
	text := container.New(layout.NewCustomPaddedVBoxLayout(0), rv.titleLine,
		container.NewThemeOverride(rv.status, readableTheme{}), rv.bar, rv.detail, rv.targets)
	rv.highlight = canvas.NewRectangle(color.Transparent)
	rv.highlight.CornerRadius = theme.SelectionRadiusSize()
	rv.highlight.Hide()
	rv.root = container.NewStack(rv.highlight,
		container.NewBorder(nil, nil, container.NewCenter(posterBox), container.NewCenter(actions), text))
	rv.ExtendBaseWidget(rv)
	return rv
}

func (rv *rowView) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(rv.root) }

// set shows row r at list index i. It runs on the UI goroutine, for visible
// rows only.
func (rv *rowView) set(i int, r *row) {
	j := r.job
	rv.id = j.ID
	titleWas, fileWas := rv.title.Text, rv.file.Text
	setText(rv.title, j.Meta.Title)
	if r.fresh {
		rv.highlight.FillColor = withAlpha(theme.Color(theme.ColorNamePrimary), 0x38)
	}
	show(rv.highlight, r.fresh)
	setText(rv.file, fileLine(j, rv.u.lengths.get(j.VideoPath)))
	if rv.title.Text != titleWas || rv.file.Text != fileWas {
		rv.titleLine.Refresh() // the split between them follows their lengths
	}

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
	show(rv.pickPoster, (j.ThumbnailPath == "" && !r.framing && core.Unfinished(j)) || anyFailedFor(j, dest.ReasonPosterRefused))

	status, detail, imp := describe(rv.u, i, r)
	if rv.status.Importance != imp {
		rv.status.Importance = imp
		rv.status.Refresh()
	}
	setText(rv.status, clip(status, 72))
	setText(rv.detail, clip(detail, 96))
	v := progressValue(rv.u.steps, r)
	if rv.bar.Value != v {
		rv.bar.SetValue(v)
	}
	show(rv.bar, j.State != core.StateCanceled)
	multi := len(j.Targets) > 1
	show(rv.detail, !multi)
	rv.setTargets(i, r, multi)

	notStarted := core.NotStarted(j)
	show(rv.up, notStarted && i > 0)
	show(rv.down, notStarted && i < len(rv.u.rows)-1)
	pausable := false
	for _, t := range j.Targets {
		pausable = pausable || canPause(t)
	}
	show(rv.pause, pausable)
	show(rv.resume, j.State == core.StatePaused)
	show(rv.retry, j.State == core.StateFailed)
	show(rv.startOver, j.State == core.StateFailed && !multi)
	show(rv.cancel, core.Unfinished(j))
	show(rv.copyLink, j.State == core.StateDone)
	show(rv.open, j.State == core.StateDone)
	show(rv.remove, !core.Unfinished(j))
}

// canPause reports whether target t can be paused: it runs, waits in line,
// or waits for a session (a target waiting for a poster waits for the
// creator already).
func canPause(t persist.Target) bool {
	return t.State == core.StateRunning || t.State == core.StateQueued ||
		(t.State == core.StateWaiting && !waitsFor(t, dest.ReasonNeedPoster))
}

// describe is a row's state line, detail line and colour: its target's,
// for a job with one target; a summary of the targets (each has a line of
// its own) for a cross-posted one.
func describe(u *uploadsView, i int, r *row) (status, detail string, imp widget.Importance) {
	j := r.job
	switch len(j.Targets) {
	case 0:
		return "", "", widget.MediumImportance
	case 1:
		return describeTarget(u, i, r, j.Targets[0])
	}
	done := 0
	for _, t := range j.Targets {
		if t.State == core.StateDone {
			done++
		}
	}
	word, imp := stateWord(j.State)
	status = fmt.Sprintf("%s · %d of %d destinations published", word, done, len(j.Targets))
	if j.State == core.StateCanceled {
		status = word
	}
	return status, "", imp
}

// stateWord is how a row names a state, and its colour.
func stateWord(state string) (string, widget.Importance) {
	switch state {
	case core.StateQueued:
		return "Queued", widget.MediumImportance
	case core.StateRunning:
		return "Uploading", widget.HighImportance
	case core.StatePaused:
		return "Paused", widget.WarningImportance
	case core.StateWaiting:
		return "Waiting", widget.WarningImportance
	case core.StateFailed:
		return "Failed", widget.DangerImportance
	case core.StateCanceled:
		return "Canceled", widget.LowImportance
	case core.StateDone:
		return "Published", widget.SuccessImportance
	}
	return state, widget.MediumImportance
}

// describeTarget is one target's state line, detail line and colour.
func describeTarget(u *uploadsView, i int, r *row, t persist.Target) (status, detail string, imp widget.Importance) {
	j := r.job
	tr := r.transfer(t.Account)
	step := u.steps.label(t)
	ph := u.steps.phase(t)
	if u.ui.inLineForSignIn(t) {
		return "Waiting for sign-in", u.ui.signInText(t), widget.WarningImportance
	}
	switch t.State {
	case core.StateQueued:
		status = "Queued"
		if first, _ := u.steps.step(t.Platform, ""); t.Step != "" && t.Step != first.ID {
			status = "Queued · resumes at " + step
		}
		detail = fmt.Sprintf("Number %d in line", u.linePosition(i))
		if ph == phaseTransfer && t.Offset > 0 {
			detail += " · " + formatBytes(t.Offset) + " of " + formatBytes(j.Size) + " already sent"
		}
	case core.StateRunning:
		status, imp = "Uploading · "+step, widget.HighImportance
		if tr.reconnecting && tr.retryIn > 0 {
			status, imp = "Reconnecting · "+step, widget.WarningImportance
		}
		switch ph {
		case phaseTransfer:
			detail = formatBytes(tr.sent) + " of " + formatBytes(j.Size)
			if tr.retryIn > 0 {
				detail += " · " + retryWords(t.Platform, tr.err, tr.retryIn)
			} else {
				for _, s := range []string{formatSpeed(tr.speed), formatETA(tr.eta)} {
					if s != "" {
						detail += " · " + s
					}
				}
			}
		case phaseProcessing:
			detail = fmt.Sprintf("%s is processing the video: %d%%", platformName(t.Platform), t.ProcessingPercent)
		case phaseFinal:
			detail = "Publishing…"
		default:
			detail = formatBytes(j.Size) + " to send"
			if j.Size > 0 && t.Offset >= j.Size { // a step after the upload
				detail = formatBytes(j.Size) + " sent"
			}
		}
		if tr.retryIn > 0 && ph != phaseTransfer {
			detail = retryWords(t.Platform, tr.err, tr.retryIn)
		}
	case core.StatePaused:
		status, imp = "Paused · at "+step, widget.WarningImportance
		detail = "Resume to continue where it stopped"
		if t.Offset > 0 && t.Offset < j.Size {
			detail = formatBytes(t.Offset) + " of " + formatBytes(j.Size) + " sent · resume to continue"
		}
	case core.StateWaiting:
		status, imp = "Waiting · "+step, widget.WarningImportance
		detail = explain(nil, t)
		if waitsFor(t, dest.ReasonOffline) {
			status = "Reconnecting · " + step // explain says it goes on by itself
		}
		if waitsFor(t, dest.ReasonSignedOut) {
			detail = u.ui.signInText(t)
		}
		if waitsFor(t, dest.ReasonNeedPoster) && r.framing {
			detail = "Taking a poster frame with ffmpeg…"
		}
	case core.StateFailed:
		status, imp = "Failed · "+step, widget.DangerImportance
		detail = explain(tr.err, t)
	case core.StateCanceled:
		status, imp = "Canceled", widget.LowImportance
		detail = "Stopped for good; remove it from the list when you like"
	case core.StateDone:
		status, imp = "Published", widget.SuccessImportance
		detail = targetLink(t)
		if t.SentRev < j.EditRev {
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

// progressValue is the bar: the mean of the targets' progress (canceled
// ones aside).
func progressValue(steps *stepBook, r *row) float64 {
	sum, n := 0.0, 0
	for _, t := range r.job.Targets {
		if t.State == core.StateCanceled && len(r.job.Targets) > 1 {
			continue
		}
		sum += targetProgress(steps, r, t)
		n++
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// targetProgress is the platform's percentage while it processes the
// video, full when publishing or published, and otherwise the bytes the
// platform holds: while uploading, in the steps after the upload, and when
// stopped (a target that failed after sending every byte shows them all).
func targetProgress(steps *stepBook, r *row, t persist.Target) float64 {
	switch steps.phase(t) {
	case phaseFinal:
		return 1
	case phaseProcessing:
		if t.State == core.StateRunning || t.State == core.StateQueued {
			return float64(t.ProcessingPercent) / 100
		}
	}
	if r.job.Size > 0 {
		return float64(min(max(r.transfer(t.Account).sent, t.Offset), r.job.Size)) / float64(r.job.Size)
	}
	return 0
}

// fileLine tells rows with the same title apart: the file's size, how
// long it plays (once ffprobe has measured it) and its name, last, as it
// is what a narrow row cuts.
func fileLine(j persist.Job, length time.Duration) string {
	line := formatBytes(j.Size)
	if length > 0 {
		line += " · " + formatLength(length)
	}
	return line + " · " + clip(filepath.Base(j.VideoPath), 40)
}

// titleFileLayout lays out a row's title and file line on one line: the
// title first, whole when it fits, then the file line at the right end in
// what is left; when both do not fit, the file line keeps at most 40 % of
// the width (and no more than it needs), and each is cut with an ellipsis.
type titleFileLayout struct{}

// natural is the width a label needs to show its whole text. The text's
// width is rounded up to a whole pixel: Fyne cuts a label's text to the
// room it has rounded down, so "clip 01" given exactly its 52.3 px was
// drawn "clip …".
func natural(l *widget.Label) float32 {
	if l.Text == "" {
		return 0
	}
	size := theme.TextSize()
	if l.SizeName != "" {
		size = theme.Size(l.SizeName)
	}
	return float32(math.Ceil(float64(fyne.MeasureText(l.Text, size, l.TextStyle).Width))) + 2*theme.InnerPadding()
}

func (titleFileLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	title, file := objs[0].(*widget.Label), objs[1].(*widget.Label)
	tw, fw := natural(title), natural(file)
	if tw+fw > size.Width {
		fw = min(fw, max(size.Width-tw, 0.4*size.Width))
		tw = size.Width - fw
	}
	title.Move(fyne.NewPos(0, 0))
	title.Resize(fyne.NewSize(tw, size.Height))
	file.Move(fyne.NewPos(size.Width-fw, 0))
	file.Resize(fyne.NewSize(fw, size.Height))
}

func (titleFileLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(objs[0].MinSize().Width+objs[1].MinSize().Width, max(objs[0].MinSize().Height, objs[1].MinSize().Height))
}

// withAlpha is c with alpha a.
func withAlpha(c color.Color, a uint8) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = a
	return n
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

// targetLine is one target of a cross-posted job in its row: account,
// state and step above, progress or link below, and the target's own
// actions.
type targetLine struct {
	account                                           string
	text, detail                                      *widget.Label
	pause, resume, retry, startOver, cancel, copyLink *widget.Button
	root                                              *fyne.Container
}

func newTargetLine(rv *rowView) *targetLine {
	l := &targetLine{}
	label := func() *widget.Label {
		t := widget.NewLabel("")
		t.SizeName = theme.SizeNameCaptionText
		// Truncated by the label, to the room the buttons leave (a
		// cross-post's lines are few, so shaping them on a tick is cheap).
		t.Truncation = fyne.TextTruncateEllipsis
		return t
	}
	l.text, l.detail = label(), label()
	btn := func(icon fyne.Resource, fn func(id, account string)) *widget.Button {
		b := widget.NewButtonWithIcon("", icon, func() { fn(rv.id, l.account) })
		b.Importance = widget.LowImportance
		b.Hide()
		return b
	}
	u := rv.u
	l.pause = btn(theme.MediaPauseIcon(), u.pauseTarget)
	l.resume = btn(theme.MediaPlayIcon(), u.resumeTarget)
	l.retry = btn(theme.ViewRefreshIcon(), u.resumeTarget)
	l.startOver = btn(theme.MediaReplayIcon(), u.startOverTarget)
	l.cancel = btn(theme.CancelIcon(), u.cancelTarget)
	l.copyLink = btn(theme.ContentCopyIcon(), u.copyTargetLink)
	l.root = container.NewBorder(nil, nil, nil,
		container.NewCenter(container.NewHBox(l.pause, l.resume, l.retry, l.startOver, l.copyLink, l.cancel)),
		container.New(layout.NewCustomPaddedVBoxLayout(0), container.NewThemeOverride(l.text, readableTheme{}), l.detail))
	return l
}

// set shows target t of row r (at list index i).
func (l *targetLine) set(u *uploadsView, i int, r *row, t persist.Target) {
	l.account = t.Account
	status, detail, imp := describeTarget(u, i, r, t)
	if l.text.Importance != imp {
		l.text.Importance = imp
		l.text.Refresh()
	}
	setText(l.text, t.Account+": "+status)
	setText(l.detail, detail)
	unfinished := t.State != core.StateDone && t.State != core.StateCanceled
	show(l.pause, canPause(t))
	show(l.resume, t.State == core.StatePaused)
	show(l.retry, t.State == core.StateFailed)
	show(l.startOver, t.State == core.StateFailed)
	show(l.cancel, unfinished)
	show(l.copyLink, t.State == core.StateDone && targetLink(t) != "")
}

// setTargets shows one line per target of a cross-posted job (none for a
// job with one target: its row is that target's).
func (rv *rowView) setTargets(i int, r *row, multi bool) {
	n := 0
	if multi {
		n = len(r.job.Targets)
	}
	for len(rv.lines) < n {
		l := newTargetLine(rv)
		rv.lines = append(rv.lines, l)
		rv.targets.Add(l.root)
	}
	for k, l := range rv.lines {
		if k < n {
			l.set(rv.u, i, r, r.job.Targets[k])
		}
		show(l.root, k < n)
	}
	show(rv.targets, n > 0)
}
