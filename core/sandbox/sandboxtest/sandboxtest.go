// Package sandboxtest helps tests across the project: an in-process sandbox
// (with a real tusd) behind httptest, a signed-in store, an engine on them,
// and test files (random "videos", distinct pictures). Only tests import it.
package sandboxtest

import (
	"crypto/rand"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// FastDelays keep retries quick in tests.
var FastDelays = []time.Duration{0, time.Millisecond, 2 * time.Millisecond}

// Env is a sandbox serving the three hosts on loopback.
type Env struct {
	Sandbox *sandbox.Server
	Hosts   gjw.Hosts
}

// New starts a sandbox that finishes transcoding at the first poll; it is
// closed when the test ends.
func New(t testing.TB) *Env { return NewWith(t, sandbox.Config{TranscodePolls: -1}) }

// NewWith starts a sandbox with cfg (Dir defaults to a temporary one).
func NewWith(t testing.TB, cfg sandbox.Config) *Env {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	sb, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	api, img, vod := httptest.NewServer(sb.API()), httptest.NewServer(sb.Image()), httptest.NewServer(sb.VOD())
	t.Cleanup(func() { api.Close(); img.Close(); vod.Close(); sb.Close() })
	return &Env{Sandbox: sb, Hosts: gjw.Hosts{API: api.URL, Image: img.URL, VOD: vod.URL}}
}

// Vars returns GJW_API_URL, GJW_IMAGE_URL and GJW_VOD_URL for t.Setenv.
func (e *Env) Vars() map[string]string {
	return map[string]string{"GJW_API_URL": e.Hosts.API, "GJW_IMAGE_URL": e.Hosts.Image, "GJW_VOD_URL": e.Hosts.VOD}
}

// SignIn stores the sandbox's demo session in db.
func (e *Env) SignIn(t testing.TB, db *persist.DB) {
	t.Helper()
	acct := e.Sandbox.DemoAccount()
	if err := db.PutCredentials(persist.Credentials{
		AccessToken: acct.AccessToken, RefreshToken: acct.RefreshToken, ChannelID: acct.ChannelID,
		ExpiresAt: time.Now().Add(time.Duration(acct.ExpiresIn) * time.Second),
	}); err != nil {
		t.Fatal(err)
	}
}

// Store returns a signed-in in-memory store, closed when the test ends.
func (e *Env) Store(t testing.TB) *persist.DB {
	t.Helper()
	db, err := persist.OpenInMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.SignIn(t, db)
	return db
}

// Engine returns an engine on db talking to the sandbox, with fast retries.
func (e *Env) Engine(db *persist.DB) *core.Engine {
	return core.New(db, core.Options{Hosts: e.Hosts, RetryDelays: FastDelays})
}

// WriteRandom writes n random bytes to path (a "video": the sandbox does not
// decode it), creating its folder.
func WriteRandom(t testing.TB, path string, n int64) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.CopyN(f, rand.Reader, n); err != nil {
		t.Fatal(err)
	}
	return path
}

// WritePNG writes a small PNG to path; different seeds give different
// bytes (so the image CDN sees different pictures).
func WritePNG(t testing.TB, path string, seed int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 48, 32))
	for x := 0; x < 48; x++ {
		img.Set(x, (x+seed)%32, color.RGBA{uint8(seed * 40), 30, 200, 255})
	}
	return encodePNG(t, path, img)
}

// WritePoster writes a 320x180 gradient in colour c: a picture that looks
// like a poster in screenshots.
func WritePoster(t testing.TB, path string, c color.NRGBA) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 320, 180))
	for y := 0; y < 180; y++ {
		for x := 0; x < 320; x++ {
			f := 0.5 + float64(x+y)/1000
			img.SetNRGBA(x, y, color.NRGBA{uint8(float64(c.R) * f), uint8(float64(c.G) * f), uint8(float64(c.B) * f), 255})
		}
	}
	return encodePNG(t, path, img)
}

func encodePNG(t testing.TB, path string, img image.Image) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return path
}

// WriteVideo writes a real video to path: seconds of ffmpeg's test pattern,
// 320x180. Without ffmpeg the test is skipped, or fails when
// GJW_REQUIRE_FFMPEG is set (make test sets it: make deps installs ffmpeg).
func WriteVideo(t testing.TB, path string, seconds float64) string {
	t.Helper()
	if _, err := core.FFmpegPath(); err != nil {
		if os.Getenv("GJW_REQUIRE_FFMPEG") != "" {
			t.Fatal("ffmpeg is not installed (make deps installs it)")
		}
		t.Skip("ffmpeg is not installed")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("testsrc=duration=%g:size=320x180:rate=10", seconds)
	if out, err := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", src,
		"-pix_fmt", "yuv420p", "-y", path).CombinedOutput(); err != nil {
		t.Fatalf("making a test video: %v %s", err, out)
	}
	return path
}
