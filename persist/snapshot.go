package persist

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Badger's directory lock is exclusive, and its read-only mode takes a
// shared lock that a read-write holder refuses, so no second process can
// read the database while the app has it open. Instead the holder keeps a
// snapshot of its jobs in the data folder, which ReadSnapshot reads without
// the lock.

// snapshotFile is the jobs snapshot in the data folder.
const snapshotFile = "jobs-snapshot.json"

// snapshotVersion is the snapshot file's format.
const snapshotVersion = 1

// snapshotEvery is the least time between two snapshot writes, so a burst
// of job writes (a chunk acknowledged every few milliseconds) costs one:
// BenchmarkSnapshot measured a write of 200 jobs at about 4 synced PutJobs.
const snapshotEvery = time.Second

// lockFile is Badger's lock file; on Unix it holds the holder's PID.
const lockFile = "LOCK"

// ErrNoSnapshot means the process holding the data folder keeps no jobs
// snapshot (it has just closed, or is a release without one).
var ErrNoSnapshot = errors.New("the process using the data folder publishes no list of uploads")

// Snapshot is every job as the process holding the data folder last
// stored it, at most about snapshotEvery old.
type Snapshot struct {
	Version int `json:"v"`
	// PID and Program name the process that wrote it (Program is its
	// executable's name without extension, e.g. "gjw-uploader").
	PID       int       `json:"pid"`
	Program   string    `json:"program"`
	WrittenAt time.Time `json:"written_at"`
	Jobs      []Job     `json:"jobs"`
}

// jobsChanged asks the background loop (db.go) to write a new snapshot.
func (d *DB) jobsChanged() {
	select {
	case d.snapDirty <- struct{}{}:
	default: // a write is pending already
	}
}

// writeSnapshot replaces the snapshot file atomically (a reader sees the
// old one or the new one, never half of one). Failures are logged: the
// snapshot is a view for other processes, the database stays the truth.
func (d *DB) writeSnapshot() {
	if err := d.putSnapshot(); err != nil {
		log.Printf("persist: write the jobs snapshot: %v", err)
	}
}

func (d *DB) putSnapshot() error {
	jobs, err := d.Jobs()
	if err != nil {
		return err
	}
	exe, _ := os.Executable()
	prog := strings.TrimSuffix(filepath.Base(exe), filepath.Ext(exe))
	b, err := json.Marshal(Snapshot{Version: snapshotVersion, PID: os.Getpid(), Program: prog, WrittenAt: time.Now(), Jobs: jobs})
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(d.dir, snapshotFile+".*")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(d.dir, snapshotFile))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// removeSnapshot deletes the snapshot; Close calls it while it still
// holds the lock, so it never deletes the next holder's.
func (d *DB) removeSnapshot() {
	if err := os.Remove(filepath.Join(d.dir, snapshotFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		log.Printf("persist: remove the jobs snapshot: %v", err)
	}
}

// ReadSnapshot reads the jobs snapshot of the process holding the data
// folder dir, for a reader that Open refused with ErrAlreadyRunning. It
// fails with ErrNoSnapshot when there is none, or when the one there was
// left by another process than the lock's holder (where the lock file
// names it: on Unix).
func ReadSnapshot(dir string) (Snapshot, error) {
	var s Snapshot
	b, err := os.ReadFile(filepath.Join(dir, snapshotFile))
	if errors.Is(err, os.ErrNotExist) {
		return s, fmt.Errorf("%w (data folder %s)", ErrNoSnapshot, dir)
	}
	if err != nil {
		return s, fmt.Errorf("persist: read the jobs snapshot: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("persist: decode %s: %w", filepath.Join(dir, snapshotFile), err)
	}
	if s.Version > snapshotVersion {
		return Snapshot{}, fmt.Errorf("persist: the jobs snapshot was %w", ErrNewerVersion)
	}
	for _, j := range s.Jobs {
		if j.Version > RecordVersion {
			return Snapshot{}, fmt.Errorf("persist: job %s in the jobs snapshot was %w", j.ID, ErrNewerVersion)
		}
	}
	if pid, ok := lockHolder(dir); ok && pid != s.PID {
		return Snapshot{}, fmt.Errorf("%w (data folder %s, held by process %d)", ErrNoSnapshot, dir, pid)
	}
	return s, nil
}

// lockHolder is the PID Badger wrote in the lock file, when it can be read.
func lockHolder(dir string) (int, bool) {
	b, err := os.ReadFile(filepath.Join(dir, lockFile))
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid, err == nil
}
