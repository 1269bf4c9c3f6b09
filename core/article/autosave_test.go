package article_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/article"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// countingStore records every PutDraft.
type countingStore struct {
	mu    sync.Mutex
	saved []persist.Draft
	fail  error
}

func (s *countingStore) PutDraft(d persist.Draft) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.saved = append(s.saved, d)
	return nil
}

func (s *countingStore) snapshot() []persist.Draft {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]persist.Draft(nil), s.saved...)
}

func waitFor(t *testing.T, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAutosaveDebounces(t *testing.T) {
	st := &countingStore{}
	a := article.NewAutosaver(st, persist.Draft{ID: "d1"})
	a.Delay, a.MaxWait = 80*time.Millisecond, 10*time.Second
	for i := range 5 {
		a.Edit(func(d *persist.Draft) { d.Title = fmt.Sprint("v", i) })
	}
	if !a.Dirty() || len(st.snapshot()) != 0 {
		t.Fatal("saved before the delay")
	}
	waitFor(t, 2*time.Second, func() bool { return len(st.snapshot()) == 1 })
	time.Sleep(150 * time.Millisecond)
	if s := st.snapshot(); len(s) != 1 || s[0].Title != "v4" || a.Dirty() {
		t.Fatalf("want one save of v4, got %+v", s)
	}
	// Nothing to save: Flush and Close write nothing.
	if err := a.Close(); err != nil || len(st.snapshot()) != 1 {
		t.Fatalf("close: %v, saves %d", err, len(st.snapshot()))
	}
	a.Edit(func(d *persist.Draft) { d.Title = "after close" })
	if a.Draft().Title != "v4" {
		t.Fatal("edit after Close was applied")
	}
}

func TestAutosaveMaxWaitWhileTyping(t *testing.T) {
	st := &countingStore{}
	a := article.NewAutosaver(st, persist.Draft{ID: "d1"})
	a.Delay, a.MaxWait = 100*time.Millisecond, 300*time.Millisecond
	start := time.Now()
	for i := 0; time.Since(start) < time.Second; i++ { // never pauses as long as Delay
		a.Edit(func(d *persist.Draft) { d.HTML = fmt.Sprint("<p>", i, "</p>") })
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(st.snapshot()); n < 2 {
		t.Fatalf("only %d saves during a second of typing with MaxWait 300ms", n)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	s := st.snapshot()
	if last := s[len(s)-1]; last.HTML != a.Draft().HTML || a.Dirty() {
		t.Fatalf("Close did not save the last edit: %q vs %q", last.HTML, a.Draft().HTML)
	}
}

func TestAutosaveRetriesAndPublished(t *testing.T) {
	st := &countingStore{fail: errors.New("disk full")}
	var mu sync.Mutex
	var errs []error
	a := article.NewAutosaver(st, persist.Draft{ID: "d1"})
	a.Delay, a.MaxWait = 20*time.Millisecond, 40*time.Millisecond
	a.OnSave = func(_ persist.Draft, err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() }
	a.Edit(func(d *persist.Draft) { d.Title = "x" })
	waitFor(t, 2*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(errs) >= 2 })
	if !a.Dirty() || a.Err() == nil || a.Flush() == nil {
		t.Fatal("a failed save must keep the draft dirty and report the error")
	}
	st.mu.Lock()
	st.fail = nil
	st.mu.Unlock()
	waitFor(t, 2*time.Second, func() bool { return !a.Dirty() })
	if a.Err() != nil {
		t.Fatal(a.Err())
	}

	// Published merges the platform's fields, keeps edits and saves at once,
	// even after Close.
	a.Edit(func(d *persist.Draft) { d.Title = "edited while publishing" })
	a.Close()
	now := time.Now()
	if err := a.Published(persist.Draft{ID: "d1", Title: "old", ContentID: "c1", PublishedAt: now, PosterURL: "p", PosterHDURL: "hd"}); err != nil {
		t.Fatal(err)
	}
	s := st.snapshot()
	last := s[len(s)-1]
	if last.ContentID != "c1" || !last.PublishedAt.Equal(now) || last.PosterHDURL != "hd" || last.Title != "edited while publishing" {
		t.Fatalf("saved %+v", last)
	}
}

func TestAutosaveDiscard(t *testing.T) {
	st := &countingStore{}
	a := article.NewAutosaver(st, persist.Draft{ID: "d1"})
	a.Delay = 10 * time.Millisecond
	a.Edit(func(d *persist.Draft) { d.Title = "gone" })
	a.Discard()
	time.Sleep(50 * time.Millisecond)
	a.Published(persist.Draft{ID: "d1", ContentID: "c"})
	if err := a.Close(); err != nil || len(st.snapshot()) != 0 {
		t.Fatalf("a discarded draft was saved: %v %+v", err, st.snapshot())
	}
}
