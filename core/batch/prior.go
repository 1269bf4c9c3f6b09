package batch

import (
	"os"
	"path/filepath"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// SameFile reports whether job j was queued for the file at path as it is
// now (fi): the same path, size and modification time. This is how a
// watch folder recognises a file in the queue, and how a manifest run
// recognises a row's video; a file rewritten in place is another one.
func SameFile(j persist.Job, path string, fi os.FileInfo) bool {
	return filepath.Clean(j.VideoPath) == filepath.Clean(path) && j.Size == fi.Size() && j.ModTime.Equal(fi.ModTime())
}

// Holding is one target of a job the queue already has for a video.
type Holding struct {
	Job    persist.Job
	Target persist.Target
}

// Prior is what the queue already holds of an item's video, target by
// target (see Already).
type Prior struct {
	// Held are the targets published or still in the queue (queued,
	// running, paused, waiting): not uploaded again.
	Held []Holding
	// Failed are the targets whose upload failed: their job goes on from
	// where it stopped, into the entry the platform already has.
	Failed []Holding
	// Targets are the item's other targets (no job for them, or only
	// canceled ones): they need a new upload.
	Targets []string
}

// New is the upload the item still needs: its upload narrowed to
// p.Targets, or ok false when every target is held or failed. An item
// the queue has nothing of keeps its upload as it is.
func (p Prior) New(it Item) (u core.NewUpload, ok bool) {
	u = it.Upload
	if len(p.Held) == 0 && len(p.Failed) == 0 {
		return u, true
	}
	u.Targets = p.Targets
	return u, len(u.Targets) > 0
}

// Already says, for each target of it, whether jobs (the queue) already
// have its video (SameFile) there: the one place a manifest run, and its
// dry run, decide what not to upload twice. Of several jobs for one
// target, a published one wins, then one still in the queue, then a
// failed one; among equals the last in the queue.
func Already(jobs []persist.Job, it Item) Prior {
	var p Prior
	fi, err := os.Stat(it.Upload.VideoPath)
	if err != nil {
		return Prior{Targets: it.Upload.Targets}
	}
	seen := map[string]bool{}
	for _, acct := range it.Upload.Targets {
		if seen[acct] {
			continue
		}
		seen[acct] = true
		var best Holding
		rank := 0
		for _, j := range jobs {
			if !SameFile(j, it.Upload.VideoPath, fi) {
				continue
			}
			if t := j.Target(acct); t != nil && holdRank(t.State) > 0 && holdRank(t.State) >= rank {
				best, rank = Holding{Job: j, Target: *t}, holdRank(t.State)
			}
		}
		switch rank {
		case 0:
			p.Targets = append(p.Targets, acct)
		case 1:
			p.Failed = append(p.Failed, best)
		default:
			p.Held = append(p.Held, best)
		}
	}
	return p
}

// holdRank orders what a target's state means for a rerun: 3 published,
// 2 in the queue, 1 failed (resumed), 0 canceled (uploaded anew).
func holdRank(state string) int {
	switch state {
	case core.StateDone:
		return 3
	case core.StateQueued, core.StateRunning, core.StatePaused, core.StateWaiting:
		return 2
	case core.StateFailed:
		return 1
	}
	return 0
}
