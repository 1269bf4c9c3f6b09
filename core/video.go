package core

import (
	"errors"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"strings"

	tus "github.com/eventials/go-tus"

	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Defaults for new videos, as in the guide's examples.
var DefaultVideoMeta = persist.VideoMeta{Category: "cat13", Lang: "en-US", Visibility: "public"}

// videoTypes are the file extensions queued as videos, with the MIME type
// sent as the TUS filetype.
var videoTypes = map[string]string{
	".mp4": "video/mp4", ".m4v": "video/x-m4v", ".mov": "video/quicktime", ".webm": "video/webm",
	".mkv": "video/x-matroska", ".avi": "video/x-msvideo", ".wmv": "video/x-ms-wmv", ".flv": "video/x-flv",
	".mpg": "video/mpeg", ".mpeg": "video/mpeg", ".ts": "video/mp2t", ".3gp": "video/3gpp", ".mts": "video/mp2t",
}

// IsVideo reports whether path has a video file extension.
func IsVideo(path string) bool {
	_, ok := videoTypes[strings.ToLower(filepath.Ext(path))]
	return ok
}

func videoMIME(path string) string {
	ext := strings.ToLower(filepath.Ext(path))
	if t, ok := videoTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); strings.HasPrefix(t, "video/") {
		return t
	}
	return "video/mp4"
}

// TitleFromFilename turns "my_holiday-2024.mp4" into "my holiday 2024".
func TitleFromFilename(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return strings.Join(strings.FieldsFunc(base, func(r rune) bool { return r == '_' || r == '-' || r == '.' || r == ' ' }), " ")
}

// checkVideoFile returns the file's info, or a one-line error naming the
// file and what to do.
func checkVideoFile(path string) (os.FileInfo, error) {
	if path == "" {
		return nil, errors.New("no video file given: name the video to upload")
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("video %q does not exist: check the path", path)
		}
		return nil, fmt.Errorf("video %q cannot be read: check its permissions", path)
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil, fmt.Errorf("video %q cannot be read: %v", path, err)
	case fi.IsDir():
		return nil, fmt.Errorf("video %q is a folder: name a video file", path)
	case fi.Size() == 0:
		return nil, fmt.Errorf("video %q is empty: choose another file", path)
	}
	if _, err := f.Read(make([]byte, 1)); err != nil {
		return nil, fmt.Errorf("video %q cannot be read: check its permissions", path)
	}
	return fi, nil
}

// checkMeta validates what the platform requires of a video's metadata.
func checkMeta(m persist.VideoMeta) error {
	if strings.TrimSpace(m.Title) == "" {
		return errors.New("title is empty: give the video a title")
	}
	if m.Visibility != "public" && m.Visibility != "private" {
		return fmt.Errorf("visibility %q is not allowed for videos: use public or private", m.Visibility)
	}
	if m.Lang == "" || m.Category == "" {
		return errors.New("language and category are required: set them (e.g. en-US, cat13)")
	}
	return nil
}

// withDefaults fills unset metadata fields from d.
func withDefaults(m, d persist.VideoMeta) persist.VideoMeta {
	if m.Category == "" {
		m.Category = d.Category
	}
	if m.Lang == "" {
		m.Lang = d.Lang
	}
	if m.Visibility == "" {
		m.Visibility = d.Visibility
	}
	return m
}

// videoContent is the add-content body of step 4: type Video, no mode (so it
// publishes after transcoding), both made-for-kids booleans. Finalize sends
// the same body through update-content (see docs/decisions.md).
func videoContent(j persist.Job) gjw.Content {
	return gjw.Content{
		"type":               "Video",
		"lang":               j.Meta.Lang,
		"category_id":        j.Meta.Category,
		"title":              j.Meta.Title,
		"description":        j.Meta.Description,
		"visibility":         j.Meta.Visibility,
		"poster_url":         j.PosterURL,
		"poster_hd_url":      j.PosterHDURL,
		"made_for_kids":      j.Meta.MadeForKids,
		"user_made_for_kids": j.Meta.MadeForKids,
	}
}

// tusMetadata is the guide's 13 TUS metadata keys.
func tusMetadata(j persist.Job, channelID string) tus.Metadata {
	return tus.Metadata{
		"language":          j.Meta.Lang,
		"content_id":        j.ContentID,
		"content_type":      "Video",
		"channel_id":        channelID,
		"analyze_flag":      "true",
		"filetype":          videoMIME(j.VideoPath),
		"auto_caption_flag": "true",
		"caption_priority":  "low",
		"filename":          gjw.SanitizeFilename(filepath.Base(j.VideoPath)),
		"profile_name":      "fullbitrate",
		"preview_start":     "00:00:00",
		"preview_end":       "00:00:20",
		"priority":          "low",
	}
}

// VideoURL is the public page of a published video.
func VideoURL(contentID string) string { return "https://www.ganjingworld.com/video/" + contentID }
