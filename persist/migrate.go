package persist

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// tusEntryV1 is release 1's record under tus/<job ID>: the job's TUS upload URL.
type tusEntryV1 struct {
	URL string `json:"url"`
}

// jobV1 is a job as release 1 stored it: one Gan Jing World upload with
// its step results as columns, and its TUS upload URL under tus/<id>.
type jobV1 struct {
	ID                string    `json:"id"`
	Position          int64     `json:"position"`
	VideoPath         string    `json:"video_path"`
	ThumbnailPath     string    `json:"thumbnail_path"`
	Size              int64     `json:"size"`
	ModTime           time.Time `json:"mod_time"`
	Meta              VideoMeta `json:"meta"`
	Step              string    `json:"step"`
	State             string    `json:"state"`
	Error             string    `json:"error,omitempty"`
	PosterURL         string    `json:"poster_url,omitempty"`
	PosterHDURL       string    `json:"poster_hd_url,omitempty"`
	ContentID         string    `json:"content_id,omitempty"`
	UploadID          string    `json:"upload_id,omitempty"`
	Offset            int64     `json:"offset"`
	VideoID           string    `json:"video_id,omitempty"`
	HLSURL            string    `json:"hls_url,omitempty"`
	ProcessingPercent int       `json:"processing_percent"`
	MetaDirty         bool      `json:"meta_dirty,omitempty"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
	FinishedAt        time.Time `json:"finished_at,omitempty"`
}

// V1Account is the account name release 1's single session becomes; its
// jobs' targets name it.
const V1Account = "gjw"

// gjwCheckpointV1 carries release 1's step results into the GJW driver's
// checkpoint. The field names are the driver's (core/gjw, checkpoint): this
// is a move of stored fields, not a rule of the pipeline.
type gjwCheckpointV1 struct {
	Next        string `json:"next,omitempty"`
	PosterURL   string `json:"poster_url,omitempty"`
	PosterHDURL string `json:"poster_hd_url,omitempty"`
	PosterFor   string `json:"poster_for,omitempty"`
	ContentID   string `json:"content_id,omitempty"`
	UploadID    string `json:"upload_id,omitempty"`
	TusURL      string `json:"tus_url,omitempty"`
	VideoID     string `json:"video_id,omitempty"`
	HLSURL      string `json:"hls_url,omitempty"`
}

// v1WaitingPoster is release 1's stored text of a job waiting for a
// poster; it is read once, here, into a reason code, and never again.
var v1WaitingPoster = "no poster image: choose a thumbnail for this video"

// migrateV1 rewrites every version-1 job (or older: no "v" yet) as a version-2 job with one GJW
// target, in one transaction: a crash leaves either every job old or every
// job new.
func (d *DB) migrateV1() error {
	return d.update(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte(jobPrefix)
		it := txn.NewIterator(opts)
		type change struct {
			key, tusKey string
			val         []byte
		}
		var changes []change
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			key := string(item.KeyCopy(nil))
			val, err := item.ValueCopy(nil)
			if err != nil {
				it.Close()
				return err
			}
			var hdr struct {
				V int `json:"v"`
			}
			if json.Unmarshal(val, &hdr) != nil || hdr.V > 1 {
				continue
			}
			var old jobV1
			if err := json.Unmarshal(val, &old); err != nil {
				it.Close()
				return fmt.Errorf("decode %s: %w", key, err)
			}
			tusKey := tusPrefix + strings.TrimPrefix(key, jobPrefix)
			tusURL := ""
			if ti, err := txn.Get([]byte(tusKey)); err == nil {
				var e tusEntryV1
				if ti.Value(func(v []byte) error { return json.Unmarshal(v, &e) }) == nil {
					tusURL = e.URL
				}
			}
			b, err := json.Marshal(jobFromV1(old, tusURL))
			if err != nil {
				it.Close()
				return err
			}
			changes = append(changes, change{key, tusKey, b})
		}
		it.Close()
		for _, c := range changes {
			if err := txn.Set([]byte(c.key), c.val); err != nil {
				return err
			}
			if err := txn.Delete([]byte(c.tusKey)); err != nil {
				return err
			}
		}
		return nil
	})
}

func jobFromV1(o jobV1, tusURL string) Job {
	t := Target{
		Account: V1Account, Platform: "gjw", Step: o.Step, State: o.State, Error: o.Error,
		Offset: o.Offset, ProcessingPercent: o.ProcessingPercent, FinishedAt: o.FinishedAt,
	}
	if o.Step == "token" { // nothing done yet
		t.Step = ""
	}
	cp := gjwCheckpointV1{
		Next: o.Step, PosterURL: o.PosterURL, PosterHDURL: o.PosterHDURL, ContentID: o.ContentID,
		UploadID: o.UploadID, TusURL: tusURL, VideoID: o.VideoID, HLSURL: o.HLSURL,
	}
	if o.PosterURL != "" {
		cp.PosterFor = o.ThumbnailPath
	}
	t.Checkpoint, _ = json.Marshal(cp)
	switch {
	case o.State == "waiting" && o.Error == v1WaitingPoster:
		t.Reason = "need_poster"
	case o.State == "waiting":
		t.Reason = "signed_out"
	case o.State == "failed":
		t.Reason = "failed"
	}
	j := Job{
		Version: RecordVersion, ID: o.ID, Position: o.Position, VideoPath: o.VideoPath,
		ThumbnailPath: o.ThumbnailPath, Size: o.Size, ModTime: o.ModTime, Meta: o.Meta,
		State: o.State, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, FinishedAt: o.FinishedAt,
	}
	// An edit after add-content that release 1 had not sent yet.
	if o.MetaDirty {
		j.EditRev = 1
	}
	if o.State == "done" {
		t.Result = TargetResult{ID: o.ContentID, URL: "https://www.ganjingworld.com/video/" + o.ContentID,
			Ext: map[string]string{"video_id": o.VideoID, "hls_url": o.HLSURL}}
	}
	j.Targets = []Target{t}
	return j
}
