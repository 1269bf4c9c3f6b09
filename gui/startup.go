package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/gui/internal/ask"
)

// StartupError is the window that says why the app cannot start (a second
// copy on the same data folder, a folder that cannot be opened): as big as
// its message, with Close.
func StartupError(a fyne.App, err error) fyne.Window {
	w := a.NewWindow("GJW Uploader cannot start")
	content := startupErrorContent(err, a.Quit)
	w.SetContent(content)
	w.Resize(content.MinSize())
	w.CenterOnScreen()
	return w
}

func startupErrorContent(err error, quit func()) fyne.CanvasObject {
	title := widget.NewLabelWithStyle("GJW Uploader cannot start", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	closeBtn := widget.NewButton("Close", quit)
	closeBtn.Importance = widget.HighImportance
	return container.NewPadded(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.ErrorIcon())), nil,
		container.NewVBox(title, ask.Text(err.Error()), container.NewHBox(layout.NewSpacer(), closeBtn))))
}
