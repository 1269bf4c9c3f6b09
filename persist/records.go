package persist

import "time"

// RecordVersion is written into every stored record so later releases can
// migrate old records instead of misreading them.
const RecordVersion = 1

// Job is one video upload: a persisted state machine. Each step's result is
// written before the next step starts, so a restart resumes from the last
// completed step and never repeats a step the platform has already seen.
type Job struct {
	Version int    `json:"v"`
	ID      string `json:"id"`
	// Position orders waiting jobs in the queue (lower runs first).
	Position int64 `json:"position"`

	VideoPath     string    `json:"video_path"`
	ThumbnailPath string    `json:"thumbnail_path"`
	Size          int64     `json:"size"`
	ModTime       time.Time `json:"mod_time"`
	Meta          VideoMeta `json:"meta"`

	// Step is the next step to run (see core for the names); State is
	// queued, running, paused, waiting (for sign-in), failed, canceled or done.
	Step  string `json:"step"`
	State string `json:"state"`
	Error string `json:"error,omitempty"`

	// Step results, in pipeline order. The TUS upload URL lives in the TUS
	// store (keyed by job ID), as go-tus's Store interface expects.
	PosterURL         string `json:"poster_url,omitempty"`
	PosterHDURL       string `json:"poster_hd_url,omitempty"`
	ContentID         string `json:"content_id,omitempty"`
	UploadID          string `json:"upload_id,omitempty"`
	Offset            int64  `json:"offset"`
	VideoID           string `json:"video_id,omitempty"`
	HLSURL            string `json:"hls_url,omitempty"`
	ProcessingPercent int    `json:"processing_percent"`
	// MetaDirty marks metadata edited after add-content; finalize (or a
	// later update) sends it with update-content.
	MetaDirty bool `json:"meta_dirty,omitempty"`

	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	FinishedAt time.Time `json:"finished_at,omitempty"`
}

// VideoMeta is what the creator edits about a video.
type VideoMeta struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Category    string `json:"category"`
	Lang        string `json:"lang"`
	Visibility  string `json:"visibility"`
	MadeForKids bool   `json:"made_for_kids"`
}

// Credentials are the creator's platform session. The refresh token rotates
// on every refresh and is stored before it is used.
type Credentials struct {
	Version      int       `json:"v"`
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	ChannelID    string    `json:"channel_id"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// Settings are the app's preferences. Zero values mean "use the default".
type Settings struct {
	Version   int       `json:"v"`
	APIURL    string    `json:"api_url,omitempty"`
	ImageURL  string    `json:"image_url,omitempty"`
	VODURL    string    `json:"vod_url,omitempty"`
	Parallel  int       `json:"parallel,omitempty"`
	ChunkSize int64     `json:"chunk_size,omitempty"`
	Defaults  VideoMeta `json:"defaults"`
	Notify    bool      `json:"notify"`
}

// Draft is an article being written, and after publishing, its link to the
// platform's content entry.
type Draft struct {
	Version     int    `json:"v"`
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// HTML is the article body as the creator wrote it (local image paths
	// allowed); BaseDir resolves relative image paths.
	HTML        string `json:"html"`
	BaseDir     string `json:"base_dir,omitempty"`
	PosterPath  string `json:"poster_path,omitempty"`
	PosterURL   string `json:"poster_url,omitempty"`
	PosterHDURL string `json:"poster_hd_url,omitempty"`
	// Images maps each local <img> source of the body to the CDN URL it was
	// sent with, so an update works even after the file has moved.
	Images      map[string]string `json:"images,omitempty"`
	Hashtags    []string          `json:"hashtags,omitempty"`
	Keywords    []string          `json:"keywords,omitempty"`
	Category    string            `json:"category,omitempty"`
	Lang        string            `json:"lang,omitempty"`
	Visibility  string            `json:"visibility,omitempty"`
	Premium     bool              `json:"premium,omitempty"`
	MadeForKids bool              `json:"made_for_kids,omitempty"`
	Schedule    time.Time         `json:"schedule,omitempty"`
	ContentID   string            `json:"content_id,omitempty"`
	PublishedAt time.Time         `json:"published_at,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// Image is an image already on the platform's CDN, keyed by the SHA-256 of
// its bytes so the same picture is never uploaded twice.
type Image struct {
	Version int    `json:"v"`
	SHA256  string `json:"sha256"`
	// Host is the image API the URLs came from; URLs issued by another host
	// (the local sandbox, say) are not reused.
	Host string   `json:"host,omitempty"`
	URLs []string `json:"urls"`
}
