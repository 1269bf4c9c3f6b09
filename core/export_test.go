package core

import (
	"image"
	"runtime"

	"golang.org/x/image/font"
)

// DrawTitleCard is TitleCard's picture, unencoded; with fallbacks false it
// is drawn as on a computer without CJK fonts (the Go fonts only).
func DrawTitleCard(title, channel string, fallbacks bool) (*image.RGBA, error) {
	fb := cardFallbacks
	if !fallbacks {
		fb = func() []cardFallback { return nil }
	}
	return drawTitleCard(title, channel, fb)
}

// TitleCardFont names the font a title card's title draws r with: "go"
// (the Go font), a fallback font's file, or "" when no font has r.
func TitleCardFont(r rune) string {
	tf, _, err := cardFonts(cardFallbacks)
	if err != nil {
		panic(err)
	}
	switch i := tf.fontOf(r); i {
	case -1:
		return ""
	case 0:
		return "go"
	default:
		return cardFallbacks()[i-1].path
	}
}

// WrapTitle is how a title card breaks title into lines of at most width
// pixels; TitleWidth is the width of s in the title's font.
func WrapTitle(title string, width, max int) []string {
	tf, _, err := cardFonts(cardFallbacks)
	if err != nil {
		panic(err)
	}
	return wrapText(tf, title, width, max)
}

func TitleWidth(s string) int {
	tf, _, err := cardFonts(cardFallbacks)
	if err != nil {
		panic(err)
	}
	return font.MeasureString(tf, s).Ceil()
}

// OpenCardFallbacks opens this system's fallback fonts, as the first card
// needing one does (once per process); it returns how many it found.
func OpenCardFallbacks() int { return len(openFallbacks(fallbackFontPaths(runtime.GOOS))) }

// TitleCardFontIn is the index of the font a title card's title draws r
// with when its fallbacks are the font files at paths (those that open):
// 0 for the Go font, i for the i-th fallback, -1 for none.
func TitleCardFontIn(r rune, paths ...string) int {
	fb := openFallbacks(paths)
	tf, _, err := cardFonts(func() []cardFallback { return fb })
	if err != nil {
		panic(err)
	}
	return tf.fontOf(r)
}

// TitleCardOpensFallbacks reports whether drawing a card of title and
// channel asks for the fallback fonts.
func TitleCardOpensFallbacks(title, channel string) bool {
	asked := false
	if _, err := drawTitleCard(title, channel, func() []cardFallback { asked = true; return cardFallbacks() }); err != nil {
		panic(err)
	}
	return asked
}
