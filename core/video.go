package core

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Defaults for new videos, as in the guide's examples (Gan Jing World's
// category defaults in its driver: gjw.DefaultCategory).
var DefaultVideoMeta = persist.VideoMeta{Lang: "en-US", Visibility: "public"}

// IsVideo reports whether path has a video file extension.
func IsVideo(path string) bool { return dest.IsVideo(path) }

// TitleFromFilename turns "my_holiday-2024.mp4" into "my holiday 2024".
func TitleFromFilename(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return strings.Join(strings.FieldsFunc(base, func(r rune) bool { return r == '_' || r == '-' || r == '.' || r == ' ' }), " ")
}

// CheckVideoFile is what Add checks of a video before queueing it (it
// exists, is a readable, non-empty file): its info, or a one-line error
// naming the file and what to do.
func CheckVideoFile(path string) (os.FileInfo, error) { return checkVideoFile(path) }

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
	if m.Lang == "" {
		return errors.New("language is required: set it (e.g. en-US)")
	}
	return nil
}

// withDefaults fills unset metadata fields from d, extras too.
func withDefaults(m, d persist.VideoMeta) persist.VideoMeta {
	for platform, fields := range d.Extras {
		for field, v := range fields {
			if m.Extra(platform, field) == "" {
				m = m.WithExtra(platform, field, v)
			}
		}
	}
	if m.Lang == "" {
		m.Lang = d.Lang
	}
	if m.Visibility == "" {
		m.Visibility = d.Visibility
	}
	return m
}

// VideoURL is the public page of a published GJW video.
func VideoURL(contentID string) string { return gjw.VideoURL(contentID) }
