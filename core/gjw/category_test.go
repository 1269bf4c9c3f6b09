package gjw

import (
	"strings"
	"testing"
)

func TestCategoryNamesParseLabelAndID(t *testing.T) {
	names, err := ParseCategoryNames("cat13 = Culture\n\n  cat22=Travel & Food  \n")
	if err != nil {
		t.Fatal(err)
	}
	if got := names.String(); got != "cat13 = Culture\ncat22 = Travel & Food" {
		t.Fatalf("String() = %q", got)
	}
	if got := names.Labels(); strings.Join(got, "|") != "Culture (cat13)|Travel & Food (cat22)" {
		t.Fatalf("Labels() = %q", got)
	}
	for text, want := range map[string]string{
		"Culture (cat13)": "cat13", // a picker's choice
		"travel & food":   "cat22", // a name, in any case
		" cat7 ":          "cat7",  // an id nobody named
		"Old name (cat9)": "cat9",  // a label whose name changed since
		"":                "",
	} {
		if got := names.ID(text); got != want {
			t.Errorf("ID(%q) = %q, want %q", text, got, want)
		}
	}
	if got := names.Label("cat22"); got != "Travel & Food (cat22)" {
		t.Errorf("Label(cat22) = %q", got)
	}
	if got := names.Label("cat7"); got != "cat7" {
		t.Errorf("Label of an unnamed id = %q, want the id", got)
	}
}

func TestCategoryNamesRefuseWhatWouldMislabel(t *testing.T) {
	for text, want := range map[string]string{
		"Culture":                          "line 1",
		"cat13 = Culture\nnews = News":     `line 2: "news" is not a Gan Jing World category id`,
		"cat13 = Culture\ncat14 = cULTURE": `line 2: the name "cULTURE" is already cat13's`,
		"cat13 = Culture\ncat13 = Arts":    "line 2: cat13 is named twice",
		"cat13 = Arts (old)":               "brackets",
	} {
		_, err := ParseCategoryNames(text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseCategoryNames(%q) = %v, want an error with %q", text, err, want)
		}
	}
}

func TestCategoryNamedRenamesAndForgets(t *testing.T) {
	var names CategoryNames
	names, _ = names.Named("cat13", "Culture")
	names, _ = names.Named("cat22", "Travel")
	names, err := names.Named("cat13", "Arts")
	if err != nil {
		t.Fatal(err)
	}
	if got := names.String(); got != "cat13 = Arts\ncat22 = Travel" {
		t.Fatalf("after a rename: %q", got)
	}
	if _, err := names.Named("cat22", "arts"); err == nil {
		t.Fatal("two ids took the same name")
	}
	if names, _ = names.Named("cat22", ""); names.String() != "cat13 = Arts" {
		t.Fatalf("after forgetting cat22: %q", names.String())
	}
}

func TestCategoryCheckNamesTheText(t *testing.T) {
	names, _ := CategoryNames(nil).Named("cat13", "Culture")
	for _, ok := range []string{"", "cat40", "culture", "Culture (cat13)"} {
		if err := names.Check(ok); err != nil {
			t.Errorf("Check(%q) = %v", ok, err)
		}
	}
	if err := names.Check("Cultur"); err == nil || !strings.Contains(err.Error(), `"Cultur" is no category`) {
		t.Errorf("Check of a half-typed name = %v", err)
	}
}
