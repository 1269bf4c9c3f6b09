package sandbox_test

import (
	"strings"
	"testing"
)

// The API host serves the public page of each content entry, as
// www.ganjingworld.com does (the app's links open there in sandbox mode).
func TestPublicPages(t *testing.T) {
	e := newEnv(t, nil)
	id, _ := e.createVideo()
	r := e.do("GET", e.api+"/video/"+id, nil)
	if r.status != 200 || !strings.Contains(string(r.body), "<title>") || !strings.Contains(string(r.body), id) {
		t.Fatalf("the video page: %d %s", r.status, r.body)
	}
	for _, path := range []string{"/video/nosuchid", "/news/" + id} {
		if r := e.do("GET", e.api+path, nil); r.status != 404 {
			t.Errorf("%s: %d, want 404", path, r.status)
		}
	}
}
