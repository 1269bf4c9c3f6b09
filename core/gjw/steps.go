package gjw

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // decoders for ValidateImage
	_ "image/jpeg"
	_ "image/png"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	_ "golang.org/x/image/webp"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
)

// ResizingList is the set of sizes the image CDN is asked to produce.
const ResizingList = "140,240,360,380,480,580,672,960,1280,1920"

// maxImageBytes bounds an image upload; the CDN is for pictures, not videos.
const maxImageBytes = 50 << 20

// Content is an add-content or update-content body: the platform's field
// names and values. The client fills in user_id2.
type Content map[string]any

// ValidateImage checks that the file at p is a decodable JPEG, PNG, GIF or
// WebP image, with an error naming the file and what to do.
func ValidateImage(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("image %q cannot be read: %w", p, unwrapPathError(err))
	}
	defer f.Close()
	if _, _, err := image.DecodeConfig(f); err != nil {
		return fmt.Errorf("image %q is not a JPEG, PNG, GIF or WebP picture: choose another file", p)
	}
	return nil
}

// ErrImageRefused means the image CDN refused the picture itself (a 4xx
// answer to the upload): sending it again cannot help, another is needed.
var ErrImageRefused = errors.New("the image CDN refused the picture")

// UploadImage uploads the image at p to the image CDN and returns the URLs
// of its resized versions. Only the multipart field "file" is sent.
func (c *Client) UploadImage(ctx context.Context, p string) ([]string, error) {
	if err := ValidateImage(p); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("image %q cannot be read: %w", p, unwrapPathError(err))
	}
	if len(data) > maxImageBytes {
		return nil, fmt.Errorf("image %q is larger than %d MiB: choose a smaller picture", p, maxImageBytes>>20)
	}
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, SanitizeFilename(filepath.Base(p))))
	h.Set("Content-Type", http.DetectContentType(data))
	part, err := mw.CreatePart(h)
	if err != nil {
		return nil, err
	}
	part.Write(data)
	mw.Close()

	resp, err := c.callCDN(ctx, "upload image", true, func() (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Hosts.Image+"/api/v2/image", bytes.NewReader(form.Bytes()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("resizing-list", ResizingList)
		return req, nil
	})
	if err != nil {
		if httpx.KindOf(err) == httpx.KindRefused && !errors.Is(err, ErrUnauthorized) {
			return nil, fmt.Errorf("%w: %w", ErrImageRefused, err)
		}
		return nil, err
	}
	var urls []string
	for _, p := range []string{"body.image_url", "data.image_url", "image_url"} {
		if list, ok := lookup(resp, p).([]any); ok {
			for _, v := range list {
				if s, ok := v.(string); ok && s != "" {
					urls = append(urls, s)
				}
			}
			break
		}
	}
	if len(urls) == 0 {
		return nil, &Error{Op: "upload image", Status: http.StatusOK, Message: "the response holds no image_url list"}
	}
	return urls, nil
}

// Fallback orders of the guide's "Selecting Poster URLs".
var (
	posterOrder   = []string{"672", "480", "580", "360", "240", "140"}
	posterHDOrder = []string{"origin", "1920", "1280", "960", "672"}
)

// PickPosters chooses poster_url and poster_hd_url from an image upload's
// URLs by the guide's fallback orders, preferring .webp over .jpg at the
// same size.
func PickPosters(urls []string) (poster, posterHD string, err error) {
	poster, posterHD = pickSize(urls, posterOrder), pickSize(urls, posterHDOrder)
	if poster == "" || posterHD == "" {
		return "", "", errors.New("the image CDN returned none of the poster sizes the platform needs (672, 480, 580, 360, 240, 140 and origin, 1920, 1280, 960); try another picture")
	}
	return poster, posterHD, nil
}

// PickSize returns the URL for one size key ("960"), .webp preferred, or "".
func PickSize(urls []string, size string) string { return pickSize(urls, []string{size}) }

func pickSize(urls []string, order []string) string {
	for _, size := range order {
		best := ""
		for _, u := range urls {
			name := path.Base(strings.SplitN(u, "?", 2)[0])
			ext := path.Ext(name)
			if strings.TrimSuffix(name, ext) != size {
				continue
			}
			switch strings.ToLower(ext) {
			case ".webp":
				return u
			case ".jpg", ".jpeg":
				best = u
			default:
				if best == "" {
					best = u
				}
			}
		}
		if best != "" {
			return best
		}
	}
	return ""
}

// AddContent creates a content entry and returns its id. It is retried only
// when the platform certainly did not create it, so no duplicate appears.
func (c *Client) AddContent(ctx context.Context, body Content) (string, error) {
	channel, err := c.ChannelID()
	if err != nil {
		return "", err
	}
	body["user_id2"] = channel
	var header http.Header
	if body["type"] == "News" {
		// The article guide's add-content sends these as the studio does.
		header = http.Header{"Cache-Control": {"no-cache"}, "Origin": {"https://studio.ganjingworld.com"}}
	}
	resp, err := c.callAPI(ctx, "add-content", http.MethodPost, "/v1.0c/add-content", body, header, false)
	if err != nil {
		return "", err
	}
	id := lookupString(resp, "content_id", "data.content_id", "data.id", "id", "body.content_id", "body.id")
	if id == "" {
		return "", &Error{Op: "add-content", Status: http.StatusOK, Message: "the response holds no content_id"}
	}
	return id, nil
}

// UpdateContent sends every field of body for contentID; fields left out
// may be reset by the platform, so callers send the whole entry.
func (c *Client) UpdateContent(ctx context.Context, contentID string, body Content) error {
	channel, err := c.ChannelID()
	if err != nil {
		return err
	}
	body["user_id2"] = channel
	body["content_id"] = contentID
	_, err = c.callAPI(ctx, "update-content", http.MethodPost, "/v1.0c/update-content", body, nil, true)
	return err
}

// NewUploadID returns a random 32-character lowercase hex upload id.
func NewUploadID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// RegisterUploadID associates uploadID with contentID (step 5).
func (c *Client) RegisterUploadID(ctx context.Context, contentID, uploadID string) error {
	_, err := c.callAPI(ctx, "register upload id", http.MethodPost, "/v1.1/content/upload-id",
		map[string]string{"content_id": contentID, "type": "Studio_TUS", "upload_id": uploadID}, nil, true)
	return err
}

// VideoID asks the finished TUS upload at uploadURL for its video id.
func (c *Client) VideoID(ctx context.Context, uploadURL string) (string, error) {
	resp, err := c.callCDN(ctx, "get video id", true, func() (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, uploadURL, nil)
	})
	if err != nil {
		return "", err
	}
	id := lookupString(resp, "body.video_id", "data.video_id", "video_id")
	if id == "" {
		return "", &Error{Op: "get video id", Status: http.StatusOK, Message: "the response holds no video_id"}
	}
	return id, nil
}

// Status is the transcoding state of a video.
type Status struct {
	Progress int    // percent, when the platform reports it
	State    string // the platform's status word; not reliable for completion
	URL      string // the HLS manifest; set means done
	Error    string // the platform's words when it failed
}

// Done reports completion: the guide says body.url truthy, not the status.
func (s Status) Done() bool { return s.URL != "" }

// Failed reports a transcoding failure the platform declared.
func (s Status) Failed() bool {
	st := strings.ToLower(s.State)
	return st == "error" || st == "failed"
}

// VideoStatus polls the transcoding status of videoID once.
func (c *Client) VideoStatus(ctx context.Context, videoID string) (Status, error) {
	resp, err := c.callCDN(ctx, "get processing status", true, func() (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, c.Hosts.VOD+"/api/v1/status/"+url.PathEscape(videoID), nil)
	})
	if err != nil {
		return Status{}, err
	}
	return Status{
		Progress: int(lookupNumber(resp, "body.progress", "data.progress")),
		State:    lookupString(resp, "body.status", "data.status"),
		URL:      lookupString(resp, "body.url", "data.url"),
		Error:    lookupString(resp, "body.error", "body.message", "body.error_message", "message"),
	}, nil
}

// SanitizeFilename keeps printable ASCII only, as the guide asks for
// multipart headers and TUS metadata; other characters become '_'.
func SanitizeFilename(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r >= 0x20 && r < 0x7f && r != '"' && r != '\\' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if s := strings.Trim(b.String(), " ."); s != "" {
		return s
	}
	return "video"
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
