package gui

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// preparing is one drop being readied for the queue: its folders read,
// the posters of its videos made and each video added to the engine, in
// the drop's order. It lives on the UI goroutine only.
type preparing struct {
	counted bool // the drop has been read: total is known
	left    int  // videos not yet added
	total   int  // videos the drop will add
}

// startPreparing shows the preparing line for a drop at once, before its
// folders are read, and returns the drop's entry (UI goroutine).
func (u *uploadsView) startPreparing() *preparing {
	p := &preparing{}
	u.preparing = append(u.preparing, p)
	u.showPreparing()
	return p
}

// prepared says that left of a drop's total videos are still to be added
// (UI goroutine).
func (u *uploadsView) prepared(p *preparing, left, total int) {
	p.counted, p.left, p.total = true, left, total
	u.showPreparing()
}

// endPreparing takes a drop off the preparing line (UI goroutine).
func (u *uploadsView) endPreparing(p *preparing) {
	u.preparing = slices.DeleteFunc(u.preparing, func(q *preparing) bool { return q == p })
	u.showPreparing()
}

func (u *uploadsView) showPreparing() {
	s := preparingText(u.preparing)
	setText(u.prepLine, s)
	show(u.prepLine, s != "")
	// The line's own refresh asks for no frame while it has not been drawn
	// (hidden until now, its text objects are unknown to the window): on
	// an empty queue, where nothing else changes, "Preparing videos…"
	// showed only when the first row came. The row it sits in is drawn
	// in every frame, so its refresh asks for one.
	u.statusRow.Refresh()
}

// preparingText is the preparing line for the drops being readied: the
// videos still to be added, of those the drops add ("Preparing 37 of 50
// videos…"), or, before any drop has been read, that something is coming.
func preparingText(ps []*preparing) string {
	left, total, reading := 0, 0, false
	for _, p := range ps {
		if !p.counted {
			reading = true
			continue
		}
		left, total = left+p.left, total+p.total
	}
	switch {
	case left > 0 && total == 1:
		return "Preparing 1 video…"
	case left > 0:
		return fmt.Sprintf("Preparing %d of %d videos…", left, total)
	case reading:
		return "Preparing videos…"
	}
	return ""
}

// newPrepLine is the label of the preparing line: the size of the total
// line beside it, cut to the width it is given.
func newPrepLine() *widget.Label {
	l := widget.NewLabel("")
	l.SizeName = theme.SizeNameCaptionText
	l.TextStyle = fyne.TextStyle{Bold: true}
	l.Importance = widget.HighImportance
	l.Alignment = fyne.TextAlignTrailing
	l.Truncation = fyne.TextTruncateEllipsis
	l.Hide()
	return l
}

// statusRow lays out the line under the queue: the total line from the
// left edge, the preparing line against the right edge in the width left
// over (cut to fit). Its minimum size is the total line's width and the
// taller of the two lines, shown or not, so the preparing line coming,
// changing or going moves nothing and never widens the queue.
type statusRow struct{}

func (statusRow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	total, prep := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(total.Width, max(total.Height, prep.Height))
}

func (statusRow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	total, prep := objs[0], objs[1]
	w := min(total.MinSize().Width, size.Width)
	total.Move(fyne.NewPos(0, 0))
	total.Resize(fyne.NewSize(w, size.Height))
	x := min(w+theme.Padding(), size.Width)
	prep.Move(fyne.NewPos(x, 0))
	prep.Resize(fyne.NewSize(size.Width-x, size.Height))
}
