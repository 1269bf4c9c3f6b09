package article

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/gjw-uploader/gjw-uploader/persist"
)

// DraftStore is where an Autosaver writes; *persist.DB has it.
type DraftStore interface {
	PutDraft(persist.Draft) error
}

// The default autosave timing: a save AutosaveDelay after the last
// change, and never later than AutosaveMaxWait after the first unsaved
// one, so that typing without a pause is saved too.
const (
	AutosaveDelay   = time.Second
	AutosaveMaxWait = 2 * time.Second
)

// Autosaver holds the draft being edited and saves it in the background.
// Each Edit marks it dirty; it is saved Delay after the last edit, or
// MaxWait after the first unsaved one, whichever comes first, and on
// Flush and Close. persist writes synchronously (SyncWrites), so a crash
// or kill -9 loses at most the edits of the last MaxWait (about two
// seconds).
//
// Its methods are safe for concurrent use and never block on the disk,
// except Flush, Close and Published, which save before they return.
type Autosaver struct {
	// Delay and MaxWait are the timing (zero: the defaults). Set them
	// before the first Edit.
	Delay, MaxWait time.Duration
	// OnSave, if set, is called after each save attempt, from the
	// goroutine that saved (a timer's, or Flush's caller).
	OnSave func(d persist.Draft, err error)

	store  DraftStore
	saveMu sync.Mutex // one save at a time, so a newer copy is never overwritten by an older one

	mu         sync.Mutex
	d          persist.Draft
	dirty      bool
	firstDirty time.Time
	timer      *time.Timer
	closed     bool
	discarded  bool
	err        error // of the last save
}

// NewAutosaver starts holding d, which is taken as saved.
func NewAutosaver(store DraftStore, d persist.Draft) *Autosaver {
	return &Autosaver{store: store, d: cloneDraft(d)}
}

// Draft returns a copy of the current draft.
func (a *Autosaver) Draft() persist.Draft {
	a.mu.Lock()
	defer a.mu.Unlock()
	return cloneDraft(a.d)
}

// Dirty reports whether there are edits not yet saved.
func (a *Autosaver) Dirty() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.dirty
}

// Err is the error of the last save, nil when it succeeded.
func (a *Autosaver) Err() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// Edit changes the draft with fn, sets UpdatedAt, and schedules a save.
// Edits after Close are ignored.
func (a *Autosaver) Edit(fn func(d *persist.Draft)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	fn(&a.d)
	now := time.Now()
	a.d.UpdatedAt = now
	if !a.dirty {
		a.dirty, a.firstDirty = true, now
	}
	a.armLocked(now)
}

// armLocked (re)starts the timer for the next save.
func (a *Autosaver) armLocked(now time.Time) {
	delay, maxWait := a.Delay, a.MaxWait
	if delay <= 0 {
		delay = AutosaveDelay
	}
	if maxWait <= 0 {
		maxWait = AutosaveMaxWait
	}
	wait := min(delay, max(a.firstDirty.Add(maxWait).Sub(now), 0))
	if a.timer == nil {
		a.timer = time.AfterFunc(wait, func() { a.save() })
		return
	}
	a.timer.Reset(wait)
}

// save writes the current draft if it is dirty.
func (a *Autosaver) save() error {
	a.saveMu.Lock()
	defer a.saveMu.Unlock()
	a.mu.Lock()
	if !a.dirty || a.discarded {
		err := a.err
		a.mu.Unlock()
		return err
	}
	d := cloneDraft(a.d)
	a.dirty = false
	a.mu.Unlock()

	err := a.store.PutDraft(d)

	a.mu.Lock()
	a.err = err
	if err != nil && !a.dirty {
		// Try again later; a Flush or Close tries at once.
		now := time.Now()
		a.dirty, a.firstDirty = true, now
		if !a.closed {
			a.armLocked(now)
		}
	}
	a.mu.Unlock()
	if a.OnSave != nil {
		a.OnSave(d, err)
	}
	return err
}

// Flush saves now if there are unsaved edits, and returns the error of
// the last save.
func (a *Autosaver) Flush() error { return a.save() }

// Close stops the timer and saves what is unsaved. Later edits are
// ignored; Close may be called more than once.
func (a *Autosaver) Close() error {
	a.mu.Lock()
	a.closed = true
	if a.timer != nil {
		a.timer.Stop()
	}
	a.mu.Unlock()
	return a.save()
}

// Discard stops saving without saving what is unsaved, for a draft being
// deleted: after it returns nothing more is written, not even by Published.
func (a *Autosaver) Discard() {
	a.saveMu.Lock() // wait for a save in progress
	defer a.saveMu.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed, a.discarded, a.dirty = true, true, false
	if a.timer != nil {
		a.timer.Stop()
	}
}

// Published records what the platform assigned to a published draft (its
// content ID, publish time and poster URLs) in the held draft and saves it
// at once, even after Close: the content ID must never be lost. Other
// fields keep their current values, so edits made while publishing stay.
// It has the signature of Publisher.SaveDraft.
func (a *Autosaver) Published(p persist.Draft) error {
	a.mu.Lock()
	if a.discarded {
		a.mu.Unlock()
		return nil
	}
	same := a.d.ID == p.ID
	if same {
		a.d.ContentID, a.d.PublishedAt = p.ContentID, p.PublishedAt
		a.d.PosterURL, a.d.PosterHDURL = p.PosterURL, p.PosterHDURL
		a.d.Images = p.Images
		if !a.dirty {
			a.firstDirty = time.Now()
		}
		a.dirty = true
	}
	a.mu.Unlock()
	if !same {
		return a.store.PutDraft(p)
	}
	return a.save()
}

func cloneDraft(d persist.Draft) persist.Draft {
	d.Hashtags = slices.Clone(d.Hashtags)
	d.Keywords = slices.Clone(d.Keywords)
	d.Images = maps.Clone(d.Images)
	return d
}
