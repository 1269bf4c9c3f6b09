package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // decoders for image.DecodeConfig
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "golang.org/x/image/webp"
)

// imageSizes are the variants the guide's example response lists. The
// emulator does not resize: every variant serves the original bytes.
var imageSizes = []string{
	"140.jpg", "240.webp", "480.jpg", "480.webp", "672.webp",
	"960.webp", "1280.webp", "1920.webp", "origin.webp",
}

const maxImageBytes = 50 << 20

type storedImage struct {
	path        string
	contentType string
	modTime     time.Time
}

func (s *Server) imageRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v2/image", s.handleImageUpload)
	mux.HandleFunc("GET /image/{id}/{file}", s.handleImageGet)
	mux.HandleFunc("/", notFound)
	return mux
}

// handleImageUpload is step 3 of both guides: a multipart body with exactly
// one part, a file named "file" (the old docs' extra "name" field is
// refused), plus a resizing-list header.
func (s *Server) handleImageUpload(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.cdnAuth(w, r); !ok {
		return
	}
	if err := checkResizingList(r.Header.Get("resizing-list")); err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxImageBytes)
	data, err := readImagePart(r)
	if err != nil {
		status := http.StatusBadRequest
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			status = http.StatusRequestEntityTooLarge
		}
		writeError(w, r, status, err.Error())
		return
	}
	_, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "file: not a decodable image (jpeg, png, gif or webp)")
		return
	}

	id := randomHex(12)
	path := filepath.Join(s.imageDir, id)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		writeError(w, r, http.StatusInternalServerError, "storing image: "+err.Error())
		return
	}
	base := baseURL(r) + "/image/" + id + "/"
	urls := make([]string, len(imageSizes))
	for i, size := range imageSizes {
		urls[i] = base + size
	}

	s.mu.Lock()
	s.images[id] = &storedImage{path: path, contentType: "image/" + format, modTime: time.Now()}
	for _, u := range urls {
		s.issued[u] = id
	}
	s.stats.Images++
	s.mu.Unlock()

	writeJSON(w, http.StatusOK, map[string]any{
		"body":        map[string]any{"image_id": id, "image_url": urls},
		"file_upload": id,
		"status_code": http.StatusOK,
	})
}

func checkResizingList(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("resizing-list: header required (e.g. 140,240,360,380,480,580,672,960,1280,1920)")
	}
	for _, p := range strings.Split(v, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(p)); err != nil || n <= 0 {
			return fmt.Errorf("resizing-list: %q is not a positive width", strings.TrimSpace(p))
		}
	}
	return nil
}

func readImagePart(r *http.Request) ([]byte, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errors.New("body: must be multipart/form-data with a single file field")
	}
	var data []byte
	got := false
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("body: malformed multipart: %w", err)
		}
		switch name := p.FormName(); {
		case name == "name":
			return nil, errors.New(`name: field not allowed; send only the "file" field`)
		case name != "file":
			return nil, fmt.Errorf(`%s: field not allowed; send only the "file" field`, name)
		case got:
			return nil, errors.New("file: more than one file part")
		case p.FileName() == "":
			return nil, errors.New("file: must be a file part (with a filename), not a plain field")
		}
		if data, err = io.ReadAll(p); err != nil {
			return nil, fmt.Errorf("file: %w", err)
		}
		got = true
	}
	if !got {
		return nil, errors.New("file: required")
	}
	return data, nil
}

// handleImageGet serves a stored image at any of its issued sizes. Like a
// CDN it needs no authorization.
func (s *Server) handleImageGet(w http.ResponseWriter, r *http.Request) {
	id, file := r.PathValue("id"), r.PathValue("file")
	s.mu.Lock()
	img := s.images[id]
	s.mu.Unlock()
	known := false
	for _, size := range imageSizes {
		known = known || size == file
	}
	if img == nil || !known {
		writeError(w, r, http.StatusNotFound, "no such image")
		return
	}
	f, err := os.Open(img.path)
	if err != nil {
		writeError(w, r, http.StatusNotFound, "no such image")
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", img.contentType)
	http.ServeContent(w, r, "", img.modTime, f)
}
