package gui

import (
	"net/url"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/icons"
)

// Version, Commit and BuildDate are set at link time by make (app, dist):
//
//	-ldflags "-X github.com/gjw-uploader/gjw-uploader/gui.Version=0.1.0 -X ...gui.Commit=0123abcd -X ...gui.BuildDate=2026-01-02T03:04:05Z"
//
// Version is FyneApp.toml's Version. Unstamped, the About box falls back to
// the metadata `fyne package` injects (from FyneApp.toml too), then to Go's
// VCS stamp, then to "dev".
var Version, Commit, BuildDate string

// AboutInfo is what the About box shows.
type AboutInfo struct {
	Version, Build, Commit, BuildDate, Go string
}

// aboutInfo collects the stamp, with its fallbacks.
func aboutInfo(meta fyne.AppMetadata) AboutInfo {
	a := AboutInfo{Version: Version, Commit: Commit, BuildDate: BuildDate, Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	if a.Version == "" {
		a.Version = meta.Version
	}
	if a.Version == "" {
		a.Version = "dev"
	}
	if meta.Build > 0 && meta.Version == a.Version {
		a.Build = strconv.Itoa(meta.Build)
	}
	if bi, ok := debug.ReadBuildInfo(); ok && (a.Commit == "" || a.BuildDate == "") {
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && a.Commit == "":
				a.Commit = s.Value
			case s.Key == "vcs.time" && a.BuildDate == "":
				a.BuildDate = s.Value
			}
		}
	}
	return a
}

// Lines are the About box's text lines, without the name.
func (a AboutInfo) Lines() []string {
	v := "Version " + a.Version
	if a.Build != "" {
		v += " (build " + a.Build + ")"
	}
	lines := []string{v}
	if a.Commit != "" {
		lines = append(lines, "Commit "+a.Commit)
	}
	if a.BuildDate != "" {
		lines = append(lines, "Built "+a.BuildDate)
	}
	return append(lines, a.Go)
}

// withAbout puts an About button at the right end of the tab bar, over the
// tabs' empty space, and returns the combined object.
func (u *UI) withAbout(tabs fyne.CanvasObject) fyne.CanvasObject {
	btn := widget.NewButtonWithIcon("", theme.InfoIcon(), u.showAbout)
	btn.Importance = widget.LowImportance
	return container.NewStack(tabs, container.NewVBox(container.NewHBox(layout.NewSpacer(), btn)))
}

// showAbout opens the About box: name, version, commit, build date, site.
func (u *UI) showAbout() {
	info := aboutInfo(u.app.Metadata())
	icon := canvas.NewImageFromResource(icons.App)
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSize(72, 72))
	name := widget.NewLabelWithStyle("GJW Uploader", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	name.SizeName = theme.SizeNameSubHeadingText
	text := widget.NewLabelWithStyle(strings.Join(info.Lines(), "\n"), fyne.TextAlignCenter, fyne.TextStyle{})
	text.Selectable = true
	objs := []fyne.CanvasObject{container.NewCenter(icon), name, text}
	if site, err := url.Parse("https://www.ganjingworld.com"); err == nil {
		objs = append(objs, container.NewCenter(widget.NewHyperlink("ganjingworld.com", site)))
	}
	dialog.ShowCustom("About GJW Uploader", "Close", container.NewVBox(objs...), u.win)
}
