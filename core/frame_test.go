package core_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
)

func TestExtractFrame(t *testing.T) {
	dir := t.TempDir()
	// Half a second: shorter than a 1 s seek, so the first frame is used.
	video := sandboxtest.WriteVideo(t, filepath.Join(dir, "short.mp4"), 0.5)
	ff, err := core.FFmpegPath()
	if err != nil {
		t.Fatal(err)
	}
	d, err := core.VideoDuration(context.Background(), ff, video)
	if err != nil || d < 400*time.Millisecond || d > 600*time.Millisecond {
		t.Fatalf("duration %v, %v; want 0.5 s", d, err)
	}
	if at := core.FrameTimes(10 * time.Second); at[0] != time.Second || at[1] != 5*time.Second || at[2] != 9*time.Second {
		t.Fatalf("frame times of 10 s: %v", at)
	}
	out := filepath.Join(dir, "poster.jpg")
	if err := core.ExtractFrame(context.Background(), video, out); err != nil {
		t.Fatal(err)
	}
	if err := gjw.ValidateImage(out); err != nil {
		t.Fatalf("the frame is not an image the platform takes: %v", err)
	}

	notVideo := sandboxtest.WriteRandom(t, filepath.Join(dir, "noise.mp4"), 4096)
	err = core.ExtractFrameAt(context.Background(), ff, notVideo, filepath.Join(dir, "none.jpg"), time.Second)
	if err == nil || !strings.Contains(err.Error(), "choose a poster image") {
		t.Fatalf("want a poster-choice error for a non-video, got %v", err)
	}
	if _, err := core.VideoDuration(context.Background(), ff, notVideo); err == nil {
		t.Fatal("a duration for a file that is no video")
	}
}
