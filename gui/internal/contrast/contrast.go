// Package contrast measures how well text reads on a background (WCAG
// 2's contrast ratio) and moves a colour until it reads well enough.
package contrast

import (
	"image/color"
	"math"
)

// AA is the ratio WCAG's level AA asks of small text.
const AA = 4.5

// Over is fg drawn over an opaque bg.
func Over(fg, bg color.Color) color.NRGBA {
	f, b := color.NRGBAModel.Convert(fg).(color.NRGBA), color.NRGBAModel.Convert(bg).(color.NRGBA)
	a := float64(f.A) / 255
	mix := func(x, y uint8) uint8 { return uint8(float64(x)*a + float64(y)*(1-a) + 0.5) }
	return color.NRGBA{mix(f.R, b.R), mix(f.G, b.G), mix(f.B, b.B), 255}
}

// Ratio is the contrast ratio of two opaque colours, 1 to 21.
func Ratio(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func luminance(c color.Color) float64 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	ch := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(n.R) + 0.7152*ch(n.G) + 0.0722*ch(n.B)
}

// Readable is c, moved towards toward (the text colour, which reads well)
// just far enough that it reads at AA on bg; c itself when it already
// does.
func Readable(c, toward, bg color.Color) color.Color {
	from, to := Over(c, bg), Over(toward, bg)
	for i := 0; i <= 10; i++ {
		t := float64(i) / 10
		mix := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t + 0.5) }
		m := color.NRGBA{mix(from.R, to.R), mix(from.G, to.G), mix(from.B, to.B), 255}
		if Ratio(m, bg) >= AA {
			return m
		}
	}
	return to
}
