package gjw

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Gan Jing World takes a category as an id ("cat13"). Neither its guides nor
// its API list the names its studio shows, and a guessed name would mislabel
// uploads, so the creator names the ids they use once (Settings, or gjw
// category name) and every field then shows and accepts the name.

// CategoryNames is the creator's list of named category ids.
type CategoryNames []persist.CategoryName

// categoryID is the shape of the guides' ids: "cat" and a number.
var categoryID = regexp.MustCompile(`^cat[0-9]+$`)

// Label is how a field shows the category id: "Culture (cat13)" when the
// creator named it, else the id itself.
func (n CategoryNames) Label(id string) string {
	for _, c := range n {
		if c.ID == id {
			return c.Name + " (" + id + ")"
		}
	}
	return id
}

// Labels are a picker's choices, in the creator's order.
func (n CategoryNames) Labels() []string {
	out := make([]string, len(n))
	for i, c := range n {
		out[i] = c.Name + " (" + c.ID + ")"
	}
	return out
}

// ID is the category id a field's text means: a label ("Culture (cat13)"),
// a name in any case ("culture"), or an id as typed. "" stays "" (the
// default category).
func (n CategoryNames) ID(text string) string {
	text = strings.TrimSpace(text)
	if i := strings.LastIndexByte(text, '('); i >= 0 && strings.HasSuffix(text, ")") {
		if id := strings.TrimSpace(text[i+1 : len(text)-1]); categoryID.MatchString(id) {
			return id
		}
	}
	for _, c := range n {
		if strings.EqualFold(c.Name, text) {
			return c.ID
		}
	}
	return text
}

// Named is the list with id named name; an empty name forgets the id.
func (n CategoryNames) Named(id, name string) (CategoryNames, error) {
	id, name = strings.TrimSpace(id), strings.TrimSpace(name)
	if !categoryID.MatchString(id) {
		return nil, fmt.Errorf("%q is not a Gan Jing World category id: ids are cat and a number, such as %s", id, DefaultCategory)
	}
	if strings.ContainsAny(name, "()") {
		return nil, fmt.Errorf("the name %q holds brackets: leave them out (the pickers show the id in them)", name)
	}
	out, renamed := make(CategoryNames, 0, len(n)+1), false
	for _, c := range n {
		switch {
		case c.ID == id && name == "":
			continue
		case c.ID == id: // a rename keeps its place in the pickers
			c.Name, renamed = name, true
		case name != "" && strings.EqualFold(c.Name, name):
			return nil, fmt.Errorf("the name %q is already %s's: give %s another name", name, c.ID, id)
		}
		out = append(out, c)
	}
	if name != "" && !renamed {
		out = append(out, persist.CategoryName{ID: id, Name: name})
	}
	return out, nil
}

// ParseCategoryNames reads the Settings list, a category a line:
// "cat13 = Culture". Blank lines are skipped.
func ParseCategoryNames(text string) (CategoryNames, error) {
	var out CategoryNames
	for i, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		id, name, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("line %d, %q: write an id, = and its name, such as %s = Culture", i+1, strings.TrimSpace(line), DefaultCategory)
		}
		if prev := out.Label(strings.TrimSpace(id)); prev != strings.TrimSpace(id) {
			return nil, fmt.Errorf("line %d: %s is named twice", i+1, strings.TrimSpace(id))
		}
		var err error
		if out, err = out.Named(id, name); err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
	}
	return out, nil
}

// String is the list as ParseCategoryNames reads it.
func (n CategoryNames) String() string {
	var b strings.Builder
	for _, c := range n {
		fmt.Fprintf(&b, "%s = %s\n", c.ID, c.Name)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Check says why a field's text names no category: it is neither an id
// (cat13) nor one of the creator's names. "" is the default category.
func (n CategoryNames) Check(text string) error {
	if id := n.ID(text); id == "" || categoryID.MatchString(id) {
		return nil
	}
	return fmt.Errorf("%q is no category: type an id such as %s, or a name from your category list (Settings, or gjw category name)", strings.TrimSpace(text), DefaultCategory)
}
