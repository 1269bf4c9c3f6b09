package locale

import (
	"os"
	"strings"
	"testing"
)

func TestWellFormed(t *testing.T) {
	for loc, want := range map[string]bool{
		"en_US.UTF-8": true, "de_DE": true, "zh_TW.Big5": true, "pt-BR": true, "fil_PH": true,
		"es_419.UTF-8": true, "ja": true, "sr_RS": true, "en_USA": true,
		"C.UTF-8": false, "POSIX.UTF-8": false, "xx_YY.bogus": false, "english": false, "x": false,
		"de_DE@euro": false, "": false,
	} {
		if got := WellFormed(loc); got != want {
			t.Errorf("WellFormed(%q) = %v, want %v", loc, got, want)
		}
	}
}

func TestFix(t *testing.T) {
	cases := []struct{ lang, language, want string }{
		{"C", "", ""},
		{"C.UTF-8", "", "en"},
		{"en_US.UTF-8", "", ""},
		{"de_DE@euro", "", "en"},
		{"C.UTF-8", "fr:C", "fr"},
		{"en_US.UTF-8", "nonsense_", "en"},
		{"xx_YY.bogus", "", "en"},
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
