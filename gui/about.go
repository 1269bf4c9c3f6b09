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

// withTabRow puts the sign-in banner and an About button over the tab
// bar's empty space, right of the tabs, and returns the combined object.
func (u *UI) withTabRow(tabs *container.AppTabs, banner fyne.CanvasObject) fyne.CanvasObject {
	btn := widget.NewButtonWithIcon("", theme.InfoIcon(), u.showAbout)
	btn.Importance = widget.LowImportance
	return container.NewStack(tabs, container.New(&tabRow{tabs: tabs}, banner, btn))
}

// tabRow lays out [banner, About] in the row of an AppTabs' bar: About at
// the right end, the banner in the room between the last tab and About.
type tabRow struct{ tabs *container.AppTabs }

func (r *tabRow) MinSize(objs []fyne.CanvasObject) fyne.Size { return objs[1].MinSize() }

func (r *tabRow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	banner, about := objs[0], objs[1]
	am := about.MinSize()
	about.Move(fyne.NewPos(size.Width-am.Width, 0))
	about.Resize(am)
	pad := theme.Padding()
	x := r.tabsWidth() + 2*pad
	banner.Move(fyne.NewPos(x, 0))
	banner.Resize(fyne.NewSize(max(0, size.Width-am.Width-pad-x), am.Height))
}

// tabsWidth is how wide the tab buttons are, by Fyne's own measure of a
// tab button (inline icon, padding, bold label, inner padding each side)
// in an HBox.
func (r *tabRow) tabsWidth() float32 {
	pad, inner := theme.Padding(), theme.InnerPadding()
	w := float32(0)
	for i, it := range r.tabs.Items {
		if i > 0 {
			w += pad
		}
		w += fyne.MeasureText(it.Text, theme.TextSize(), fyne.TextStyle{Bold: true}).Width + 2*inner
		if it.Icon != nil {
			w += theme.IconInlineSize() + pad
		}
	}
	return w
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
