package core_test

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"golang.org/x/image/font/gofont/gomono"
)

// A title card is a 16:9 JPEG the platform takes, with the title drawn on
// it: a plain background, light text, and two titles give two pictures.
func TestTitleCard(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jpg"), filepath.Join(dir, "b.jpg")
	if err := core.TitleCard(a, "My trip to Taipei, day one: the night market and a very long title that wraps onto more lines than three allow", "Gan Jing World · gjw"); err != nil {
		t.Fatal(err)
	}
	if err := core.TitleCard(b, "Another video", "gjw"); err != nil {
		t.Fatal(err)
	}
	if err := gjw.ValidateImage(a); err != nil {
		t.Fatal(err)
	}
	img := decode(t, a)
	if s := img.Bounds().Size(); s.X != 1280 || s.Y != 720 {
		t.Fatalf("title card is %v, want 1280×720", s)
	}
	bg := img.At(4, 4)
	light := 0
	for y := 0; y < 720; y += 2 {
		for x := 0; x < 1280; x += 2 {
			if r, g, b, _ := img.At(x, y).RGBA(); r > 0xc000 && g > 0xc000 && b > 0xc000 {
				light++
			}
		}
	}
	if light < 2000 {
		t.Fatalf("only %d light pixels: no title drawn", light)
	}
	if r, g, b, _ := bg.RGBA(); r > 0x8000 || g > 0x8000 || b > 0x8000 {
		t.Fatalf("background %v is not dark", color.NRGBAModel.Convert(bg))
	}
	if img2 := decode(t, b); img2.At(640, 360) == img.At(640, 360) && img2.At(200, 300) == img.At(200, 300) && img2.At(400, 330) == img.At(400, 330) {
		t.Fatal("two titles drew the same card")
	}
}

func decode(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// requireCJKFont skips a test that needs a CJK fallback font where none is
// installed; make test sets GJW_REQUIRE_CJK_FONT (make deps installs
// fonts-droid-fallback), so there the test runs or fails, never skips.
func requireCJKFont(t testing.TB) {
	t.Helper()
	if core.TitleCardFont('東') == "" || core.TitleCardFont('서') == "" {
		if os.Getenv("GJW_REQUIRE_CJK_FONT") != "" {
			t.Fatal("no Chinese, Japanese or Korean font found for title cards (make deps installs fonts-droid-fallback)")
		}
		t.Skip("no Chinese, Japanese or Korean font installed")
	}
}

// ink counts the pixels of img painted in white text (the rule under the
// title is greyer than this, whatever the background).
func ink(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); r > 0xe000 && g > 0xe000 && b > 0xe000 {
				n++
			}
		}
	}
	return n
}

func drawCard(t testing.TB, title string, fallbacks bool) image.Image {
	t.Helper()
	img, err := core.DrawTitleCard(title, "", fallbacks)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// Chinese, Japanese and Korean titles are drawn: each CJK character is
// painted (alone it inks at least a Latin capital's share) and advances
// (the title inks what its characters ink alone, not the overlap of one
// place), against the same title drawn with the Go fonts only, which lack
// those glyphs.
func TestTitleCardDrawsCJK(t *testing.T) {
	requireCJKFont(t)
	minInk := ink(drawCard(t, "L", false)) // a Latin capital, for scale
	for _, title := range []string{"神韵 2026 巡演", "東京の夜", "서울 여행"} {
		with, without := ink(drawCard(t, title, true)), ink(drawCard(t, title, false))
		alone, inks := 0, map[int]bool{}
		for _, r := range title {
			if r == ' ' || core.TitleCardFont(r) == "go" {
				continue
			}
			n := ink(drawCard(t, string(r), true))
			if n < minInk {
				t.Errorf("%q in %q: %d pixels of ink, want at least %d (a Latin capital's)", r, title, n, minInk)
			}
			alone += n
			inks[n] = true
		}
		if len(inks) < 2 {
			t.Errorf("%q: its CJK characters ink the same, %v pixels each: one glyph (a box?) for all", title, inks)
		}
		t.Logf("%q: %d pixels of ink, %d with the Go fonts only, its CJK characters %d alone", title, with, without, alone)
		if with-without < alone*9/10 {
			t.Errorf("%q: its CJK characters add %d pixels of ink, want about their %d alone", title, with-without, alone)
		}
	}

	// The poster as written (JPEG): more ink than its digits alone.
	dir := t.TempDir()
	cjk, digits := filepath.Join(dir, "cjk.jpg"), filepath.Join(dir, "digits.jpg")
	if err := core.TitleCard(cjk, "神韵 2026 巡演", "神韵艺术团"); err != nil {
		t.Fatal(err)
	}
	if err := core.TitleCard(digits, "2026", ""); err != nil {
		t.Fatal(err)
	}
	if err := gjw.ValidateImage(cjk); err != nil {
		t.Fatal(err)
	}
	if a, b := ink(decode(t, cjk)), ink(decode(t, digits)); a < b+4*minInk {
		t.Fatalf("the card of %q has %d pixels of ink, the card of %q %d: the Chinese was not drawn", "神韵 2026 巡演", a, "2026", b)
	}
}

// Each character is drawn with the first font that has it: Latin with the
// Go font (the same pixels as on a card without fallbacks), CJK with a
// fallback.
func TestTitleCardFontPerCharacter(t *testing.T) {
	requireCJKFont(t)
	for _, r := range "Tokyo 2026" {
		if f := core.TitleCardFont(r); f != "go" {
			t.Errorf("%q is drawn with %q, want the Go font", r, f)
		}
	}
	for _, r := range "東京の夜서울神韵，。" {
		if f := core.TitleCardFont(r); f == "go" || f == "" {
			t.Errorf("%q is drawn with %q, want a fallback font", r, f)
		}
	}
	// The order: the Go font, then the fallbacks as listed. Go Mono has
	// Latin; Droid Sans Fallback Full has Han but no Hangul, which Droid
	// Sans Fallback has.
	mono := filepath.Join(t.TempDir(), "gomono.ttf")
	if err := os.WriteFile(mono, gomono.TTF, 0o644); err != nil {
		t.Fatal(err)
	}
	const full, droid = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", "/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf"
	_, err := os.Stat(full)
	debianDroid := err == nil // Debian's fonts-droid-fallback
	for _, c := range []struct {
		r     rune
		paths []string
		want  int
	}{
		{'T', []string{mono}, 0},
		{'東', []string{mono}, -1},
		{'東', []string{mono, full, droid}, 2},
		{'서', []string{mono, full, droid}, 3},
		{'서', []string{droid, full}, 1},
		{'東', nil, -1},
	} {
		if slices.Contains(c.paths, droid) && !debianDroid {
			continue
		}
		if got := core.TitleCardFontIn(c.r, c.paths...); got != c.want {
			t.Errorf("%q with fallbacks %q: font %d, want %d", c.r, c.paths, got, c.want)
		}
	}

	// The fallbacks are opened for a card that needs one, not for others.
	for _, c := range []struct {
		title, channel string
		want           bool
	}{{"Tokyo night", "gjw", false}, {"Tokyo 東京", "gjw", true}, {"Tokyo", "東京チャンネル", true}} {
		if got := core.TitleCardOpensFallbacks(c.title, c.channel); got != c.want {
			t.Errorf("a card of %q on %q opens the fallback fonts: %v, want %v", c.title, c.channel, got, c.want)
		}
	}

	with, without := drawCard(t, "Tokyo 東京", true).(*image.RGBA), drawCard(t, "Tokyo 東京", false).(*image.RGBA)
	latinEnd := 96 + core.TitleWidth("Tokyo") // the title's left margin, then "Tokyo"
	for y := 0; y < 720; y++ {
		for x := 0; x < latinEnd; x++ {
			if with.RGBAAt(x, y) != without.RGBAAt(x, y) {
				t.Fatalf("pixel (%d,%d) of \"Tokyo\" differs with the fallback fonts: Latin is not drawn with the Go font", x, y)
			}
		}
	}
	if n := ink(with.SubImage(image.Rect(latinEnd, 0, 1280, 720))); n == 0 {
		t.Fatal("nothing drawn after \"Tokyo\": 東京 is missing")
	}
}

// Lines break between words and between Chinese or Japanese characters
// (which have no spaces), never inside a Latin word that fits, never before
// closing punctuation, and no character is lost.
func TestTitleCardWrapsCJK(t *testing.T) {
	requireCJKFont(t)
	strip := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), "…", "") }
	check := func(title string, width int) []string {
		t.Helper()
		lines := core.WrapTitle(title, width, 100)
		for _, l := range lines {
			if w := core.TitleWidth(l); w > width {
				t.Errorf("%q at %d px: line %q is %d px wide", title, width, l, w)
			}
			if strings.HasPrefix(l, " ") || strings.HasSuffix(l, " ") {
				t.Errorf("%q at %d px: line %q starts or ends with a space", title, width, l)
			}
		}
		if got := strip(strings.Join(lines, "")); got != strip(title) {
			t.Errorf("%q at %d px: lines %q lose characters", title, width, lines)
		}
		return lines
	}

	mixed := "Tokyo 東京 night"
	lines := check(mixed, core.TitleWidth("Tokyo 東"))
	if want := []string{"Tokyo 東", "京 night"}; !slices.Equal(lines, want) {
		t.Errorf("%q wraps as %q, want %q", mixed, lines, want)
	}
	for w := max(core.TitleWidth("Tokyo"), core.TitleWidth("night")); w < core.TitleWidth(mixed)+10; w += 7 {
		lines := check(mixed, w)
		for _, word := range []string{"Tokyo", "night"} {
			if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, word) }) {
				t.Errorf("%q at %d px: %q is cut: %q", mixed, w, word, lines)
			}
		}
	}

	long := "神韵艺术团二〇二六年世界巡回演出即将开始，敬请期待。欢迎大家购票观看！"
	for w := core.TitleWidth("神韵"); w <= 1088; w += 31 {
		for i, l := range check(long, w) {
			if i > 0 && strings.ContainsRune("，。！", []rune(l)[0]) {
				t.Errorf("at %d px line %d %q starts with closing punctuation", w, i+1, l)
			}
		}
	}
	if got := core.WrapTitle(long, 1088, 3); len(got) < 2 {
		t.Errorf("a long Chinese title on a card: %q, want it wrapped onto more lines", got)
	}
	if got := core.WrapTitle(long+long+long, 1088, 3); len(got) != 3 || !strings.HasSuffix(got[2], "…") {
		t.Errorf("a Chinese title longer than three lines: %q, want three lines, the last ending in …", got)
	}
}

// A character no font has never stops the card: it is left out, and the
// rest is drawn.
func TestTitleCardWithoutAFont(t *testing.T) {
	if f := core.TitleCardFont('𐀀'); f != "" { // U+10000 LINEAR B SYLLABLE B008 A
		t.Skipf("%s draws Linear B", f)
	}
	out := filepath.Join(t.TempDir(), "card.jpg")
	if err := core.TitleCard(out, "𐀀𐀁 Linear B", "gjw"); err != nil {
		t.Fatal(err)
	}
	if err := gjw.ValidateImage(out); err != nil {
		t.Fatal(err)
	}
	// The same text, on another background (a title's colour comes from its text).
	if a, b := ink(drawCard(t, "𐀀𐀁 Linear B", true)), ink(drawCard(t, "Linear B", true)); b == 0 || a < b*95/100 || a > b*105/100 {
		t.Errorf("%q inks %d pixels, %q %d: want about the same, the missing characters left out", "𐀀𐀁 Linear B", a, "Linear B", b)
	}
	// A computer with no CJK font at all: the card is made, with the rest.
	if a, b := ink(drawCard(t, "東京 night", false)), ink(drawCard(t, "night", false)); b == 0 || a < b*95/100 || a > b*105/100 {
		t.Errorf("%q with no CJK font inks %d pixels, %q %d: want about the same", "東京 night", a, "night", b)
	}
	if _, err := core.DrawTitleCard("東京の夜", "東京 channel", false); err != nil {
		t.Error(err)
	}
}

// BenchmarkTitleCard: the time to make a title card for a Chinese title
// against a Latin one of about the same width, as TitleCard makes it (drawn
// and written as JPEG: cjk/latin) and drawn only (draw-cjk/latin), medians
// of the per-iteration ratios. fallback-open-ms is the one-time cost of
// opening this system's fallback fonts (the first card that needs one).
func BenchmarkTitleCard(b *testing.B) {
	requireCJKFont(b)
	dir := b.TempDir()
	latin, cjk := "The night market in Taipei, day one", "台北夜市第一天：小吃与人潮"
	card := func(title string) time.Duration {
		start := time.Now()
		if err := core.TitleCard(filepath.Join(dir, "card.jpg"), title, "Gan Jing World"); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	drawn := func(title string) time.Duration {
		start := time.Now()
		if _, err := core.DrawTitleCard(title, "Gan Jing World", true); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	start := time.Now()
	core.OpenCardFallbacks()
	open := time.Since(start)
	var ratios, drawRatios []float64
	var tl, tc, dl, dc time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var l, c, x, y time.Duration
		if i%2 == 0 {
			l, c, x, y = card(latin), card(cjk), drawn(latin), drawn(cjk)
		} else {
			c, l, y, x = card(cjk), card(latin), drawn(cjk), drawn(latin)
		}
		tl, tc, dl, dc = tl+l, tc+c, dl+x, dc+y
		ratios, drawRatios = append(ratios, float64(c)/float64(l)), append(drawRatios, float64(y)/float64(x))
	}
	median := func(v []float64) float64 { slices.Sort(v); return v[len(v)/2] }
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(median(ratios), "cjk/latin")
	b.ReportMetric(median(drawRatios), "draw-cjk/latin")
	b.ReportMetric(ms(tl), "latin-ms")
	b.ReportMetric(ms(tc), "cjk-ms")
	b.ReportMetric(ms(dl), "draw-latin-ms")
	b.ReportMetric(ms(dc), "draw-cjk-ms")
	b.ReportMetric(float64(open.Microseconds())/1000, "fallback-open-ms")
}
