package core

import (
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"os"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Title card size: 16:9, what the platform shows posters at.
const cardW, cardH = 1280, 720

// cardColors are the plain backgrounds a title card is drawn on (dark
// enough for white text); a title always gets the same one.
var cardColors = []color.NRGBA{
	{0x1f, 0x3a, 0x5f, 0xff}, {0x2e, 0x4a, 0x3a, 0xff}, {0x5a, 0x2a, 0x3c, 0xff},
	{0x3d, 0x33, 0x5e, 0xff}, {0x4a, 0x3b, 0x24, 0xff}, {0x23, 0x45, 0x4d, 0xff},
}

var cardGoFonts = sync.OnceValues(func() (fonts [2]*opentype.Font, err error) {
	if fonts[0], err = opentype.Parse(gobold.TTF); err == nil {
		fonts[1], err = opentype.Parse(goregular.TTF)
	}
	return fonts, err
})

// cardFonts returns faces for a title card's title and channel: the Go
// fonts, and fallbacks for the characters they lack (titlecard_fonts.go).
// The parsed fonts are shared; faces are not safe for concurrent use, so
// each card gets its own.
func cardFonts(fallbacks func() []cardFallback) (title, channel *cardFace, err error) {
	fonts, err := cardGoFonts()
	if err != nil {
		return nil, nil, err
	}
	if title, err = newCardFace(fonts[0], 72, fallbacks); err != nil {
		return nil, nil, err
	}
	channel, err = newCardFace(fonts[1], 36, fallbacks)
	return title, channel, err
}

// TitleCard draws a poster for a video no frame could be taken of: its
// title (up to three lines) and the channel it goes to, in white on a plain
// background, written to out as a 1280×720 JPEG. The Go fonts draw Latin,
// Greek and Cyrillic, fonts found on the computer Chinese, Japanese and
// Korean (titlecard_fonts.go); characters no font has are left out.
func TitleCard(out, title, channel string) error {
	img, err := drawTitleCard(title, channel, cardFallbacks)
	if err != nil {
		return fmt.Errorf("drawing a title card: %w", err)
	}
	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("writing the title card %q: %w", out, err)
	}
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 90}); err != nil {
		f.Close()
		return fmt.Errorf("writing the title card %q: %w", out, err)
	}
	return f.Close()
}

// drawTitleCard is TitleCard's picture, drawn with the given fallbacks.
func drawTitleCard(title, channel string, fallbacks func() []cardFallback) (*image.RGBA, error) {
	tf, cf, err := cardFonts(fallbacks)
	if err != nil {
		return nil, err
	}
	h := fnv.New32a()
	h.Write([]byte(title))
	img := image.NewRGBA(image.Rect(0, 0, cardW, cardH)) // RGBA: the fast paths of draw and jpeg
	draw.Draw(img, img.Bounds(), image.NewUniform(cardColors[h.Sum32()%uint32(len(cardColors))]), image.Point{}, draw.Src)

	const margin = 96
	lines := wrapText(tf, strings.TrimSpace(title), cardW-2*margin, 3)
	lineH := tf.Metrics().Height.Ceil()
	top := (cardH-lineH*len(lines))/2 - 24
	d := font.Drawer{Dst: img, Src: image.White, Face: tf}
	for i, l := range lines {
		d.Dot = fixed.P(margin, top+i*lineH+tf.Metrics().Ascent.Ceil())
		d.DrawString(l)
	}
	// A thin rule, then the channel, under the title.
	y := top + lineH*len(lines) + 28
	draw.Draw(img, image.Rect(margin, y, margin+120, y+4), image.NewUniform(color.NRGBA{0xff, 0xff, 0xff, 0xb0}), image.Point{}, draw.Over)
	if channel = strings.TrimSpace(channel); channel != "" {
		d = font.Drawer{Dst: img, Src: image.NewUniform(color.NRGBA{0xff, 0xff, 0xff, 0xd0}), Face: cf}
		d.Dot = fixed.P(margin, y+24+cf.Metrics().Ascent.Ceil())
		d.DrawString(fitText(cf, channel, cardW-2*margin))
	}
	return img, nil
}

// wrapText breaks s into at most max lines no wider than width: between
// words, and between Chinese and Japanese characters, which have no spaces
// between words (see canBreak); a word longer than a line is cut. The last
// line ends in "…" if s goes on.
func wrapText(face *cardFace, s string, width, max int) []string {
	words := cutLong(face, splitWords(face, s), width)
	type line struct {
		from int // index of its first word
		text string
	}
	var lines []line
	for i, w := range words {
		if n := len(lines); n > 0 {
			try := lines[n-1].text + w.sep() + w.text
			if font.MeasureString(face, try).Ceil() <= width {
				lines[n-1].text = try
				continue
			}
		}
		lines = append(lines, line{i, w.text})
	}
	if len(lines) > max {
		lines = lines[:max]
		lines[max-1].text = fitText(face, joinWords(words[lines[max-1].from:]), width)
	}
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.text
	}
	return texts
}

// cardWord is a piece of a title no line break may fall inside, and
// whether a space comes before it.
type cardWord struct {
	text  string
	space bool
}

func (w cardWord) sep() string {
	if w.space {
		return " "
	}
	return ""
}

func joinWords(words []cardWord) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteString(w.sep())
		}
		b.WriteString(w.text)
	}
	return b.String()
}

// splitWords cuts s at spaces and wherever canBreak allows, leaving out the
// characters face cannot draw (a word of nothing but those leaves its
// space to the next).
func splitWords(face *cardFace, s string) []cardWord {
	var words []cardWord
	var cur strings.Builder
	curSpace, space := false, false
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cardWord{cur.String(), curSpace})
			cur.Reset()
		}
	}
	var prev rune = -1
	for _, r := range s {
		if unicode.IsSpace(r) {
			flush()
			space, prev = len(words) > 0, -1
			continue
		}
		if prev >= 0 && canBreak(prev, r) {
			flush()
		}
		prev = r
		if !face.has(r) {
			continue
		}
		if cur.Len() == 0 {
			curSpace, space = space, false
		}
		cur.WriteRune(r)
	}
	flush()
	return words
}

// cutLong cuts the words wider than width between characters.
func cutLong(face *cardFace, words []cardWord, width int) []cardWord {
	var out []cardWord
	for _, w := range words {
		if font.MeasureString(face, w.text).Ceil() <= width {
			out = append(out, w)
			continue
		}
		r := []rune(w.text)
		for len(r) > 0 {
			n := 1
			for n < len(r) && font.MeasureString(face, string(r[:n+1])).Ceil() <= width {
				n++
			}
			out = append(out, cardWord{string(r[:n]), w.space})
			r, w.space = r[n:], false
		}
	}
	return out
}

// canBreak reports whether a line may break between a and b with no space
// between them: next to a Chinese or Japanese character (Han, kana, CJK and
// full-width punctuation), except before closing punctuation and the kana
// length and repeat marks (、。」ー々), and after opening punctuation (「（).
// Korean puts spaces between words, so Hangul breaks at spaces like Latin.
func canBreak(a, b rune) bool {
	if !breaksAnywhere(a) && !breaksAnywhere(b) {
		return false
	}
	return !unicode.In(b, unicode.Pe, unicode.Pf, unicode.Po, unicode.Lm) && !unicode.In(a, unicode.Ps, unicode.Pi)
}

func breaksAnywhere(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Bopomofo) ||
		r >= 0x3000 && r <= 0x303f || // CJK symbols and punctuation
		r >= 0xff00 && r <= 0xffef // half-width and full-width forms
}

// fitText shortens s with "…" until it is no wider than width.
func fitText(face *cardFace, s string, width int) string {
	s = drawable(face, s)
	if font.MeasureString(face, s).Ceil() <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && font.MeasureString(face, string(r)+"…").Ceil() > width {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}

// drawable is s without the characters face has no glyph for.
func drawable(face *cardFace, s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || face.has(r) {
			return r
		}
		return -1
	}, s)
}
