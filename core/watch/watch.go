// Package watch publishes the videos written into a folder by themselves.
// A video (in the folder or below it) is queued once it and the files
// that go with it (sidecar, same-name image, manifest.csv) have stopped
// changing for the settle time, so a recording still being written is
// never queued early. Each file identity (path, size, modification time
// and a hash of its first and last MiB) is queued exactly once: the
// identity is stored (persist.Watched) with its job, so a restarted
// watcher queues nothing twice, and files added while it was stopped are
// picked up by its first scan. fsnotify reports changes; a periodic scan
// catches what it misses (network drives).
//
// Metadata and posters come from core/batch; jobs go to the engine like
// any other upload. With MoveDone, a video whose every target is published
// is moved there with its sidecar and same-name image.
package watch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/batch"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Defaults.
const (
	DefaultSettle = 10 * time.Second
	DefaultRescan = 30 * time.Second
)

// Store keeps the identities of queued files (persist.DB has it).
type Store interface {
	PutWatched(persist.Watched) error
	Watched(key string) (persist.Watched, bool, error)
	WatchedFiles() ([]persist.Watched, error)
}

// Options configure a watcher.
type Options struct {
	Dir string
	// Settle is how long a video and its sidecar must stay unchanged
	// before it is queued (default 10 s).
	Settle time.Duration
	// Rescan is how often the whole folder is scanned again, for changes
	// notifications miss, and problems are tried again (default 30 s).
	Rescan time.Duration
	// ScanOnly skips notifications and relies on the scans (folders on
	// drives that send none).
	ScanOnly bool
	// MoveDone, when set, is where published videos are moved.
	MoveDone string
	Engine   *core.Engine
	Resolver *batch.Resolver
	Store    Store
	// OnEvent is told what the watcher did; it runs on the watcher's
	// goroutine and must not block for long.
	OnEvent func(Event)
}

// Kind is what an Event reports.
type Kind string

const (
	Queued  Kind = "queued"  // a video was queued: Job, Item
	Problem Kind = "problem" // a video (or the folder) has problems: Err, a line each
	Moved   Kind = "moved"   // a published video was moved: To
)

// Event is one thing the watcher did.
type Event struct {
	Kind Kind
	Path string
	Job  persist.Job
	Item batch.Item
	Err  error
	To   string
}

// pending is a video seen but not queued yet.
type pending struct {
	sig    string    // its and its companions' sizes and times
	since  time.Time // when sig last changed
	failed bool      // it had problems; tried again when it changes or at the next scan
}

type watcher struct {
	o        Options
	root     string
	moveDone string
	pending  map[string]*pending
	known    map[string]string // path -> size and time of a video already queued
	reported map[string]string // path -> the problem last reported
	moves    map[string]persist.Watched
	fsw      *fsnotify.Watcher
}

// Run watches until ctx ends; it fails only when the folder cannot be
// watched at all.
func Run(ctx context.Context, o Options) error {
	if o.Settle <= 0 {
		o.Settle = DefaultSettle
	}
	if o.Rescan <= 0 {
		o.Rescan = DefaultRescan
	}
	if o.OnEvent == nil {
		o.OnEvent = func(Event) {}
	}
	root, err := filepath.Abs(o.Dir)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return fmt.Errorf("watch folder %q is not a folder: create it or name another", o.Dir)
	}
	w := &watcher{o: o, root: root, pending: map[string]*pending{}, known: map[string]string{},
		reported: map[string]string{}, moves: map[string]persist.Watched{}}
	if o.MoveDone != "" {
		if w.moveDone, err = filepath.Abs(o.MoveDone); err != nil {
			return err
		}
		if err := os.MkdirAll(w.moveDone, 0o755); err != nil {
			return fmt.Errorf("--move-done folder %q cannot be created: %v", o.MoveDone, err)
		}
	}
	var events <-chan fsnotify.Event
	var errs <-chan error
	if !o.ScanOnly {
		if w.fsw, err = fsnotify.NewWatcher(); err != nil {
			w.report(root, fmt.Errorf("%s: changes are not reported by the system (%v): scanning every %s instead", root, err, o.Rescan))
		} else {
			defer w.fsw.Close()
			events, errs = w.fsw.Events, w.fsw.Errors
		}
	}
	w.loadMoves()
	w.scan(root)
	tick := time.NewTicker(min(max(o.Settle/4, 5*time.Millisecond), time.Second))
	defer tick.Stop()
	rescan := time.NewTicker(o.Rescan)
	defer rescan.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			w.changed(ev)
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				w.scan(root)
			}
		case <-tick.C:
			w.settle(ctx)
			w.checkMoves()
		case <-rescan.C:
			for _, p := range w.pending {
				p.failed = false
			}
			w.scan(root)
		}
	}
}

// skip reports whether path is not watched: hidden, or the MoveDone folder.
func (w *watcher) skip(path string) bool {
	if w.moveDone != "" && (path == w.moveDone || strings.HasPrefix(path, w.moveDone+string(filepath.Separator))) {
		return true
	}
	rel, err := filepath.Rel(w.root, path)
	if err != nil || rel == "." {
		return false
	}
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		if strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}

// scan walks dir, watching its folders and noting its videos.
func (w *watcher) scan(dir string) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || w.skip(p) {
			if d != nil && d.IsDir() && p != dir {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if w.fsw != nil {
				if err := w.fsw.Add(p); err != nil {
					w.report(p, fmt.Errorf("%s: changes are not reported by the system (%v): scanning every %s instead", p, err, w.o.Rescan))
				}
			}
			return nil
		}
		w.observe(p)
		return nil
	})
}

// changed handles one notification: a new folder is scanned; any other
// change notes the videos of its folder (a sidecar's change counts for
// its video).
func (w *watcher) changed(ev fsnotify.Event) {
	if w.skip(ev.Name) {
		return
	}
	if ev.Has(fsnotify.Create) {
		if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
			w.scan(ev.Name)
			return
		}
	}
	dir := filepath.Dir(ev.Name)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if p := filepath.Join(dir, e.Name()); !e.IsDir() && !w.skip(p) {
			w.observe(p)
		}
	}
}

// observe notes a video to queue once it settles, unless it was queued
// as it is.
func (w *watcher) observe(path string) {
	if !core.IsVideo(path) {
		return
	}
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return
	}
	if w.known[path] == fileSig(fi) {
		return
	}
	if _, ok := w.pending[path]; !ok {
		sig, _ := settleSig(path)
		w.pending[path] = &pending{sig: sig, since: time.Now()}
	}
}

func fileSig(fi os.FileInfo) string {
	return strconv.FormatInt(fi.Size(), 10) + "@" + strconv.FormatInt(fi.ModTime().UnixNano(), 10)
}

// settleSig is the size and time of a video and of each file that goes
// with it; ok is false when the video is gone.
func settleSig(video string) (sig string, ok bool) {
	fi, err := os.Stat(video)
	if err != nil {
		return "", false
	}
	parts := []string{fileSig(fi)}
	for _, c := range batch.Companions(video) {
		if fi, err := os.Stat(c); err == nil {
			parts = append(parts, fileSig(fi))
		} else {
			parts = append(parts, "-")
		}
	}
	return strings.Join(parts, " "), true
}

// settle queues, in name order, the videos that have not changed for the
// settle time.
func (w *watcher) settle(ctx context.Context) {
	now := time.Now()
	for _, path := range slices.Sorted(maps.Keys(w.pending)) {
		p := w.pending[path]
		sig, ok := settleSig(path)
		switch {
		case !ok:
			delete(w.pending, path)
		case sig != p.sig:
			p.sig, p.since, p.failed = sig, now, false
		case !p.failed && now.Sub(p.since) >= w.o.Settle && ctx.Err() == nil:
			w.queue(ctx, path, p)
		}
	}
}

// queue queues one settled video, once per identity.
func (w *watcher) queue(ctx context.Context, path string, p *pending) {
	fi, err := os.Stat(path)
	if err != nil {
		return
	}
	fail := func(err error) {
		p.failed = true
		w.report(path, err)
	}
	rec, err := identify(path, fi)
	if err != nil {
		fail(fmt.Errorf("%s: cannot be read (%v): check its permissions", path, err))
		return
	}
	if old, ok, err := w.o.Store.Watched(rec.Key); err != nil {
		fail(err)
		return
	} else if ok { // queued before (by an earlier run)
		w.done(path, fi, old)
		return
	}
	jobs, err := w.o.Engine.Jobs()
	if err != nil {
		fail(err)
		return
	}
	for _, j := range jobs {
		// Queued by an earlier run that stopped before storing the
		// identity: that job is this file's.
		if batch.SameFile(j, path, fi) {
			rec.JobID, rec.Sidecars, rec.QueuedAt = j.ID, batch.Belongings(path), time.Now()
			if err := w.o.Store.PutWatched(rec); err != nil {
				fail(err)
				return
			}
			w.done(path, fi, rec)
			return
		}
	}
	it := w.o.Resolver.Video(ctx, path)
	if err := it.Err(); err != nil {
		fail(err)
		return
	}
	j, err := w.o.Engine.Add(it.Upload)
	if err != nil {
		fail(fmt.Errorf("%s: %v", path, err))
		return
	}
	rec.JobID, rec.Sidecars, rec.QueuedAt = j.ID, it.Companions, time.Now()
	if err := w.o.Store.PutWatched(rec); err != nil {
		w.report(path, fmt.Errorf("%s: queued, but its identity could not be saved (%v)", path, err))
	}
	w.done(path, fi, rec)
	w.o.OnEvent(Event{Kind: Queued, Path: path, Job: j, Item: it})
}

// done notes that path (as fi) is queued as rec.
func (w *watcher) done(path string, fi os.FileInfo, rec persist.Watched) {
	w.known[path] = fileSig(fi)
	delete(w.pending, path)
	delete(w.reported, path)
	if w.moveDone != "" && rec.MovedTo == "" {
		w.moves[rec.Key] = rec
	}
}

// report tells a problem once (until it changes).
func (w *watcher) report(path string, err error) {
	if w.reported[path] == err.Error() {
		return
	}
	w.reported[path] = err.Error()
	w.o.OnEvent(Event{Kind: Problem, Path: path, Err: err})
}

// hashSpan is how much of each end of a file its identity hashes.
const hashSpan = 1 << 20

// identify is a file's identity record: its path, size, time and the
// SHA-256 of its first and last MiB, keyed by the SHA-256 of all four.
func identify(path string, fi os.FileInfo) (persist.Watched, error) {
	f, err := os.Open(path)
	if err != nil {
		return persist.Watched{}, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyN(h, f, hashSpan); err != nil && !errors.Is(err, io.EOF) {
		return persist.Watched{}, err
	}
	if tail := max(fi.Size()-hashSpan, hashSpan); tail < fi.Size() {
		if _, err := io.Copy(h, io.NewSectionReader(f, tail, fi.Size()-tail)); err != nil {
			return persist.Watched{}, err
		}
	}
	rec := persist.Watched{Path: path, Size: fi.Size(), ModTime: fi.ModTime(), Hash: hex.EncodeToString(h.Sum(nil))}
	key := sha256.Sum256([]byte(path + "\x00" + strconv.FormatInt(rec.Size, 10) + "\x00" +
		strconv.FormatInt(rec.ModTime.UnixNano(), 10) + "\x00" + rec.Hash))
	rec.Key = hex.EncodeToString(key[:])
	return rec, nil
}

// loadMoves picks up published videos of this folder an earlier run had
// not moved yet.
func (w *watcher) loadMoves() {
	if w.moveDone == "" {
		return
	}
	recs, err := w.o.Store.WatchedFiles()
	if err != nil {
		w.report(w.root, err)
		return
	}
	for _, r := range recs {
		if r.MovedTo == "" && r.JobID != "" && strings.HasPrefix(r.Path, w.root+string(filepath.Separator)) {
			w.moves[r.Key] = r
		}
	}
}

// checkMoves moves the videos whose every target is published.
func (w *watcher) checkMoves() {
	if len(w.moves) == 0 {
		return
	}
	jobs, err := w.o.Engine.Jobs()
	if err != nil {
		return
	}
	byID := map[string]persist.Job{}
	for _, j := range jobs {
		byID[j.ID] = j
	}
	for key, rec := range w.moves {
		j, ok := byID[rec.JobID]
		if !ok { // removed from the queue: left where it is
			delete(w.moves, key)
			continue
		}
		if !published(j) {
			continue
		}
		delete(w.moves, key)
		to, err := w.move(rec)
		if err != nil {
			w.report(rec.Path, fmt.Errorf("%s: published, but not moved to %s: %v", rec.Path, w.moveDone, err))
			continue
		}
		rec.MovedTo = to
		if err := w.o.Store.PutWatched(rec); err != nil {
			w.report(rec.Path, err)
		}
		// The moved file is known at its new place too, so a watcher of a
		// folder holding MoveDone (without --move-done) does not queue it.
		if fi, err := os.Stat(to); err == nil {
			if there, err := identify(to, fi); err == nil {
				there.JobID, there.MovedTo, there.QueuedAt = rec.JobID, to, rec.QueuedAt
				w.o.Store.PutWatched(there)
			}
		}
		delete(w.known, rec.Path)
		w.o.OnEvent(Event{Kind: Moved, Path: rec.Path, Job: j, To: to})
	}
}

// published reports whether every target of j is done.
func published(j persist.Job) bool {
	for _, t := range j.Targets {
		if t.State != core.StateDone {
			return false
		}
	}
	return len(j.Targets) > 0
}

// move moves a video and its sidecars into MoveDone, keeping its path
// below the watch folder; a name taken there gets " (2)", " (3)"...
func (w *watcher) move(rec persist.Watched) (string, error) {
	rel, err := filepath.Rel(w.root, rec.Path)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = filepath.Base(rec.Path)
	}
	dst := filepath.Join(w.moveDone, rel)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	ext := filepath.Ext(dst)
	stem := strings.TrimSuffix(dst, ext)
	for n := 2; exists(dst); n++ {
		dst = fmt.Sprintf("%s (%d)%s", stem, n, ext)
	}
	if err := moveFile(rec.Path, dst); err != nil {
		return "", err
	}
	oldStem := strings.TrimSuffix(rec.Path, filepath.Ext(rec.Path))
	newStem := strings.TrimSuffix(dst, ext)
	for _, s := range rec.Sidecars {
		if !exists(s) || !strings.HasPrefix(s, oldStem) {
			continue
		}
		if err := moveFile(s, newStem+strings.TrimPrefix(s, oldStem)); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

// moveFile renames src to dst, copying when they are on different drives.
func moveFile(src, dst string) error {
	err := os.Rename(src, dst)
	if err == nil {
		return nil
	}
	in, oerr := os.Open(src)
	if oerr != nil {
		return err
	}
	defer in.Close()
	out, cerr := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if cerr != nil {
		return err
	}
	if _, cerr = io.Copy(out, in); cerr == nil {
		cerr = out.Close()
	} else {
		out.Close()
	}
	if cerr != nil {
		os.Remove(dst)
		return err
	}
	return os.Remove(src)
}
