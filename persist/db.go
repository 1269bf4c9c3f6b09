package persist

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// ErrAlreadyRunning means another process (or another DB in this process)
// has the data folder open. Open wraps it together with the folder's path.
var ErrAlreadyRunning = errors.New("another GJW Uploader or gjw process is using this data folder; close it first")

// ErrNewerVersion means a stored record was written by a later release with a
// record format this build cannot read. Reads wrap it with the record's key.
var ErrNewerVersion = errors.New("written by a newer version of GJW Uploader")

// dataDirEnv overrides the data folder.
const dataDirEnv = "GJW_DATA_DIR"

// gcInterval is how often an open DB garbage-collects its value log.
const gcInterval = 10 * time.Minute

// DB is the app's store. Its methods are safe for concurrent use.
type DB struct {
	bdb      *badger.DB
	inMemory bool
	// dir is the data folder (empty in memory); snapDirty wakes the loop
	// that keeps its jobs snapshot (snapshot.go).
	dir       string
	snapDirty chan struct{}

	stop      chan struct{}
	gcDone    sync.WaitGroup
	closeOnce sync.Once
	closeErr  error

	// open is held (read) by every transaction and taken by Close, so a
	// call after Close gets ErrClosed instead of Badger's panic: an engine
	// goroutine may still read while its owner closes the folder.
	open   sync.RWMutex
	closed bool
}

// ErrClosed is the answer of a DB that has been closed.
var ErrClosed = errors.New("persist: the data folder is closed")

// DefaultDir returns the data folder: $GJW_DATA_DIR if set, else
// gjw-uploader under os.UserConfigDir.
func DefaultDir() (string, error) {
	if dir := os.Getenv(dataDirEnv); dir != "" {
		return dir, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("persist: find the data folder (set %s to choose one): %w", dataDirEnv, err)
	}
	return filepath.Join(base, "gjw-uploader"), nil
}

// Open opens (creating if needed) the database in dir. The folder is made
// private (0700). If another process holds the folder, Open fails at once
// with an error for which errors.Is(err, ErrAlreadyRunning) is true.
func Open(dir string) (*DB, error) {
	if dir == "" {
		return nil, errors.New("persist: no data folder given")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("persist: create data folder: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("persist: make data folder private: %w", err)
	}
	bdb, err := badger.Open(badgerOptions(badger.DefaultOptions(dir)))
	if err != nil {
		if isLockHeld(err) {
			return nil, fmt.Errorf("%w (data folder %s)", ErrAlreadyRunning, dir)
		}
		return nil, fmt.Errorf("persist: open database in %s: %w", dir, err)
	}
	d := &DB{bdb: bdb, dir: dir, snapDirty: make(chan struct{}, 1), stop: make(chan struct{})}
	if err := d.migrateV1(); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("persist: upgrade the uploads in %s: %w", dir, err)
	}
	d.collectGarbage()
	d.writeSnapshot()
	d.gcDone.Add(1)
	go d.background()
	return d, nil
}

// OpenInMemory opens an empty database that lives in memory only, for tests.
func OpenInMemory() (*DB, error) {
	bdb, err := badger.Open(badgerOptions(badger.DefaultOptions("").WithInMemory(true)))
	if err != nil {
		return nil, fmt.Errorf("persist: open in-memory database: %w", err)
	}
	return &DB{bdb: bdb, inMemory: true, stop: make(chan struct{})}, nil
}

// badgerOptions tunes Badger for a desktop app with a tiny data set: small
// memtables and caches keep idle memory low, and every write is synced.
// See the package comment.
func badgerOptions(o badger.Options) badger.Options {
	return o.
		WithSyncWrites(!o.InMemory).
		WithNumVersionsToKeep(1).
		WithLogger(quietLogger{}).
		WithMetricsEnabled(false).
		WithMemTableSize(8 << 20).
		WithNumMemtables(2).
		WithValueThreshold(1 << 20).
		WithValueLogFileSize(16 << 20).
		WithBlockCacheSize(4 << 20).
		WithIndexCacheSize(2 << 20).
		WithNumCompactors(2).
		WithNumLevelZeroTables(4).
		WithNumLevelZeroTablesStall(8).
		WithNumGoroutines(2)
}

// isLockHeld reports whether a badger.Open error means another holder has
// the directory lock. Badger formats the cause into its message (no %w), so
// this has to match text; see isLockConflict for the per-OS part.
func isLockHeld(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Another process is using this Badger database") && isLockConflict(msg)
}

// Close closes the database. The DB must not be used afterwards; a second
// Close returns the first one's result.
func (d *DB) Close() error {
	d.closeOnce.Do(func() {
		close(d.stop)
		d.gcDone.Wait()
		d.open.Lock() // waits for transactions under way; later ones fail
		defer d.open.Unlock()
		d.closed = true
		d.collectGarbage()
		if d.dir != "" {
			d.removeSnapshot()
		}
		d.closeErr = d.bdb.Close()
	})
	return d.closeErr
}

// background garbage-collects the value log every gcInterval, and writes
// the jobs snapshot when jobs change, at most once per snapshotEvery (a
// change meanwhile waits in snapDirty), until Close.
func (d *DB) background() {
	defer d.gcDone.Done()
	gc := time.NewTicker(gcInterval)
	defer gc.Stop()
	dirty := d.snapDirty
	var pause <-chan time.Time
	for {
		select {
		case <-d.stop:
			return
		case <-gc.C:
			d.collectGarbage()
		case <-dirty:
			d.writeSnapshot()
			dirty, pause = nil, time.After(snapshotEvery)
		case <-pause:
			dirty, pause = d.snapDirty, nil
		}
	}
}

// collectGarbage rewrites value-log files that are mostly stale. It is
// best-effort: "nothing to rewrite" is the common answer for this app.
func (d *DB) collectGarbage() {
	if d.inMemory {
		return
	}
	for range 8 {
		err := d.bdb.RunValueLogGC(0.5)
		if err == nil {
			continue
		}
		if !errors.Is(err, badger.ErrNoRewrite) && !errors.Is(err, badger.ErrRejected) {
			log.Printf("persist: value log GC: %v", err)
		}
		return
	}
}

// quietLogger drops Badger's debug and info chatter and passes warnings and
// errors to the standard logger.
type quietLogger struct{}

func (quietLogger) Errorf(f string, v ...any) {
	log.Printf("badger: ERROR: "+strings.TrimSuffix(f, "\n"), v...)
}

func (quietLogger) Warningf(f string, v ...any) {
	log.Printf("badger: WARNING: "+strings.TrimSuffix(f, "\n"), v...)
}
func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}

// view runs fn in a read transaction, or fails with ErrClosed.
func (d *DB) view(fn func(*badger.Txn) error) error {
	d.open.RLock()
	defer d.open.RUnlock()
	if d.closed {
		return ErrClosed
	}
	return d.bdb.View(fn)
}

// update runs fn in a read-write transaction, or fails with ErrClosed.
func (d *DB) update(fn func(*badger.Txn) error) error {
	d.open.RLock()
	defer d.open.RUnlock()
	if d.closed {
		return ErrClosed
	}
	return d.bdb.Update(fn)
}

// put stores v as JSON under key.
func (d *DB) put(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("persist: encode %s: %w", key, err)
	}
	err = d.update(func(txn *badger.Txn) error {
		return txn.Set([]byte(key), b)
	})
	if err != nil {
		return fmt.Errorf("persist: write %s: %w", key, err)
	}
	return nil
}

// get loads the record under key into dst. It reports false, and leaves dst
// alone, when there is none.
func (d *DB) get(key string, dst any) (bool, error) {
	err := d.view(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(key))
		if err != nil {
			return err
		}
		return item.Value(func(val []byte) error {
			return decode(key, val, dst)
		})
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		if errors.Is(err, ErrNewerVersion) {
			return false, err
		}
		return false, fmt.Errorf("persist: read %s: %w", key, err)
	}
	return true, nil
}

// del removes keys in one transaction; missing keys are not an error.
func (d *DB) del(keys ...string) error {
	err := d.update(func(txn *badger.Txn) error {
		for _, k := range keys {
			if err := txn.Delete([]byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("persist: delete %s: %w", strings.Join(keys, ", "), err)
	}
	return nil
}

// scan decodes every record whose key starts with prefix, in key order,
// and passes each to add.
func scan[T any](d *DB, prefix string, add func(T)) error {
	err := d.view(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte(prefix)
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			var rec T
			err := item.Value(func(val []byte) error {
				return decode(string(item.Key()), val, &rec)
			})
			if err != nil {
				return err
			}
			add(rec)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrNewerVersion) {
			return err
		}
		return fmt.Errorf("persist: read %s*: %w", prefix, err)
	}
	return nil
}

// decode checks the record format of val and unmarshals it into dst.
func decode(key string, val []byte, dst any) error {
	var hdr struct {
		V int `json:"v"`
	}
	if err := json.Unmarshal(val, &hdr); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	if hdr.V > RecordVersion {
		return fmt.Errorf("record %s was %w", key, ErrNewerVersion)
	}
	if err := json.Unmarshal(val, dst); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	return nil
}
