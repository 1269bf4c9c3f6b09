package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// batchLine is the total line of a batch, e.g. "batch: 1 of 3 videos done ·
// 4.8 MiB / 14.4 MiB · 2.0 MiB/s · ETA 5s".
var batchLine = regexp.MustCompile(`^batch: (\d) of 3 videos done · (\d+(\.\d)? (B|KiB|MiB)) / (\d+(\.\d)? (B|KiB|MiB))`)

// Three uploads refused at the TUS creation, then gjw resume: the batch
// gets a total line after each video (1, 2, 3 of 3 done, ending with every
// byte sent) and per 10 % of its bytes; --json's rows stay one object per
// target on stdout.
func TestResumeBatchShowsATotalLine(t *testing.T) {
	c := newCLI(t, sandbox.Config{}, testSize)
	r := inProcess
	c.login(r, c.sb.Server.DemoAccount())
	c.sb.Server.Inject(sandbox.Fault{Host: "vod", Method: "POST", Path: "/api/v1/tus/upload", Status: 400, Times: 3})
	for _, title := range []string{"One", "Two", "Three"} {
		if o := c.gjw(r, "upload", c.video, "--title", title, "--thumbnail", c.thumb); o.code == 0 {
			t.Fatalf("upload %s should have been refused: %v", title, o)
		}
	}
	o := c.gjw(r, "resume", "--json")
	if o.code != 0 {
		t.Fatalf("resume: %v", o)
	}
	if rows, err := jsonLines(o.stdout); err != nil || len(rows) != 3 || strings.Contains(o.stdout, "batch:") {
		t.Fatalf("resume --json stdout: %v\n%s", err, o.stdout)
	}
	var done []string
	lines := 0
	for _, l := range strings.Split(o.stderr, "\n") {
		m := batchLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		lines++
		if len(done) == 0 || done[len(done)-1] != m[1] {
			done = append(done, m[1])
		}
		if want := humanBytes(3 * testSize); m[5] != want {
			t.Fatalf("%q: want the batch's %s", l, want)
		}
	}
	last := ""
	for _, l := range strings.Split(strings.TrimSpace(o.stderr), "\n") {
		if batchLine.MatchString(l) {
			last = l
		}
	}
	if strings.Join(done, ",") != "0,1,2,3" || lines < 6 || !strings.HasPrefix(last, "batch: 3 of 3 videos done · "+humanBytes(3*testSize)+" / ") {
		t.Fatalf("want total lines counting 0 to 3 of 3 done, ending with every byte sent; got %d lines, counts %v, stderr:\n%s", lines, done, o.stderr)
	}
	// A single upload has no total line.
	if o := c.gjw(r, "upload", c.video, "--title", "Alone", "--thumbnail", c.thumb); o.code != 0 || strings.Contains(o.stderr, "batch:") {
		t.Fatalf("a single upload: %v", o)
	}
}

// On a terminal the batch's total is redrawn on the line under the bar, and
// the bar's end leaves both lines behind.
func TestBatchTotalUnderTheBar(t *testing.T) {
	var w bytes.Buffer
	p := newProgressPrinter(&w, true)
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	job := func(id string) persist.Job {
		return persist.Job{ID: id, Size: 100 << 20, State: core.StateRunning, Rev: 1, Meta: persist.VideoMeta{Title: id},
			Targets: []persist.Target{{Account: "gjw", Platform: gjw.Platform, State: core.StateRunning, Step: gjw.StepUpload}}}
	}
	a, b := job("a"), job("b")
	b.State, b.Targets[0].State, b.Targets[0].Step = core.StateQueued, core.StateQueued, ""
	p.startBatch([]persist.Job{a, b})
	a.Rev, a.Targets[0].Offset = 2, 50<<20
	p.event(core.Event{Job: a, Target: "gjw", At: at, Sent: 50 << 20, Speed: 5 << 20, ETA: 10 * time.Second})
	out := w.String()
	want := "\n\x1b[Kbatch: 0 of 2 videos done · 50.0 MiB / 200.0 MiB · 5.0 MiB/s · ETA 30s\x1b[1A\r"
	if !strings.Contains(out, "[===============               ]  50.0%") || !strings.HasSuffix(out, want) {
		t.Fatalf("terminal output %q, want the bar, then %q", out, want)
	}
	w.Reset()
	p.done("a")
	if got := w.String(); !strings.HasPrefix(got, "\n\n") || !strings.Contains(got, "batch: 0 of 2 videos done") {
		t.Fatalf("after the bar: %q", got)
	}
}
