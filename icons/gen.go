//go:build ignore

// gen draws icon.png, the app icon: a white upload arrow over a tray on a
// rounded blue square. Run `go run gen.go` in this folder to redraw it.
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

const size = 512

func main() {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	top, bottom := color.NRGBA{0x2f, 0x80, 0xed, 0xff}, color.NRGBA{0x1b, 0x4f, 0xb8, 0xff}
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			a := coverage(float64(x)+0.5, float64(y)+0.5, roundedSquare)
			if a == 0 {
				continue
			}
			t := float64(y) / size
			c := color.NRGBA{
				lerp(top.R, bottom.R, t), lerp(top.G, bottom.G, t), lerp(top.B, bottom.B, t), uint8(255 * a),
			}
			if w := coverage(float64(x)+0.5, float64(y)+0.5, glyph); w > 0 {
				c.R = lerp(c.R, 255, w)
				c.G = lerp(c.G, 255, w)
				c.B = lerp(c.B, 255, w)
			}
			img.SetNRGBA(x, y, c)
		}
	}
	f, err := os.Create("icon.png")
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

func lerp(a, b uint8, t float64) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*t) }

// coverage antialiases a shape by 4x4 supersampling.
func coverage(x, y float64, in func(x, y float64) bool) float64 {
	n := 0
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			if in(x-0.5+(float64(i)+0.5)/4, y-0.5+(float64(j)+0.5)/4) {
				n++
			}
		}
	}
	return float64(n) / 16
}

func roundedSquare(x, y float64) bool {
	const m, r = 24.0, 96.0
	lo, hi := m+r, size-m-r
	cx, cy := math.Max(lo, math.Min(hi, x)), math.Max(lo, math.Min(hi, y))
	return x >= m && x <= size-m && y >= m && y <= size-m && math.Hypot(x-cx, y-cy) <= r
}

// glyph is an upward arrow (head and shaft) above an open tray.
func glyph(x, y float64) bool {
	const cx = size / 2
	// arrow head: triangle from (cx,110) to (cx±110, 230)
	if y >= 110 && y <= 230 && math.Abs(x-cx) <= (y-110)*110/120 {
		return true
	}
	// shaft
	if y >= 225 && y <= 330 && math.Abs(x-cx) <= 34 {
		return true
	}
	// tray: bottom bar and two side posts
	if y >= 370 && y <= 410 && x >= 130 && x <= size-130 {
		return true
	}
	if y >= 300 && y <= 410 && ((x >= 130 && x <= 170) || (x >= size-170 && x <= size-130)) {
		return true
	}
	return false
}
