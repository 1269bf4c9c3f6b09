package wangsu

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/wangsu"
)

func start(t *testing.T, cfg Config) *Running {
	t.Helper()
	r, err := Start(cfg, "127.0.0.1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

type apiAnswer struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// api signs body with sk at now and lets tamper change the request after
// signing.
func api(t *testing.T, r *Running, sk, path, body string, now time.Time, tamper func(*http.Request)) apiAnswer {
	t.Helper()
	req, _ := http.NewRequest("POST", r.APIURL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	wangsu.Sign(req, DemoAccessKey, sk, []byte(body), now)
	if tamper != nil {
		tamper(req)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var a apiAnswer
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || json.Unmarshal(b, &a) != nil {
		t.Fatalf("%s: HTTP %d %s", path, res.StatusCode, b)
	}
	return a
}

type tokenData struct {
	UploadURL   string `json:"uploadUrl"`
	UploadToken string `json:"uploadToken"`
	FileKey     string `json:"fileKey"`
	VideoID     string `json:"videoId"`
	HTTPDNS     string `json:"httpDnsServer"`
}

func upload(t *testing.T, url, token, batch, key, ctype string, body []byte) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Authorization", token)
	if batch != "" {
		req.Header.Set("UploadBatch", batch)
	}
	if key != "" {
		req.Header.Set("Key", base64.URLEncoding.EncodeToString([]byte(key)))
	}
	req.Header.Set("Content-Type", ctype)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

func TestStrictFlow(t *testing.T) {
	const unit = 1024
	r := start(t, Config{BlockUnit: unit, Polls: 1})
	now := time.Now()
	gut := "/vod/videoManage/getUploadToken"

	// The signature covers the exact body, the key and the time.
	body := `{"originFileName":"clip.mp4","fileId":"f1"}`
	for name, a := range map[string]apiAnswer{
		"body changed after signing": api(t, r, DemoSecretKey, gut, body, now, func(q *http.Request) {
			b := strings.Replace(body, "clip", "clap", 1)
			q.Body = io.NopCloser(strings.NewReader(b))
		}),
		"wrong secret":      api(t, r, "nope", gut, body, now, nil),
		"timestamp too old": api(t, r, DemoSecretKey, gut, body, now.Add(-6*time.Minute), nil),
		"unsigned host": api(t, r, DemoSecretKey, gut, body, now, func(q *http.Request) {
			q.Header.Set("Authorization", strings.Replace(q.Header.Get("Authorization"), "content-type;host", "content-type", 1))
		}),
		"content-type moved": api(t, r, DemoSecretKey, gut, body, now, func(q *http.Request) { q.Header.Set("Content-Type", "application/json") }),
	} {
		if a.Code == 200 {
			t.Fatalf("%s: accepted", name)
		}
	}
	// Documented codes.
	for b, code := range map[string]int{
		`{"originFileName":""}`: 1606,
		`{"originFileName":"` + strings.Repeat("a", 37) + `.mp4"}`:              1500,
		`{"originFileName":"a.mp4","overwrite":"2"}`:                            1608,
		`{"originFileName":"a.mp4","fileId":"` + strings.Repeat("f", 33) + `"}`: CodeFileIDTooLong,
	} {
		if a := api(t, r, DemoSecretKey, gut, b, now, nil); a.Code != code {
			t.Fatalf("%s: code %d, want %d", b, a.Code, code)
		}
	}
	a := api(t, r, DemoSecretKey, gut, body, now, nil)
	var tok tokenData
	if a.Code != 200 || json.Unmarshal(a.Data, &tok) != nil || tok.VideoID == "" || !strings.HasPrefix(tok.UploadURL, "http://") {
		t.Fatalf("getUploadToken: %+v", a)
	}
	// The same fileId: the same video, another token.
	var tok2 tokenData
	json.Unmarshal(api(t, r, DemoSecretKey, gut, body, now, nil).Data, &tok2)
	if tok2.VideoID != tok.VideoID || tok2.FileKey != tok.FileKey || tok2.UploadToken == tok.UploadToken {
		t.Fatalf("same fileId: %+v vs %+v", tok2, tok)
	}

	up, batch, key := tok.UploadURL, "batch-1", tok.FileKey
	oct := "application/octet-stream"
	if st, _ := upload(t, up+"/mkblk/2048/0", "bogus", batch, key, oct, make([]byte, 10)); st != 401 {
		t.Fatalf("bad token: %d", st)
	}
	if st, _ := upload(t, up+"/mkblk/2048/0", tok.UploadToken, "", key, oct, make([]byte, 10)); st != 400 {
		t.Fatalf("no UploadBatch: %d", st)
	}
	if st, _ := upload(t, up+"/mkblk/2048/0", tok.UploadToken, batch, "video/other.mp4", oct, make([]byte, 10)); st != 401 {
		t.Fatalf("Key outside the scope: %d", st)
	}
	// Block 0: 2048 bytes in two chunks; block 1: 100 bytes.
	st, m := upload(t, up+"/mkblk/2048/0", tok.UploadToken, batch, key, oct, make([]byte, 1000))
	ctx0, _ := m["ctx"].(string)
	if st != 200 || ctx0 == "" || m["offset"].(float64) != 1000 {
		t.Fatalf("mkblk: %d %v", st, m)
	}
	if st, _ := upload(t, up+"/bput/"+ctx0+"/999", tok.UploadToken, batch, key, oct, make([]byte, 1048)); st != 406 {
		t.Fatalf("wrong offset: %d", st)
	}
	if st, _ := upload(t, up+"/bput/"+ctx0+"/1000", tok.UploadToken, batch, key, oct, make([]byte, 1049)); st != 400 {
		t.Fatalf("overflow: %d", st)
	}
	st, m = upload(t, up+"/bput/"+ctx0+"/1000", tok.UploadToken, batch, key, oct, make([]byte, 1048))
	ctx0b, _ := m["ctx"].(string)
	if st != 200 || m["offset"].(float64) != 2048 {
		t.Fatalf("bput: %d %v", st, m)
	}
	if st, _ := upload(t, up+"/bput/"+ctx0+"/1000", tok.UploadToken, batch, key, oct, make([]byte, 10)); st != 406 {
		t.Fatalf("stale ctx: %d", st)
	}
	_, m = upload(t, up+"/mkblk/100/1", tok.UploadToken, batch, key, oct, make([]byte, 100))
	ctx1, _ := m["ctx"].(string)
	txt := "text/plain;charset=UTF-8"
	for _, bad := range []struct{ size, body string }{
		{"2148", ctx1 + "," + ctx0b}, // out of order
		{"2148", ctx0 + "," + ctx1},  // not the last ctx
		{"2147", ctx0b + "," + ctx1}, // wrong size
		{"2148", ctx0b},              // a block missing
	} {
		if st, m := upload(t, up+"/mkfile/"+bad.size, tok.UploadToken, batch, key, txt, []byte(bad.body)); st == 200 {
			t.Fatalf("mkfile %s accepted: %v", bad.size, m)
		}
	}
	if st, _ := upload(t, up+"/mkfile/2148", tok.UploadToken, "batch-2", key, txt, []byte(ctx0b+","+ctx1)); st != 404 {
		t.Fatalf("another batch: %d", st)
	}
	if st, m := upload(t, up+"/mkfile/2148", tok.UploadToken, batch, key, txt, []byte(ctx0b+","+ctx1)); st != 200 || m["hash"] == "" {
		t.Fatalf("mkfile: %d %v", st, m)
	}
	// No list call.
	if res, _ := http.Get(up + "/bput/" + ctx0b); res.StatusCode == 200 {
		t.Fatal("GET on the upload host answered")
	}
	// Transcoding: 3 for one poll, then 1, with a play URL.
	list := `{"videoId":"` + tok.VideoID + `"}`
	states := []int{}
	for range 2 {
		var d struct {
			VideoListInfo []struct {
				VideoID        string `json:"videoId"`
				TranscodeState int    `json:"transcodeState"`
				PlayURL        string `json:"playUrl"`
			} `json:"videoListInfo"`
		}
		json.Unmarshal(api(t, r, DemoSecretKey, "/vod/videoManage/getVideoList", list, now, nil).Data, &d)
		if len(d.VideoListInfo) != 1 {
			t.Fatalf("list: %+v", d)
		}
		states = append(states, d.VideoListInfo[0].TranscodeState)
	}
	if states[0] != 3 || states[1] != 1 {
		t.Fatalf("transcodeState %v", states)
	}
	if a := api(t, r, DemoSecretKey, "/vod/videoManage/videoEdit", `{"videoId":"`+tok.VideoID+`","videoName":"Title"}`, now, nil); a.Code != 200 {
		t.Fatalf("videoEdit: %+v", a)
	}
	if v, _ := r.Server.Video(tok.VideoID); v.Name != "Title" || !v.Merged || v.Size != 2148 {
		t.Fatalf("video %+v", v)
	}
	// Token expiry.
	_, m = upload(t, up+"/mkblk/100/0", tok.UploadToken, "b3", key, oct, []byte("x"))
	r.Server.ExpireTokens()
	if st, m := upload(t, up+"/mkblk/100/0", tok.UploadToken, "b3", key, oct, []byte("x")); st != 401 || m["message"] != "token expired" {
		t.Fatalf("expired token: %d %v", st, m)
	}
	if st := r.Server.Stats(); st.Videos != 1 || st.Mkfiles != 1 || st.Batches != 2 {
		t.Fatalf("stats %+v", st)
	}
	_ = strconv.Itoa
}

// The default block unit is the real 4 MiB: a 1 KiB block before the last
// is refused at mkfile.
func TestDefaultBlockUnit(t *testing.T) {
	r := start(t, Config{})
	var tok tokenData
	json.Unmarshal(api(t, r, DemoSecretKey, "/vod/videoManage/getUploadToken", `{"originFileName":"a.mp4"}`, time.Now(), nil).Data, &tok)
	oct := "application/octet-stream"
	_, m0 := upload(t, tok.UploadURL+"/mkblk/1024/0", tok.UploadToken, "b", tok.FileKey, oct, make([]byte, 1024))
	_, m1 := upload(t, tok.UploadURL+"/mkblk/10/1", tok.UploadToken, "b", tok.FileKey, oct, make([]byte, 10))
	st, m := upload(t, tok.UploadURL+"/mkfile/1034", tok.UploadToken, "b", tok.FileKey, "text/plain", []byte(m0["ctx"].(string)+","+m1["ctx"].(string)))
	if st != 400 || !strings.Contains(m["message"].(string), "4194304") {
		t.Fatalf("1 KiB block accepted: %d %v", st, m)
	}
}

func TestRateLimit(t *testing.T) {
	r := start(t, Config{RateLimit: 2})
	for i, want := range []int{200, 200, CodeRateLimited} {
		if a := api(t, r, DemoSecretKey, "/vod/videoManage/getVideoList", `{}`, time.Now(), nil); a.Code != want {
			t.Fatalf("call %d: code %d, want %d", i+1, a.Code, want)
		}
	}
}

// The simple upload: token and file fields only, a size limit pointing at
// the slice upload, the base64 hash=… answer.
func TestFormUpload(t *testing.T) {
	r := start(t, Config{FormLimit: 5000, Polls: -1})
	var tok tokenData
	json.Unmarshal(api(t, r, DemoSecretKey, "/vod/videoManage/getUploadToken", `{"originFileName":"a.mp4"}`, time.Now(), nil).Data, &tok)
	post := func(fields map[string]string, order []string) (int, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, k := range order {
			if k == "file" {
				fw, _ := mw.CreateFormFile("file", "a.mp4")
				fw.Write([]byte(fields[k]))
			} else {
				mw.WriteField(k, fields[k])
			}
		}
		mw.Close()
		res, err := http.Post(tok.UploadURL+"/file/upload", mw.FormDataContentType(), &buf)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if st, _ := post(map[string]string{"token": tok.UploadToken, "file": "x", "extra": "1"}, []string{"token", "extra", "file"}); st != 400 {
		t.Fatalf("unknown field: %d", st)
	}
	if st, b := post(map[string]string{"token": tok.UploadToken, "file": strings.Repeat("x", 5001)}, []string{"token", "file"}); st != 413 || !strings.Contains(b, "slice upload") {
		t.Fatalf("over the limit: %d %s", st, b)
	}
	if st, _ := post(map[string]string{"token": "bogus:a:b", "file": "x"}, []string{"token", "file"}); st != 401 {
		t.Fatalf("bad token: %d", st)
	}
	st, b := post(map[string]string{"token": tok.UploadToken, "file": "hello"}, []string{"token", "file"})
	dec, _ := base64.URLEncoding.DecodeString(b)
	if v, _ := r.Server.Video(tok.VideoID); st != 200 || !strings.HasPrefix(string(dec), "hash=") || !v.Merged || v.Size != 5 || "hash="+v.Hash != string(dec) {
		t.Fatalf("upload: %d %q %+v", st, dec, v)
	}
}

func TestStrictParamsAndHeaderCase(t *testing.T) {
	r := start(t, Config{Strict: true})
	if a := api(t, r, DemoSecretKey, "/vod/videoManage/getVideoList", `{"videoId":"x","bogus":"1"}`, time.Now(), nil); a.Code != CodeParam {
		t.Fatalf("unknown parameter: %+v", a)
	}
	// A value with capitals signed as sent passes; signed lowercased, only
	// with the switch on.
	mixed := func(q *http.Request) {}
	for _, lower := range []bool{false, true} {
		r := start(t, Config{LowercaseHeaderValues: lower})
		req, _ := http.NewRequest("POST", r.APIURL+"/vod/videoManage/getVideoList", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json; charset=UTF-8")
		wangsu.Sign(req, DemoAccessKey, DemoSecretKey, []byte(`{}`), time.Now())
		mixed(req)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var a apiAnswer
		json.NewDecoder(res.Body).Decode(&a)
		res.Body.Close()
		if want := !lower; (a.Code == 200) != want {
			t.Fatalf("lowercase=%v: code %d", lower, a.Code)
		}
	}
}
