package article

import (
	"strings"
	"unicode"
)

// NormalizeHashtags cleans hashtags for the hashtags field: white space
// (anywhere, including zero-width spaces) is removed, leading '#' or '＃'
// are replaced by exactly one '#', empty tags are dropped, and later tags
// equal to an earlier one ignoring case are dropped. The result is never
// nil, so it encodes as a JSON array.
func NormalizeHashtags(in []string) []string {
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
				return -1
			}
			return r
		}, s)
		s = strings.TrimLeft(s, "#＃")
		if s == "" {
			continue
		}
		tag := "#" + s
		key := strings.ToLower(tag)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, tag)
	}
	return out
}

// SplitList splits comma-separated input from a CLI flag or a text field:
// "#a, b,,c" gives ["#a" "b" "c"]. Full-width commas (，) and line breaks
// separate items too; items are trimmed and empty ones dropped. The result
// is never nil.
func SplitList(s string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '\n' || r == '\r'
	}) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
