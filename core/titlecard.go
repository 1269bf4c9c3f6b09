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

var (
	cardFontsOnce sync.Once
	cardBold      *opentype.Font
	cardRegular   *opentype.Font
	cardFontsErr  error
)

// cardFonts returns faces for a title card's title and channel. The parsed
// fonts are shared; faces are not safe for concurrent use, so each card
// gets its own.
func cardFonts() (title, channel font.Face, err error) {
	cardFontsOnce.Do(func() {
		if cardBold, cardFontsErr = opentype.Parse(gobold.TTF); cardFontsErr == nil {
			cardRegular, cardFontsErr = opentype.Parse(goregular.TTF)
		}
	})
	if cardFontsErr != nil {
		return nil, nil, cardFontsErr
	}
	if title, err = opentype.NewFace(cardBold, &opentype.FaceOptions{Size: 72, DPI: 72, Hinting: font.HintingFull}); err != nil {
		return nil, nil, err
	}
	channel, err = opentype.NewFace(cardRegular, &opentype.FaceOptions{Size: 36, DPI: 72, Hinting: font.HintingFull})
	return title, channel, err
}

// TitleCard draws a poster for a video no frame could be taken of: its
// title (up to three lines) and the channel it goes to, in white on a plain
// background, written to out as a 1280×720 JPEG. The Go fonts draw Latin,
// Greek and Cyrillic; characters they lack are left out.
func TitleCard(out, title, channel string) error {
	tf, cf, err := cardFonts()
	if err != nil {
		return fmt.Errorf("drawing a title card: %w", err)
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

// wrapText breaks s into at most max lines no wider than width (words
// longer than a line are cut); the last line ends in "…" if s goes on.
func wrapText(face font.Face, s string, width, max int) []string {
	var lines []string
	line := ""
	words := strings.Fields(drawable(face, s))
	for i, w := range words {
		try := strings.TrimSpace(line + " " + w)
		if font.MeasureString(face, try).Ceil() <= width {
			line = try
			continue
		}
		if line != "" {
			lines = append(lines, line)
		}
		line = w
		if len(lines) == max-1 {
			rest := strings.Join(words[i:], " ")
			return append(lines, fitText(face, rest, width))
		}
	}
	if line != "" {
		lines = append(lines, fitText(face, line, width))
	}
	return lines
}

// fitText shortens s with "…" until it is no wider than width.
func fitText(face font.Face, s string, width int) string {
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
func drawable(face font.Face, s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' {
			return r
		}
		if _, ok := face.GlyphAdvance(r); !ok {
			return -1
		}
		return r
	}, s)
}
