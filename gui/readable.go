package gui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/gjw-uploader/gjw-uploader/gui/internal/contrast"
)

// readableTheme is the app's theme with the colours that name a state
// (error, warning, success, primary, disabled) moved towards the text
// colour just far enough to read at 4.5:1 on a selected row, the least
// contrasting background a row has. Fyne's own greys and greens barely
// show on the selection ("Canceled" at 1.2:1, "Published" at 1.0:1 in
// the light theme). The row's state lines use it.
type readableTheme struct{}

// base is the app's theme (theme.Current would be this one while the
// override lays its content out).
func (readableTheme) base() fyne.Theme {
	if th := fyne.CurrentApp().Settings().Theme(); th != nil {
		return th
	}
	return theme.DefaultTheme()
}

func (r readableTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	th := r.base()
	c := th.Color(n, v)
	switch n {
	case theme.ColorNameDisabled, theme.ColorNameError, theme.ColorNameWarning, theme.ColorNameSuccess, theme.ColorNamePrimary:
		bg := contrast.Over(th.Color(theme.ColorNameSelection, v), th.Color(theme.ColorNameBackground, v))
		return contrast.Readable(c, th.Color(theme.ColorNameForeground, v), bg)
	}
	return c
}

func (r readableTheme) Font(s fyne.TextStyle) fyne.Resource     { return r.base().Font(s) }
func (r readableTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return r.base().Icon(n) }
func (r readableTheme) Size(n fyne.ThemeSizeName) float32       { return r.base().Size(n) }
