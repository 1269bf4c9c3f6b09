package persist

import (
	"encoding/json"
	"maps"
	"time"
)

// RecordVersion is written into every stored record so later releases can
// migrate old records instead of misreading them. Version 2 gave jobs
// targets (see migrate.go for reading version 1).
const RecordVersion = 2

// Job is one source video, its metadata and the targets it is published
// to: a persisted state machine per target. Each step's result is written
// before the next step starts, so a restart resumes from the last completed
// step and never repeats a step the platform has already seen.
type Job struct {
	Version int    `json:"v"`
	ID      string `json:"id"`
	// Position orders waiting jobs in the queue (lower runs first).
	Position int64 `json:"position"`
	// Rev counts the job's writes, so a reader of reports that arrive out
	// of order can tell the newer one.
	Rev int64 `json:"rev,omitempty"`

	VideoPath     string    `json:"video_path"`
	ThumbnailPath string    `json:"thumbnail_path"`
	Size          int64     `json:"size"`
	ModTime       time.Time `json:"mod_time"`
	Meta          VideoMeta `json:"meta"`
	// EditRev counts edits of Meta and ThumbnailPath; a target whose
	// SentRev is lower has edits the platform has not seen.
	EditRev int `json:"edit_rev,omitempty"`

	// State summarises the targets' states (see core); the targets hold
	// the truth.
	State   string   `json:"state"`
	Targets []Target `json:"targets"`

	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	FinishedAt time.Time `json:"finished_at,omitempty"`
}

// Target is one destination of a job: an account, and how far the upload
// to it has come.
type Target struct {
	Account  string `json:"account"`
	Platform string `json:"platform"`
	// Step is the driver's step running, or the next one to run; empty
	// before the first run. State is queued, running, paused, waiting,
	// failed, canceled or done; Reason is a code saying why it stopped
	// and Error the message shown.
	Step   string `json:"step,omitempty"`
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`
	// Checkpoint is the driver's own resume state (content id, upload URL,
	// parts...), opaque here.
	Checkpoint json.RawMessage `json:"checkpoint,omitempty"`
	// Offset is the bytes the platform acknowledged.
	Offset            int64        `json:"offset"`
	ProcessingPercent int          `json:"processing_percent"`
	SentRev           int          `json:"sent_rev,omitempty"`
	Result            TargetResult `json:"result"`
	FinishedAt        time.Time    `json:"finished_at,omitempty"`
}

// TargetResult is what a published target yields: the platform's id of the
// video, its public URL, and platform extras (GJW: video_id, hls_url).
type TargetResult struct {
	ID  string            `json:"id,omitempty"`
	URL string            `json:"url,omitempty"`
	Ext map[string]string `json:"ext,omitempty"`
}

// Target returns a pointer to the target for account, or nil.
func (j *Job) Target(account string) *Target {
	for i := range j.Targets {
		if j.Targets[i].Account == account {
			return &j.Targets[i]
		}
	}
	return nil
}

// VideoMeta is what the creator edits about a video.
type VideoMeta struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Lang        string `json:"lang"`
	Visibility  string `json:"visibility"`
	MadeForKids bool   `json:"made_for_kids"`
	// Extras are fields only one platform has, by platform then field
	// (Gan Jing World's "category"). Read and change them with Extra and
	// WithExtra: the map is shared by copies of the struct.
	Extras map[string]map[string]string `json:"extras,omitempty"`
}

// Extra is field of platform's extras, "" when unset.
func (m VideoMeta) Extra(platform, field string) string { return m.Extras[platform][field] }

// WithExtra is m with field of platform set to value ("" removes it). The
// maps are copied, so m and the copies it was made from stay as they are.
func (m VideoMeta) WithExtra(platform, field, value string) VideoMeta {
	extras := make(map[string]map[string]string, len(m.Extras)+1)
	for p, fields := range m.Extras {
		extras[p] = maps.Clone(fields)
	}
	if extras[platform] == nil {
		extras[platform] = map[string]string{}
	}
	extras[platform][field] = value
	if value == "" {
		delete(extras[platform], field)
		if len(extras[platform]) == 0 {
			delete(extras, platform)
		}
	}
	if len(extras) == 0 {
		extras = nil
	}
	m.Extras = extras
	return m
}

// Equal reports whether m and o say the same.
func (m VideoMeta) Equal(o VideoMeta) bool {
	return m.Title == o.Title && m.Description == o.Description && m.Lang == o.Lang &&
		m.Visibility == o.Visibility && m.MadeForKids == o.MadeForKids &&
		maps.EqualFunc(m.Extras, o.Extras, maps.Equal)
}

// UnmarshalJSON reads records written before extras existed too: their
// "category" was Gan Jing World's, and becomes its extra.
func (m *VideoMeta) UnmarshalJSON(b []byte) error {
	type plain VideoMeta // without this method
	var v struct {
		plain
		Category string `json:"category"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*m = VideoMeta(v.plain)
	if v.Category != "" && m.Extra("gjw", "category") == "" {
		*m = m.WithExtra("gjw", "category", v.Category)
	}
	return nil
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
	Version   int    `json:"v"`
	APIURL    string `json:"api_url,omitempty"`
	ImageURL  string `json:"image_url,omitempty"`
	VODURL    string `json:"vod_url,omitempty"`
	Parallel  int    `json:"parallel,omitempty"`
	ChunkSize int64  `json:"chunk_size,omitempty"`
	// GcoreAPIURL is the Gcore API host ("" means https://api.gcore.com;
	// GCORE_API_URL overrides it).
	GcoreAPIURL string `json:"gcore_api_url,omitempty"`
	// JWAPIURL is the JW Player API host ("" means https://api.jwplayer.com;
	// JW_API_URL overrides it).
	JWAPIURL string `json:"jw_api_url,omitempty"`
	// WangsuAPIURL is the Wangsu Cloud VoD API host ("" means
	// https://api.cloudv.haplat.net; WANGSU_API_URL overrides it).
	WangsuAPIURL string `json:"wangsu_api_url,omitempty"`
	// StallTimeout is how long a request may make no progress before it is
	// cancelled and retried (GJW_STALL_TIMEOUT overrides it).
	StallTimeout time.Duration `json:"stall_timeout,omitempty"`
	Defaults     VideoMeta     `json:"defaults"`
	Notify       bool          `json:"notify"`

	// LimitRate is the upload speed limit: a rate ("2M", "512k") or a
	// timetable ("08:00,1M 18:00,512k 23:00,off"); "" or "off" is none.
	LimitRate string `json:"limit_rate,omitempty"`
	// Proxy is the proxy URL of every request; "" uses HTTPS_PROXY,
	// HTTP_PROXY and NO_PROXY from the environment.
	Proxy string `json:"proxy,omitempty"`
	// NoProxy lists the hosts that skip Proxy, as NO_PROXY does
	// (comma-separated; NO_PROXY's hosts skip it too).
	NoProxy string `json:"no_proxy,omitempty"`
	// AllowSleep lets the computer sleep during uploads (by default it is
	// kept awake while any upload runs).
	AllowSleep bool `json:"allow_sleep,omitempty"`
	// CategoryNames are the creator's names for Gan Jing World's category
	// ids, in the order the pickers list them.
	CategoryNames []CategoryName `json:"category_names,omitempty"`
}

// CategoryName is a creator's name for a platform category id.
type CategoryName struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Draft is an article being written, and after publishing, its link to the
// platform's content entry.
type Draft struct {
	Version     int    `json:"v"`
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Format is how the body is written: "" in HTML (the field HTML), or
	// FormatMarkdown in Markdown (the field Markdown, converted to the
	// platform's HTML when it is sent). Drafts written before Markdown
	// drafts existed have no Format: HTML.
	Format string `json:"format,omitempty"`
	// HTML is the article body as the creator wrote it (local image paths
	// allowed); BaseDir resolves relative image paths.
	HTML        string `json:"html"`
	Markdown    string `json:"markdown,omitempty"`
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
	// Account is the GJW account the draft was published to; updates go
	// to the same channel. Empty for release 1's drafts: the default one.
	Account     string    `json:"account,omitempty"`
	PublishedAt time.Time `json:"published_at,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// FormatMarkdown is Draft.Format for a draft written in Markdown.
const FormatMarkdown = "markdown"

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
