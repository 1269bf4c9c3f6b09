package persist

import (
	"errors"
	"time"
)

// Keys of the watch folders' records (see the package comment).
const (
	watchedPrefix   = "watched/"
	watchFoldersKey = "watchfolders"
)

// watchFolders is the stored list of watch folders. It is a record of its
// own, beside Settings, so Settings stays a comparable value.
type watchFolders struct {
	Version int           `json:"v"`
	Folders []WatchFolder `json:"folders"`
}

// PutWatchFolders stores the watch folders (a setting of the app).
func (d *DB) PutWatchFolders(folders []WatchFolder) error {
	return d.put(watchFoldersKey, watchFolders{Version: RecordVersion, Folders: folders})
}

// WatchFolders loads the watch folders (none when never set).
func (d *DB) WatchFolders() ([]WatchFolder, error) {
	var w watchFolders
	_, err := d.get(watchFoldersKey, &w)
	return w.Folders, err
}

// WatchFolder is one watch folder of the app's settings: every video
// written into Path (or below it) is published by itself to Destinations
// with the metadata its sidecar, the folder's manifest.csv or Template
// gives it.
type WatchFolder struct {
	Path string `json:"path"`
	// Destinations are account names; empty means the default accounts.
	Destinations []string     `json:"destinations,omitempty"`
	Template     MetaTemplate `json:"template"`
	// MoveDone, when set, is where a published video and its sidecar go.
	MoveDone string `json:"move_done,omitempty"`
	// Settle is how long a video must stay unchanged before it is queued;
	// zero means the watcher's default (watch.DefaultSettle).
	Settle time.Duration `json:"settle,omitempty"`
}

// MetaTemplate is the metadata of a video that has neither a sidecar nor a
// manifest row: Title and Description may hold {filename}, {dirname} and
// {date}; the other fields come from Settings.Defaults.
type MetaTemplate struct {
	Title       string `json:"title,omitempty"` // "" means "{filename}"
	Description string `json:"description,omitempty"`
}

// Watched is a file a watch folder has queued, keyed by its identity: the
// path, size, modification time and a hash of its first and last MiB. A
// watcher that meets the same identity again (after a restart, say) does
// not queue it twice.
type Watched struct {
	Version int       `json:"v"`
	Key     string    `json:"key"` // the identity's hex SHA-256
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mod_time"`
	Hash    string    `json:"hash"` // hex SHA-256 of the first and last MiB
	JobID   string    `json:"job_id"`
	// Sidecars are the files that went with the video (its sidecar and
	// same-name poster), moved with it once it is published.
	Sidecars []string  `json:"sidecars,omitempty"`
	MovedTo  string    `json:"moved_to,omitempty"` // where --move-done put the video
	QueuedAt time.Time `json:"queued_at"`
}

// PutWatched stores w under its Key, setting Version. It is on disk when
// PutWatched returns.
func (d *DB) PutWatched(w Watched) error {
	if w.Key == "" {
		return errors.New("persist: watched file has no key")
	}
	w.Version = RecordVersion
	return d.put(watchedPrefix+w.Key, w)
}

// Watched loads the record of one identity; ok is false when that file
// was never queued.
func (d *DB) Watched(key string) (w Watched, ok bool, err error) {
	ok, err = d.get(watchedPrefix+key, &w)
	return w, ok, err
}

// WatchedFiles loads every record, in key order.
func (d *DB) WatchedFiles() ([]Watched, error) {
	var out []Watched
	err := scan(d, watchedPrefix, func(w Watched) { out = append(out, w) })
	return out, err
}
