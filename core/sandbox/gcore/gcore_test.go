package gcore

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	tushandler "github.com/tus/tusd/v2/pkg/handler"
)

func start(t *testing.T, cfg Config) *Running {
	t.Helper()
	cfg.Dir = t.TempDir()
	r, err := Start(cfg, "127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func call(t *testing.T, method, url, auth, body string, hdr map[string]string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body == "" {
		req.Body = nil
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

func meta(kv ...string) string {
	var parts []string
	for i := 0; i < len(kv); i += 2 {
		parts = append(parts, kv[i]+" "+base64.StdEncoding.EncodeToString([]byte(kv[i+1])))
	}
	return strings.Join(parts, ",")
}

func TestStrictFlow(t *testing.T) {
	r := start(t, Config{Polls: 1, Key: "1234$0d16599c"}) // the guide's example key
	key := "APIKey " + r.Server.Key()
	api := r.APIURL + "/streaming/videos"

	// Auth: missing, wrong key, wrong scheme; the scheme's case is free.
	for _, auth := range []string{"", "APIKey nope", "APIKey 1234", "Bearer " + r.Server.Key()} {
		if st, _, _ := call(t, "POST", api, auth, `{"video":{"name":"x"}}`, nil); st != 401 {
			t.Fatalf("auth %q: %d", auth, st)
		}
	}
	// Body: the video wrapper, a name, no unknown top-level keys.
	for _, body := range []string{`{"name":"x"}`, `{"video":{"description":"d"}}`, `{"video":{"name":"x"},"extra":1}`, `{"video":{"name":"x","origin_url":"https://e/x.mp4"}}`} {
		if st, b, _ := call(t, "POST", api, key, body, nil); st != 400 {
			t.Fatalf("body %s: %d %s", body, st, b)
		}
	}
	st, b, _ := call(t, "POST", api+"/", "apikey "+r.Server.Key(), `{"video":{"name":"Demo","description":"d"}}`, nil)
	var v struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	if st != 201 || json.Unmarshal([]byte(b), &v) != nil || v.ID == 0 || v.Status != "empty" {
		t.Fatalf("create: %d %s", st, b)
	}
	id := strconv.FormatInt(v.ID, 10)
	if st, _, _ := call(t, "GET", api+"/999/upload", key, "", nil); st != 404 {
		t.Fatalf("params of an unknown video: %d", st)
	}
	st, b, _ = call(t, "GET", api+"/"+id+"/upload", key, "", nil)
	var p struct {
		Servers []struct {
			Hostname string `json:"hostname"`
			SSL      bool   `json:"ssl"`
		} `json:"servers"`
		Token string `json:"token"`
		Video struct {
			ClientID int64 `json:"client_id"`
		} `json:"video"`
	}
	if st != 200 || json.Unmarshal([]byte(b), &p) != nil || len(p.Servers) < 2 || p.Servers[0].Hostname == p.Servers[1].Hostname || p.Token == "" || p.Video.ClientID != DemoClientID {
		t.Fatalf("params: %d %s", st, b)
	}
	endpoint := "http://" + p.Servers[1].Hostname + "/upload/"
	tus := map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": "10"}
	cid := strconv.Itoa(DemoClientID)
	create := func(m string) (int, string, http.Header) {
		h := map[string]string{"Upload-Metadata": m}
		for k, v := range tus {
			h[k] = v
		}
		return call(t, "POST", endpoint, "", "", h)
	}
	cases := []struct{ meta, want string }{
		{meta("filename", "a.mp4", "filetype", "video/mp4", "video_id", id, "client_id", cid), "Error: token invalid (null)"},
		{meta("filename", "a.mp4", "filetype", "video/mp4", "token", "bogus", "video_id", id, "client_id", cid), "Error: token invalid (bogus)"},
		{meta("filename", "a.mp4", "filetype", "video/mp4", "token", p.Token, "video_id", "12345", "client_id", cid), "Error: token video (" + id + ") does not match this video (12345)"},
		{meta("filename", "a.mp4", "filetype", "video/mp4", "token", p.Token, "video_id", id, "client_id", "234"), "Error: token client (100) does not match this client (234)"},
	}
	for _, c := range cases {
		if st, b, _ := create(c.meta); st != 500 || b != c.want {
			t.Fatalf("want 500 %q, got %d %q", c.want, st, b)
		}
	}
	if st, _, _ := create(meta("filetype", "video/mp4", "token", p.Token, "video_id", id, "client_id", cid)); st != 400 {
		t.Fatalf("no filename: %d", st)
	}
	if st, _, h := call(t, "POST", endpoint, "", "", map[string]string{"Upload-Length": "10"}); st != 412 || h.Get("Tus-Version") != "1.0.0" {
		t.Fatalf("no Tus-Resumable: %d", st)
	}
	if st, _, h := call(t, "OPTIONS", endpoint, "", "", nil); st != 200 || h.Get("Tus-Extension") != "creation" {
		t.Fatalf("OPTIONS: %d %v", st, h)
	}
	good := meta("filename", "a.mp4", "filetype", "video/mp4", "token", p.Token, "video_id", id, "client_id", cid)
	st, _, h := create(good)
	loc := h.Get("Location")
	if st != 201 || loc == "" {
		t.Fatalf("create upload: %d", st)
	}
	// The token is for creation only: expired, HEAD and PATCH still work.
	r.Server.ExpireTokens()
	if st, _, _ := create(good); st != 500 {
		t.Fatalf("expired token: %d", st)
	}
	st, _, h = call(t, "PATCH", loc, "", "", map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": "3", "Content-Type": "application/offset+octet-stream"})
	if st != 409 {
		t.Fatalf("PATCH at a wrong offset: %d", st)
	}
	req, _ := http.NewRequest("PATCH", loc, strings.NewReader("0123456789"))
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", "0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 204 || res.Header.Get("Upload-Offset") != "10" {
		t.Fatalf("PATCH: %v %v", res, err)
	}
	res.Body.Close()
	if st, _, h := call(t, "HEAD", loc, "", "", map[string]string{"Tus-Resumable": "1.0.0"}); st != 200 || h.Get("Upload-Offset") != "10" || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("HEAD: %d %v", st, h)
	}
	// A second upload for a video that has its file is refused.
	_, b, _ = call(t, "GET", api+"/"+id+"/upload", key, "", nil)
	json.Unmarshal([]byte(b), &p)
	if st, _, _ := create(meta("filename", "a.mp4", "filetype", "video/mp4", "token", p.Token, "video_id", id, "client_id", cid)); st != 400 {
		t.Fatalf("second upload: %d", st)
	}
	// Processing: pending, viewable (with URLs), ready.
	var seen []string
	for range 5 {
		_, b, _ := call(t, "GET", api+"/"+id, key, "", nil)
		var s struct {
			Status    string `json:"status"`
			IframeURL string `json:"iframe_url"`
		}
		json.Unmarshal([]byte(b), &s)
		if (s.Status == "viewable" || s.Status == "ready") != (s.IframeURL != "") {
			t.Fatalf("status %s with iframe_url %q", s.Status, s.IframeURL)
		}
		seen = append(seen, s.Status)
	}
	if strings.Join(seen, ",") != "pending,viewable,ready,ready,ready" {
		t.Fatalf("statuses %v", seen)
	}
	if st := r.Server.Stats(); st.Creates != 1 || st.TusCreates != 1 || st.PatchBytes != 10 {
		t.Fatalf("stats %+v", st)
	}
}

func TestRateLimitAndFaults(t *testing.T) {
	r := start(t, Config{RateLimit: 2})
	key := "APIKey " + DemoKey
	var codes []int
	for range 3 {
		st, _, h := call(t, "GET", r.APIURL+"/streaming/videos/1", key, "", nil)
		codes = append(codes, st)
		if st == 429 && h.Get("Retry-After") != "1" {
			t.Fatal("429 without Retry-After")
		}
	}
	if codes[0] != 404 || codes[2] != 429 {
		t.Fatalf("codes %v", codes)
	}
	for _, c := range []struct {
		method, path string
		want         int
	}{{"PUT", "/streaming/videos/1", 405}, {"POST", "/streaming/videos/1/upload", 405}, {"GET", "/streaming/streams", 404}, {"GET", "/nope", 404}} {
		r2 := start(t, Config{})
		if st, _, _ := call(t, c.method, r2.APIURL+c.path, key, "", nil); st != c.want {
			t.Fatalf("%s %s: %d, want %d", c.method, c.path, st, c.want)
		}
	}
	r.Server.Inject(Fault{Host: "upload", Method: "POST", Status: 503})
	if st, _, _ := call(t, "POST", r.UploadURLs[0]+"/upload/", "", "", map[string]string{"Tus-Resumable": "1.0.0"}); st != 503 {
		t.Fatalf("fault: %d", st)
	}
}

func TestProcessingFailure(t *testing.T) {
	for _, empty := range []bool{false, true} {
		r := start(t, Config{Polls: 1})
		r.Server.FailProcessing("File Invalid", empty)
		r.Server.mu.Lock()
		r.Server.videos[7] = &video{id: 7, name: "x", status: "empty"}
		r.Server.mu.Unlock()
		r.Server.preFinish(hookFor(7))
		_, b, _ := call(t, "GET", r.APIURL+"/streaming/videos/7", "APIKey "+DemoKey, "", nil)
		want := `"status":"error"`
		if empty {
			want = `"status":"empty"`
		}
		if !strings.Contains(b, want) || !strings.Contains(b, `"error":"File Invalid"`) {
			t.Fatalf("empty=%v: %s", empty, b)
		}
	}
}

func hookFor(id int64) tushandler.HookEvent {
	return tushandler.HookEvent{Upload: tushandler.FileInfo{MetaData: tushandler.MetaData{"video_id": strconv.FormatInt(id, 10)}}}
}

func TestPosterField(t *testing.T) {
	r := start(t, Config{})
	key := "APIKey " + r.Server.Key()
	pngData := base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	for _, bad := range []string{`"not a data url"`, `"data:image/gif;base64,R0lGODlh"`, `"data:image/jpeg;base64,` + pngData + `"`, `"data:image/png,raw"`} {
		if st, b, _ := call(t, "POST", r.APIURL+"/streaming/videos", key, `{"video":{"name":"x","poster":`+bad+`}}`, nil); st != 400 {
			t.Fatalf("poster %s: %d %s", bad, st, b)
		}
	}
	if st, b, _ := call(t, "POST", r.APIURL+"/streaming/videos", key, `{"video":{"name":"x","poster":"data:image/png;base64,`+pngData+`"}}`, nil); st != 201 || !strings.Contains(b, `"poster":"https://`) {
		t.Fatalf("poster: %d %s", st, b)
	}
}

// GET /streaming/videos lists the account's videos newest first, a page at
// a time; a wrong key is 401 and a page that is no positive integer 400.
func TestListVideos(t *testing.T) {
	r := start(t, Config{})
	auth := "APIKey " + DemoKey
	if code, _, _ := call(t, "GET", r.APIURL+"/streaming/videos?page=1", "APIKey wrong", "", nil); code != 401 {
		t.Fatalf("wrong key: %d", code)
	}
	if code, body, _ := call(t, "GET", r.APIURL+"/streaming/videos?page=1", auth, "", nil); code != 200 || strings.TrimSpace(body) != "[]" {
		t.Fatalf("empty list: %d %s", code, body)
	}
	for _, name := range []string{"first", "second"} {
		if code, body, _ := call(t, "POST", r.APIURL+"/streaming/videos", auth, `{"video":{"name":"`+name+`"}}`, nil); code != 201 && code != 200 {
			t.Fatalf("create %s: %d %s", name, code, body)
		}
	}
	code, body, hdr := call(t, "GET", r.APIURL+"/streaming/videos/?page=1", auth, "", nil)
	var list []struct{ Name string }
	if err := json.Unmarshal([]byte(body), &list); code != 200 || err != nil || len(list) != 2 || list[0].Name != "second" || hdr.Get("X-Total-Count") != "2" {
		t.Fatalf("list: %d %s (%v)", code, body, err)
	}
	if code, body, _ := call(t, "GET", r.APIURL+"/streaming/videos?page=2", auth, "", nil); code != 200 || strings.TrimSpace(body) != "[]" {
		t.Fatalf("page 2: %d %s", code, body)
	}
	if code, _, _ := call(t, "GET", r.APIURL+"/streaming/videos?page=0", auth, "", nil); code != 400 {
		t.Fatalf("page 0: %d", code)
	}
}
