package dest

import (
	"mime"
	"path/filepath"
	"strings"
)

// videoTypes are the file extensions queued as videos, with the MIME type
// drivers send for them.
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

// VideoMIME is the MIME type of the video at path (video/mp4 when unknown).
func VideoMIME(path string) string {
	ext := strings.ToLower(filepath.Ext(path))
	if t, ok := videoTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); strings.HasPrefix(t, "video/") {
		return t
	}
	return "video/mp4"
}
