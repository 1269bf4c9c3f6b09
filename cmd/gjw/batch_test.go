package main

// Issue 12: gjw upload --manifest [--dry-run] and gjw watch, against the
// in-process sandbox, through the built binary.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
)

// titlesOn lists the titles of the content entries on a channel, sorted.
func titlesOn(sb *sandbox.Server, channel string) []string {
	var out []string
	for _, c := range sb.ContentsOf(channel) {
		if c.Published {
			out = append(out, fmt.Sprint(c.Fields["title"]))
		}
	}
	slices.Sort(out)
	return out
}

// A manifest of five rows, one with a bad poster and one whose video is
// missing: --dry-run names both and uploads nothing; the real run
// publishes the three good ones, names the two and exits non-zero.
func TestManifestDryRunThenRun(t *testing.T) {
	c := newCLI(t, sandbox.Config{}, testSize)
	c.login(inProcess, c.sb.Server.DemoAccount())
	signedIn := c.sb.Server.Stats() // the login's check of the session
	dir := t.TempDir()
	var rows []string
	for i := 1; i <= 5; i++ {
		name := fmt.Sprintf("clip%d.mp4", i)
		if i != 5 { // row 6: the missing video
			sandboxtest.WriteRandom(t, filepath.Join(dir, name), testSize+int64(i))
		}
		poster := fmt.Sprintf("posters/p%d.png", i)
		if i == 3 { // row 4: a poster that is no picture
			os.MkdirAll(filepath.Join(dir, "posters"), 0o755)
			os.WriteFile(filepath.Join(dir, poster), []byte("not a picture"), 0o644)
		} else {
			sandboxtest.WritePNG(t, filepath.Join(dir, poster), i)
		}
		rows = append(rows, fmt.Sprintf("%s,Row %d,\"Described, row %d\",%s", name, i, i, poster))
	}
	manifest := filepath.Join(dir, "list.csv")
	os.WriteFile(manifest, []byte("file,title,description,thumbnail\n"+strings.Join(rows, "\n")+"\n"), 0o644)
	badPoster := manifest + ` row 4 (thumbnail): image "` + filepath.Join(dir, "posters/p3.png") + `" is not a JPEG, PNG, GIF or WebP picture: choose another file`
	missing := manifest + ` row 6 (file): video "` + filepath.Join(dir, "clip5.mp4") + `" does not exist: check the path`

	o := c.gjw(binary, "upload", "--manifest", manifest, "--dry-run")
	if o.code != exitFailed {
		t.Fatalf("dry run: %v", o)
	}
	plan := strings.Split(strings.TrimSpace(o.stdout), "\n")
	if len(plan) != 3 || !strings.Contains(plan[0], `clip1.mp4 -> gjw: "Row 1" (public, en-US); poster p1.png (list.csv row 2); from list.csv row 2`) {
		t.Fatalf("plan:\n%s", o.stdout)
	}
	wantErr := "gjw: " + badPoster + "\ngjw: " + missing + "\ngjw: dry run: 3 of 5 videos would be queued; nothing was uploaded\n"
	if o.stderr != wantErr {
		t.Fatalf("dry run stderr:\n%s\nwant:\n%s", o.stderr, wantErr)
	}
	if st := c.sb.Server.Stats(); st != signedIn {
		t.Fatalf("the dry run talked to the platform: %+v", st)
	}
	if jobs := c.jobs(inProcess); len(jobs) != 0 {
		t.Fatalf("the dry run queued %d jobs", len(jobs))
	}

	o = c.gjw(binary, "upload", "--manifest", manifest, "--json")
	if o.code != exitFailed {
		t.Fatalf("run: %v", o)
	}
	res, err := jsonLines(o.stdout)
	if err != nil || len(res) != 3 {
		t.Fatalf("results: %v %v", o, err)
	}
	for i, want := range []string{"Row 1", "Row 2", "Row 4"} {
		if res[i].Title != want || res[i].State != "done" || res[i].URL == "" {
			t.Fatalf("result %d: %+v", i, res[i])
		}
	}
	for _, want := range []string{"gjw: " + badPoster + "\n", "gjw: " + missing + "\n", "gjw: 3 of 5 videos published; fix the lines above, then queue the others again\n"} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, o.stderr)
		}
	}
	st := c.sb.Server.Stats()
	if st.AddContent != 3 || st.TusCreates != 3 || st.UpdateContent != 3 || st.Images != 3 {
		t.Fatalf("the sandbox: %+v", st)
	}
	if got := titlesOn(c.sb.Server, c.sb.Server.DemoAccount().ChannelID); strings.Join(got, ",") != "Row 1,Row 2,Row 4" {
		t.Fatalf("published %v", got)
	}
	for _, ct := range c.sb.Server.ContentsOf(c.sb.Server.DemoAccount().ChannelID) {
		if ct.Fields["title"] == "Row 2" && ct.Fields["description"] != "Described, row 2" {
			t.Fatalf("description %q", ct.Fields["description"])
		}
	}
}

// lockedBuffer is a bytes.Buffer a test reads while a process writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// watching is a running gjw watch process.
type watching struct {
	cmd      *exec.Cmd
	out, err lockedBuffer
}

func (c *cli) startWatch(t *testing.T, args ...string) *watching {
	t.Helper()
	w := &watching{cmd: exec.Command(buildGJW(t), append([]string{"watch"}, args...)...)}
	w.cmd.Stdout, w.cmd.Stderr = &w.out, &w.err
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.cmd.Process.Kill() })
	return w
}

// published waits until gjw watch has printed n published targets.
func (w *watching) published(t *testing.T, n int) []uploadResult {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, _ := jsonLines(w.out.String())
		if len(res) >= n {
			return res
		}
		if time.Now().After(deadline) {
			t.Fatalf("gjw watch published %d of %d:\n%s", len(res), n, w.err.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop interrupts gjw watch (Ctrl-C) and checks that it ends well.
func (w *watching) stop(t *testing.T, c *cli) {
	t.Helper()
	w.cmd.Process.Signal(syscall.SIGINT)
	err := w.cmd.Wait()
	c.mu.Lock()
	c.outputs = append(c.outputs, w.out.String(), w.err.String())
	c.mu.Unlock()
	if err != nil || !strings.Contains(w.err.String(), "gjw: watch stopped") {
		t.Fatalf("gjw watch after Ctrl-C: %v\n%s", err, w.err.String())
	}
}

// The "done when", from the command line: three videos copied
// with their sidecars into a watched folder publish by themselves with
// their own titles and are moved away; after a restart nothing is sent
// twice, and a video copied in while gjw watch was stopped publishes.
func TestWatchPublishesSidecarTitlesAcrossRestarts(t *testing.T) {
	c := newCLI(t, sandbox.Config{}, testSize)
	c.login(inProcess, c.sb.Server.DemoAccount())
	root := t.TempDir()
	in, done := filepath.Join(root, "in"), filepath.Join(root, "done")
	os.MkdirAll(in, 0o755)
	drop := func(name, title string) {
		sandboxtest.WritePNG(t, filepath.Join(in, "art", name+".png"), len(title))
		os.WriteFile(filepath.Join(in, name+".json"), []byte(fmt.Sprintf(`{"title": %q, "thumbnail": "art/%s.png", "visibility": "private"}`, title, name)), 0o644)
		sandboxtest.WriteRandom(t, filepath.Join(in, name+".mp4"), testSize)
	}

	w := c.startWatch(t, in, "--settle", "300ms", "--move-done", done, "--json")
	drop("monday", "Monday's walk")
	drop("tuesday", "Tuesday: the market")
	drop("wednesday", "Wednesday, rain")
	res := w.published(t, 3)
	var titles []string
	for _, r := range res {
		if r.State != "done" || r.Platform != "gjw" || r.URL == "" {
			t.Fatalf("result %+v", r)
		}
		titles = append(titles, r.Title)
	}
	slices.Sort(titles)
	if strings.Join(titles, "|") != "Monday's walk|Tuesday: the market|Wednesday, rain" {
		t.Fatalf("titles %q", titles)
	}
	for _, name := range []string{"monday.mp4", "monday.json", "wednesday.mp4"} {
		path := filepath.Join(done, name)
		deadline := time.Now().Add(30 * time.Second)
		for _, err := os.Stat(path); err != nil; _, err = os.Stat(path) {
			if time.Now().After(deadline) {
				t.Fatalf("%s was not moved to %s:\n%s", name, done, w.err.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	w.stop(t, c)
	for _, want := range []string{`queued ` + filepath.Join(in, "monday.mp4") + ` -> gjw: "Monday's walk" (private, en-US); poster monday.png (monday.json); from monday.json`,
		"moved " + filepath.Join(in, "tuesday.mp4") + " to " + filepath.Join(done, "tuesday.mp4")} {
		if !strings.Contains(w.err.String(), want) {
			t.Errorf("stderr does not say %q:\n%s", want, w.err.String())
		}
	}

	drop("thursday", "Thursday") // while stopped
	w = c.startWatch(t, in, "--settle", "300ms", "--move-done", done, "--json")
	res = w.published(t, 1)
	if res[0].Title != "Thursday" {
		t.Fatalf("after the restart: %+v", res)
	}
	time.Sleep(time.Second) // settle times and scans: nothing more
	w.stop(t, c)
	if res, _ := jsonLines(w.out.String()); len(res) != 1 {
		t.Fatalf("after the restart published %d", len(res))
	}
	if st := c.sb.Server.Stats(); st.AddContent != 4 || st.TusCreates != 4 {
		t.Fatalf("four videos, the sandbox: %+v", st)
	}
	if got := titlesOn(c.sb.Server, c.sb.Server.DemoAccount().ChannelID); len(got) != 4 {
		t.Fatalf("published %v", got)
	}
}
