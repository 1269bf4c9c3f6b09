package tuslock_test

import (
	"io"

	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tus/tusd/v2/pkg/filestore"
	tushandler "github.com/tus/tusd/v2/pkg/handler"
	"golang.org/x/exp/slog"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox/tuslock"
)

// A HEAD for an upload whose PATCH is still held open (the client gave up
// on it) ends that PATCH with the bytes it had and answers at once, with no
// data race (run with -race).
func TestANewRequestInterruptsAHeldPatch(t *testing.T) {
	store := filestore.New(t.TempDir())
	composer := tushandler.NewStoreComposer()
	composer.UseCore(store)
	tuslock.New().UseIn(composer)
	h, err := tushandler.NewHandler(tushandler.Config{BasePath: "/files/", StoreComposer: composer,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.StripPrefix("/files", tuslock.Track(h)))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/files/", nil)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Length", "1000")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %v %v", res, err)
	}
	url := res.Header.Get("Location")

	// A PATCH that sends 300 bytes, then nothing.
	pr, pw := io.Pipe()
	defer pw.Close()
	patched := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPatch, url, pr)
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Offset", "0")
		req.Header.Set("Content-Type", "application/offset+octet-stream")
		req.ContentLength = 1000
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			patched <- -1
			return
		}
		res.Body.Close()
		patched <- res.StatusCode
	}()
	pw.Write([]byte(strings.Repeat("x", 300)))

	offset := func() int {
		req, _ := http.NewRequest(http.MethodHead, url, nil)
		req.Header.Set("Tus-Resumable", "1.0.0")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		n, _ := strconv.Atoi(res.Header.Get("Upload-Offset"))
		return n
	}
	deadline := time.Now().Add(10 * time.Second)
	for offset() != 300 { // the HEAD takes the lock from the PATCH
		if time.Now().After(deadline) {
			t.Fatal("the held PATCH's 300 bytes never showed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case code := <-patched:
		if code == http.StatusNoContent {
			t.Fatalf("the interrupted PATCH answered %d as if complete", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the held PATCH was not interrupted")
	}
}
