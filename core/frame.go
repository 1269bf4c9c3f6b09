package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig of the frames ffmpeg writes
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrNoFFmpeg means ffmpeg is not on PATH, so no poster frame can be taken:
// a title card is drawn instead (TitleCard).
var ErrNoFFmpeg = errors.New("ffmpeg is not installed: choose a poster image")

// FFmpegPath returns the ffmpeg found on PATH, or ErrNoFFmpeg.
func FFmpegPath() (string, error) {
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		return "", ErrNoFFmpeg
	}
	return p, nil
}

// ExtractFrame writes one frame of video, one second in, as a JPEG poster
// to out, with the ffmpeg on PATH (ExtractFrameAt).
func ExtractFrame(ctx context.Context, video, out string) error {
	ff, err := FFmpegPath()
	if err != nil {
		return err
	}
	return ExtractFrameAt(ctx, ff, video, out, time.Second)
}

// ExtractFrameAt writes the frame of video at time at as a JPEG poster (at
// most 1280 pixels wide) to out, with the ffmpeg at path ffmpeg. A video
// shorter than at gives its first frame. It blocks until ffmpeg ends or
// ctx is done; call it off the UI goroutine.
func ExtractFrameAt(ctx context.Context, ffmpeg, video, out string, at time.Duration) error {
	var last error
	for _, at := range []time.Duration{at, 0} {
		os.Remove(out)
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error",
			"-ss", strconv.FormatFloat(at.Seconds(), 'f', 3, 64), "-i", video,
			"-frames:v", "1", "-vf", "scale='min(1280,iw)':-2", "-q:v", "3", "-y", out)
		cmd.Stderr = &stderr
		err := cmd.Run()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil && isImage(out) {
			return nil
		}
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		if msg == "" && err != nil {
			msg = err.Error()
		}
		if msg == "" {
			msg = "no frame written"
		}
		last = fmt.Errorf("ffmpeg could not take a frame of %q (%s): choose a poster image", video, msg)
	}
	os.Remove(out)
	return last
}

// isImage reports whether path holds a picture the platform takes.
func isImage(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	_, _, err = image.DecodeConfig(f)
	return err == nil
}

var durationLine = regexp.MustCompile(`Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)`)

// VideoDuration is how long video plays, as ffmpeg reads it from the file's
// header (ffmpeg -i, which prints it and ends without an output file).
func VideoDuration(ctx context.Context, ffmpeg, video string) (time.Duration, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, ffmpeg, "-nostdin", "-hide_banner", "-i", video)
	cmd.Stderr = &stderr
	cmd.Run() // exits 1: no output file was named
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	m := durationLine.FindStringSubmatch(stderr.String())
	if m == nil {
		return 0, fmt.Errorf("ffmpeg could not read how long %q plays", video)
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	s, _ := strconv.ParseFloat(m[3], 64)
	return time.Duration((float64(h*3600+mi*60) + s) * float64(time.Second)), nil
}

// FrameTimes are the moments poster frames are offered at: 10 %, 50 % and
// 90 % of a video of length d (the first is the poster taken on a drop).
func FrameTimes(d time.Duration) []time.Duration {
	return []time.Duration{d / 10, d / 2, d * 9 / 10}
}
