package sandbox_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
)

func TestPlatformTakesRawTokenCDNTakesBearer(t *testing.T) {
	e := newEnv(t, nil)
	access := e.acct.AccessToken

	vod := func(auth string) int {
		return e.do("GET", e.api+"/v1.0c/get-vod-token", nil, "Authorization", auth).status
	}
	if got := vod(access); got != 200 {
		t.Fatalf("raw access token: %d, want 200", got)
	}
	for _, auth := range []string{"Bearer " + access, "", "nonsense"} {
		r := e.do("GET", e.api+"/v1.0c/get-vod-token", nil, "Authorization", auth)
		if r.status != 401 || r.message(t) == "" {
			t.Errorf("Authorization %q: %d %s, want 401 with a JSON message", auth, r.status, r.body)
		}
	}

	tok := e.vodToken()
	body, ct := multipartBody(t, [2]string{"file", string(pngBytes(t))})
	r := e.do("POST", e.img+"/api/v2/image", body, "Authorization", tok, "resizing-list", "140", "Content-Type", ct)
	if r.status != 401 {
		t.Errorf("image upload with raw upload token: %d, want 401", r.status)
	}
	body, ct = multipartBody(t, [2]string{"file", string(pngBytes(t))})
	r = e.do("POST", e.img+"/api/v2/image", body, "Authorization", "Bearer "+access, "resizing-list", "140", "Content-Type", ct)
	if r.status != 401 {
		t.Errorf("image upload with Bearer access token: %d, want 401", r.status)
	}
	if r := e.do("POST", e.vod+"/api/v1/tus/upload", nil, "Authorization", tok, "Tus-Resumable", "1.0.0", "Upload-Length", "10"); r.status != 401 {
		t.Errorf("TUS create with raw upload token: %d, want 401", r.status)
	}
	if r := e.do("GET", e.vod+"/api/v1/status/x", nil, "Authorization", tok); r.status != 401 {
		t.Errorf("status with raw upload token: %d, want 401", r.status)
	}
	if r := e.do("GET", e.vod+"/api/v1/status/x", nil, "Authorization", "Bearer "+tok); r.status != 404 {
		t.Errorf("status of unknown video: %d, want 404", r.status)
	}
}

func TestRefreshRotatesAndExpiry(t *testing.T) {
	e := newEnv(t, nil)
	if e.acct.ExpiresIn != 864000 {
		t.Errorf("DemoAccount().ExpiresIn = %d, want 864000", e.acct.ExpiresIn)
	}
	refresh := func(rt string) resp {
		return e.do("POST", e.api+"/v1.1/auth/token/refresh", strings.NewReader(`{"refresh_token":"`+rt+`"}`), "Content-Type", "application/json")
	}
	r := refresh(e.acct.RefreshToken)
	if r.status != 200 {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	m := r.json(t)
	access, _ := m["access_token"].(string)
	rt, _ := m["refresh_token"].(string)
	if access == "" || rt == "" || m["expires_in"] != float64(864000) {
		t.Fatalf("refresh response %s", r.body)
	}
	if r := refresh(e.acct.RefreshToken); r.status != 401 {
		t.Errorf("reusing the rotated refresh token: %d, want 401", r.status)
	}
	e.accessOverride = access
	e.vodToken()

	e.s.ExpireAccessTokens()
	if r := e.do("GET", e.api+"/v1.0c/get-vod-token", nil, "Authorization", access); r.status != 401 || !strings.Contains(r.message(t), "expired") {
		t.Errorf("expired access token: %d %s, want 401 expired", r.status, r.body)
	}
	r = refresh(rt)
	if r.status != 200 {
		t.Fatalf("refresh after expiry: %d %s", r.status, r.body)
	}
	e.accessOverride = r.json(t)["access_token"].(string)
	e.vodToken()
	rt = r.json(t)["refresh_token"].(string)

	e.s.RevokeSession()
	if r := refresh(rt); r.status != 401 {
		t.Errorf("refresh after RevokeSession: %d, want 401", r.status)
	}
	if r := e.do("GET", e.api+"/v1.0c/get-vod-token", nil, "Authorization", e.accessOverride); r.status != 401 {
		t.Errorf("access after RevokeSession: %d, want 401", r.status)
	}
	e.accessOverride = e.s.Login().AccessToken
	e.vodToken()

	if r := e.do("POST", e.api+"/v1.1/auth/token/refresh", strings.NewReader(`{"token":"x"}`), "Content-Type", "application/json"); r.status != 400 {
		t.Errorf("old-docs refresh body: %d, want 400", r.status)
	}
	if got := e.s.Stats().Refreshes; got != 2 {
		t.Errorf("Stats.Refreshes = %d, want 2", got)
	}
}

func TestAccessTTL(t *testing.T) {
	e := newEnv(t, func(c *sandbox.Config) { c.AccessTTL = 50 * time.Millisecond })
	if e.acct.ExpiresIn != 0 {
		t.Errorf("ExpiresIn = %d, want 0 (whole seconds of 50ms)", e.acct.ExpiresIn)
	}
	time.Sleep(60 * time.Millisecond)
	if r := e.do("GET", e.api+"/v1.0c/get-vod-token", nil, "Authorization", e.acct.AccessToken); r.status != 401 {
		t.Errorf("after AccessTTL: %d, want 401", r.status)
	}
}

func TestImageUploadRules(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.vodToken()
	png := string(pngBytes(t))

	r := e.postImage(tok, [2]string{"file", png}, [2]string{"name", "thumbnail"})
	if r.status != 400 || !strings.Contains(r.message(t), "name") {
		t.Errorf("name field: %d %s, want 400 naming the field", r.status, r.body)
	}
	r = e.postImage(tok, [2]string{"title", "x"}, [2]string{"file", png})
	if r.status != 400 || !strings.Contains(r.message(t), "title") {
		t.Errorf("extra field: %d %s, want 400 naming the field", r.status, r.body)
	}
	r = e.postImage(tok, [2]string{"file", "this is not an image"})
	if r.status != 400 || !strings.Contains(r.message(t), "image") {
		t.Errorf("non-image: %d %s, want 400", r.status, r.body)
	}
	r = e.postImage(tok, [2]string{"file", png}, [2]string{"file", png})
	if r.status != 400 {
		t.Errorf("two files: %d, want 400", r.status)
	}
	body, ct := multipartBody(t, [2]string{"file", png})
	r = e.do("POST", e.img+"/api/v2/image", body, "Authorization", "Bearer "+tok, "Content-Type", ct)
	if r.status != 400 || !strings.Contains(r.message(t), "resizing-list") {
		t.Errorf("no resizing-list: %d %s, want 400", r.status, r.body)
	}

	r = e.postImage(tok, [2]string{"file", png})
	if r.status != 200 {
		t.Fatalf("valid upload: %d %s", r.status, r.body)
	}
	m := r.json(t)
	b := m["body"].(map[string]any)
	if b["image_id"] == "" || m["file_upload"] != b["image_id"] || m["status_code"] != float64(200) {
		t.Errorf("response shape: %s", r.body)
	}
	urls := b["image_url"].([]any)
	want := []string{"140.jpg", "240.webp", "480.jpg", "480.webp", "672.webp", "960.webp", "1280.webp", "1920.webp", "origin.webp"}
	if len(urls) != len(want) {
		t.Fatalf("image_url = %v", urls)
	}
	for i, u := range urls {
		if !strings.HasPrefix(u.(string), e.img+"/") || !strings.HasSuffix(u.(string), "/"+want[i]) {
			t.Errorf("image_url[%d] = %s, want %s/.../%s", i, u, e.img, want[i])
		}
	}
	got := e.do("GET", urls[4].(string), nil)
	if got.status != 200 || !bytes.Equal(got.body, []byte(png)) || got.header.Get("Content-Type") != "image/png" {
		t.Errorf("GET stored image: %d %s, %d bytes", got.status, got.header.Get("Content-Type"), len(got.body))
	}
	if s := e.s.Stats(); s.Images != 1 {
		t.Errorf("Stats.Images = %d, want 1", s.Images)
	}
}

func TestAddContentValidation(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.vodToken()
	img := e.uploadImage(tok)
	ch := e.acct.ChannelID

	type tc struct {
		name  string
		body  func() map[string]any
		field string // expected message prefix; "" = accepted
	}
	video := func(edit func(m map[string]any)) func() map[string]any {
		return func() map[string]any { m := videoBody(ch, img); edit(m); return m }
	}
	news := func(edit func(m map[string]any)) func() map[string]any {
		return func() map[string]any { m := newsBody(ch, img); edit(m); return m }
	}
	cases := []tc{
		{"video ok", video(func(map[string]any) {}), ""},
		{"news ok", news(func(map[string]any) {}), ""},
		{"news without description", news(func(m map[string]any) { delete(m, "description") }), ""},
		{"wrong channel", video(func(m map[string]any) { m["user_id2"] = "someone-else" }), "user_id2"},
		{"bad type", video(func(m map[string]any) { m["type"] = "Short" }), "type"},
		{"news scheduled in future", news(func(m map[string]any) {
			m["use_schedule"] = true
			m["time_scheduled"] = time.Now().Add(time.Hour).UnixMilli()
		}), ""},
		{"news scheduled in past", news(func(m map[string]any) {
			m["use_schedule"] = true
			m["time_scheduled"] = time.Now().Add(-time.Hour).UnixMilli()
		}), "time_scheduled"},
		{"video visibility unlisted", video(func(m map[string]any) { m["visibility"] = "unlisted" }), "visibility"},
		{"video empty title", video(func(m map[string]any) { m["title"] = "  " }), "title"},
		{"kids as string", video(func(m map[string]any) { m["made_for_kids"] = "false" }), "made_for_kids"},
		{"foreign poster", video(func(m map[string]any) { m["poster_url"] = "https://example.com/672.webp" }), "poster_url"},
		{"news mode draft", news(func(m map[string]any) { m["mode"] = "draft" }), "mode"},
		{"news empty text", news(func(m map[string]any) { m["meta"] = map[string]any{"text": ""} }), "meta.text"},
		{"news foreign img", news(func(m map[string]any) {
			m["meta"] = map[string]any{"text": `<p><img src="https://example.com/cat.jpg"></p>`}
		}), "meta.text"},
	}
	for _, f := range []string{"user_id2", "type", "lang", "category_id", "title", "description", "visibility", "poster_url", "poster_hd_url", "made_for_kids", "user_made_for_kids"} {
		cases = append(cases, tc{"video without " + f, video(func(m map[string]any) { delete(m, f) }), f})
	}
	for _, f := range []string{"mode", "meta", "poster_hd_url", "user_made_for_kids"} {
		cases = append(cases, tc{"news without " + f, news(func(m map[string]any) { delete(m, f) }), f})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.postJSON("/v1.0c/add-content", c.body())
			if c.field == "" {
				if r.status != 200 {
					t.Fatalf("%d %s, want 200", r.status, r.body)
				}
				return
			}
			if r.status != 400 || !strings.HasPrefix(r.message(t), c.field+":") {
				t.Fatalf("%d %s, want 400 with message %q...", r.status, r.body, c.field+":")
			}
		})
	}

	// Not JSON-labelled: the platform's body parser would see nothing.
	r := e.do("POST", e.api+"/v1.0c/add-content", strings.NewReader(`{}`), "Authorization", e.acct.AccessToken, "Content-Type", "text/plain")
	if r.status != 400 {
		t.Errorf("text/plain body: %d, want 400", r.status)
	}

	// An article is published at once; the response echoes the guide's fields.
	r = e.postJSON("/v1.0c/add-content", newsBody(ch, img))
	m := r.json(t)
	id, _ := m["content_id"].(string)
	c, ok := e.s.Content(id)
	if !ok || !c.Published || c.Type != "News" || c.ChannelID != ch || m["owner_id"] != ch || m["type"] != "News" || m["visibility"] != "unlisted" || m["created_at"] == nil {
		t.Errorf("news content %+v, response %s", c, r.body)
	}
	upd := newsBody(ch, img)
	upd["content_id"] = id
	upd["title"] = "Updated"
	if r := e.postJSON("/v1.0c/update-content", upd); r.status != 200 {
		t.Fatalf("update-content: %d %s", r.status, r.body)
	}
	if c, _ := e.s.Content(id); c.Updates != 1 || c.Fields["title"] != "Updated" {
		t.Errorf("after update: %+v", c)
	}
	upd["content_id"] = "nope"
	if r := e.postJSON("/v1.0c/update-content", upd); r.status != 404 {
		t.Errorf("update of unknown content: %d, want 404", r.status)
	}
}

func TestUploadIDFormat(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.vodToken()
	img := e.uploadImage(tok)
	id := e.postJSON("/v1.0c/add-content", videoBody(e.acct.ChannelID, img)).json(t)["content_id"].(string)
	good := strings.Repeat("0123456789abcdef", 2)
	for _, c := range []struct {
		body   map[string]any
		status int
	}{
		{map[string]any{"content_id": id, "type": "Studio_TUS", "upload_id": good[:31]}, 400},
		{map[string]any{"content_id": id, "type": "Studio_TUS", "upload_id": strings.ToUpper(good)}, 400},
		{map[string]any{"content_id": id, "type": "Studio_TUS", "upload_id": good[:31] + "g"}, 400},
		{map[string]any{"content_id": id, "type": "TUS", "upload_id": good}, 400},
		{map[string]any{"content_id": "missing", "type": "Studio_TUS", "upload_id": good}, 404},
		{map[string]any{"content_id": id, "type": "Studio_TUS", "upload_id": good}, 200},
	} {
		if r := e.postJSON("/v1.1/content/upload-id", c.body); r.status != c.status {
			t.Errorf("%v: %d %s, want %d", c.body, r.status, r.body, c.status)
		}
	}
	if c, _ := e.s.Content(id); c.UploadID != good {
		t.Errorf("Content.UploadID = %q", c.UploadID)
	}
	if got := e.s.Stats().UploadIDs; got != 1 {
		t.Errorf("Stats.UploadIDs = %d, want 1", got)
	}
}

func TestTusCreateRules(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.vodToken()
	img := e.uploadImage(tok)
	ch := e.acct.ChannelID
	unregistered := e.postJSON("/v1.0c/add-content", videoBody(ch, img)).json(t)["content_id"].(string)
	id, tok := e.createVideo()

	r := e.tusCreate(tok, 100, tusMeta(unregistered, ch))
	if r.status != 400 || !strings.Contains(r.message(t), "upload id not registered") {
		t.Errorf("unregistered content: %d %s", r.status, r.body)
	}
	for _, k := range []string{"language", "content_id", "content_type", "channel_id", "analyze_flag", "filetype", "auto_caption_flag", "caption_priority", "filename", "profile_name", "preview_start", "preview_end", "priority"} {
		m := tusMeta(id, ch)
		delete(m, k)
		if r := e.tusCreate(tok, 100, m); r.status != 400 || !strings.Contains(r.message(t), k) {
			t.Errorf("without %s: %d %s", k, r.status, r.body)
		}
	}
	m := tusMeta(id, ch)
	m["filename"] = "vidéo.mp4"
	if r := e.tusCreate(tok, 100, m); r.status != 400 || !strings.Contains(r.message(t), "ASCII") {
		t.Errorf("non-ASCII filename: %d %s", r.status, r.body)
	}
	m = tusMeta(id, ch)
	m["channel_id"] = "other"
	if r := e.tusCreate(tok, 100, m); r.status != 400 {
		t.Errorf("foreign channel: %d %s", r.status, r.body)
	}
	if r := e.tusCreate(tok, 0, tusMeta(id, ch)); r.status != 400 {
		t.Errorf("empty upload: %d %s", r.status, r.body)
	}
	if got := e.s.Stats().TusCreates; got != 0 {
		t.Errorf("Stats.TusCreates = %d after only rejected creates", got)
	}
	if r := e.tusCreate(tok, 100, tusMeta(id, ch)); r.status != 201 {
		t.Errorf("valid create: %d %s", r.status, r.body)
	}
}

// runHappyPath is the video guide's eight steps with a raw net/http client.
func runHappyPath(t *testing.T, e *env) {
	ch := e.acct.ChannelID
	id, tok := e.createVideo()

	data := videoBytes(250_000)
	r := e.tusCreate(tok, len(data), tusMeta(id, ch))
	if r.status != 201 {
		t.Fatalf("TUS create: %d %s", r.status, r.body)
	}
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, e.vod+"/api/v1/tus/upload/") || len(loc) == len(e.vod+"/api/v1/tus/upload/") {
		t.Fatalf("Location %q is not an upload URL under %s", loc, e.vod)
	}

	getJSON := func() resp {
		return e.do("GET", loc, nil, "Authorization", "Bearer "+tok, "Accept", "application/json")
	}
	if r := getJSON(); r.status != 409 {
		t.Errorf("GET json of an incomplete upload: %d %s, want 409", r.status, r.body)
	}
	for off := 0; off < len(data); off += 100_000 {
		end := min(off+100_000, len(data))
		r, err := e.tusPatch(tok, loc, off, data[off:end])
		if err != nil || r.status != 204 || r.header.Get("Upload-Offset") != strconv.Itoa(end) {
			t.Fatalf("PATCH at %d: %v %d %s", off, err, r.status, r.body)
		}
	}
	if r, _ := e.tusPatch(tok, loc, 5, []byte("x")); r.status != 409 {
		t.Errorf("PATCH at a wrong offset: %d, want 409", r.status)
	}
	r = getJSON()
	if r.status != 200 {
		t.Fatalf("GET json: %d %s", r.status, r.body)
	}
	body := r.json(t)["body"].(map[string]any)
	videoID, _ := body["video_id"].(string)
	if videoID == "" || body["filename"] != "video.mp4" {
		t.Fatalf("GET json body %s", r.body)
	}
	if again := getJSON().json(t)["body"].(map[string]any)["video_id"]; again != videoID {
		t.Errorf("video_id not stable: %v then %v", videoID, again)
	}
	if plain := e.do("GET", loc, nil, "Authorization", "Bearer "+tok); plain.status != 200 || !bytes.Equal(plain.body, data) {
		t.Errorf("plain tusd GET: %d, %d bytes", plain.status, len(plain.body))
	}

	// Finalizing before transcoding completes does not publish.
	img := e.uploadImage(tok)
	upd := videoBody(ch, img)
	upd["content_id"] = id
	if r := e.postJSON("/v1.0c/update-content", upd); r.status != 200 {
		t.Fatalf("early update-content: %d %s", r.status, r.body)
	}
	if c, _ := e.s.Content(id); c.Published || c.VideoID != videoID {
		t.Errorf("after early update: %+v", c)
	}

	var hls string
	last := -1
	for i := 0; i < 10 && hls == ""; i++ {
		r := e.do("GET", e.vod+"/api/v1/status/"+videoID, nil, "Authorization", "Bearer "+tok, "Accept", "application/json")
		if r.status != 200 {
			t.Fatalf("status: %d %s", r.status, r.body)
		}
		b := r.json(t)["body"].(map[string]any)
		if u, _ := b["url"].(string); u != "" {
			hls = u
			if b["width"] != float64(1920) || b["height"] != float64(1080) || b["duration_sec"] == nil {
				t.Errorf("completed body %s", r.body)
			}
			break
		}
		p := int(b["progress"].(float64))
		if b["status"] != "in_progress" || p <= last || p >= 100 {
			t.Errorf("poll %d: %s (previous progress %d)", i, r.body, last)
		}
		last = p
	}
	if hls != e.vod+"/hls/"+videoID+"/master.m3u8" {
		t.Fatalf("HLS url %q", hls)
	}
	if m := e.do("GET", hls, nil); m.status != 200 || !strings.HasPrefix(string(m.body), "#EXTM3U") {
		t.Errorf("GET master.m3u8: %d %q", m.status, m.body)
	}

	if r := e.postJSON("/v1.0c/update-content", upd); r.status != 200 {
		t.Fatalf("update-content: %d %s", r.status, r.body)
	}
	c, _ := e.s.Content(id)
	if !c.Published || c.Updates != 2 || c.UploadID == "" {
		t.Errorf("after finalize: %+v", c)
	}
	s := e.s.Stats()
	if s.TusCreates != 1 || s.TusPatchBytes != int64(len(data)) || s.StatusPolls != 3 || s.AddContent != 1 || s.UpdateContent != 2 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestHappyPathHTTPTest(t *testing.T) { runHappyPath(t, newEnv(t, nil)) }

func TestHappyPathStart(t *testing.T) {
	e, run := startEnv(t)
	env := run.Env()
	if len(env) != 3 || env[0] != "GJW_API_URL="+run.APIURL || env[2] != "GJW_VOD_URL="+run.VODURL {
		t.Errorf("Env() = %v", env)
	}
	runHappyPath(t, e)
}

// The VOD handler mounted under a prefix still hands out correct URLs.
func TestVODUnderPrefix(t *testing.T) {
	e := newEnv(t, nil)
	mux := http.NewServeMux()
	mux.Handle("/vod/", http.StripPrefix("/vod", e.s.VOD()))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	e.vod = srv.URL + "/vod"
	runHappyPath(t, e)
}

func TestVideoWithModeNeverPublishes(t *testing.T) {
	e := newEnv(t, func(c *sandbox.Config) { c.TranscodePolls = -1 })
	ch := e.acct.ChannelID
	tok := e.vodToken()
	img := e.uploadImage(tok)
	b := videoBody(ch, img)
	b["mode"] = "draft"
	r := e.postJSON("/v1.0c/add-content", b)
	if r.status != 200 {
		t.Fatalf("add-content with mode: %d %s", r.status, r.body)
	}
	id := r.json(t)["content_id"].(string)
	e.postJSON("/v1.1/content/upload-id", map[string]any{"content_id": id, "type": "Studio_TUS", "upload_id": strings.Repeat("cd", 16)})
	loc := e.tusCreate(tok, 3, tusMeta(id, ch)).header.Get("Location")
	if _, err := e.tusPatch(tok, loc, 0, []byte("abc")); err != nil {
		t.Fatal(err)
	}
	vid := e.do("GET", loc, nil, "Authorization", "Bearer "+tok, "Accept", "application/json").json(t)["body"].(map[string]any)["video_id"].(string)
	if u := e.do("GET", e.vod+"/api/v1/status/"+vid, nil, "Authorization", "Bearer "+tok).json(t)["body"].(map[string]any)["url"]; u == nil {
		t.Fatal("TranscodePolls -1: first poll should be done")
	}
	delete(b, "mode")
	b["content_id"] = id
	e.postJSON("/v1.0c/update-content", b)
	if c, _ := e.s.Content(id); c.Published {
		t.Error("a Video created with mode was published")
	}
}

func TestFailTranscode(t *testing.T) {
	e := newEnv(t, func(c *sandbox.Config) { c.TranscodePolls = 1 })
	id, tok := e.createVideo()
	e.s.FailTranscode("codec not supported")
	loc := e.tusCreate(tok, 4, tusMeta(id, e.acct.ChannelID)).header.Get("Location")
	e.tusPatch(tok, loc, 0, []byte("abcd"))
	vid := e.do("GET", loc, nil, "Authorization", "Bearer "+tok, "Accept", "application/json").json(t)["body"].(map[string]any)["video_id"].(string)
	poll := func() map[string]any {
		return e.do("GET", e.vod+"/api/v1/status/"+vid, nil, "Authorization", "Bearer "+tok).json(t)["body"].(map[string]any)
	}
	if b := poll(); b["status"] != "in_progress" {
		t.Errorf("first poll %v", b)
	}
	for range 2 {
		if b := poll(); b["status"] != "failed" || b["error"] != "codec not supported" || b["url"] != nil {
			t.Errorf("poll after FailTranscode: %v", b)
		}
	}
}

func TestStatusFault(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.vodToken()
	img := e.uploadImage(tok)
	e.s.Inject(sandbox.Fault{Host: "api", Method: "POST", Path: "/v1.0c/add-content", Status: 503, Times: 2})
	for i := range 2 {
		r := e.postJSON("/v1.0c/add-content", videoBody(e.acct.ChannelID, img))
		if r.status != 503 || r.message(t) == "" {
			t.Fatalf("attempt %d: %d %s, want 503 with a JSON message", i, r.status, r.body)
		}
	}
	if r := e.postJSON("/v1.0c/add-content", videoBody(e.acct.ChannelID, img)); r.status != 200 {
		t.Fatalf("after the fault: %d %s", r.status, r.body)
	}
	if got := e.s.Stats().AddContent; got != 1 {
		t.Errorf("Stats.AddContent = %d, want 1", got)
	}
	// A fault on another host or path does not fire here.
	e.s.Inject(sandbox.Fault{Host: "vod", Path: "/api/v1/status/", Status: 500})
	if r := e.postJSON("/v1.1/content/upload-id", map[string]any{}); r.status != 400 {
		t.Errorf("unrelated request: %d", r.status)
	}
	if r := e.do("GET", e.vod+"/api/v1/status/x", nil); r.status != 500 {
		t.Errorf("status fault fires before auth: %d", r.status)
	}
}

func TestCutAfterKeepsPartialBytes(t *testing.T) {
	for _, name := range []string{"httptest", "start"} {
		t.Run(name, func(t *testing.T) {
			var e *env
			if name == "start" {
				e, _ = startEnv(t)
			} else {
				e = newEnv(t, nil)
			}
			id, tok := e.createVideo()
			data := videoBytes(1 << 20)
			loc := e.tusCreate(tok, len(data), tusMeta(id, e.acct.ChannelID)).header.Get("Location")

			const cut = 300_000
			e.s.Inject(sandbox.Fault{Host: "vod", Method: "PATCH", Path: "/api/v1/tus/upload/", CutAfter: cut})
			r, err := e.tusPatch(tok, loc, 0, data)
			if err == nil {
				t.Fatalf("cut PATCH returned a response: %d %s", r.status, r.body)
			}
			t.Logf("client saw: %v", err)

			h := e.tusHead(tok, loc)
			if h.status != 200 || h.header.Get("Upload-Offset") != strconv.Itoa(cut) {
				t.Fatalf("HEAD after cut: %d Upload-Offset=%q, want %d", h.status, h.header.Get("Upload-Offset"), cut)
			}
			if got := e.s.Stats().TusPatchBytes; got != cut {
				t.Errorf("TusPatchBytes = %d, want %d", got, cut)
			}
			r, err = e.tusPatch(tok, loc, cut, data[cut:])
			if err != nil || r.status != 204 {
				t.Fatalf("resume: %v %d %s", err, r.status, r.body)
			}
			plain := e.do("GET", loc, nil, "Authorization", "Bearer "+tok)
			if !bytes.Equal(plain.body, data) {
				t.Errorf("stored bytes differ from the upload after resume")
			}
		})
	}
}

func TestCutAfterLosesReply(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.vodToken()
	img := e.uploadImage(tok)
	e.s.Inject(sandbox.Fault{Host: "api", Path: "/v1.0c/add-content", CutAfter: 1 << 30})
	b := videoBody(e.acct.ChannelID, img)
	if _, err := e.try("POST", e.api+"/v1.0c/add-content", bytes.NewReader(mustJSON(t, b)), "Authorization", e.acct.AccessToken, "Content-Type", "application/json"); err == nil {
		t.Fatal("expected a transport error")
	}
	if got := e.s.Stats().AddContent; got != 1 {
		t.Errorf("the request was handled before the reply was dropped: AddContent = %d, want 1", got)
	}
}

func TestShapes(t *testing.T) {
	e := newEnv(t, nil)
	for _, sh := range []string{"", "data", "body"} {
		e.s.SetShapes(sandbox.Shapes{Refresh: sh})
		e.acct = e.s.Login()
		r := e.do("POST", e.api+"/v1.1/auth/token/refresh", strings.NewReader(`{"refresh_token":"`+e.acct.RefreshToken+`"}`), "Content-Type", "application/json")
		m := r.json(t)
		if sh != "" {
			m, _ = m[sh].(map[string]any)
		}
		if m["access_token"] == nil || m["refresh_token"] == nil || m["expires_in"] == nil {
			t.Errorf("Refresh %q: %s", sh, r.body)
		}
	}
	for _, sh := range []string{"body.token", "data.token", "body.upload_token", "body.vod_token"} {
		e.s.SetShapes(sandbox.Shapes{VODToken: sh})
		r := e.do("GET", e.api+"/v1.0c/get-vod-token", nil, "Authorization", e.acct.AccessToken)
		outer, inner, _ := strings.Cut(sh, ".")
		tok, _ := r.json(t)[outer].(map[string]any)[inner].(string)
		if tok == "" {
			t.Errorf("VODToken %q: %s", sh, r.body)
		}
		// The token works wherever it was found.
		if got := e.postImage(tok, [2]string{"file", string(pngBytes(t))}); got.status != 200 {
			t.Errorf("VODToken %q: image upload %d", sh, got.status)
		}
	}
	e.s.SetShapes(sandbox.Shapes{})
	img := e.uploadImage(e.vodToken())
	for _, sh := range []string{"content_id", "data.content_id", "data.id", "id"} {
		e.s.SetShapes(sandbox.Shapes{ContentID: sh})
		r := e.postJSON("/v1.0c/add-content", videoBody(e.acct.ChannelID, img))
		m := r.json(t)
		key := sh
		if outer, inner, ok := strings.Cut(sh, "."); ok {
			m, _ = m[outer].(map[string]any)
			key = inner
		}
		id, _ := m[key].(string)
		if _, ok := e.s.Content(id); !ok || m["owner_id"] != e.acct.ChannelID || m["title"] == nil {
			t.Errorf("ContentID %q: %s", sh, r.body)
		}
	}
}

func TestConfigRequiresDir(t *testing.T) {
	if _, err := sandbox.New(sandbox.Config{}); err == nil {
		t.Error("New without Dir succeeded")
	}
	if _, err := sandbox.New(sandbox.Config{Dir: t.TempDir(), Shapes: sandbox.Shapes{VODToken: "x.token"}}); err == nil {
		t.Error("New with an unknown shape succeeded")
	}
}
