package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// ErrNoFFmpeg means ffmpeg is not on PATH, so no poster frame can be taken:
// the creator picks a poster image instead.
var ErrNoFFmpeg = errors.New("ffmpeg is not installed: choose a poster image")

// FFmpegPath returns the ffmpeg found on PATH, or ErrNoFFmpeg.
func FFmpegPath() (string, error) {
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		return "", ErrNoFFmpeg
	}
	return p, nil
}

// ExtractFrame writes one frame of video as a JPEG poster (at most 1280
// pixels wide) to out, using ffmpeg from PATH. It takes the frame one second
// in, or the first frame of a shorter video. It blocks until ffmpeg ends or
// ctx is done; call it off the UI goroutine.
func ExtractFrame(ctx context.Context, video, out string) error {
	ff, err := FFmpegPath()
	if err != nil {
		return err
	}
	var last error
	for _, at := range []string{"1", "0"} {
		os.Remove(out)
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, ff, "-nostdin", "-hide_banner", "-loglevel", "error",
			"-ss", at, "-i", video, "-frames:v", "1", "-vf", "scale='min(1280,iw)':-2", "-q:v", "3", "-y", out)
		cmd.Stderr = &stderr
		err := cmd.Run()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if fi, serr := os.Stat(out); err == nil && serr == nil && fi.Size() > 0 {
			return nil
		}
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		if msg == "" && err != nil {
			msg = err.Error()
		}
		last = fmt.Errorf("ffmpeg could not take a frame of %q (%s): choose a poster image", video, msg)
	}
	os.Remove(out)
	return last
}
