package gjw_test

import (
	"testing"

	"github.com/gjw-uploader/gjw-uploader/core/gjw"
)

// In sandbox mode (the API on this computer) the public pages are the
// sandbox's; elsewhere the real site's.
func TestSiteAndOnSite(t *testing.T) {
	link := gjw.VideoURL("abc")
	for _, c := range []struct {
		api, want string
	}{
		{gjw.DefaultHosts.API, "https://www.ganjingworld.com/video/abc"},
		{"http://127.0.0.1:8481", "http://127.0.0.1:8481/video/abc"},
		{"http://localhost:8481/", "http://localhost:8481/video/abc"},
		{"http://[::1]:9000", "http://[::1]:9000/video/abc"},
		{"https://gw.example.org", "https://www.ganjingworld.com/video/abc"},
	} {
		if got := (gjw.Hosts{API: c.api}).OnSite(link); got != c.want {
			t.Errorf("API %s: %s, want %s", c.api, got, c.want)
		}
	}
	if other := "https://gcore.example/videos/1"; (gjw.Hosts{API: "http://127.0.0.1:1"}).OnSite(other) != other {
		t.Error("a link to another site was moved")
	}
}
