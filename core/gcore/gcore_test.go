package gcore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gcore"
	sandbox "github.com/gjw-uploader/gjw-uploader/core/sandbox/gcore"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// progress is an in-memory dest.Progress; onStep runs as each step starts.
type progress struct {
	mu     sync.Mutex
	state  json.RawMessage
	ed     dest.Edition
	pcts   []int
	onStep func(id string)
	onSent func(acked int64)
}

func (p *progress) Step(id string) {
	if p.onStep != nil {
		p.onStep(id)
	}
}
func (p *progress) Sent(acked int64) {
	if p.onSent != nil {
		p.onSent(acked)
	}
}
func (p *progress) Retrying(string, time.Duration, error) {}
func (p *progress) Published(int)                         {}
func (p *progress) Processing(pct int) {
	p.mu.Lock()
	p.pcts = append(p.pcts, pct)
	p.mu.Unlock()
}
func (p *progress) Latest() (dest.Edition, error) { return p.ed, nil }
func (p *progress) Checkpoint(state any) error {
	b, err := json.Marshal(state)
	p.mu.Lock()
	p.state = b
	p.mu.Unlock()
	return err
}

func newUpload(t testing.TB, size int64) *progress {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clip.mp4")
	f, _ := os.Create(path)
	io.CopyN(f, rand.Reader, size)
	f.Close()
	fi, _ := os.Stat(path)
	return &progress{ed: dest.Edition{Source: dest.Source{Path: path, Size: size, ModTime: fi.ModTime()},
		Meta: persist.VideoMeta{Title: "Clip", Description: "d"}, Rev: 1}}
}

func (p *platform) publish(t *testing.T, d dest.Driver, pr *progress) (dest.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return d.Publish(ctx, pr.state, pr)
}

func TestPublishResultAndNoKeyOnTheUploadHost(t *testing.T) {
	p := newPlatform(t, sandbox.Config{})
	pr := newUpload(t, 3*conformanceChunk+5)
	res, err := p.publish(t, p.Driver(t), pr)
	if err != nil {
		t.Fatal(err)
	}
	if res.ID == "" || !strings.HasPrefix(res.URL, "https://player.gvideo.co/videos/") || !strings.HasSuffix(res.Ext["hls_url"], ".m3u8") {
		t.Fatalf("result %+v", res)
	}
	st := p.run.Server.Stats()
	if st.UploadAuth != 0 || st.Params != 1 || st.Creates != 1 || st.TusCreates != 1 {
		t.Fatalf("stats %+v", st)
	}
	// Processing reported rising percentages, ending at 100.
	if n := len(pr.pcts); n < 2 || pr.pcts[n-1] != 100 || pr.pcts[0] >= 100 {
		t.Fatalf("processing percentages %v", pr.pcts)
	}
	var cp gcore.Checkpoint
	json.Unmarshal(pr.state, &cp)
	if cp.VideoID == 0 || cp.ClientID != sandbox.DemoClientID || cp.Hostname == "" || cp.TusURL == "" || cp.Next != gcore.StepDone {
		t.Fatalf("checkpoint %+v", cp)
	}
	if strings.Contains(string(pr.state), p.run.Server.Key()) {
		t.Fatal("the checkpoint holds the API key")
	}
}

// A token that expired before the TUS creation: new parameters are
// fetched first, and the creation is not blindly retried.
func TestTokenExpiredBeforeCreation(t *testing.T) {
	t.Run("known stale", func(t *testing.T) {
		p := newPlatform(t, sandbox.Config{TokenTTL: 200 * time.Millisecond})
		d := gcore.NewDriver(p.client(), gcore.DriverOptions{ChunkSize: conformanceChunk, PollInterval: time.Millisecond, TokenTTL: 200 * time.Millisecond})
		pr := newUpload(t, 2*conformanceChunk)
		pr.onStep = func(id string) {
			if id == gcore.StepUpload {
				time.Sleep(250 * time.Millisecond)
			}
		}
		if _, err := p.publish(t, d, pr); err != nil {
			t.Fatal(err)
		}
		if st := p.run.Server.Stats(); st.Params != 2 || st.TusRefused != 0 || st.TusCreates != 1 || st.Creates != 1 {
			t.Fatalf("stats %+v", st)
		}
	})
	t.Run("refused", func(t *testing.T) {
		p := newPlatform(t, sandbox.Config{})
		pr := newUpload(t, 2*conformanceChunk)
		pr.onStep = func(id string) {
			if id == gcore.StepUpload {
				p.run.Server.ExpireTokens()
			}
		}
		if _, err := p.publish(t, p.Driver(t), pr); err != nil {
			t.Fatal(err)
		}
		if st := p.run.Server.Stats(); st.Params != 2 || st.TusRefused != 1 || st.TusCreates != 1 {
			t.Fatalf("stats %+v", st)
		}
	})
	t.Run("always refused", func(t *testing.T) {
		p := newPlatform(t, sandbox.Config{TokenTTL: time.Nanosecond})
		pr := newUpload(t, 2*conformanceChunk)
		_, err := p.publish(t, p.Driver(t), pr)
		if err == nil || !strings.Contains(err.Error(), "token invalid") {
			t.Fatalf("want the platform's words, got %v", err)
		}
		st := p.run.Server.Stats()
		if st.TusRefused != 2 || st.Params != 2 || st.TusCreates != 0 {
			t.Fatalf("want one refetch, not blind retries: %+v", st)
		}
		if strings.Contains(err.Error(), "eyJ") {
			t.Fatalf("the error quotes the token: %v", err)
		}
	})
}

func TestProcessingEmptyWithError(t *testing.T) {
	p := newPlatform(t, sandbox.Config{})
	p.run.Server.FailProcessing("File Invalid", true)
	_, err := p.publish(t, p.Driver(t), newUpload(t, conformanceChunk))
	if dest.ReasonOf(err) != dest.ReasonProcessingFailed || !strings.Contains(err.Error(), "File Invalid") {
		t.Fatalf("got %v (%s)", err, dest.ReasonOf(err))
	}
}

func TestWrongKey(t *testing.T) {
	p := newPlatform(t, sandbox.Config{})
	c := p.client()
	c.Account = "studio"
	c.Key = func() (string, error) { return "wrong-KEY-987", nil }
	d := gcore.NewDriver(c, gcore.DriverOptions{ChunkSize: conformanceChunk, PollInterval: time.Millisecond})
	_, err := p.publish(t, d, newUpload(t, conformanceChunk))
	if dest.ReasonOf(err) != dest.ReasonSignedOut || !strings.Contains(err.Error(), `"studio"`) || strings.Contains(err.Error(), "wrong-KEY-987") {
		t.Fatalf("got %v (%s)", err, dest.ReasonOf(err))
	}
	if st := p.run.Server.Stats(); st.Creates != 0 || st.Refused != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// A 429 on the create honours Retry-After and creates one video.
func TestRateLimitedCreate(t *testing.T) {
	p := newPlatform(t, sandbox.Config{})
	p.run.Server.Inject(sandbox.Fault{Host: "api", Method: "POST", Status: 429, RetryAfter: time.Second})
	start := time.Now()
	if _, err := p.publish(t, p.Driver(t), newUpload(t, conformanceChunk)); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < time.Second || p.run.Server.Stats().Creates != 1 {
		t.Fatalf("after %s: %+v", time.Since(start), p.run.Server.Stats())
	}
}

// A dropped create is ambiguous: not repeated, no second video.
func TestDroppedCreateNotRepeated(t *testing.T) {
	p := newPlatform(t, sandbox.Config{})
	p.run.Server.Inject(sandbox.Fault{Host: "api", Method: "POST", Status: 502})
	_, err := p.publish(t, p.Driver(t), newUpload(t, conformanceChunk))
	if dest.ReasonOf(err) != dest.ReasonAmbiguousCreate {
		t.Fatalf("got %v (%s)", err, dest.ReasonOf(err))
	}
}

// The chosen poster goes with the create as a data URL; a GIF (which
// Gcore does not take) is not sent, and Gcore shows its own screenshot.
func TestPoster(t *testing.T) {
	for _, tc := range []struct {
		name string
		img  []byte
		want string
	}{
		{"png", pngBytes(t), "image/png"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPlatform(t, sandbox.Config{Polls: -1})
			pr := newUpload(t, 1000)
			pr.ed.Source.Poster = filepath.Join(t.TempDir(), "poster."+tc.name)
			os.WriteFile(pr.ed.Source.Poster, tc.img, 0o644)
			res, err := p.publish(t, p.Driver(t), pr)
			if err != nil {
				t.Fatal(err)
			}
			id, _ := strconv.ParseInt(res.ID, 10, 64)
			if v, _ := p.run.Server.Video(id); v.Poster != tc.want {
				t.Fatalf("poster on the video %q, want %q", v.Poster, tc.want)
			}
		})
	}
}

func pngBytes(t *testing.T) []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 8)))
	return buf.Bytes()
}

func TestLinkChunk(t *testing.T) {
	for _, tc := range []struct {
		sent int64
		took time.Duration
		want int64
	}{
		{10 << 20, time.Second, 50 << 20},                 // 10 MiB/s: 5 s is 50 MiB
		{10 << 20, 10 * time.Second, gcore.MinChunk},      // slow: never below 10 MiB
		{10 << 20, 10 * time.Millisecond, gcore.MaxChunk}, // fast: never above 256 MiB
		{25 << 20, time.Second, 125 << 20},                // 200 Mbit/s: 125 MiB
		{0, 0, gcore.MaxChunk},
	} {
		if got := gcore.LinkChunk(tc.sent, tc.took); got != tc.want {
			t.Errorf("LinkChunk(%d, %s) = %d, want %d", tc.sent, tc.took, got, tc.want)
		}
	}
}

// Without a fixed chunk size the first chunk is 10 MiB and the next are
// sized to the link: on loopback the rest goes in one PATCH.
func TestChunksSizedToTheLink(t *testing.T) {
	p := newPlatform(t, sandbox.Config{Polls: -1})
	d := gcore.NewDriver(p.client(), gcore.DriverOptions{PollInterval: time.Millisecond})
	const size = 30 << 20
	if _, err := p.publish(t, d, newUpload(t, size)); err != nil {
		t.Fatal(err)
	}
	if st := p.run.Server.Stats(); st.Patches != 2 || st.PatchBytes != size {
		t.Fatalf("want a 10 MiB chunk, then the rest: %+v", st)
	}
}

// The upload server forgot a partial upload (its retention time passed)
// while the target was paused: the resume creates a new TUS upload for the
// same video (with new upload parameters), never a second video.
func TestPurgedUploadResumesOnTheSameVideo(t *testing.T) {
	p := newPlatform(t, sandbox.Config{})
	pr := newUpload(t, 4*conformanceChunk)
	ctx, kill := context.WithCancel(context.Background())
	pr.onSent = func(acked int64) {
		if acked >= conformanceChunk {
			kill()
		}
	}
	if _, err := p.Driver(t).Publish(ctx, nil, pr); err == nil {
		t.Fatal("the killed run finished")
	}
	pr.onSent = nil
	if n := p.run.Server.PurgeUploads(); n != 1 {
		t.Fatalf("purged %d uploads", n)
	}
	res, err := p.publish(t, p.Driver(t), pr)
	if err != nil {
		t.Fatal(err)
	}
	st := p.run.Server.Stats()
	if st.Creates != 1 || st.TusCreates != 2 || st.Params != 2 {
		t.Fatalf("stats %+v", st)
	}
	if title, ok := p.Title(res.ID); !ok || title != "Clip" {
		t.Fatalf("video %s: %q %v", res.ID, title, ok)
	}
}
