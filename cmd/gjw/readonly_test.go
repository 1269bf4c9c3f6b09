package main

// Issue 13: gjw jobs while the app (or another gjw) has the data folder
// open shows that process's jobs read-only; commands that write refuse in
// one line.

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// readOnlyJobs runs gjw jobs --json (the binary) and checks that it says
// it is a read-only view of holder's jobs.
func readOnlyJobs(t *testing.T, c *cli, holder string) []jobRow {
	t.Helper()
	o := c.gjw(binary, "jobs", "--json")
	var rows []jobRow
	if err := json.Unmarshal([]byte(o.stdout), &rows); o.code != 0 || err != nil {
		t.Fatalf("jobs --json while %s runs: %v (%v)", holder, o, err)
	}
	if !strings.HasPrefix(o.stderr, "("+holder+" is running: read-only, as of ") || strings.Count(o.stderr, "\n") != 1 {
		t.Fatalf("jobs does not say it is a read-only view of %s: %q", holder, o.stderr)
	}
	return rows
}

// A gjw upload in another process holds the data folder mid-upload: gjw
// jobs shows its job as it goes (text and JSON), resume and upload refuse
// with one line, and once the upload ends jobs reads the database again.
func TestJobsWhileAnotherProcessUploads(t *testing.T) {
	const chunk = 64 << 10
	const size = 8*chunk + 99
	// 256 KiB/s per PATCH: each chunk takes a quarter of a second, so
	// the hold below catches the upload after its first chunk or two.
	c := newCLI(t, sandbox.Config{Throttle: 256 << 10}, size)
	c.setChunk(t, chunk)
	c.login(inProcess, c.sb.Server.DemoAccount())

	up := exec.Command(buildGJW(t), "upload", c.video, "--title", "Held", "--thumbnail", c.thumb, "--json")
	var upOut, upErr bytes.Buffer
	up.Stdout, up.Stderr = &upOut, &upErr
	if err := up.Start(); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	released := false
	t.Cleanup(func() {
		if !released {
			close(release)
		}
		up.Process.Kill()
		up.Wait()
	})
	holder := "gjw (pid " + strconv.Itoa(up.Process.Pid) + ")"
	deadline := time.Now().Add(30 * time.Second)
	for c.sb.Server.Stats().TusPatchBytes == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the upload never started: %s", upErr.String())
		}
		time.Sleep(time.Millisecond)
	}
	c.sb.Server.Inject(sandbox.Fault{Host: "vod", Method: "PATCH", Path: "/api/v1/tus/upload/", Hold: -1, Release: release})

	// The snapshot follows the upload: wait for a chunk acknowledged.
	var row jobRow
	for {
		rows := readOnlyJobs(t, c, holder)
		if len(rows) != 1 {
			t.Fatalf("jobs: %+v", rows)
		}
		if row = rows[0]; row.Offset >= chunk {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs never showed an acknowledged chunk: %+v", row)
		}
	}
	if row.State != "running" || row.Step != "upload" || row.ContentID == "" || row.Offset >= size || row.Size != size {
		t.Fatalf("the job mid-upload, read-only: %+v", row)
	}
	o := c.gjw(binary, "jobs")
	if o.code != 0 || !strings.Contains(o.stdout, "Held") || !strings.Contains(o.stdout, "running") ||
		!strings.Contains(o.stderr, holder+" is running: read-only") {
		t.Fatalf("jobs (text) while the upload runs: %v", o)
	}

	for _, args := range [][]string{{"resume"}, {"upload", c.video, "--title", "Again", "--thumbnail", c.thumb}} {
		o := c.gjw(binary, args...)
		line := oneErrorLine(t, o)
		if o.code != exitFailed || !strings.Contains(line, "is using this data folder") || !strings.Contains(line, "gjw jobs") {
			t.Fatalf("gjw %s while another gjw uploads: %v", args[0], o)
		}
	}

	close(release)
	released = true
	if err := up.Wait(); err != nil {
		t.Fatalf("the held upload: %v\n%s", err, upErr.String())
	}
	o = c.gjw(binary, "jobs", "--json")
	var rows []jobRow
	if err := json.Unmarshal([]byte(o.stdout), &rows); o.code != 0 || err != nil || o.stderr != "" {
		t.Fatalf("jobs after the upload: %v (%v)", o, err)
	}
	if len(rows) != 1 || rows[0].State != "done" || rows[0].ID != row.ID {
		t.Fatalf("jobs after the upload: %+v", rows)
	}
	if st := c.sb.Server.Stats(); st.AddContent != 1 || st.TusCreates != 1 {
		t.Fatalf("the refused upload reached the platform: %+v", st)
	}
}

// The app's process holds the folder (here: this test process, as the app
// opens it); gjw jobs, another process, lists its jobs as the app's.
func TestJobsWhileTheAppIsOpen(t *testing.T) {
	if got := holderName(persist.Snapshot{Program: "gjw-uploader", PID: 7}); got != "the app" {
		t.Fatalf("the app's process is called %q", got)
	}
	c := newCLI(t, sandbox.Config{}, testSize)
	c.login(inProcess, c.sb.Server.DemoAccount())
	if o := c.gjw(inProcess, "upload", c.video, "--title", "Before", "--thumbnail", c.thumb); o.code != 0 {
		t.Fatalf("upload: %v", o)
	}
	db, err := persist.Open(c.data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	jobs, err := db.Jobs()
	if err != nil || len(jobs) != 1 {
		t.Fatalf("jobs: %v %v", jobs, err)
	}
	j := jobs[0]
	j.Meta.Title = "Renamed in the app"
	if err := db.PutJob(j); err != nil {
		t.Fatal(err)
	}
	// The snapshot names its writer: this test binary stands in for the
	// app (whose executable, gjw-uploader, gjw calls "the app").
	exe, _ := os.Executable()
	holder := strings.TrimSuffix(filepath.Base(exe), filepath.Ext(exe)) + " (pid " + strconv.Itoa(os.Getpid()) + ")"
	deadline := time.Now().Add(10 * time.Second)
	for {
		o := c.gjw(binary, "jobs")
		if o.code != 0 || !strings.HasPrefix(o.stderr, "("+holder+" is running: read-only") {
			t.Fatalf("jobs while the folder is held: %v", o)
		}
		if strings.Contains(o.stdout, "Renamed in the app") && strings.Contains(o.stdout, "published") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs never showed the app's edit: %v", o)
		}
	}
}
