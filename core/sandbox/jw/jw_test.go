package jw

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func start(t *testing.T, cfg Config) *Running {
	t.Helper()
	run, err := Start(cfg, "127.0.0.1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	return run
}

func do(t *testing.T, method, url, bearer string, body io.Reader, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if b, ok := body.(*bytes.Reader); ok {
		req.ContentLength = int64(b.Len())
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

type listing struct {
	Parts []struct {
		ID         int    `json:"id"`
		UploadLink string `json:"upload_link"`
		ETag       string `json:"etag"`
	} `json:"parts"`
}

func TestFlow(t *testing.T) {
	run := start(t, Config{MinPart: 100, Polls: 1})
	api := run.APIURL
	create := `{"upload":{"method":"multipart"},"metadata":{"title":"T"}}`
	mediaURL := api + "/v2/sites/" + DemoSite + "/media/"
	if res, _ := do(t, "POST", mediaURL, "wrong", strings.NewReader(create), "Content-Type", "application/json"); res.StatusCode != 401 {
		t.Fatalf("wrong secret: %d", res.StatusCode)
	}
	if res, _ := do(t, "POST", mediaURL, DemoSecret, strings.NewReader(`{"upload":{"method":"tus"}}`), "Content-Type", "application/json"); res.StatusCode != 400 {
		t.Fatalf("bad method: %d", res.StatusCode)
	}
	if res, _ := do(t, "POST", mediaURL, DemoSecret, strings.NewReader(create)); res.StatusCode != 415 {
		t.Fatalf("no content type: %d", res.StatusCode)
	}
	res, b := do(t, "POST", mediaURL, DemoSecret, strings.NewReader(create), "Content-Type", "application/json")
	var m struct{ ID, Status, UploadID, UploadToken string }
	json.Unmarshal(b, &struct {
		ID          *string `json:"id"`
		Status      *string `json:"status"`
		UploadID    *string `json:"upload_id"`
		UploadToken *string `json:"upload_token"`
	}{&m.ID, &m.Status, &m.UploadID, &m.UploadToken})
	if res.StatusCode != 201 || m.Status != "created" || m.UploadID == "" || m.UploadToken == "" {
		t.Fatalf("create: %d %s", res.StatusCode, b)
	}
	parts := api + "/v2/uploads/" + m.UploadID + "/parts?page=1&page_length=3"
	if res, _ := do(t, "GET", parts, DemoSecret, nil); res.StatusCode != 401 {
		t.Fatalf("parts with the API secret: %d", res.StatusCode)
	}
	if res, _ := do(t, "GET", api+"/v2/uploads/"+m.UploadID+"/parts?page=0&page_length=3", m.UploadToken, nil); res.StatusCode != 400 {
		t.Fatalf("page 0: %d", res.StatusCode)
	}
	_, b = do(t, "GET", parts, m.UploadToken, nil)
	var l listing
	json.Unmarshal(b, &l)
	if len(l.Parts) != 3 || l.Parts[0].ID != 1 {
		t.Fatalf("listing %s", b)
	}
	// A chunked body is refused, as S3 does.
	req, _ := http.NewRequest("PUT", l.Parts[0].UploadLink, io.MultiReader(strings.NewReader("x")))
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 501 {
		t.Fatalf("chunked: %v %v", r, err)
	}
	// A tampered link is refused.
	if res, _ := do(t, "PUT", strings.Replace(l.Parts[0].UploadLink, "partNumber=1", "partNumber=2", 1), "", bytes.NewReader([]byte("x"))); res.StatusCode != 403 {
		t.Fatalf("tampered: %d", res.StatusCode)
	}
	put := func(link string, data []byte) *http.Response {
		res, _ := do(t, "PUT", link, "", bytes.NewReader(data))
		return res
	}
	small := bytes.Repeat([]byte("a"), 50)
	big := bytes.Repeat([]byte("b"), 150)
	if r := put(l.Parts[0].UploadLink, small); r.StatusCode != 200 {
		t.Fatal(r.Status)
	}
	r := put(l.Parts[1].UploadLink, big)
	sum := md5.Sum(big)
	if r.Header.Get("ETag") != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Fatalf("etag %q", r.Header.Get("ETag"))
	}
	complete := api + "/v2/uploads/" + m.UploadID + "/complete"
	if res, b := do(t, "PUT", complete, m.UploadToken, nil); res.StatusCode != 400 || !strings.Contains(string(b), "part 1 is 50 bytes") {
		t.Fatalf("short part: %d %s", res.StatusCode, b)
	}
	put(l.Parts[0].UploadLink, big)
	run.Server.ExpireLinks()
	if r := put(l.Parts[2].UploadLink, small); r.StatusCode != 403 {
		t.Fatalf("expired link: %d", r.StatusCode)
	}
	_, b = do(t, "GET", parts, m.UploadToken, nil)
	json.Unmarshal(b, &l)
	if l.Parts[1].ETag != hex.EncodeToString(sum[:]) || l.Parts[2].ETag != "" {
		t.Fatalf("listing etags %s", b)
	}
	if r := put(l.Parts[2].UploadLink, small); r.StatusCode != 200 {
		t.Fatalf("fresh link: %d", r.StatusCode)
	}
	run.Server.FailProcessing("bad codec")
	if res, b := do(t, "PUT", complete, m.UploadToken, nil); res.StatusCode != 200 {
		t.Fatalf("complete: %d %s", res.StatusCode, b)
	}
	if res, _ := do(t, "PUT", complete, m.UploadToken, nil); res.StatusCode != 409 {
		t.Fatalf("second complete: %d", res.StatusCode)
	}
	get := mediaURL + m.ID + "/"
	_, b = do(t, "GET", get, DemoSecret, nil)
	if !strings.Contains(string(b), `"processing"`) {
		t.Fatalf("first poll %s", b)
	}
	_, b = do(t, "GET", get, DemoSecret, nil)
	if !strings.Contains(string(b), `"failed"`) || !strings.Contains(string(b), "bad codec") {
		t.Fatalf("second poll %s", b)
	}
}

func TestRateLimit(t *testing.T) {
	run := start(t, Config{RateLimit: 3})
	u := run.APIURL + "/v2/sites/" + DemoSite + "/media/nope/"
	for i := 0; i < 3; i++ {
		do(t, "GET", u, DemoSecret, nil)
	}
	res, _ := do(t, "GET", u, DemoSecret, nil)
	if res.StatusCode != 429 || res.Header.Get("Retry-After") == "" || res.Header.Get("jw-request-limit") != "3" {
		t.Fatalf("want 429 with Retry-After, got %d %v", res.StatusCode, res.Header)
	}
}

func TestDefaultMinPart(t *testing.T) {
	if New(Config{}).cfg.MinPart != 5<<20 || New(Config{}).cfg.RateLimit != 60 {
		t.Fatal("the defaults are not the real rules")
	}
}

func TestListingPages(t *testing.T) {
	run := start(t, Config{})
	res, b := do(t, "POST", run.APIURL+"/v2/sites/"+DemoSite+"/media/", DemoSecret,
		strings.NewReader(`{"upload":{"method":"multipart"},"metadata":{"title":"T"}}`), "Content-Type", "application/json")
	var m struct {
		UploadID    string `json:"upload_id"`
		UploadToken string `json:"upload_token"`
	}
	json.Unmarshal(b, &m)
	if res.StatusCode != 201 {
		t.Fatal(res.Status)
	}
	var l listing
	_, b = do(t, "GET", run.APIURL+"/v2/uploads/"+m.UploadID+"/parts?page=2&page_length=1000", m.UploadToken, nil)
	json.Unmarshal(b, &l)
	if len(l.Parts) != 1000 || l.Parts[0].ID != 1001 {
		t.Fatalf("page 2: %d parts from %d", len(l.Parts), l.Parts[0].ID)
	}
	_, b = do(t, "GET", run.APIURL+"/v2/uploads/"+m.UploadID+"/parts?page=11&page_length=1000", m.UploadToken, nil)
	l = listing{}
	json.Unmarshal(b, &l)
	if len(l.Parts) != 0 {
		t.Fatalf("page 11 lists %d parts beyond 10,000", len(l.Parts))
	}
	if res, _ := do(t, "GET", run.APIURL+"/v2/uploads/"+m.UploadID+"/parts?page=1&page_length=1001", m.UploadToken, nil); res.StatusCode != 400 {
		t.Fatalf("page_length 1001: %d", res.StatusCode)
	}
	if res, _ := do(t, "PUT", run.APIURL+"/v2/uploads/"+m.UploadID+"/complete", m.UploadToken, nil); res.StatusCode != 400 {
		t.Fatalf("complete without parts: %d", res.StatusCode)
	}
}

// GET /v2/sites/{site}/media/ lists the site's media; a wrong secret is
// 401, another site with the right secret 404, a bad page_length 400.
func TestListMedia(t *testing.T) {
	run := start(t, Config{})
	list := run.APIURL + "/v2/sites/" + DemoSite + "/media/?page=1&page_length=1"
	if res, _ := do(t, "GET", list, "wrong", nil); res.StatusCode != 401 {
		t.Fatalf("wrong secret: %d", res.StatusCode)
	}
	if res, _ := do(t, "GET", run.APIURL+"/v2/sites/Other/media/?page=1", DemoSecret, nil); res.StatusCode != 404 {
		t.Fatalf("unknown site: %d", res.StatusCode)
	}
	if res, _ := do(t, "GET", run.APIURL+"/v2/sites/"+DemoSite+"/media/?page_length=0", DemoSecret, nil); res.StatusCode != 400 {
		t.Fatalf("page_length 0: %d", res.StatusCode)
	}
	create := `{"upload":{"method":"multipart"},"metadata":{"title":"T"}}`
	for range 2 {
		if res, b := do(t, "POST", run.APIURL+"/v2/sites/"+DemoSite+"/media/", DemoSecret, strings.NewReader(create), "Content-Type", "application/json"); res.StatusCode != 201 {
			t.Fatalf("create: %d %s", res.StatusCode, b)
		}
	}
	res, b := do(t, "GET", list, DemoSecret, nil)
	var page struct {
		Media []struct{ ID string } `json:"media"`
		Total int                   `json:"total"`
	}
	if err := json.Unmarshal(b, &page); res.StatusCode != 200 || err != nil || len(page.Media) != 1 || page.Total != 2 {
		t.Fatalf("list: %d %s", res.StatusCode, b)
	}
}
