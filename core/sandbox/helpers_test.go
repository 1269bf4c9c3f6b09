package sandbox_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
)

// env is one sandbox and its three base URLs, plus the demo account.
type env struct {
	t              *testing.T
	s              *sandbox.Server
	api, img, vod  string
	acct           sandbox.Account
	client         *http.Client
	accessOverride string
}

// newEnv serves a sandbox behind three httptest servers, the way engine
// tests mount it.
func newEnv(t *testing.T, mutate func(*sandbox.Config)) *env {
	t.Helper()
	cfg := sandbox.Config{Dir: t.TempDir(), TranscodePolls: 2}
	if testing.Verbose() {
		cfg.Logf = t.Logf
	}
	if mutate != nil {
		mutate(&cfg)
	}
	s, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	api, img, vod := httptest.NewServer(s.API()), httptest.NewServer(s.Image()), httptest.NewServer(s.VOD())
	t.Cleanup(func() { api.Close(); img.Close(); vod.Close(); s.Close() })
	return &env{t: t, s: s, api: api.URL, img: img.URL, vod: vod.URL, acct: s.DemoAccount(), client: &http.Client{}}
}

// startEnv serves a sandbox on loopback with Start, as cmd/gjw-sandbox does.
func startEnv(t *testing.T) (*env, *sandbox.Running) {
	t.Helper()
	cfg := sandbox.Config{Dir: t.TempDir(), TranscodePolls: 2}
	if testing.Verbose() {
		cfg.Logf = t.Logf
	}
	run, err := sandbox.Start(cfg, "127.0.0.1", [3]int{0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	return &env{t: t, s: run.Server, api: run.APIURL, img: run.ImageURL, vod: run.VODURL, acct: run.Server.DemoAccount(), client: &http.Client{}}, run
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("status %d, body %q: %v", r.status, r.body, err)
	}
	return m
}

func (r resp) message(t *testing.T) string {
	t.Helper()
	msg, _ := r.json(t)["message"].(string)
	return msg
}

// do sends a request; hdr holds header pairs.
func (e *env) do(method, url string, body io.Reader, hdr ...string) resp {
	e.t.Helper()
	r, err := e.try(method, url, body, hdr...)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, url, err)
	}
	return r
}

func (e *env) try(method, url string, body io.Reader, hdr ...string) (resp, error) {
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return resp{}, err
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := e.client.Do(req)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}, err
}

// postJSON posts v to the API with the raw access token.
func (e *env) postJSON(path string, v any) resp {
	e.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do("POST", e.api+path, bytes.NewReader(b), "Authorization", e.access(), "Content-Type", "application/json", "Accept", "application/json")
}

func (e *env) access() string {
	if e.accessOverride != "" {
		return e.accessOverride
	}
	return e.acct.AccessToken
}

func (e *env) vodToken() string {
	e.t.Helper()
	r := e.do("GET", e.api+"/v1.0c/get-vod-token", nil, "Authorization", e.access(), "Accept", "application/json")
	if r.status != 200 {
		e.t.Fatalf("get-vod-token: %d %s", r.status, r.body)
	}
	tok, _ := r.json(e.t)["body"].(map[string]any)["token"].(string)
	if tok == "" {
		e.t.Fatalf("get-vod-token: no body.token in %s", r.body)
	}
	return tok
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// multipartBody builds a form with the given parts; a part named "file" is
// a file part.
func multipartBody(t *testing.T, parts ...[2]string) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p[0] == "file" {
			w, err = mw.CreateFormFile("file", "thumbnail.png")
		} else {
			w, err = mw.CreateFormField(p[0])
		}
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p[1])
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func (e *env) postImage(tok string, parts ...[2]string) resp {
	e.t.Helper()
	body, ct := multipartBody(e.t, parts...)
	return e.do("POST", e.img+"/api/v2/image", body,
		"Authorization", "Bearer "+tok, "resizing-list", "140,240,360,380,480,580,672,960,1280,1920", "Content-Type", ct)
}

// uploadImage uploads a PNG and returns the URL ending in each size key.
func (e *env) uploadImage(tok string) map[string]string {
	e.t.Helper()
	r := e.postImage(tok, [2]string{"file", string(pngBytes(e.t))})
	if r.status != 200 {
		e.t.Fatalf("image upload: %d %s", r.status, r.body)
	}
	out := map[string]string{}
	for _, u := range r.json(e.t)["body"].(map[string]any)["image_url"].([]any) {
		s := u.(string)
		out[s[strings.LastIndex(s, "/")+1:]] = s
	}
	return out
}

func videoBody(channel string, img map[string]string) map[string]any {
	return map[string]any{
		"user_id2":           channel,
		"type":               "Video",
		"lang":               "en-US",
		"category_id":        "cat13",
		"title":              "My Video Title",
		"description":        "Video description here",
		"visibility":         "public",
		"poster_url":         img["672.webp"],
		"poster_hd_url":      img["origin.webp"],
		"made_for_kids":      false,
		"user_made_for_kids": false,
	}
}

func newsBody(channel string, img map[string]string) map[string]any {
	return map[string]any{
		"user_id2":           channel,
		"type":               "News",
		"mode":               "ready",
		"lang":               "en-US",
		"category_id":        "cat22",
		"title":              "Article Title Here",
		"description":        "",
		"visibility":         "unlisted",
		"poster_url":         img["672.webp"],
		"poster_hd_url":      img["origin.webp"],
		"meta":               map[string]any{"text": `<p style="margin-left:0px;">Hi <img src="` + img["960.webp"] + `" alt="x" /></p>`},
		"keywords":           []any{},
		"hashtags":           []any{"#topic"},
		"premium":            0,
		"use_schedule":       false,
		"made_for_kids":      false,
		"user_made_for_kids": false,
		"protected_type":     "",
		"slug":               "",
		"deleteTranslations": []any{},
	}
}

// createVideo runs steps 2-5 and returns the content id and upload token.
func (e *env) createVideo() (contentID, tok string) {
	e.t.Helper()
	tok = e.vodToken()
	img := e.uploadImage(tok)
	r := e.postJSON("/v1.0c/add-content", videoBody(e.acct.ChannelID, img))
	if r.status != 200 {
		e.t.Fatalf("add-content: %d %s", r.status, r.body)
	}
	contentID, _ = r.json(e.t)["content_id"].(string)
	if contentID == "" {
		e.t.Fatalf("add-content: no content_id in %s", r.body)
	}
	r = e.postJSON("/v1.1/content/upload-id", map[string]any{"content_id": contentID, "type": "Studio_TUS", "upload_id": strings.Repeat("ab", 16)})
	if r.status != 200 {
		e.t.Fatalf("upload-id: %d %s", r.status, r.body)
	}
	return contentID, tok
}

func tusMeta(contentID, channel string) map[string]string {
	return map[string]string{
		"language": "en-US", "content_id": contentID, "content_type": "Video", "channel_id": channel,
		"analyze_flag": "true", "filetype": "video/mp4", "auto_caption_flag": "true",
		"caption_priority": "low", "filename": "video.mp4", "profile_name": "fullbitrate",
		"preview_start": "00:00:00", "preview_end": "00:00:20", "priority": "low",
	}
}

func encodeMeta(m map[string]string) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+" "+base64.StdEncoding.EncodeToString([]byte(v)))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// tusCreate POSTs a creation request and returns the response.
func (e *env) tusCreate(tok string, size int, meta map[string]string) resp {
	e.t.Helper()
	return e.do("POST", e.vod+"/api/v1/tus/upload", nil,
		"Authorization", "Bearer "+tok, "Tus-Resumable", "1.0.0",
		"Upload-Length", itoa(size), "Upload-Metadata", encodeMeta(meta),
		"Content-Type", "application/offset+octet-stream")
}

func (e *env) tusPatch(tok, url string, offset int, chunk []byte) (resp, error) {
	return e.try("PATCH", url, bytes.NewReader(chunk),
		"Authorization", "Bearer "+tok, "Tus-Resumable", "1.0.0",
		"Upload-Offset", itoa(offset), "Content-Type", "application/offset+octet-stream")
}

func (e *env) tusHead(tok, url string) resp {
	e.t.Helper()
	return e.do("HEAD", url, nil, "Authorization", "Bearer "+tok, "Tus-Resumable", "1.0.0")
}

func itoa(n int) string { return strconv.Itoa(n) }

func videoBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
