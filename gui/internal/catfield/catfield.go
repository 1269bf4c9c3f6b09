// Package catfield is the Gan Jing World category picker of the video and
// article forms: it lists the creator's named categories, shows an id by
// its name and takes a name, a choice or an id.
package catfield

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core/gjw"
)

// Field is a category picker. Create it with New.
type Field struct {
	widget.SelectEntry
	names gjw.CategoryNames
}

// New is an empty picker whose hint is the category used when it is left
// empty.
func New(placeholder string) *Field {
	f := &Field{}
	// Extended, so the Field is the widget Fyne draws and refreshes (an
	// embedded *SelectEntry would refresh a renderer of its own, not the
	// drawn one, and the field would show stale text).
	f.ExtendBaseWidget(f)
	f.Wrapping = fyne.TextWrap(fyne.TextTruncateClip) // as NewSelectEntry
	f.SetPlaceHolder(placeholder)
	f.Validator = func(s string) error { return f.names.Check(s) }
	return f
}

// SetNames makes names the picker's choices and the names it reads; the
// category shown keeps its id.
func (f *Field) SetNames(names gjw.CategoryNames) {
	id := f.ID()
	f.names = names
	f.SetOptions(names.Labels())
	f.SetID(id)
}

// SetID shows the category id: by its name when the creator named it.
func (f *Field) SetID(id string) {
	if l := f.names.Label(id); l != f.Text { // no OnChanged for no change
		f.SetText(l)
	}
}

// ID is the category id the field's text means ("" when empty).
func (f *Field) ID() string { return f.names.ID(f.Text) }

// Choices are the picker's choices.
func (f *Field) Choices() []string { return f.names.Labels() }
