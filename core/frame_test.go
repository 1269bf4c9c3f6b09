package core_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
)

func TestExtractFrame(t *testing.T) {
	if _, err := core.FFmpegPath(); err != nil {
		// make test sets GJW_REQUIRE_FFMPEG (make deps installs ffmpeg), so
		// there this test runs or fails, never skips.
		if os.Getenv("GJW_REQUIRE_FFMPEG") != "" {
			t.Fatal("ffmpeg is not installed (make deps installs it)")
		}
		t.Skip("ffmpeg is not installed")
	}
	dir := t.TempDir()
	video := filepath.Join(dir, "short.mp4")
	// Half a second: shorter than the 1 s seek, so the first frame is used.
	if out, err := exec.Command("ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=0.5:size=320x180:rate=10",
		"-pix_fmt", "yuv420p", video).CombinedOutput(); err != nil {
		t.Fatalf("making a test video: %v %s", err, out)
	}
	out := filepath.Join(dir, "poster.jpg")
	if err := core.ExtractFrame(context.Background(), video, out); err != nil {
		t.Fatal(err)
	}
	if err := gjw.ValidateImage(out); err != nil {
		t.Fatalf("the frame is not an image the platform takes: %v", err)
	}

	notVideo := sandboxtest.WriteRandom(t, filepath.Join(dir, "noise.mp4"), 4096)
	err := core.ExtractFrame(context.Background(), notVideo, filepath.Join(dir, "none.jpg"))
	if err == nil || !strings.Contains(err.Error(), "choose a poster image") {
		t.Fatalf("want a poster-choice error for a non-video, got %v", err)
	}
}
