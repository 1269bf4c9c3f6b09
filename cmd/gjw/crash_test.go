package main

// Issue 2's crash test: gjw upload, as a process, is SIGKILLed mid-upload
// (or while the platform processes the video); gjw resume must finish the
// same upload: one content entry, the same content id, at most one chunk
// sent twice, one finalize.

import (
	"bytes"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
)

// killed is what a SIGKILLed gjw upload left behind.
type killed struct {
	job   jobRow        // the job as gjw jobs --json shows it after the kill
	stats sandbox.Stats // the sandbox's counters right after the kill
	out   string        // stdout of the killed process
	dur   time.Duration // from start to kill
}

// uploadAndKill starts the gjw binary uploading c.video and SIGKILLs it as
// soon as when(stats) holds (checked every millisecond).
func uploadAndKill(tb testing.TB, c *cli, when func(sandbox.Stats) bool) killed {
	tb.Helper()
	var k killed
	cmd := exec.Command(buildGJW(tb), "upload", c.video, "--title", "Crash test", "--thumbnail", c.thumb, "--json")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			tb.Fatalf("gjw upload ended before it could be killed (%v):\n%s", err, errb.String())
		case <-tick.C:
		}
		if st := c.sb.Server.Stats(); when(st) {
			cmd.Process.Signal(syscall.SIGKILL)
			k.dur = time.Since(start)
			break
		}
		if time.Since(start) > 30*time.Second {
			cmd.Process.Kill()
			tb.Fatalf("the kill condition never held: %+v\n%s", c.sb.Server.Stats(), errb.String())
		}
	}
	err := <-exited
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		tb.Fatalf("gjw upload was not killed: %v\n%s", err, errb.String())
	}
	k.out = out.String()
	k.stats = c.sb.Server.Stats()
	rows := c.jobs(binary)
	if len(rows) != 1 {
		tb.Fatalf("after the kill, jobs: %+v", rows)
	}
	k.job = rows[0]
	return k
}

// resumeAll runs gjw resume --json (the binary) and returns its one result.
func resumeAll(tb testing.TB, c *cli) uploadResult {
	tb.Helper()
	o := c.gjw(binary, "resume", "--json")
	res, err := jsonLines(o.stdout)
	if o.code != 0 || err != nil || len(res) != 1 {
		tb.Fatalf("gjw resume --json: %v (%v)", o, err)
	}
	return res[0]
}

func TestKillDuringUploadThenResume(t *testing.T) {
	const chunk = 1 << 20
	const size = 16*chunk + 4321
	// The throttle (32 MiB/s per PATCH) makes the kill land mid-upload,
	// and most likely mid-PATCH, however loaded the machine is.
	c := newCLI(t, sandbox.Config{Throttle: 32 << 20}, size)
	c.setChunk(t, chunk)
	c.login(binary, c.sb.Server.DemoAccount())

	k := uploadAndKill(t, c, func(st sandbox.Stats) bool { return st.TusPatchBytes > size/4 })
	if k.job.Step != "upload" || k.job.ContentID == "" || k.job.Offset >= size {
		t.Fatalf("killed job: %+v", k.job)
	}
	if k.stats.AddContent != 1 || k.stats.TusCreates != 1 || k.stats.UpdateContent != 0 {
		t.Fatalf("at the kill: %+v", k.stats)
	}
	if k.out != "" {
		t.Fatalf("the killed upload printed a result: %s", k.out)
	}

	res := resumeAll(t, c)
	if res.ContentID != k.job.ContentID || res.JobID != k.job.ID {
		t.Fatalf("resume finished content %s (job %s); the killed run created %s (job %s)", res.ContentID, res.JobID, k.job.ContentID, k.job.ID)
	}
	c.published(res) // one content entry, one TUS upload, one finalize, <= size + chunk received
	st := c.sb.Server.Stats()
	resent := st.TusPatchBytes - size
	t.Logf("killed after %v at %d bytes received (%d acknowledged and saved); re-sent %d bytes (chunk %d)",
		k.dur.Round(time.Millisecond), k.stats.TusPatchBytes, k.job.Offset, resent, chunk)
	if resent > chunk {
		t.Fatalf("re-sent %d bytes, more than one chunk", resent)
	}
	if rows := c.jobs(binary); rows[0].State != "done" || rows[0].URL != res.URL {
		t.Fatalf("job after resume: %+v", rows[0])
	}
}

func TestKillDuringProcessingThenResume(t *testing.T) {
	const polls = 12 // 10 ms apart: the kill after the second has room
	c := newCLI(t, sandbox.Config{TranscodePolls: polls}, testSize)
	c.login(binary, c.sb.Server.DemoAccount())

	k := uploadAndKill(t, c, func(st sandbox.Stats) bool { return st.StatusPolls >= 2 })
	if k.job.Step != "processing" || k.job.VideoID == "" || k.job.Offset != testSize {
		t.Fatalf("killed job: %+v", k.job)
	}

	res := resumeAll(t, c)
	if res.ContentID != k.job.ContentID || res.VideoID != k.job.VideoID {
		t.Fatalf("resume finished %s/%s; the killed run had %s/%s", res.ContentID, res.VideoID, k.job.ContentID, k.job.VideoID)
	}
	c.published(res)
	st := c.sb.Server.Stats()
	if st.TusPatchBytes != testSize || st.StatusPolls < polls+1 {
		t.Fatalf("after resume: %+v (the video must not be sent again)", st)
	}
}
