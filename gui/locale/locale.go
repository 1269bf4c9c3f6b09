// Package locale keeps Fyne quiet under LANG=C.UTF-8, POSIX.UTF-8 or a
// malformed locale. Fyne (2.7) looks the locale up while its lang package
// initialises, turns the part before "." into a BCP 47 tag and logs an error
// when that fails ("Error parsing user locale C"). LANG=C and LANG=POSIX
// alone are fine: they mean "no locale".
//
// Import it for its side effect, before anything that imports Fyne: Go
// initialises a package before any package that sorts after it in import
// path order and is not yet ready, and this one needs only os and strings,
// so it runs before fyne.io/fyne/v2/lang (which waits for golang.org/x/text).
//
// The fix sets LANGUAGE, which the lookup reads first whenever the locale is
// not exactly C or POSIX: an English fallback replaces only what could not
// be parsed, and valid entries are kept. Nothing else in the app reads
// LANGUAGE; cgo libraries use LC_* and LANG, which are left alone.
package locale

import (
	"os"
	"strings"

	"golang.org/x/text/language"
)

func init() { Fix() }

// Fix adjusts LANGUAGE as described in the package comment.
func Fix() {
	var loc string
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = os.Getenv(k); loc != "" {
			break
		}
	}
	if loc == "" || loc == "C" || loc == "POSIX" {
		return
	}
	if list := os.Getenv("LANGUAGE"); list != "" {
		var good []string
		for _, l := range strings.Split(list, ":") {
			if WellFormed(l) {
				good = append(good, l)
			}
		}
		if len(good) == 0 {
			good = []string{"en"}
		}
		os.Setenv("LANGUAGE", strings.Join(good, ":"))
		return
	}
	if !WellFormed(loc) {
		os.Setenv("LANGUAGE", "en")
	}
}

// WellFormed reports whether a POSIX locale name turns into a tag Fyne can
// parse, as its lookup does it: "de_DE.UTF-8" becomes "de-DE"; "C.UTF-8"
// becomes "C" and "xx_YY" an unknown language, which Fyne would log as
// errors.
func WellFormed(loc string) bool {
	// The tag Fyne builds (through github.com/jeandeaual/go-locale): no
	// encoding, "-" for "_", language-territory; then its parser decides.
	loc, _, _ = strings.Cut(loc, ".")
	lang, region, _ := strings.Cut(strings.ReplaceAll(loc, "-", "_"), "_")
	tag := lang
	if region != "" {
		tag += "-" + region
	}
	_, err := language.Parse(tag)
	return err == nil
}
