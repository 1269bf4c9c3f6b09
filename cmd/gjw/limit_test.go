package main

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	gcoresb "github.com/gjw-uploader/gjw-uploader/core/sandbox/gcore"
	jwsb "github.com/gjw-uploader/gjw-uploader/core/sandbox/jw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	wangsusb "github.com/gjw-uploader/gjw-uploader/core/sandbox/wangsu"
)

// TestUploadLimitRate: gjw upload --limit-rate 1M sends 3 MiB no faster
// than 1 MiB/s + 5% (it may be slower on a busy machine, never faster:
// the first burst is a twentieth of a second's worth).
func TestUploadLimitRate(t *testing.T) {
	const size = 3 << 20
	c := newCLI(t, sandbox.Config{TranscodePolls: -1}, size)
	c.setChunk(t, 1<<20)
	c.login(inProcess, c.sb.Server.DemoAccount())
	start := time.Now()
	o := c.gjw(inProcess, "upload", c.video, "--title", "Slow", "--thumbnail", c.thumb, "--limit-rate", "1M", "--json")
	took := time.Since(start)
	if o.code != 0 {
		t.Fatalf("upload: %v", o)
	}
	res, err := jsonLines(o.stdout)
	if err != nil || len(res) != 1 {
		t.Fatalf("%v %v", res, err)
	}
	c.published(res[0])
	sent := float64(size - 64<<10) // less one burst and one read
	fastest := time.Duration(sent / (1.05 * (1 << 20)) * float64(time.Second))
	t.Logf("3 MiB at --limit-rate 1M: %s", took.Round(time.Millisecond))
	if took < fastest {
		t.Fatalf("3 MiB at 1M took %s: faster than the limit (at least %s)", took, fastest)
	}
}

func TestUploadLimitRateRefusesBadValues(t *testing.T) {
	c := newCLI(t, sandbox.Config{}, testSize)
	c.login(inProcess, c.sb.Server.DemoAccount())
	for _, bad := range []string{"512", "fast", "08:00,1M 07:00,2M"} {
		o := c.gjw(inProcess, "upload", c.video, "--title", "T", "--thumbnail", c.thumb, "--limit-rate", bad)
		line := oneErrorLine(t, o)
		if o.code != exitUsage || !strings.Contains(line, "--limit-rate") {
			t.Errorf("--limit-rate %q: %v", bad, o)
		}
	}
	if st := c.sb.Server.Stats(); st.AddContent != 0 {
		t.Fatalf("a refused --limit-rate still uploaded: %+v", st)
	}
	if o := c.gjw(inProcess, "resume", "--limit-rate", "2X"); o.code != exitUsage {
		t.Errorf("resume --limit-rate 2X: %v", o)
	}
}

// TestUploadSaysReconnecting: a connection dropped mid-chunk is retried,
// and the plain progress lines say the upload is reconnecting.
func TestUploadSaysReconnecting(t *testing.T) {
	c := newCLI(t, sandbox.Config{}, testSize)
	c.login(inProcess, c.sb.Server.DemoAccount())
	c.sb.Server.Inject(sandbox.Fault{Host: "vod", Method: "PATCH", Path: "/api/v1/tus/upload/", CutAfter: testChunk / 2})
	o := c.gjw(inProcess, "upload", c.video, "--title", "T", "--thumbnail", c.thumb, "--json")
	if o.code != 0 {
		t.Fatalf("upload: %v", o)
	}
	if !strings.Contains(o.stderr, "reconnecting: the platform can't be reached") {
		t.Fatalf("stderr does not say reconnecting:\n%s", o.stderr)
	}
}

// TestWatchSaysReconnecting: under gjw watch (the queue) an upload whose
// video host cannot be reached through every retry waits, reconnecting,
// instead of failing, and says so.
func TestWatchSaysReconnecting(t *testing.T) {
	c := newCLI(t, sandbox.Config{}, testSize)
	c.login(inProcess, c.sb.Server.DemoAccount())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GJW_VOD_URL", "http://"+ln.Addr().String()) // nothing listens there
	ln.Close()
	in := t.TempDir()
	w := c.startWatch(t, in, "--settle", "200ms", "--json")
	sandboxtest.WritePNG(t, filepath.Join(in, "clip.png"), 1)
	sandboxtest.WriteRandom(t, filepath.Join(in, "clip.mp4"), testSize)
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(w.err.String(), "reconnecting:") {
		if time.Now().After(deadline) {
			t.Fatalf("gjw watch never said reconnecting:\n%s", w.err.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(w.err.String(), "failed") {
		t.Fatalf("the upload failed instead of waiting:\n%s", w.err.String())
	}
	w.stop(t, c)
}

// TestLimitRateOnEveryPlatform: --limit-rate holds for Gcore's TUS, JW
// Player's part PUTs and Wangsu's block uploads too (the limit sits under
// every driver, in the HTTP layer): 2 MiB at 1M is never faster than
// 1 MiB/s + 5%.
func TestLimitRateOnEveryPlatform(t *testing.T) {
	const size = 2 << 20
	sent := float64(size - 64<<10) // less one burst and one read
	fastest := time.Duration(sent / (1.05 * (1 << 20)) * float64(time.Second))
	for name, start := range map[string]func(t *testing.T) (*accountCLI, string){
		"gcore": func(t *testing.T) (*accountCLI, string) {
			c, _, v := gcoreCLI(t, gcoresb.Config{}, size)
			return c, v
		},
		"jw": func(t *testing.T) (*accountCLI, string) {
			c, _, v := jwCLI(t, jwsb.Config{}, size)
			return c, v
		},
		"wangsu": func(t *testing.T) (*accountCLI, string) {
			c, _, v := wangsuCLI(t, wangsusb.Config{Polls: 1}, "clip.mp4", size)
			return c, v
		},
	} {
		t.Run(name, func(t *testing.T) {
			c, video := start(t)
			begin := time.Now()
			o := c.gjw("upload", video, "--title", "T", "--to", name, "--limit-rate", "1M", "--json")
			took := time.Since(begin)
			if o.code != 0 {
				t.Fatalf("upload: %v", o)
			}
			t.Logf("2 MiB to %s at --limit-rate 1M: %s", name, took.Round(time.Millisecond))
			if took < fastest {
				t.Fatalf("2 MiB at 1M took %s: faster than the limit (at least %s)", took, fastest)
			}
		})
	}
}
