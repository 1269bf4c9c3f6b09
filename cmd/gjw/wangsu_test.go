package main

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	wangsusb "github.com/gjw-uploader/gjw-uploader/core/sandbox/wangsu"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
)

// wangsuCLI is gjw on a fresh data folder pointed at a fresh Wangsu
// sandbox (the real 4 MiB block unit), with a Wangsu account added.
func wangsuCLI(t *testing.T, cfg wangsusb.Config, name string, size int64) (*accountCLI, *wangsusb.Running, string) {
	t.Helper()
	run, err := wangsusb.Start(cfg, "127.0.0.1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	c := newAccountCLI(t)
	t.Setenv("WANGSU_API_URL", run.APIURL)
	t.Setenv("GJW_CHUNK_SIZE", strconv.Itoa(1<<20))
	t.Setenv("GJW_POLL_INTERVAL", "10ms")
	t.Setenv("GJW_RETRY_DELAYS", "0,1ms,2ms,5ms")
	video := filepath.Join(t.TempDir(), name)
	sandboxtest.WriteRandom(t, video, size)
	ak, sk := run.Server.Keys()
	out := c.ok("account", "add", "wangsu", "--access-key", ak, "--secret-key", c.secret(sk))
	if !strings.Contains(out, `Wangsu account "wangsu"`) || !strings.Contains(out, "default") {
		t.Fatalf("account add wangsu: %q", out)
	}
	return c, run, video
}

const wangsuSize = 2*(4<<20) + 777 // two full 4 MiB blocks and a short one

func TestUploadToWangsu(t *testing.T) {
	long := strings.Repeat("a long file name ", 4)[:56] + ".mp4" // 60 characters
	c, run, video := wangsuCLI(t, wangsusb.Config{Polls: 1}, long, wangsuSize)
	o := c.gjw("upload", video, "--title", "T", "--to", "wangsu", "--json")
	if o.code != 0 {
		t.Fatalf("upload: %v", o)
	}
	var r uploadResult
	dec := json.NewDecoder(strings.NewReader(o.stdout))
	if err := dec.Decode(&r); err != nil || dec.More() {
		t.Fatalf("want one JSON object on stdout: %v\n%s", err, o.stdout)
	}
	if r.Platform != "wangsu" || r.State != "done" || r.ID == "" || !strings.HasPrefix(r.URL, "https://"+wangsusb.PublishDomain+"/") || r.Error != "" {
		t.Fatalf("result %+v", r)
	}
	v, ok := run.Server.Video(r.ID)
	if !ok || v.Name != "T" || v.TranscodeState != 1 || v.Size != wangsuSize || len(v.OriginFileName) > 40 || !strings.HasSuffix(v.OriginFileName, ".mp4") {
		t.Fatalf("video on the sandbox: %+v (found %v)", v, ok)
	}
	st := run.Server.Stats()
	if st.Videos != 1 || st.Batches != 1 || st.Mkblks != 3 || st.Mkfiles != 1 || st.Received != wangsuSize {
		t.Fatalf("stats %+v", st)
	}
	if o := c.gjw("jobs"); o.code != 0 || !strings.Contains(o.stdout, "published") {
		t.Fatalf("jobs: %v", o)
	}
	for _, step := range []string{"getting upload token", "uploading video", "transcoding"} {
		if !strings.Contains(o.stderr, step) {
			t.Errorf("stderr does not mention %q:\n%s", step, o.stderr)
		}
	}
}

func TestUploadToWangsuTranscodingFails(t *testing.T) {
	c, run, video := wangsuCLI(t, wangsusb.Config{Polls: 1}, "clip.mp4", testSize)
	run.Server.FailProcessing("unsupported codec xyz")
	o := c.gjw("upload", video, "--title", "T", "--to", "wangsu")
	if line := oneErrorLine(t, o); o.code == 0 || !strings.Contains(line, "unsupported codec xyz") || !strings.Contains(line, "wangsu") {
		t.Fatalf("%v", o)
	}
}

func TestUploadToWangsuWrongSecret(t *testing.T) {
	c, run, video := wangsuCLI(t, wangsusb.Config{}, "clip.mp4", testSize)
	ak, _ := run.Server.Keys()
	c.ok("account", "add", "wangsu", "--name", "studio", "--access-key", ak, "--secret-key", c.secret("a-WRONG-secret"))
	o := c.gjw("upload", video, "--title", "T", "--to", "studio")
	if line := oneErrorLine(t, o); o.code == 0 || !strings.Contains(line, `"studio"`) {
		t.Fatalf("wrong secret: %v", o)
	}
	if st := run.Server.Stats(); st.Videos != 0 {
		t.Fatalf("a video was created with a wrong secret: %+v", st)
	}
}
