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
	"github.com/gjw-uploader/gjw-uploader/persist"
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

// writeManifest writes n videos clip1.mp4... with posters and a manifest
// list.csv naming them, returning the manifest and the videos.
func writeManifest(t *testing.T, n int) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	var rows, videos []string
	for i := 1; i <= n; i++ {
		video := sandboxtest.WriteRandom(t, filepath.Join(dir, fmt.Sprintf("clip%d.mp4", i)), testSize+int64(i))
		sandboxtest.WritePNG(t, filepath.Join(dir, fmt.Sprintf("p%d.png", i)), i)
		rows = append(rows, fmt.Sprintf("clip%d.mp4,Row %d,p%d.png", i, i, i))
		videos = append(videos, video)
	}
	manifest := filepath.Join(dir, "list.csv")
	if err := os.WriteFile(manifest, []byte("file,title,thumbnail\n"+strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return manifest, videos
}

// A manifest run a second time uploads nothing: the dry run and the run
// name each row skipped, with its job, and the sandbox gets no new content
// entry; --again uploads every row anew.
func TestManifestRerunSkipsWhatIsPublished(t *testing.T) {
	c := newCLI(t, sandbox.Config{}, testSize)
	c.login(inProcess, c.sb.Server.DemoAccount())
	manifest, videos := writeManifest(t, 2)

	o := c.gjw(inProcess, "upload", "--manifest", manifest, "--json")
	res, err := jsonLines(o.stdout)
	if o.code != 0 || err != nil || len(res) != 2 {
		t.Fatalf("first run: %v %v", o, err)
	}
	first := c.sb.Server.Stats()
	if first.AddContent != 2 || first.TusCreates != 2 {
		t.Fatalf("first run, the sandbox: %+v", first)
	}
	skips := make([]string, 2)
	for i, r := range res {
		skips[i] = fmt.Sprintf("skip %s: already published to Gan Jing World (job %s); --again uploads it again\n", videos[i], r.JobID)
	}

	o = c.gjw(inProcess, "upload", "--manifest", manifest, "--dry-run")
	if want := skips[0] + skips[1] + "dry run: 0 of 2 videos would be queued, 2 skipped; nothing was uploaded\n"; o.code != 0 || o.stdout != "" || o.stderr != want {
		t.Fatalf("dry run of the rerun: %v\nwant stderr:\n%s", o, want)
	}
	o = c.gjw(inProcess, "upload", "--manifest", manifest, "--dry-run", "--json")
	if o.code != 0 || !strings.Contains(o.stdout, `"skip":[{"account":"gjw","job_id":"`+res[0].JobID+`","state":"done","url":"`+res[0].URL+`"}]`) ||
		strings.Contains(o.stdout, `"destinations"`) {
		t.Fatalf("dry run --json of the rerun: %v", o)
	}

	o = c.gjw(inProcess, "upload", "--manifest", manifest, "--json")
	if o.code != 0 || o.stdout != "" || o.stderr != skips[0]+skips[1] {
		t.Fatalf("rerun: %v\nwant stderr:\n%s", o, skips[0]+skips[1])
	}
	if st := c.sb.Server.Stats(); st.AddContent != first.AddContent || st.TusCreates != first.TusCreates || st.TusPatchBytes != first.TusPatchBytes {
		t.Fatalf("the rerun uploaded again: %+v, after the first run %+v", st, first)
	}
	if jobs := c.jobs(inProcess); len(jobs) != 2 {
		t.Fatalf("the rerun queued jobs: %d in all", len(jobs))
	}

	o = c.gjw(inProcess, "upload", "--manifest", manifest, "--again", "--dry-run")
	if plan := strings.Split(strings.TrimSpace(o.stdout), "\n"); o.code != 0 || len(plan) != 2 || strings.Contains(o.stderr, "skip ") {
		t.Fatalf("--again --dry-run: %v", o)
	}
	o = c.gjw(inProcess, "upload", "--manifest", manifest, "--again", "--json")
	if res, err := jsonLines(o.stdout); o.code != 0 || err != nil || len(res) != 2 || strings.Contains(o.stderr, "skip ") {
		t.Fatalf("--again: %v %v", o, err)
	}
	if st := c.sb.Server.Stats(); st.AddContent != 4 || st.TusCreates != 4 {
		t.Fatalf("--again, the sandbox: %+v", st)
	}
	if got := titlesOn(c.sb.Server, c.sb.Server.DemoAccount().ChannelID); strings.Join(got, ",") != "Row 1,Row 1,Row 2,Row 2" {
		t.Fatalf("published %v", got)
	}
}

// A row whose first run failed after its content entry was made is
// resumed by the rerun, into the same entry (no second content entry),
// while the row published the first time is skipped.
func TestManifestRerunResumesAFailedRow(t *testing.T) {
	c := newCLI(t, sandbox.Config{}, testSize)
	c.login(inProcess, c.sb.Server.DemoAccount())
	manifest, videos := writeManifest(t, 2)
	// Row 2 (clip1) runs first: its TUS upload is refused once.
	c.sb.Server.Inject(sandbox.Fault{Host: "vod", Method: "POST", Path: "/api/v1/tus/upload", Status: 400})

	o := c.gjw(inProcess, "upload", "--manifest", manifest, "--json")
	res, err := jsonLines(o.stdout)
	if o.code != exitFailed || err != nil || len(res) != 2 || res[0].State != "failed" || res[1].State != "done" {
		t.Fatalf("first run: %v %v", o, err)
	}
	first := c.sb.Server.Stats()
	if first.AddContent != 2 || first.TusCreates != 1 {
		t.Fatalf("first run, the sandbox: %+v", first)
	}
	resume := fmt.Sprintf("resume %s: its upload to Gan Jing World (job %s) failed before; it goes on from where it stopped, into the same entry\n", videos[0], res[0].JobID)
	skip := fmt.Sprintf("skip %s: already published to Gan Jing World (job %s); --again uploads it again\n", videos[1], res[1].JobID)

	o = c.gjw(inProcess, "upload", "--manifest", manifest, "--dry-run")
	if want := resume + skip + "dry run: 0 of 2 videos would be queued, 1 resumed, 1 skipped; nothing was uploaded\n"; o.code != 0 || o.stderr != want {
		t.Fatalf("dry run of the rerun: %v\nwant stderr:\n%s", o, want)
	}
	o = c.gjw(inProcess, "upload", "--manifest", manifest, "--json")
	again, err := jsonLines(o.stdout)
	if o.code != 0 || err != nil || len(again) != 1 || again[0].JobID != res[0].JobID || again[0].State != "done" ||
		again[0].ContentID != res[0].ContentID || !strings.HasPrefix(o.stderr, resume+skip) {
		t.Fatalf("rerun: %v %v", o, err)
	}
	if ct, ok := c.sb.Server.Content(again[0].ContentID); !ok || !ct.Published || ct.VideoID != again[0].VideoID || ct.Fields["title"] != "Row 1" {
		t.Fatalf("content on the sandbox: %+v (found %v)", ct, ok)
	}
	if st := c.sb.Server.Stats(); st.AddContent != 2 || st.TusCreates != 2 {
		t.Fatalf("the rerun made another content entry: %+v", st)
	}
	if got := titlesOn(c.sb.Server, c.sb.Server.DemoAccount().ChannelID); strings.Join(got, ",") != "Row 1,Row 2" {
		t.Fatalf("published %v", got)
	}
}

// gjw watch on one of the app's watch folders waits its settle time, unless
// --settle says otherwise.
func TestWatchTakesTheAppsSettleTime(t *testing.T) {
	c := newCLI(t, sandbox.Config{}, testSize)
	c.login(inProcess, c.sb.Server.DemoAccount())
	in := t.TempDir()
	db, err := persist.Open(c.data)
	if err != nil {
		t.Fatal(err)
	}
	err = db.PutWatchFolders([]persist.WatchFolder{{Path: in, Settle: 5 * time.Minute}})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "unchanged for 5m0s"},
		{[]string{"--settle", "300ms"}, "unchanged for 300ms"},
	} {
		w := c.startWatch(t, append([]string{in}, tc.args...)...)
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(w.err.String(), "watching ") {
			if time.Now().After(deadline) {
				t.Fatalf("gjw watch %q did not start:\n%s", tc.args, w.err.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
		w.stop(t, c)
		if !strings.Contains(w.err.String(), tc.want) {
			t.Errorf("gjw watch %q does not say %q:\n%s", tc.args, tc.want, w.err.String())
		}
	}
}
