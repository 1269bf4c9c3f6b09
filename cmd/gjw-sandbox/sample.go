package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
)

// writeSample puts a sample "video" (random bytes: the sandbox does not
// decode video) and a poster image into dir, for demos. Existing files are
// kept, so a second demo run starts at once.
func writeSample(dir string, size int64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	video := filepath.Join(dir, "sample.mp4")
	if fi, err := os.Stat(video); err != nil || fi.Size() != size {
		if err := writeRandom(video, size); err != nil {
			return fmt.Errorf("writing the sample video: %w", err)
		}
	}
	poster := filepath.Join(dir, "poster.png")
	if _, err := os.Stat(poster); errors.Is(err, os.ErrNotExist) {
		return writePoster(poster)
	}
	return nil
}

func writeRandom(path string, size int64) error {
	f, err := os.Create(path + ".part")
	if err != nil {
		return err
	}
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(path+".part", path)
}

// writePoster draws a 1280x720 gradient.
func writePoster(path string) error {
	img := image.NewRGBA(image.Rect(0, 0, 1280, 720))
	for y := 0; y < 720; y++ {
		for x := 0; x < 1280; x++ {
			img.Set(x, y, color.RGBA{uint8(40 + x*160/1280), uint8(60 + y*120/720), 170, 255})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
