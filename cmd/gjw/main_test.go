package main

// Tests of the gjw contract (issue 2) against the in-process sandbox, both
// through run() and through the built binary. Crash tests (SIGKILL, then
// gjw resume) are in crash_test.go.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

const (
	testChunk = 64 << 10
	testSize  = 4*testChunk + 777 // several chunks and a partial one
)

// gjwBinary is the gjw command built once per test binary (see buildGJW).
var gjwBinary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if gjwBinary.dir != "" {
		os.RemoveAll(gjwBinary.dir)
	}
	os.Exit(code)
}

// buildGJW builds this package into a temp dir once and returns the path.
func buildGJW(tb testing.TB) string {
	tb.Helper()
	gjwBinary.once.Do(func() {
		gjwBinary.dir, gjwBinary.err = os.MkdirTemp("", "gjw-bin-")
		if gjwBinary.err != nil {
			return
		}
		gjwBinary.path = filepath.Join(gjwBinary.dir, "gjw")
		out, err := exec.Command("go", "build", "-o", gjwBinary.path, ".").CombinedOutput()
		if err != nil {
			gjwBinary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if gjwBinary.err != nil {
		tb.Fatal(gjwBinary.err)
	}
	return gjwBinary.path
}

// outcome is one gjw invocation.
type outcome struct {
	code           int
	stdout, stderr string
}

func (o outcome) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", o.code, o.stdout, o.stderr)
}

// runner runs gjw with args: in process (run) or as the built binary.
type runner func(tb testing.TB, args ...string) outcome

func inProcess(tb testing.TB, args ...string) outcome {
	tb.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return outcome{code, out.String(), errb.String()}
}

func binary(tb testing.TB, args ...string) outcome {
	tb.Helper()
	cmd := exec.Command(buildGJW(tb), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		tb.Fatal(err)
	}
	return outcome{code, out.String(), errb.String()}
}

var runners = map[string]runner{"in-process": inProcess, "binary": binary}

// cli is gjw with a fresh data dir, pointed by the environment at a fresh
// sandbox listening on loopback.
type cli struct {
	t     testing.TB
	sb    *sandbox.Running
	data  string
	video string
	thumb string
	size  int64
	chunk int64 // GJW_CHUNK_SIZE

	mu      sync.Mutex
	outputs []string // everything gjw printed, checked for tokens at cleanup
	tokens  []string // every token gjw was given
}

func newCLI(t testing.TB, cfg sandbox.Config, videoSize int64) *cli {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	if cfg.TranscodePolls == 0 {
		cfg.TranscodePolls = 2
	}
	sb, err := sandbox.Start(cfg, "127.0.0.1", [3]int{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	c := &cli{t: t, sb: sb, data: filepath.Join(t.TempDir(), "data"), size: videoSize, chunk: testChunk}
	t.Setenv("GJW_DATA_DIR", c.data)
	t.Setenv("GJW_API_URL", sb.APIURL)
	t.Setenv("GJW_IMAGE_URL", sb.ImageURL)
	t.Setenv("GJW_VOD_URL", sb.VODURL)
	t.Setenv("GJW_CHUNK_SIZE", strconv.Itoa(testChunk)) // see setChunk
	t.Setenv("GJW_POLL_INTERVAL", "10ms")
	t.Setenv("GJW_RETRY_DELAYS", "0,1ms,2ms,5ms")
	dir := t.TempDir()
	c.video = filepath.Join(dir, "clip.mp4")
	sandboxtest.WriteRandom(t, c.video, videoSize)
	c.thumb = filepath.Join(dir, "poster.png")
	sandboxtest.WritePNG(t, c.thumb, 1)
	demo := sb.Server.DemoAccount()
	c.tokens = append(c.tokens, demo.AccessToken, demo.RefreshToken)
	t.Cleanup(c.checkNoTokens)
	return c
}

// setChunk changes the chunk size gjw uses.
func (c *cli) setChunk(t testing.TB, n int64) {
	c.chunk = n
	t.Setenv("GJW_CHUNK_SIZE", strconv.FormatInt(n, 10))
}

// gjw runs gjw with r and records its output.
func (c *cli) gjw(r runner, args ...string) outcome {
	c.t.Helper()
	o := r(c.t, args...)
	c.mu.Lock()
	c.outputs = append(c.outputs, o.stdout, o.stderr)
	c.mu.Unlock()
	return o
}

// login signs gjw in with acct.
func (c *cli) login(r runner, acct sandbox.Account) {
	c.t.Helper()
	c.mu.Lock()
	c.tokens = append(c.tokens, acct.AccessToken, acct.RefreshToken)
	c.mu.Unlock()
	o := c.gjw(r, "login", "--access-token", acct.AccessToken, "--refresh-token", acct.RefreshToken,
		"--channel", acct.ChannelID, "--expires-in", strconv.FormatInt(acct.ExpiresIn, 10))
	if o.code != 0 || !strings.Contains(o.stdout, acct.ChannelID) {
		c.t.Fatalf("login: %v", o)
	}
}

// checkNoTokens fails if any output of gjw contains a token it was given
// or one stored in its data dir (rotated by a refresh).
func (c *cli) checkNoTokens() {
	tokens := c.tokens
	if db, err := persist.Open(c.data); err == nil {
		if cr, ok, _ := db.Credentials(); ok {
			tokens = append(tokens, cr.AccessToken, cr.RefreshToken)
		}
		db.Close()
	}
	for _, out := range c.outputs {
		for _, tok := range tokens {
			if tok != "" && strings.Contains(out, tok) {
				c.t.Errorf("a token appears in gjw's output:\n%s", out)
			}
		}
	}
}

// jsonLines decodes what upload and resume --json print: one object per
// target, a line each.
func jsonLines(stdout string) ([]uploadResult, error) {
	var out []uploadResult
	dec := json.NewDecoder(strings.NewReader(stdout))
	for dec.More() {
		var r uploadResult
		if err := dec.Decode(&r); err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// uploadResult is what gjw upload --json prints for one target.
type uploadResult struct {
	JobID     string `json:"job_id"`
	Title     string `json:"title"`
	Account   string `json:"account"`
	Platform  string `json:"platform"`
	ID        string `json:"id"`
	State     string `json:"state"`
	ContentID string `json:"content_id"`
	VideoID   string `json:"video_id"`
	HLSURL    string `json:"hls_url"`
	URL       string `json:"url"`
	Error     string `json:"error"`
}

// published checks r against the sandbox: the content exists, is
// published with r's video, and the server got the file once.
func (c *cli) published(r uploadResult) {
	c.t.Helper()
	if r.ContentID == "" || r.URL != "https://www.ganjingworld.com/video/"+r.ContentID {
		c.t.Fatalf("url %q for content %q", r.URL, r.ContentID)
	}
	if r.VideoID == "" || !strings.HasPrefix(r.HLSURL, c.sb.VODURL+"/") || !strings.HasSuffix(r.HLSURL, ".m3u8") {
		c.t.Fatalf("video id %q, hls_url %q", r.VideoID, r.HLSURL)
	}
	content, ok := c.sb.Server.Content(r.ContentID)
	if !ok || !content.Published || content.VideoID != r.VideoID || content.Type != "Video" {
		c.t.Fatalf("content on the sandbox: %+v (found %v)", content, ok)
	}
	st := c.sb.Server.Stats()
	if st.AddContent != 1 || st.TusCreates != 1 || st.UpdateContent != 1 {
		c.t.Fatalf("want one content entry, one TUS upload, one finalize: %+v", st)
	}
	if st.TusPatchBytes < c.size || st.TusPatchBytes > c.size+c.chunk {
		c.t.Fatalf("server received %d bytes of a %d-byte file", st.TusPatchBytes, c.size)
	}
}

// oneErrorLine checks that stderr ends with exactly one "gjw:" error line
// (progress lines may precede it) and returns it.
func oneErrorLine(t testing.TB, o outcome) string {
	t.Helper()
	var errs []string
	for _, l := range strings.Split(strings.TrimRight(o.stderr, "\n"), "\n") {
		if strings.HasPrefix(l, "gjw: ") {
			errs = append(errs, l)
		}
	}
	if len(errs) != 1 || !strings.HasSuffix(strings.TrimRight(o.stderr, "\n"), errs[0]) {
		t.Fatalf("want one error line at the end of stderr: %v", o)
	}
	return errs[0]
}

func (c *cli) jobs(r runner) []jobRow {
	c.t.Helper()
	o := c.gjw(r, "jobs", "--json")
	var rows []jobRow
	if err := json.Unmarshal([]byte(o.stdout), &rows); o.code != 0 || err != nil {
		c.t.Fatalf("jobs --json: %v (%v)", o, err)
	}
	return rows
}

type jobRow struct {
	ID        string  `json:"id"`
	Step      string  `json:"step"`
	State     string  `json:"state"`
	Error     string  `json:"error"`
	ContentID string  `json:"content_id"`
	VideoID   string  `json:"video_id"`
	Offset    int64   `json:"offset"`
	Size      int64   `json:"size"`
	Percent   float64 `json:"percent"`
	URL       string  `json:"url"`
}

// progressLine is a plain progress line of the upload step, e.g.
// "   20.0%  976.6 KiB / 4.8 MiB  12.0 MiB/s  ETA 1s".
var progressLine = regexp.MustCompile(`^\s+\d{1,3}\.\d%\s+\d+(\.\d)? (B|KiB|MiB|GiB) / \d+(\.\d)? (B|KiB|MiB|GiB)`)

func TestUploadContract(t *testing.T) {
	for name, r := range runners {
		t.Run(name, func(t *testing.T) {
			c := newCLI(t, sandbox.Config{}, testSize)
			c.login(r, c.sb.Server.DemoAccount())

			o := c.gjw(r, "upload", c.video, "--title", "My clip", "--thumbnail", c.thumb, "--description", "d", "--json")
			if o.code != 0 {
				t.Fatalf("upload: %v", o)
			}
			var res uploadResult
			if err := json.Unmarshal([]byte(o.stdout), &res); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, o.stdout)
			}
			c.published(res)
			if res.Title != "My clip" || res.Error != "" {
				t.Fatalf("result %+v", res)
			}

			// stdout is not a terminal: plain progress lines with bytes and
			// a percentage, rising to 100%.
			var lines []string
			for _, l := range strings.Split(o.stderr, "\n") {
				if progressLine.MatchString(l) {
					lines = append(lines, l)
				}
			}
			if len(lines) < 2 || !strings.Contains(lines[len(lines)-1], "100.0%") || strings.Contains(o.stderr, "\r") {
				t.Fatalf("want plain progress lines up to 100%%, got stderr:\n%s", o.stderr)
			}
			for _, step := range []string{"step 2/8", "step 6/8 uploading video", "step 8/8"} {
				if !strings.Contains(o.stderr, step) {
					t.Errorf("stderr does not mention %q:\n%s", step, o.stderr)
				}
			}

			rows := c.jobs(r)
			if len(rows) != 1 || rows[0].ID != res.JobID || rows[0].State != "done" || rows[0].Percent != 100 ||
				rows[0].ContentID != res.ContentID || rows[0].URL != res.URL {
				t.Fatalf("jobs --json: %+v", rows)
			}
			if o := c.gjw(r, "jobs"); o.code != 0 || !strings.Contains(o.stdout, res.URL) || !strings.Contains(o.stdout, "published") {
				t.Fatalf("jobs: %v", o)
			}

			// Nothing left: resume --json prints no object.
			o = c.gjw(r, "resume", "--json")
			if res, err := jsonLines(o.stdout); o.code != 0 || err != nil || len(res) != 0 {
				t.Fatalf("resume with nothing to do: %v", o)
			}
			if o = c.gjw(r, "resume"); o.code != 0 || !strings.Contains(o.stdout, "nothing to resume") {
				t.Fatalf("resume: %v", o)
			}
		})
	}
}

func TestUploadPrintsTheURL(t *testing.T) {
	c := newCLI(t, sandbox.Config{}, testSize)
	c.login(inProcess, c.sb.Server.DemoAccount())
	o := c.gjw(inProcess, "upload", "--title", "Flags first", "--thumbnail", c.thumb, "--visibility", "private", "--kids", c.video)
	if o.code != 0 {
		t.Fatalf("upload: %v", o)
	}
	rows := c.jobs(inProcess)
	want := "https://www.ganjingworld.com/video/" + rows[0].ContentID + "\n"
	if o.stdout != want {
		t.Fatalf("stdout %q, want just %q", o.stdout, want)
	}
	content, _ := c.sb.Server.Content(rows[0].ContentID)
	if content.Fields["visibility"] != "private" || content.Fields["made_for_kids"] != true || content.Fields["title"] != "Flags first" {
		t.Fatalf("metadata sent: %v", content.Fields)
	}
}

func TestBadInput(t *testing.T) {
	c := newCLI(t, sandbox.Config{}, testSize)
	dir := t.TempDir()
	notImage := filepath.Join(dir, "notes.png")
	os.WriteFile(notImage, []byte("just some text"), 0o644)
	missing := filepath.Join(dir, "missing.mp4")

	// Before login: no credentials is exit 3 and says to log in.
	o := c.gjw(inProcess, "upload", c.video, "--title", "T", "--thumbnail", c.thumb)
	if line := oneErrorLine(t, o); o.code != exitSignedOut || !strings.Contains(line, "gjw login") {
		t.Fatalf("no credentials: %v", o)
	}
	c.login(inProcess, c.sb.Server.DemoAccount())

	cases := []struct {
		name string
		args []string
		code int
		want []string // in the one stderr line
	}{
		{"missing video", []string{"upload", missing, "--title", "T", "--thumbnail", c.thumb}, exitFailed, []string{missing, "does not exist"}},
		{"video is a folder", []string{"upload", dir, "--title", "T", "--thumbnail", c.thumb}, exitFailed, []string{dir, "folder"}},
		{"thumbnail not an image", []string{"upload", c.video, "--title", "T", "--thumbnail", notImage}, exitFailed, []string{notImage, "not a JPEG, PNG, GIF or WebP"}},
		{"missing thumbnail", []string{"upload", c.video, "--title", "T", "--thumbnail", filepath.Join(dir, "nope.png")}, exitFailed, []string{"nope.png"}},
		{"empty title", []string{"upload", c.video, "--title", " ", "--thumbnail", c.thumb}, exitFailed, []string{"title is empty"}},
		{"no title", []string{"upload", c.video, "--thumbnail", c.thumb}, exitFailed, []string{"title is empty"}},
		{"no thumbnail", []string{"upload", c.video, "--title", "T"}, exitUsage, []string{"--thumbnail"}},
		{"no video", []string{"upload", "--title", "T", "--thumbnail", c.thumb}, exitUsage, []string{"VIDEO"}},
		{"bad visibility", []string{"upload", c.video, "--title", "T", "--thumbnail", c.thumb, "--visibility", "unlisted"}, exitFailed, []string{"visibility", "unlisted"}},
		{"unknown flag", []string{"upload", c.video, "--tilte", "T"}, exitUsage, []string{"tilte"}},
		{"login without token", []string{"login", "--refresh-token", "R", "--channel", "C"}, exitUsage, []string{"--access-token"}},
		{"unknown command", []string{"uplaod"}, exitUsage, []string{"uplaod"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := c.gjw(inProcess, tc.args...)
			line := oneErrorLine(t, o)
			t.Log(line)
			if o.code != tc.code || o.stdout != "" {
				t.Fatalf("want exit %d and nothing on stdout: %v", tc.code, o)
			}
			for _, w := range tc.want {
				if !strings.Contains(line, w) {
					t.Errorf("error line %q does not contain %q", line, w)
				}
			}
		})
	}
	if rows := c.jobs(inProcess); len(rows) != 0 {
		t.Fatalf("bad input queued jobs: %+v", rows)
	}
	if st := c.sb.Server.Stats(); st.AddContent != 0 || st.Images != 0 {
		t.Fatalf("bad input reached the platform: %+v", st)
	}
}

// TestDeadRefreshToken kills the session while the video uploads: the
// upload token keeps working, finalize needs the dead session, so gjw
// exits 3 and keeps the job; after a new login, resume publishes it with
// the same content entry.
func TestDeadRefreshToken(t *testing.T) {
	c := newCLI(t, sandbox.Config{TranscodePolls: 6}, testSize)
	c.login(inProcess, c.sb.Server.DemoAccount())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for c.sb.Server.Stats().TusPatchBytes == 0 {
			time.Sleep(100 * time.Microsecond)
		}
		c.sb.Server.RevokeSession()
	}()
	// Revoked within ~0.1 ms of the first PATCH byte; finalize comes at
	// least six 10 ms status polls later.
	o := c.gjw(inProcess, "upload", c.video, "--title", "T", "--thumbnail", c.thumb, "--json")
	<-done
	line := oneErrorLine(t, o)
	t.Log(line)
	if o.code != exitSignedOut || !strings.Contains(line, "sign in again") {
		t.Fatalf("want exit 3 asking to sign in again: %v", o)
	}
	rows := c.jobs(inProcess)
	if len(rows) != 1 || rows[0].State != "waiting" || rows[0].ContentID == "" {
		t.Fatalf("job after the session died: %+v", rows)
	}

	// Still signed out: resume says so again, nothing is lost.
	if o := c.gjw(inProcess, "resume"); o.code != exitSignedOut {
		t.Fatalf("resume while signed out: %v", o)
	}
	c.login(inProcess, c.sb.Server.Login())
	o = c.gjw(inProcess, "resume", "--json")
	res, err := jsonLines(o.stdout)
	if o.code != 0 || err != nil || len(res) != 1 {
		t.Fatalf("resume after login: %v (%v)", o, err)
	}
	if res[0].ContentID != rows[0].ContentID {
		t.Fatalf("resume used content %s, the job had %s", res[0].ContentID, rows[0].ContentID)
	}
	c.published(res[0])
}

func TestUnreachableHost(t *testing.T) {
	c := newCLI(t, sandbox.Config{}, testSize)
	c.login(inProcess, c.sb.Server.DemoAccount())
	t.Setenv("GJW_API_URL", "http://127.0.0.1:1")
	o := c.gjw(inProcess, "upload", c.video, "--title", "T", "--thumbnail", c.thumb)
	line := oneErrorLine(t, o)
	t.Log(line)
	if o.code != exitFailed || !strings.Contains(line, "cannot reach the server") || !strings.Contains(line, "127.0.0.1:1") ||
		!strings.Contains(line, "step 2") || !strings.Contains(line, "gjw resume") {
		t.Fatalf("unreachable host: %v", o)
	}
	rows := c.jobs(inProcess)
	if len(rows) != 1 || rows[0].State != "failed" {
		t.Fatalf("job kept as failed: %+v", rows)
	}
	// The host is back: resume finishes the same job.
	t.Setenv("GJW_API_URL", c.sb.APIURL)
	o = c.gjw(inProcess, "resume", "--json")
	res, err := jsonLines(o.stdout)
	if o.code != 0 || err != nil || len(res) != 1 || res[0].JobID != rows[0].ID {
		t.Fatalf("resume: %v (%v)", o, err)
	}
	c.published(res[0])
}

func TestSecondProcessIsAlreadyRunning(t *testing.T) {
	c := newCLI(t, sandbox.Config{}, testSize)
	c.login(inProcess, c.sb.Server.DemoAccount())
	db, err := persist.Open(c.data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	o := c.gjw(binary, "resume")
	if line := oneErrorLine(t, o); o.code == 0 || !strings.Contains(line, "already") && !strings.Contains(line, "another") {
		t.Fatalf("second process: %v", o)
	}
}
