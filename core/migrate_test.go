package core_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// A data folder written by release 1 (its job record format, and the TUS
// URL under tus/<id>) holding a job paused mid-upload opens in this one and
// finishes into the same content entry and the same TUS upload.
func TestV1JobPausedMidUploadFinishesAfterUpgrade(t *testing.T) {
	platform := sandboxtest.NewWith(t, sandbox.Config{TranscodePolls: 2})
	dir := t.TempDir()
	db, err := persist.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	platform.SignIn(t, db)
	video := sandboxtest.WriteRandom(t, filepath.Join(t.TempDir(), "clip.mp4"), testSize)
	thumb := sandboxtest.WritePNG(t, filepath.Join(t.TempDir(), "poster.png"), 1)

	// Run the job to the middle of its upload, then pause it.
	var j persist.Job
	var once sync.Once
	var eng *core.Engine
	eng = core.New(db, core.Options{Hosts: platform.Hosts, ChunkSize: testChunk, PollInterval: time.Millisecond,
		RetryDelays: fastDelays, OnEvent: func(ev core.Event) {
			if v := sandboxtest.View(ev.Job); v.Step == gjw.StepUpload && v.Offset >= testChunk {
				once.Do(func() { go eng.Pause(j.ID) })
			}
		}})
	j, err = eng.Add(core.NewUpload{VideoPath: video, ThumbnailPath: thumb, Meta: persist.VideoMeta{Title: "Old"}})
	if err != nil {
		t.Fatal(err)
	}
	eng.Run(context.Background(), j.ID)
	paused, _, _ := db.Job(j.ID)
	v := sandboxtest.View(paused)
	cp, _ := gjw.ReadCheckpoint(paused.Targets[0].Checkpoint)
	if paused.State != core.StatePaused || v.ContentID == "" || cp.TusURL == "" || v.Offset == 0 {
		t.Fatalf("not paused mid-upload: %+v", paused)
	}
	db.Close()

	// Rewrite it as release 1 stored it.
	v1 := map[string]any{
		"v": 1, "id": j.ID, "position": j.Position, "video_path": video, "thumbnail_path": thumb,
		"size": j.Size, "mod_time": j.ModTime, "meta": j.Meta, "step": "upload", "state": "paused",
		"poster_url": v.PosterURL, "poster_hd_url": v.PosterHDURL, "content_id": v.ContentID,
		"upload_id": v.UploadID, "offset": v.Offset, "processing_percent": 0, "created_at": j.CreatedAt,
	}
	bdb, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	jobJSON, _ := json.Marshal(v1)
	tusJSON, _ := json.Marshal(map[string]any{"v": 1, "url": cp.TusURL})
	if err := bdb.Update(func(txn *badger.Txn) error {
		if err := txn.Set([]byte("job/"+j.ID), jobJSON); err != nil {
			return err
		}
		return txn.Set([]byte("tus/"+j.ID), tusJSON)
	}); err != nil {
		t.Fatal(err)
	}
	bdb.Close()

	// Open with this release: the job is migrated and finishes.
	db, err = persist.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	migrated, ok, err := db.Job(j.ID)
	if err != nil || !ok || len(migrated.Targets) != 1 || migrated.Targets[0].Account != persist.V1Account {
		t.Fatalf("migrated job: %+v %v %v", migrated, ok, err)
	}
	eng = core.New(db, core.Options{Hosts: platform.Hosts, ChunkSize: testChunk, PollInterval: time.Millisecond, RetryDelays: fastDelays})
	if err := eng.Resume(j.ID); err != nil {
		t.Fatal(err)
	}
	if err := eng.Run(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	done, _, _ := db.Job(j.ID)
	if done.State != core.StateDone || sandboxtest.View(done).ContentID != v.ContentID {
		t.Fatalf("after upgrade: state %s content %s, want done into %s", done.State, sandboxtest.View(done).ContentID, v.ContentID)
	}
	st := platform.Sandbox.Stats()
	if st.AddContent != 1 || st.TusCreates != 1 {
		t.Fatalf("want one content entry and one TUS upload, got %+v", st)
	}
	if st.TusPatchBytes > testSize+testChunk {
		t.Fatalf("server received %d bytes for a %d-byte file: more than one chunk re-sent", st.TusPatchBytes, testSize)
	}
	if c, _ := platform.Sandbox.Content(v.ContentID); !c.Published || c.UploadID != v.UploadID {
		t.Fatalf("content not published as uploaded: %+v", c)
	}
}
