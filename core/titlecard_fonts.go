package core

import (
	"image"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// The Go fonts draw Latin, Greek and Cyrillic. A title card draws the
// characters they lack (Chinese, Japanese, Korean) with a fallback font
// found on the computer, the first one of fallbackFontPaths that has the
// character; characters no font has are left out. Nothing is bundled: the
// CJK fonts are megabytes each, and every desktop system has one.
//
// Fallback fonts are opened the first time a title or channel needs a
// character the Go fonts lack, once per process, and read from the file
// when a glyph is drawn (sfnt's ReaderAt mode), so a 20-70 MB font
// collection is never held in memory. A font that is missing or does not
// parse is passed over without a word: the card is drawn with what there is.

// fallbackFontPaths is where well-known CJK fonts live on each system,
// Chinese first (most of the app's creators write Chinese), then Japanese
// and Korean. On Debian, make deps installs fonts-droid-fallback (the two
// Droid Sans Fallback files: Full has more Han characters, the other one
// has Hangul).
func fallbackFontPaths(goos string) []string {
	switch goos {
	case "windows":
		dir := os.Getenv("WINDIR")
		if dir == "" {
			dir = `C:\Windows`
		}
		var paths []string
		for _, f := range []string{
			"msyh.ttc",    // Microsoft YaHei (Simplified Chinese)
			"msjh.ttc",    // Microsoft JhengHei (Traditional Chinese)
			"simsun.ttc",  // SimSun
			"YuGothM.ttc", // Yu Gothic Medium (Japanese)
			"meiryo.ttc",  // Meiryo (Japanese)
			"malgun.ttf",  // Malgun Gothic (Korean)
		} {
			paths = append(paths, filepath.Join(dir, "Fonts", f))
		}
		return paths
	case "darwin":
		return []string{
			"/System/Library/Fonts/PingFang.ttc",
			"/System/Library/Fonts/Hiragino Sans GB.ttc",
			"/System/Library/Fonts/STHeiti Medium.ttc",
			"/System/Library/Fonts/ヒラギノ角ゴシック W6.ttc",     // Hiragino Sans (Japanese)
			"/System/Library/Fonts/AppleSDGothicNeo.ttc", // Korean
			"/Library/Fonts/Arial Unicode.ttf",
		}
	default: // Linux and the BSDs
		return []string{
			// Noto Sans CJK: Debian and Ubuntu, Fedora, Arch.
			"/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
			"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
			"/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
			"/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
			"/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
			"/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
			// WenQuanYi: Debian and Ubuntu, Fedora.
			"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
			"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
			"/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
			"/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
			// Droid Sans Fallback: Debian's fonts-droid-fallback, Fedora.
			"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
			"/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf",
			"/usr/share/fonts/google-droid-sans-fonts/DroidSansFallbackFull.ttf",
			"/usr/share/fonts/google-droid-sans-fonts/DroidSansFallback.ttf",
		}
	}
}

// cardFallback is a fallback font and the file it was read from.
type cardFallback struct {
	path string
	font *opentype.Font
}

// cardFallbacks are this system's fallback fonts, opened once, when first
// needed. The files stay open: glyphs are read from them.
var cardFallbacks = sync.OnceValue(func() []cardFallback {
	return openFallbacks(fallbackFontPaths(runtime.GOOS))
})

// openFallbacks opens the fonts among paths that exist and parse.
func openFallbacks(paths []string) []cardFallback {
	var fonts []cardFallback
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		if font := parseFallback(f); font != nil {
			fonts = append(fonts, cardFallback{p, font})
		} else {
			f.Close()
		}
	}
	return fonts
}

// parseFallback parses a font file or collection (.ttc, .otc), or returns
// nil. Of a collection it takes the Simplified Chinese member where there
// is one (Noto Sans CJK SC, PingFang SC), else the first.
func parseFallback(r io.ReaderAt) *opentype.Font {
	var magic [4]byte
	if _, err := r.ReadAt(magic[:], 0); err != nil {
		return nil
	}
	if string(magic[:]) != "ttcf" {
		f, err := opentype.ParseReaderAt(r)
		if err != nil {
			return nil
		}
		return f
	}
	c, err := opentype.ParseCollectionReaderAt(r)
	if err != nil {
		return nil
	}
	var first *opentype.Font
	for i := 0; i < c.NumFonts(); i++ {
		f, err := c.Font(i)
		if err != nil {
			continue
		}
		if first == nil {
			first = f
		}
		if name, _ := f.Name(nil, sfnt.NameIDFamily); strings.HasSuffix(name, " SC") {
			return f
		}
	}
	return first
}

// cardFace is a font.Face that draws each character with the first font
// that has it: the Go font, then the fallbacks. Like every face, it is for
// one goroutine (one card) at a time.
type cardFace struct {
	opts      opentype.FaceOptions
	fallbacks func() []cardFallback
	fonts     []*opentype.Font // [0] the Go font, then the fallbacks once loaded
	faces     []font.Face      // faces[i] draws fonts[i]; made when first needed
	loaded    bool             // fallbacks asked for
	which     map[rune]int     // the index into fonts for a character, -1 for none
	buf       sfnt.Buffer
}

func newCardFace(goFont *opentype.Font, size float64, fallbacks func() []cardFallback) (*cardFace, error) {
	f := &cardFace{
		opts:      opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull},
		fallbacks: fallbacks,
		fonts:     []*opentype.Font{goFont},
		which:     map[rune]int{},
	}
	face, err := opentype.NewFace(goFont, &f.opts)
	if err != nil {
		return nil, err
	}
	f.faces = []font.Face{face}
	return f, nil
}

// fontOf is the index into f.fonts of the font that draws r, or -1.
func (f *cardFace) fontOf(r rune) int {
	if i, ok := f.which[r]; ok {
		return i
	}
	i := f.find(r)
	f.which[r] = i
	return i
}

func (f *cardFace) find(r rune) int {
	if x, err := f.fonts[0].GlyphIndex(&f.buf, r); err == nil && x != 0 {
		return 0
	}
	if !f.loaded {
		f.loaded = true
		for _, fb := range f.fallbacks() {
			f.fonts = append(f.fonts, fb.font)
			f.faces = append(f.faces, nil)
		}
	}
	for i := 1; i < len(f.fonts); i++ {
		if x, err := f.fonts[i].GlyphIndex(&f.buf, r); err != nil || x == 0 {
			continue
		}
		if f.faces[i] == nil {
			face, err := opentype.NewFace(f.fonts[i], &f.opts)
			if err != nil {
				continue
			}
			f.faces[i] = face
		}
		return i
	}
	return -1
}

// has reports whether some font draws r.
func (f *cardFace) has(r rune) bool { return f.fontOf(r) >= 0 }

func (f *cardFace) Close() error { return nil }

// Metrics are the Go font's: lines are spaced as before, whatever draws them.
func (f *cardFace) Metrics() font.Metrics { return f.faces[0].Metrics() }

func (f *cardFace) Kern(r0, r1 rune) fixed.Int26_6 {
	if i := f.fontOf(r0); i >= 0 && i == f.fontOf(r1) {
		return f.faces[i].Kern(r0, r1)
	}
	return 0
}

func (f *cardFace) Glyph(dot fixed.Point26_6, r rune) (image.Rectangle, image.Image, image.Point, fixed.Int26_6, bool) {
	i := f.fontOf(r)
	if i < 0 {
		return image.Rectangle{}, nil, image.Point{}, 0, false
	}
	return f.faces[i].Glyph(dot, r)
}

func (f *cardFace) GlyphBounds(r rune) (fixed.Rectangle26_6, fixed.Int26_6, bool) {
	i := f.fontOf(r)
	if i < 0 {
		return fixed.Rectangle26_6{}, 0, false
	}
	return f.faces[i].GlyphBounds(r)
}

func (f *cardFace) GlyphAdvance(r rune) (fixed.Int26_6, bool) {
	i := f.fontOf(r)
	if i < 0 {
		return 0, false
	}
	return f.faces[i].GlyphAdvance(r)
}
