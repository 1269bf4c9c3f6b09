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
	gcoresb "github.com/gjw-uploader/gjw-uploader/core/sandbox/gcore"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
)

// gcoreCLI is gjw on a fresh data folder pointed at a fresh Gcore sandbox,
// with a Gcore account added.
func gcoreCLI(t *testing.T, cfg gcoresb.Config, size int64) (*accountCLI, *gcoresb.Running, string) {
	t.Helper()
	cfg.Dir = t.TempDir()
	run, err := gcoresb.Start(cfg, "127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	c := newAccountCLI(t)
	t.Setenv("GCORE_API_URL", run.APIURL)
	t.Setenv("GJW_CHUNK_SIZE", strconv.Itoa(testChunk))
	t.Setenv("GJW_POLL_INTERVAL", "10ms")
	t.Setenv("GJW_RETRY_DELAYS", "0,1ms,2ms,5ms")
	video := filepath.Join(t.TempDir(), "clip.mp4")
	sandboxtest.WriteRandom(t, video, size)
	out := c.ok("account", "add", "gcore", "--api-key", c.secret(run.Server.Key()))
	if !strings.Contains(out, `Gcore account "gcore"`) || !strings.Contains(out, "default") {
		t.Fatalf("account add gcore: %q", out)
	}
	return c, run, video
}

// checkGcore checks one --json object against the sandbox: one video,
// ready, titled T, one TUS upload, the file received once (plus at most
// one chunk).
func checkGcore(t *testing.T, run *gcoresb.Running, r uploadResult, size int64) {
	t.Helper()
	if r.Platform != "gcore" || r.State != "done" || r.ID == "" || !strings.HasPrefix(r.URL, "https://player.gvideo.co/videos/") || r.Error != "" {
		t.Fatalf("result %+v", r)
	}
	id, _ := strconv.ParseInt(r.ID, 10, 64)
	v, ok := run.Server.Video(id)
	if !ok || v.Status != "ready" || v.Name != "T" {
		t.Fatalf("video on the sandbox: %+v (found %v)", v, ok)
	}
	st := run.Server.Stats()
	if st.Creates != 1 || st.TusCreates != 1 || st.UploadAuth != 0 || st.PatchBytes < size || st.PatchBytes > size+testChunk {
		t.Fatalf("stats %+v for a %d-byte file", st, size)
	}
}

func TestUploadToGcore(t *testing.T) {
	for _, array := range []bool{false, true} {
		t.Run("array="+strconv.FormatBool(array), func(t *testing.T) {
			c, run, video := gcoreCLI(t, gcoresb.Config{Polls: 1, ArrayCreate: array}, testSize)
			o := c.gjw("upload", video, "--title", "T", "--to", "gcore", "--json")
			if o.code != 0 {
				t.Fatalf("upload: %v", o)
			}
			var r uploadResult
			dec := json.NewDecoder(strings.NewReader(o.stdout))
			if err := dec.Decode(&r); err != nil || dec.More() {
				t.Fatalf("want one JSON object on stdout: %v\n%s", err, o.stdout)
			}
			checkGcore(t, run, r, testSize)
			if o := c.gjw("jobs"); o.code != 0 || !strings.Contains(o.stdout, "published") || !strings.Contains(o.stdout, r.URL) {
				t.Fatalf("jobs: %v", o)
			}
			for _, step := range []string{"creating video", "uploading video", "processing"} {
				if !strings.Contains(o.stderr, step) {
					t.Errorf("stderr does not mention %q:\n%s", step, o.stderr)
				}
			}
		})
	}
}

func TestUploadToGcoreProcessingFails(t *testing.T) {
	for _, empty := range []bool{false, true} {
		c, run, video := gcoreCLI(t, gcoresb.Config{Polls: 1}, testSize)
		run.Server.FailProcessing("File Invalid", empty)
		o := c.gjw("upload", video, "--title", "T", "--to", "gcore")
		if line := oneErrorLine(t, o); o.code == 0 || !strings.Contains(line, "File Invalid") || !strings.Contains(line, "gcore") {
			t.Fatalf("empty=%v: %v", empty, o)
		}
		if st := run.Server.Stats(); st.Polls > 3 {
			t.Fatalf("kept polling after the failure: %+v", st)
		}
	}
}

func TestUploadToGcoreWrongKey(t *testing.T) {
	c, run, video := gcoreCLI(t, gcoresb.Config{Key: "the-right-key"}, testSize)
	// Refused when it is entered: exit 3, the flag named, nothing stored.
	o := c.gjw("account", "add", "gcore", "--name", "studio", "--api-key", c.secret("a-WRONG-key"))
	if line := oneErrorLine(t, o); o.code != exitSignedOut || !strings.Contains(line, "Gcore refused --api-key") || !strings.Contains(line, "nothing was stored") {
		t.Fatalf("add with a wrong key: %v", o)
	}
	if rows := c.list(); len(rows) != 1 {
		t.Fatalf("the refused account was stored: %+v", rows)
	}
	// Stored unchecked, the upload tells.
	c.ok("account", "add", "gcore", "--no-check", "--name", "studio", "--api-key", c.secret("a-WRONG-key"))
	o = c.gjw("upload", video, "--title", "T", "--to", "studio")
	if line := oneErrorLine(t, o); o.code != exitSignedOut || !strings.Contains(line, `"studio"`) {
		t.Fatalf("wrong key: %v", o)
	}
	if st := run.Server.Stats(); st.Creates != 0 {
		t.Fatalf("a video was created with a wrong key: %+v", st)
	}
}

// SIGKILL mid-upload, then gjw resume: one video, one TUS upload, at most
// one chunk re-sent.
func TestUploadToGcoreKillThenResume(t *testing.T) {
	const chunk = 1 << 20
	const size = 12*chunk + 777
	// A throttled upload host, so the kill lands mid-transfer.
	c, run, video := gcoreCLI(t, gcoresb.Config{Polls: 1, Throttle: 32 << 20}, size)
	t.Setenv("GJW_CHUNK_SIZE", strconv.Itoa(chunk))
	cmd := exec.Command(buildGJW(t), "upload", video, "--title", "T", "--to", "gcore", "--json")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for st := run.Server.Stats(); st.TusCreates < 1 || st.PatchBytes < 2*chunk; st = run.Server.Stats() {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the upload never started: %+v\n%s", st, errb.String())
		}
		time.Sleep(time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if st := run.Server.Stats(); st.PatchBytes >= size {
		t.Skipf("the upload finished before the kill: %+v", st)
	}
	// gjw jobs names the step in the driver's words.
	if o := c.gjw("jobs"); o.code != 0 || !strings.Contains(o.stdout, "uploading video") {
		t.Fatalf("jobs after the kill: %v", o)
	}
	o := c.gjw("resume", "--json")
	res, err := jsonLines(o.stdout)
	if o.code != 0 || err != nil || len(res) != 1 {
		t.Fatalf("resume: %v (%v)", o, err)
	}
	checkGcoreResent(t, run, res[0], size, chunk)
}

func checkGcoreResent(t *testing.T, run *gcoresb.Running, r uploadResult, size, chunk int64) {
	t.Helper()
	if r.Platform != "gcore" || r.State != "done" || r.ID == "" || r.URL == "" {
		t.Fatalf("result %+v", r)
	}
	st := run.Server.Stats()
	if st.Creates != 1 || st.TusCreates != 1 || st.PatchBytes > size+chunk {
		t.Fatalf("want one video, one upload, at most one chunk re-sent: %+v (size %d)", st, size)
	}
}

// One drop to Gan Jing World and Gcore, SIGKILLed while both upload: gjw
// resume finishes both, one entity and one TUS upload on each.
func TestCrossPostGJWAndGcoreKillThenResume(t *testing.T) {
	const chunk = 1 << 20
	const size = 12*chunk + 777
	c := newCLI(t, sandbox.Config{Throttle: 32 << 20}, size)
	c.setChunk(t, chunk)
	grun, err := gcoresb.Start(gcoresb.Config{Dir: t.TempDir(), Polls: 1, Throttle: 32 << 20}, "127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer grun.Close()
	t.Setenv("GCORE_API_URL", grun.APIURL)
	c.addGJW(binary, "gjw", c.sb.Server.DemoAccount())
	c.mu.Lock()
	c.tokens = append(c.tokens, grun.Server.Key())
	c.mu.Unlock()
	if o := c.gjw(binary, "account", "add", "gcore", "--api-key", grun.Server.Key()); o.code != 0 {
		t.Fatalf("account add gcore: %v", o)
	}

	cmd := exec.Command(buildGJW(t), "upload", c.video, "--title", "T", "--thumbnail", c.thumb, "--to", "gjw,gcore", "--json")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		g, gc := c.sb.Server.Stats(), grun.Server.Stats()
		if g.TusPatchBytes >= 2*chunk && gc.PatchBytes >= 2*chunk {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("both uploads never started: %+v %+v\n%s", g, gc, errb.String())
		}
		time.Sleep(time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if g, gc := c.sb.Server.Stats(), grun.Server.Stats(); g.TusPatchBytes >= size || gc.PatchBytes >= size {
		t.Skipf("an upload finished before the kill: %+v %+v", g, gc)
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
		if r.Platform == "gcore" {
			checkGcoreResent(t, grun, r, size, chunk)
		}
	}
	if st := c.sb.Server.Stats(); st.AddContent != 1 || st.TusCreates != 1 || st.TusPatchBytes > size+chunk {
		t.Fatalf("GJW after resume: %+v", st)
	}
}

// The TUS token has expired when the upload is created, and the upload
// host answers 503, 500 and drops a PATCH: gjw upload still publishes one
// video with one TUS upload, fetching new parameters once.
func TestUploadToGcoreTokenExpiredAndFaults(t *testing.T) {
	c, run, video := gcoreCLI(t, gcoresb.Config{Polls: 1}, testSize)
	run.Server.ExpireNextTokens(1)
	for _, f := range []gcoresb.Fault{{Status: 503}, {Status: 500}, {CutAfter: 1000}} {
		f.Host, f.Method, f.Path = "upload", "PATCH", "/upload/"
		run.Server.Inject(f)
	}
	o := c.gjw("upload", video, "--title", "T", "--to", "gcore", "--json")
	res, err := jsonLines(o.stdout)
	if o.code != 0 || err != nil || len(res) != 1 {
		t.Fatalf("upload: %v (%v)", o, err)
	}
	checkGcore(t, run, res[0], testSize)
	if st := run.Server.Stats(); st.Params != 2 || st.TusRefused != 1 {
		t.Fatalf("want one refused creation and new parameters once: %+v", st)
	}
}
