package gjw_test

import (
	"context"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

func TestPickPostersFallbackOrder(t *testing.T) {
	const b = "https://image5-us-west.cloudokyo.cloud/x/"
	cases := []struct {
		name       string
		urls       []string
		poster, hd string
		wantErr    bool
	}{
		{"guide example", []string{b + "140.jpg", b + "240.webp", b + "480.jpg", b + "480.webp", b + "672.webp", b + "960.webp", b + "1280.webp", b + "1920.webp", b + "origin.webp"}, b + "672.webp", b + "origin.webp", false},
		{"webp preferred over jpg at the same size", []string{b + "672.jpg", b + "672.webp", b + "origin.jpg", b + "origin.webp"}, b + "672.webp", b + "origin.webp", false},
		{"jpg when no webp", []string{b + "672.jpg", b + "1920.jpg"}, b + "672.jpg", b + "1920.jpg", false},
		{"poster falls back 480 before 580", []string{b + "580.webp", b + "480.jpg", b + "1280.webp"}, b + "480.jpg", b + "1280.webp", false},
		{"poster falls back to 140", []string{b + "140.jpg", b + "960.webp"}, b + "140.jpg", b + "960.webp", false},
		{"hd falls back to 672", []string{b + "672.webp"}, b + "672.webp", b + "672.webp", false},
		{"query strings ignored", []string{b + "672.webp?v=2", b + "origin.webp?v=2"}, b + "672.webp?v=2", b + "origin.webp?v=2", false},
		{"no usable size", []string{b + "100.webp", b + "2000.webp"}, "", "", true},
	}
	for _, c := range cases {
		p, hd, err := gjw.PickPosters(c.urls)
		if (err != nil) != c.wantErr || p != c.poster || hd != c.hd {
			t.Errorf("%s: got %q %q %v", c.name, p, hd, err)
		}
	}
}

func TestSanitizeFilename(t *testing.T) {
	for in, want := range map[string]string{
		"holiday.mp4":      "holiday.mp4",
		"Ünïcode clip.mp4": "_n_code clip.mp4",
		"家族旅行.mov":         "____.mov",
		`a"b\c.mp4`:        "a_b_c.mp4",
		"tab\there.mp4":    "tab_here.mp4",
		"":                 "video",
		"...":              "video",
	} {
		if got := gjw.SanitizeFilename(in); got != want {
			t.Errorf("SanitizeFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

// memCreds is a credential store that records every write.
type memCreds struct {
	mu     sync.Mutex
	cr     persist.Credentials
	writes int
}

func (m *memCreds) Credentials() (persist.Credentials, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cr, m.cr.AccessToken != "", nil
}

func (m *memCreds) PutCredentials(c persist.Credentials) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cr, m.writes = c, m.writes+1
	return nil
}

func TestConcurrent401sRefreshOnce(t *testing.T) {
	sb, err := sandbox.New(sandbox.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	api, img := httptest.NewServer(sb.API()), httptest.NewServer(sb.Image())
	t.Cleanup(func() { api.Close(); img.Close(); sb.Close() })
	acct := sb.DemoAccount()
	creds := &memCreds{cr: persist.Credentials{AccessToken: acct.AccessToken, RefreshToken: acct.RefreshToken, ChannelID: acct.ChannelID}}
	c := gjw.NewClient(gjw.Hosts{API: api.URL, Image: img.URL}, creds, nil)
	c.RetryDelays = []time.Duration{0, time.Millisecond}
	ctx := context.Background()

	poster := filepath.Join(t.TempDir(), "p.png")
	f, _ := os.Create(poster)
	png.Encode(f, image.NewGray(image.Rect(0, 0, 8, 8)))
	f.Close()
	urls, err := c.UploadImage(ctx, poster)
	if err != nil {
		t.Fatal(err)
	}
	sd, hd, err := gjw.PickPosters(urls)
	if err != nil {
		t.Fatal(err)
	}

	sb.ExpireAccessTokens()
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.AddContent(ctx, gjw.Content{
				"type": "Video", "lang": "en-US", "category_id": "cat13", "title": "t", "description": "",
				"visibility": "public", "poster_url": sd, "poster_hd_url": hd, "made_for_kids": false, "user_made_for_kids": false,
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	st := sb.Stats()
	if st.Refreshes != 1 || st.AddContent != 6 || creds.writes != 1 {
		t.Fatalf("want one refresh shared by six requests, got %d refreshes, %d entries, %d credential writes", st.Refreshes, st.AddContent, creds.writes)
	}
	if creds.cr.RefreshToken == acct.RefreshToken {
		t.Fatal("the rotated refresh token was not stored")
	}
}

func TestRefusedAccessTokenIsRefreshedOnce(t *testing.T) {
	// The platform API wants the raw token: the sandbox answers a "Bearer"
	// one with 401, which the client meets with one refresh and one retry.
	sb, err := sandbox.New(sandbox.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(sb.API())
	t.Cleanup(func() { api.Close(); sb.Close() })
	acct := sb.DemoAccount()
	creds := &memCreds{cr: persist.Credentials{AccessToken: "Bearer " + acct.AccessToken, RefreshToken: acct.RefreshToken, ChannelID: acct.ChannelID}}
	c := gjw.NewClient(gjw.Hosts{API: api.URL}, creds, nil)
	// A stored "Bearer x" token is refused, refreshed once, then works.
	if _, err := c.UploadToken(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sb.Stats().Refreshes != 1 {
		t.Fatalf("refreshes %d", sb.Stats().Refreshes)
	}
}

func TestNumericContentID(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"data":{"id":1234567890}}`))
	}))
	t.Cleanup(api.Close)
	c := gjw.NewClient(gjw.Hosts{API: api.URL}, &memCreds{cr: persist.Credentials{AccessToken: "a", RefreshToken: "r", ChannelID: "c"}}, nil)
	id, err := c.AddContent(context.Background(), gjw.Content{"type": "Video"})
	if err != nil || id != "1234567890" {
		t.Fatalf("content id %q, %v", id, err)
	}
}
