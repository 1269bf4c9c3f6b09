package main

// gjw category list|name: the creator's names for Gan Jing World's category
// ids, shared with the app's Settings. The platform takes only ids and
// lists no names, so the names are the creator's own.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/gjw-uploader/gjw-uploader/core/gjw"
)

const categoryUsage = `gjw category names Gan Jing World's categories.

  gjw category list [--json]   the named ids, in the order the app lists them
  gjw category name ID NAME    name an id, such as: gjw category name cat13 Culture
                               (an empty NAME forgets the id)

Gan Jing World takes a category as an id (cat13) and does not tell its
name. Once named, --category takes the name as well as the id, and the
app shows and takes the names too.
`

func cmdCategory(_ context.Context, a *app, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(a.stdout, categoryUsage)
		return nil
	}
	switch args[0] {
	case "list":
		fs := flag.NewFlagSet("category list", flag.ContinueOnError)
		asJSON := fs.Bool("json", false, "print the list as JSON")
		if pos, err := parseFlags(fs, args[1:]); err != nil {
			return err
		} else if len(pos) > 0 {
			return usageError{"category list takes no arguments"}
		}
		if err := a.open(false); err != nil {
			return err
		}
		names, err := a.categoryNames()
		if err != nil {
			return err
		}
		if *asJSON {
			if names == nil {
				names = gjw.CategoryNames{}
			}
			return json.NewEncoder(a.stdout).Encode(names)
		}
		if len(names) == 0 {
			fmt.Fprintln(a.stdout, "no category is named yet: gjw category name cat13 Culture names one")
			return nil
		}
		w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNAME")
		for _, c := range names {
			fmt.Fprintf(w, "%s\t%s\n", c.ID, c.Name)
		}
		return w.Flush()
	case "name":
		if len(args) != 3 {
			return usageError{`category name needs ID and NAME, such as: gjw category name cat13 Culture ("" as NAME forgets the id)`}
		}
		if err := a.open(false); err != nil {
			return err
		}
		names, err := a.categoryNames()
		if err != nil {
			return err
		}
		if names, err = names.Named(args[1], args[2]); err != nil {
			return usageError{err.Error()}
		}
		st, err := a.db.Settings()
		if err != nil {
			return err
		}
		st.CategoryNames = names
		return a.db.PutSettings(st)
	}
	return usageError{fmt.Sprintf("unknown category command %q; run gjw category help", args[0])}
}

func (a *app) categoryNames() (gjw.CategoryNames, error) {
	st, err := a.db.Settings()
	return st.CategoryNames, err
}

// categoryID is the category id a --category flag's text means: an id, or
// a name from the category list.
func (a *app) categoryID(text string) (string, error) {
	names, err := a.categoryNames()
	if err != nil {
		return "", err
	}
	if err := names.Check(text); err != nil {
		return "", usageError{"--category: " + err.Error()}
	}
	return names.ID(text), nil
}
