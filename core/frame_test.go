package core_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
)

func TestExtractFrame(t *testing.T) {
	dir := t.TempDir()
	// Half a second: shorter than the 1 s seek, so the first frame is used.
	video := sandboxtest.WriteVideo(t, filepath.Join(dir, "short.mp4"), 0.5)
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
