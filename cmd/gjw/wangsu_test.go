package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	wangsusb "github.com/gjw-uploader/gjw-uploader/core/sandbox/wangsu"
	"github.com/gjw-uploader/gjw-uploader/core/wangsu"
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
	o := c.gjw("account", "add", "wangsu", "--name", "studio", "--access-key", ak, "--secret-key", c.secret("a-WRONG-secret"))
	if line := oneErrorLine(t, o); o.code != exitSignedOut || !strings.Contains(line, "Wangsu refused --access-key and --secret-key") {
		t.Fatalf("add with a wrong secret key: %v", o)
	}
	if rows := c.list(); len(rows) != 1 {
		t.Fatalf("the refused account was stored: %+v", rows)
	}
	c.ok("account", "add", "wangsu", "--no-check", "--name", "studio", "--access-key", ak, "--secret-key", c.secret("a-WRONG-secret"))
	o = c.gjw("upload", video, "--title", "T", "--to", "studio")
	if line := oneErrorLine(t, o); o.code != exitSignedOut || !strings.Contains(line, `"studio"`) {
		t.Fatalf("wrong secret: %v", o)
	}
	if st := run.Server.Stats(); st.Videos != 0 {
		t.Fatalf("a video was created with a wrong secret: %+v", st)
	}
}

// SIGKILL mid-upload, then gjw resume: one videoId, one batch, mkfile
// once, at most one block re-sent. Each block's ctx and offset are saved
// after every answer, so usually nothing is re-sent; but a chunk the host
// stored whose answer the killed process never saved leaves a stale ctx,
// and that block alone is sent again from its start (no call lists what
// the host holds).
//
// The killed process's last chunk may still be arriving (the kernel sends
// what it had written) when the resumed one sends the same chunk: one of
// the two is refused as stale after its bytes were read. So the host may
// read one chunk more than the block sent again.
func TestUploadToWangsuKillThenResume(t *testing.T) {
	const chunk = 1 << 20
	const size = 3*(4<<20) + 777
	c, run, video := wangsuCLI(t, wangsusb.Config{Polls: 1, Throttle: 32 << 20}, "clip.mp4", size)
	cmd := exec.Command(buildGJW(t), "upload", video, "--title", "T", "--to", "wangsu", "--json")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for st := run.Server.Stats(); st.Received < 5*chunk+chunk/2; st = run.Server.Stats() {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the upload never started: %+v\n%s", st, errb.String())
		}
		time.Sleep(time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if st := run.Server.Stats(); st.Mkfiles > 0 {
		t.Skipf("the upload finished before the kill: %+v", st)
	}
	if o := c.gjw("jobs"); o.code != 0 || !strings.Contains(o.stdout, "uploading video") {
		t.Fatalf("jobs after the kill: %v", o)
	}
	o := c.gjw("resume", "--json")
	res, err := jsonLines(o.stdout)
	if o.code != 0 || err != nil || len(res) != 1 {
		t.Fatalf("resume: %v (%v)", o, err)
	}
	r := res[0]
	if r.Platform != "wangsu" || r.State != "done" || r.ID == "" || r.URL == "" {
		t.Fatalf("result %+v", r)
	}
	st := run.Server.Stats()
	if st.Videos != 1 || st.Batches != 1 || st.Mkfiles != 1 || st.Received > size+wangsu.DefaultBlockSize+chunk || st.Mkblks > 5 {
		t.Fatalf("want one video, one batch, one mkfile, at most one block re-sent: %+v (size %d)", st, size)
	}
}

// 503, 500 and a dropped connection on chunks, and an upload token that
// expires mid-upload (the host answers 401): one video, one batch, a new
// token for the same fileId, nothing re-sent but the cut chunk's bytes.
func TestUploadToWangsuFaultsAndTokenExpiry(t *testing.T) {
	c, run, video := wangsuCLI(t, wangsusb.Config{Polls: 1}, "clip.mp4", wangsuSize)
	run.Server.Inject(wangsusb.Fault{Host: "upload", Path: "/bput/", Status: 503})
	run.Server.Inject(wangsusb.Fault{Host: "upload", Path: "/bput/", Status: 500})
	run.Server.Inject(wangsusb.Fault{Host: "upload", Path: "/mkblk/", CutAfter: 1000})
	run.Server.ExpireTokensAfter(5) // the 6th upload request on meets an expired token
	o := c.gjw("upload", video, "--title", "T", "--to", "wangsu", "--json")
	var r uploadResult
	if err := json.Unmarshal([]byte(o.stdout), &r); o.code != 0 || err != nil || r.State != "done" {
		t.Fatalf("upload: %v", o)
	}
	st := run.Server.Stats()
	if st.Videos != 1 || st.Batches != 1 || st.Mkfiles != 1 || st.Tokens != 2 || st.TokenRefused != 1 || st.Received > wangsuSize+1000 {
		t.Fatalf("stats %+v", st)
	}
}

// One drop to Gan Jing World and Wangsu, SIGKILLed while both upload: gjw
// resume finishes both, one entity on each (one TUS upload on GJW; one
// batch and one mkfile on Wangsu, at most one block re-sent).
func TestCrossPostGJWAndWangsuKillThenResume(t *testing.T) {
	const chunk = 1 << 20
	const size = 12*chunk + 777
	c := newCLI(t, sandbox.Config{Throttle: 32 << 20}, size)
	c.setChunk(t, chunk)
	wrun, err := wangsusb.Start(wangsusb.Config{Polls: 1, Throttle: 32 << 20}, "127.0.0.1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer wrun.Close()
	t.Setenv("WANGSU_API_URL", wrun.APIURL)
	c.addGJW(binary, "gjw", c.sb.Server.DemoAccount())
	ak, sk := wrun.Server.Keys()
	c.mu.Lock()
	c.tokens = append(c.tokens, sk)
	c.mu.Unlock()
	if o := c.gjw(binary, "account", "add", "wangsu", "--access-key", ak, "--secret-key", sk); o.code != 0 {
		t.Fatalf("account add wangsu: %v", o)
	}

	cmd := exec.Command(buildGJW(t), "upload", c.video, "--title", "T", "--thumbnail", c.thumb, "--to", "gjw,wangsu", "--json")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		g, w := c.sb.Server.Stats(), wrun.Server.Stats()
		if g.TusPatchBytes >= 2*chunk && w.Received >= 2*chunk {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("both uploads never started: %+v %+v\n%s", g, w, errb.String())
		}
		time.Sleep(time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if g, w := c.sb.Server.Stats(), wrun.Server.Stats(); g.TusPatchBytes >= size || w.Mkfiles > 0 {
		t.Skipf("an upload finished before the kill: %+v %+v", g, w)
	}

	o := c.gjw(binary, "resume", "--json")
	res, err := jsonLines(o.stdout)
	if o.code != 0 || err != nil || len(res) != 2 || res[0].JobID != res[1].JobID {
		t.Fatalf("resume: %v (%v)", o, err)
	}
	for _, r := range res {
		if r.State != "done" || r.ID == "" || r.URL == "" {
			t.Fatalf("resume result: %+v", r)
		}
	}
	// At most one block and a chunk read twice (see TestUploadToWangsuKillThenResume).
	if st := wrun.Server.Stats(); st.Videos != 1 || st.Batches != 1 || st.Mkfiles != 1 || st.Received > size+wangsu.DefaultBlockSize+chunk {
		t.Fatalf("Wangsu after resume: %+v", st)
	}
	if st := c.sb.Server.Stats(); st.AddContent != 1 || st.TusCreates != 1 || st.TusPatchBytes > size+chunk {
		t.Fatalf("GJW after resume: %+v", st)
	}
}
