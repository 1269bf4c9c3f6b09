package persist

import (
	"testing"
	"time"
)

// A watched file's record and the watch folders survive a restart.
func TestWatchedSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	d := openT(t, dir)
	w := Watched{Key: "k1", Path: "/in/a.mp4", Size: 42, ModTime: t0, Hash: "h", JobID: "j1", Sidecars: []string{"/in/a.json"}, QueuedAt: t0}
	ok(t, d.PutWatched(w))
	ok(t, d.PutWatched(Watched{Key: "k2", Path: "/in/b.mp4", JobID: "j2"}))
	if err := d.PutWatched(Watched{Path: "/x"}); err == nil {
		t.Fatal("a record without a key was stored")
	}
	folders := []WatchFolder{{Path: "/in", Destinations: []string{"gjw", "gcore"}, Template: MetaTemplate{Title: "{dirname} {date}"}, MoveDone: "/done"},
		{Path: "/share", Settle: 30 * time.Second}}
	ok(t, d.PutWatchFolders(folders))

	d = reopen(t, d, dir)
	got, found, err := d.Watched("k1")
	ok(t, err)
	w.Version = RecordVersion
	if !found {
		t.Fatal("record k1 is gone after reopening")
	}
	equal(t, "record k1", got, w)
	if _, found, _ := d.Watched("nope"); found {
		t.Fatal("an unknown identity was found")
	}
	all, err := d.WatchedFiles()
	ok(t, err)
	if len(all) != 2 || all[0].Key != "k1" || all[1].JobID != "j2" {
		t.Fatalf("WatchedFiles: %+v", all)
	}
	got2, err := d.WatchFolders()
	ok(t, err)
	equal(t, "watch folders", got2, folders)
}
