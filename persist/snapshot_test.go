package persist

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// eventuallySnapshot reads dir's snapshot until ok holds for it (the
// holder writes it at most snapshotEvery after a change).
func eventuallySnapshot(t *testing.T, dir string, ok func(Snapshot) bool) Snapshot {
	t.Helper()
	var s Snapshot
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if s, err = ReadSnapshot(dir); err == nil && ok(s) {
			return s
		}
	}
	t.Fatalf("snapshot never as expected: %+v (%v)", s, err)
	return s
}

func jobIDs(s Snapshot) string {
	var ids []string
	for _, j := range s.Jobs {
		ids = append(ids, fmt.Sprintf("%s@%d", j.ID, j.Targets[0].Offset))
	}
	return strings.Join(ids, ",")
}

// While a DB holds the folder, a second Open is refused, but the holder's
// jobs can be read from its snapshot, which follows every job write and
// delete and is removed when the holder closes.
func TestSnapshotWhileTheFolderIsHeld(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	ok(t, err)
	s, err := ReadSnapshot(dir)
	ok(t, err)
	if s.PID != os.Getpid() || len(s.Jobs) != 0 || s.Program == "" {
		t.Fatalf("snapshot right after Open: %+v", s)
	}
	if _, err := Open(dir); !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second Open: %v", err)
	}

	a, b := sampleJob("a", 0, t0), sampleJob("b", 1, t0)
	ok(t, d.PutJob(a))
	ok(t, d.PutJob(b))
	eventuallySnapshot(t, dir, func(s Snapshot) bool { return jobIDs(s) == "a@73400320,b@73400320" })
	b.Targets[0].Offset = 99
	ok(t, d.PutJob(b))
	ok(t, d.DeleteJob("a"))
	s = eventuallySnapshot(t, dir, func(s Snapshot) bool { return jobIDs(s) == "b@99" })
	stored, _, err := d.Job("b")
	ok(t, err)
	equal(t, "snapshot job", s.Jobs[0], stored)

	ok(t, d.Close())
	if _, err := os.Stat(filepath.Join(dir, snapshotFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("snapshot left after Close: %v", err)
	}
	if _, err := ReadSnapshot(dir); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("ReadSnapshot after Close: %v", err)
	}
	// No temporary files are left behind either.
	left, _ := filepath.Glob(filepath.Join(dir, snapshotFile+"*"))
	if len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}

// A snapshot left by a process that died (kill -9: no Close) is not taken
// for the live holder's, which is another process that keeps none.
func TestSnapshotOfAnotherHolderIsRefused(t *testing.T) {
	dir := t.TempDir()
	openT(t, dir)
	s, err := ReadSnapshot(dir)
	ok(t, err)
	stale := filepath.Join(dir, lockFile)
	ok(t, os.WriteFile(stale, []byte(fmt.Sprintf("%d\n", s.PID+1)), 0o600))
	if _, err := ReadSnapshot(dir); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("snapshot of pid %d read while the lock names %d: %v", s.PID, s.PID+1, err)
	}
}

// The same, across processes: a child holds the folder and writes jobs;
// this process reads them from the snapshot.
func TestSnapshotFromAnotherProcess(t *testing.T) {
	dir := t.TempDir()
	cmd, stdin := holdInHelper(t, "hold-jobs", dir)
	if _, err := Open(dir); !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("Open while the helper holds the folder: %v", err)
	}
	s := eventuallySnapshot(t, dir, func(s Snapshot) bool { return jobIDs(s) == "h@73400320" })
	if s.PID != cmd.Process.Pid || s.PID == os.Getpid() {
		t.Fatalf("snapshot pid %d, helper %d", s.PID, cmd.Process.Pid)
	}
	ok(t, stdin.Close())
	ok(t, cmd.Wait())
	d := openT(t, dir)
	if _, found, err := d.Job("h"); err != nil || !found {
		t.Fatalf("the helper's job: %v %v", found, err)
	}
}

// BenchmarkSnapshot measures one snapshot write of 200 jobs against the
// synced PutJob that triggers it (the snapshot runs off that path, at most
// every snapshotEvery).
func BenchmarkSnapshot(b *testing.B) {
	d := openT(b, b.TempDir())
	for i := range 200 {
		ok(b, d.PutJob(sampleJob(fmt.Sprint("j", i), int64(i), t0)))
	}
	j := sampleJob("j0", 0, t0)
	var put, snap time.Duration
	for b.Loop() {
		start := time.Now()
		ok(b, d.PutJob(j))
		put += time.Since(start)
		start = time.Now()
		ok(b, d.putSnapshot())
		snap += time.Since(start)
	}
	b.ReportMetric(float64(snap)/float64(put), "snapshot/putjob")
}
