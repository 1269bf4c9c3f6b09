package main

// Benchmarks of issue 2 that need the gjw binary: its peak RSS while
// uploading 1 GiB, and the bytes sent twice after a SIGKILL and a resume.
// They are opt-in (go test -bench) and write a 1 GiB file; see
// docs/benchmarks.md.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
)

// benchDir is where benchmarks put their big files: $GJW_BENCH_DIR (for
// example /dev/shm, to measure gjw rather than the disk) or b.TempDir.
func benchDir(b *testing.B) string {
	parent := os.Getenv("GJW_BENCH_DIR")
	if parent == "" {
		return b.TempDir()
	}
	dir, err := os.MkdirTemp(parent, "gjw-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// peakRSS runs the gjw binary with args and returns its peak resident set
// size in bytes (see runPeakRSS).
func peakRSS(b *testing.B, args ...string) (hwm, maxrss int64) {
	b.Helper()
	cmd := exec.Command(buildGJW(b), args...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	hwm, maxrss, err := runPeakRSS(cmd)
	if err != nil {
		b.Fatalf("gjw %v: %v\n%s", args, err, errb.String())
	}
	return hwm, maxrss
}

// runPeakRSS runs cmd and returns its peak resident set size in bytes:
// VmHWM of /proc/<pid>/status, a high-water mark read every millisecond
// until the process exits.
//
// It also returns getrusage's ru_maxrss, which is only an upper bound here:
// os/exec starts children with vfork (CLONE_VM), and Linux then carries
// the parent's RSS at exec time into the child's maxrss. (A 100 MiB Go
// process running /bin/true reads ~103 MiB; GNU time says ~1 MiB.)
func runPeakRSS(cmd *exec.Cmd) (hwm, maxrss int64, err error) {
	if err := cmd.Start(); err != nil { // returns once the exec is done
		return 0, 0, err
	}
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	done := make(chan error)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		hwm = max(hwm, vmHWM(status))
		select {
		case err := <-done:
			if err == nil && hwm == 0 {
				err = errors.New("could not read VmHWM from /proc")
			}
			return hwm, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10, err
		case <-tick.C:
		}
	}
}

// vmHWM reads the VmHWM line of a /proc/<pid>/status file, in bytes; 0 if
// the process is gone.
func vmHWM(status string) int64 {
	b, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkUploadRSS1GiB uploads a 1 GiB file with the gjw binary (10 MiB
// chunks) to the in-process sandbox and reports its peak RSS, which must
// stay under 48 MiB. For comparison, help-RSS-MiB is `gjw help` (the Go
// runtime and the binary) and jobs-RSS-MiB `gjw jobs` (that, plus opening
// Badger in the data dir). maxrss-bound-MiB is rusage's
// figure for the upload, an upper bound (see peakRSS).
func BenchmarkUploadRSS1GiB(b *testing.B) {
	dir := benchDir(b)
	c := newCLI(b, sandbox.Config{Dir: filepath.Join(dir, "sandbox")}, 0)
	c.video, c.size = filepath.Join(dir, "big.mp4"), 1<<30
	sandboxtest.WriteRandom(b, c.video, c.size)
	c.setChunk(b, 10<<20)
	c.login(binary, c.sb.Server.DemoAccount())
	var peak, bound, jobs, help int64
	for i := 0; i < b.N; i++ {
		hwm, maxrss := peakRSS(b, "upload", c.video, "--title", "RSS", "--thumbnail", c.thumb)
		peak, bound = max(peak, hwm), max(bound, maxrss)
		hwm, _ = peakRSS(b, "jobs")
		jobs = max(jobs, hwm)
		hwm, _ = peakRSS(b, "help")
		help = max(help, hwm)
		os.RemoveAll(filepath.Join(dir, "sandbox", "tus")) // the sandbox's copy of the upload
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(jobs)/(1<<20), "jobs-RSS-MiB")
	b.ReportMetric(float64(help)/(1<<20), "help-RSS-MiB")
	b.ReportMetric(float64(bound)/(1<<20), "maxrss-bound-MiB")
	if peak >= 48<<20 {
		b.Errorf("gjw upload of 1 GiB peaked at %.1f MiB RSS, over 48 MiB", float64(peak)/(1<<20))
	}
}

// BenchmarkKillResume uploads 256 MiB with the guide's 10 MiB chunks and
// no throttle, SIGKILLs gjw once the server has a quarter of it, resumes,
// and reports the bytes the server received twice (at most one chunk).
func BenchmarkKillResume(b *testing.B) {
	const size, chunk = 256 << 20, 10 << 20
	dir := benchDir(b)
	var resent, worst int64
	for i := 0; i < b.N; i++ {
		c := newCLI(b, sandbox.Config{Dir: filepath.Join(dir, "sandbox")}, 0)
		c.video, c.size = filepath.Join(dir, "video.mp4"), size
		if i == 0 {
			sandboxtest.WriteRandom(b, c.video, size)
		}
		c.setChunk(b, chunk)
		c.login(binary, c.sb.Server.DemoAccount())
		k := uploadAndKill(b, c, func(st sandbox.Stats) bool { return st.TusPatchBytes > size/4 })
		if k.job.Step != "upload" {
			b.Fatalf("killed at step %s, not during the upload", k.job.Step)
		}
		res := resumeAll(b, c)
		if res.ContentID != k.job.ContentID {
			b.Fatalf("resume finished content %s; the killed run created %s", res.ContentID, k.job.ContentID)
		}
		c.published(res)
		n := c.sb.Server.Stats().TusPatchBytes - size
		resent += n
		worst = max(worst, n)
		c.sb.Close()
		os.RemoveAll(filepath.Join(dir, "sandbox"))
	}
	b.ReportMetric(float64(resent)/float64(b.N), "resent-B/kill")
	b.ReportMetric(float64(worst), "worst-resent-B")
	b.ReportMetric(chunk, "chunk-B")
	if worst > chunk {
		b.Errorf("re-sent %d bytes after a kill, more than one chunk", worst)
	}
}
