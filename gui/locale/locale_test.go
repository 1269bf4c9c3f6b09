package locale

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/text/language"
)

// TestWellFormedAgreesWithFyne checks WellFormed against the parser Fyne
// uses, on the tag Fyne's lookup builds from each locale name: whatever it
// accepts must parse, and the common forms must be accepted.
func TestWellFormedAgreesWithFyne(t *testing.T) {
	for _, loc := range []string{
		"C.UTF-8", "POSIX.UTF-8", "en_US.UTF-8", "de_DE", "de_DE@euro", "zh_TW.Big5", "pt-BR", "fil_PH",
		"ast_ES.UTF-8", "es_419.UTF-8", "C", "", "x", "english", "en_USA", "sr_RS@latin", "en_US.ISO-8859-1",
	} {
		base, _, _ := strings.Cut(loc, ".")
		lang, region, _ := strings.Cut(strings.ReplaceAll(base, "-", "_"), "_")
		tag := lang
		if region != "" {
			tag += "-" + region
		}
		_, err := language.Parse(tag)
		if WellFormed(loc) && (err != nil || lang == "") {
			t.Errorf("WellFormed(%q) = true, but Fyne's parser fails: %v", loc, err)
		}
	}
}

func TestFix(t *testing.T) {
	for _, ok := range []string{"en_US.UTF-8", "de_DE", "zh_TW.Big5", "pt-BR", "fil_PH", "es_419.UTF-8", "ja"} {
		if !WellFormed(ok) {
			t.Errorf("WellFormed(%q) = false", ok)
		}
	}
	cases := []struct{ lang, language, want string }{
		{"C", "", ""},
		{"C.UTF-8", "", "en"},
		{"en_US.UTF-8", "", ""},
		{"de_DE@euro", "", "en"},
		{"C.UTF-8", "fr:C", "fr"},
		{"en_US.UTF-8", "nonsense_", "en"},
	}
	for _, c := range cases {
		t.Setenv("LC_ALL", "")
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", c.lang)
		t.Setenv("LANGUAGE", c.language)
		Fix()
		if got := getenv("LANGUAGE"); got != c.want {
			t.Errorf("LANG=%q LANGUAGE=%q: LANGUAGE became %q, want %q", c.lang, c.language, got, c.want)
		}
	}
}

func getenv(k string) string { return strings.TrimSpace(os.Getenv(k)) }
