package tusupload_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/core/tusupload"
)

const testSize = 5*testChunk + 1234 // five chunks and a partial one

// fixture is one file and an Upload of it to a fresh tusd.
type fixture struct {
	t     *testing.T
	d     *tusd
	data  []byte
	file  *os.File
	store *mapStore
	tr    *http.Transport

	mu      sync.Mutex
	offsets []int64 // OnChunk's arguments
	retries []error // OnRetry's errors
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, d: newTusd(t), store: newMapStore(), tr: &http.Transport{}}
	t.Cleanup(f.tr.CloseIdleConnections)
	var path string
	path, f.data = randomFile(t, t.TempDir(), testSize)
	var err error
	if f.file, err = os.Open(path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.file.Close() })
	return f
}

// upload returns a fresh Upload of the fixture's file, as after a restart:
// only the Store (and the server) remember anything.
func (f *fixture) upload() *tusupload.Upload {
	u := newUpload(f.d, f.file, testSize, f.store)
	u.HTTP = &http.Client{Transport: f.tr}
	u.OnChunk = func(off int64) error {
		f.mu.Lock()
		f.offsets = append(f.offsets, off)
		f.mu.Unlock()
		return nil
	}
	u.OnRetry = func(_ time.Duration, err error) {
		f.mu.Lock()
		f.retries = append(f.retries, err)
		f.mu.Unlock()
	}
	return u
}

// run runs u and checks that the server has exactly the file.
func (f *fixture) run(u *tusupload.Upload) string {
	f.t.Helper()
	url, err := u.Run(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	f.complete(url)
	return url
}

func (f *fixture) complete(url string) {
	f.t.Helper()
	if got := f.d.stored(f.t, url); !bytes.Equal(got, f.data) {
		f.t.Fatalf("server has %d bytes, not the %d-byte file", len(got), len(f.data))
	}
	if u, ok := f.store.Get("job-1"); !ok || u != url {
		f.t.Fatalf("store has %q (%v), want %q", u, ok, url)
	}
}

// statusOnce answers the first n requests matching method with status
// instead of passing them to tusd.
func statusOnce(method string, status, n int) func(http.ResponseWriter, *http.Request, http.Handler) {
	var left atomic.Int64
	left.Store(int64(n))
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method == method && left.Add(-1) >= 0 {
			http.Error(w, "injected", status)
			return
		}
		next.ServeHTTP(w, r)
	}
}

func TestUploadSendsEveryChunk(t *testing.T) {
	f := newFixture(t)
	u := f.upload()
	u.Metadata["content_id"] = "c1"
	f.run(u)

	// The starting offset, then every acknowledged chunk.
	want := []int64{0, testChunk, 2 * testChunk, 3 * testChunk, 4 * testChunk, 5 * testChunk, testSize}
	if !slices.Equal(f.offsets, want) {
		t.Fatalf("OnChunk offsets %v, want %v", f.offsets, want)
	}
	if f.d.creates.Load() != 1 || f.d.patches.Load() != 6 || f.d.patchBytes.Load() != testSize {
		t.Fatalf("creates %d, patches %d, bytes %d", f.d.creates.Load(), f.d.patches.Load(), f.d.patchBytes.Load())
	}
	url, _ := f.store.Get(u.Fingerprint)
	info, _ := os.ReadFile(filepath.Join(f.d.dir, filepath.Base(url)+".info"))
	if !strings.Contains(string(info), `"content_id":"c1"`) || !strings.Contains(string(info), `"filename":"video.mp4"`) {
		t.Fatalf("metadata not sent: %s", info)
	}
}

func TestOnChunkErrorStops(t *testing.T) {
	f := newFixture(t)
	u := f.upload()
	stop := errors.New("disk full")
	u.OnChunk = func(off int64) error {
		if off >= 2*testChunk {
			return stop
		}
		return nil
	}
	if _, err := u.Run(context.Background()); !errors.Is(err, stop) {
		t.Fatalf("want the OnChunk error, got %v", err)
	}
	if n := f.d.patches.Load(); n != 2 {
		t.Fatalf("%d PATCHes after OnChunk failed at the second", n)
	}
}

func TestResumeFromStoreAsksTheServer(t *testing.T) {
	f := newFixture(t)
	u := f.upload()
	u.OnChunk = func(off int64) error {
		if off >= 3*testChunk {
			return errors.New("crash")
		}
		return nil
	}
	u.Run(context.Background())
	url, _ := f.store.Get("job-1")
	before := f.d.patchBytes.Load()

	// A restart: a new Upload with the same Store goes on from the server's
	// offset, which HEAD reports.
	f.offsets = nil
	if got := f.run(f.upload()); got != url {
		t.Fatalf("resumed at %s, not the stored %s", got, url)
	}
	if f.d.creates.Load() != 1 || f.d.patchBytes.Load() != testSize || before != 3*testChunk {
		t.Fatalf("creates %d, bytes before %d, total %d", f.d.creates.Load(), before, f.d.patchBytes.Load())
	}
	// OnChunk hears the HEAD's offset first (the speed is measured from
	// there), then the first chunk after the resume.
	if len(f.offsets) < 2 || f.offsets[0] != 3*testChunk || f.offsets[1] != 4*testChunk {
		t.Fatalf("after resume OnChunk heard %v, want the server's %d, then %d", f.offsets, 3*testChunk, 4*testChunk)
	}

	// Run again on a finished upload: nothing more is sent.
	f.run(f.upload())
	if f.d.patchBytes.Load() != testSize || f.d.creates.Load() != 1 {
		t.Fatal("a finished upload was sent again")
	}
}

func TestExpiredUploadStartsOver(t *testing.T) {
	f := newFixture(t)
	u := f.upload()
	u.OnChunk = func(off int64) error { return errors.New("crash") }
	u.Run(context.Background())
	old, _ := f.store.Get("job-1")
	f.d.remove(old) // the server forgot it: HEAD answers 404

	url := f.run(f.upload())
	if url == old || f.d.creates.Load() != 2 {
		t.Fatalf("want a new upload, got %s (creates %d)", url, f.d.creates.Load())
	}
}

func TestServerErrors(t *testing.T) {
	cases := []struct {
		name    string
		wrap    func(http.ResponseWriter, *http.Request, http.Handler)
		retries int
	}{
		{"409 on a chunk re-syncs with HEAD", statusOnce(http.MethodPatch, http.StatusConflict, 1), 0},
		{"423 on chunks waits and retries", statusOnce(http.MethodPatch, http.StatusLocked, 3), 3},
		{"500 on a chunk", statusOnce(http.MethodPatch, http.StatusInternalServerError, 1), 1},
		{"503 on chunks", statusOnce(http.MethodPatch, http.StatusServiceUnavailable, 2), 2},
		{"502 on create", statusOnce(http.MethodPost, http.StatusBadGateway, 2), 2},
		{"503 on HEAD after a 409", func() func(http.ResponseWriter, *http.Request, http.Handler) {
			conflict, unavailable := statusOnce(http.MethodPatch, http.StatusConflict, 1), statusOnce(http.MethodHead, http.StatusServiceUnavailable, 1)
			return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				conflict(w, r, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { unavailable(w, r, next) }))
			}
		}(), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.d.setWrap(c.wrap)
			f.run(f.upload())
			if len(f.retries) != c.retries {
				t.Fatalf("OnRetry heard %d retries, want %d: %v", len(f.retries), c.retries, f.retries)
			}
			if f.d.creates.Load() != 1 {
				t.Fatalf("%d uploads created", f.d.creates.Load())
			}
		})
	}
}

func TestGivesUpAfterTheLastDelay(t *testing.T) {
	f := newFixture(t)
	f.d.setWrap(statusOnce(http.MethodPatch, http.StatusServiceUnavailable, 1000))
	_, err := f.upload().Run(context.Background())
	if !httpx.Retryable(err) || !strings.Contains(err.Error(), "gave up after 6 attempts") || !strings.Contains(err.Error(), "503") {
		t.Fatalf("got %v", err)
	}
	if n := f.d.patches.Load(); n != 0 {
		t.Fatalf("%d PATCHes reached tusd", n)
	}
}

func TestPermanentErrorFailsAtOnce(t *testing.T) {
	f := newFixture(t)
	f.d.setWrap(statusOnce(http.MethodPatch, http.StatusBadRequest, 1000))
	_, err := f.upload().Run(context.Background())
	var he *httpx.Error
	if !errors.As(err, &he) || he.Status != http.StatusBadRequest || len(f.retries) != 0 {
		t.Fatalf("got %v after %d retries", err, len(f.retries))
	}
}

// cutAfter lets tusd read n bytes of the first PATCH's body, then drops
// the connection (reset): tusd keeps what it read.
func cutAfter(n int64) func(http.ResponseWriter, *http.Request, http.Handler) {
	var once sync.Once
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		cut := false
		if r.Method == http.MethodPatch {
			once.Do(func() { cut = true })
		}
		if !cut {
			next.ServeHTTP(w, r)
			return
		}
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		r.Body = io.NopCloser(io.LimitReader(r.Body, n))
		r.ContentLength = n
		next.ServeHTTP(discard{}, r) // tusd stores n bytes
		conn.(*net.TCPConn).SetLinger(0)
		conn.Close()
	}
}

type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) WriteHeader(int)             {}

func TestDroppedConnectionResumesFromServerOffset(t *testing.T) {
	f := newFixture(t)
	f.d.setWrap(cutAfter(testChunk / 3))
	f.run(f.upload())
	if len(f.retries) != 1 {
		t.Fatalf("want one retry, got %v", f.retries)
	}
	// Nothing was sent twice: the client asked for the server's offset.
	if got := f.d.patchBytes.Load(); got != testSize {
		t.Fatalf("tusd read %d bytes of a %d-byte file", got, testSize)
	}
}

// slowBody makes tusd read PATCH bodies at about 8 KiB per millisecond.
func slowBody(w http.ResponseWriter, r *http.Request, next http.Handler) {
	if r.Method == http.MethodPatch {
		r.Body = &slowReader{r.Body}
	}
	next.ServeHTTP(w, r)
}

type slowReader struct{ io.ReadCloser }

func (s *slowReader) Read(p []byte) (int, error) {
	time.Sleep(time.Millisecond)
	return s.ReadCloser.Read(p[:min(len(p), 8<<10)])
}

func TestCancelStopsWithinOneChunk(t *testing.T) {
	f := newFixture(t)
	f.d.setWrap(slowBody)
	ctx, cancel := context.WithCancel(context.Background())
	var atCancel int64
	go func() {
		for f.d.patchBytes.Load() < testChunk+testChunk/2 {
			time.Sleep(100 * time.Microsecond)
		}
		atCancel = f.d.patchBytes.Load()
		cancel()
	}()
	url, err := f.upload().Run(ctx)
	if !errors.Is(err, context.Canceled) || url == "" {
		t.Fatalf("want context.Canceled and the URL, got %q, %v", url, err)
	}
	if len(f.offsets) != 2 { // the start (0) and the first chunk
		t.Fatalf("acknowledged chunks %v; the cancel came during the second", f.offsets)
	}
	// The server keeps the partial chunk (tusd may still be finishing it).
	var kept int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		if kept = len(f.d.stored(t, url)); kept == int(f.d.patchBytes.Load()) || time.Now().After(deadline) {
			break
		}
	}
	t.Logf("kept %d, at cancel %d", kept, atCancel)
	if kept <= testChunk || kept >= 2*testChunk || int64(kept)-atCancel > testChunk/2 {
		t.Fatalf("server kept %d bytes; %d at the cancel", kept, atCancel)
	}
	// Resuming sends only the rest.
	f.d.setWrap(nil)
	f.run(f.upload())
	if got := f.d.patchBytes.Load(); got != testSize {
		t.Fatalf("tusd read %d bytes in all", got)
	}
}

func TestUnauthorizedFetchesANewTokenOnce(t *testing.T) {
	// The server accepts only "fresh"; the first token is stale.
	onlyFresh := func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Header.Get("Authorization") != "Bearer fresh" {
			http.Error(w, "bad token", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	}
	t.Run("recovers", func(t *testing.T) {
		f := newFixture(t)
		f.d.setWrap(onlyFresh)
		u := f.upload()
		var calls []string
		u.Token = func(_ context.Context, stale string) (string, error) {
			calls = append(calls, stale)
			if stale == "" {
				return "stale", nil
			}
			return "fresh", nil
		}
		f.run(u)
		if !slices.Equal(calls, []string{"", "stale"}) {
			t.Fatalf("Token calls (stale argument): %q", calls)
		}
	})
	t.Run("mid-upload", func(t *testing.T) {
		f := newFixture(t)
		var expired atomic.Bool
		f.d.setWrap(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			if expired.Load() {
				onlyFresh(w, r, next)
				return
			}
			next.ServeHTTP(w, r)
		})
		u := f.upload()
		onChunk := u.OnChunk
		u.OnChunk = func(off int64) error {
			expired.Store(off >= 2*testChunk) // the token expires after two chunks
			return onChunk(off)
		}
		var calls []string
		u.Token = func(_ context.Context, stale string) (string, error) {
			calls = append(calls, stale)
			if stale == "" {
				return "first", nil
			}
			return "fresh", nil
		}
		f.run(u)
		if !slices.Equal(calls, []string{"", "first"}) || f.d.patchBytes.Load() != testSize {
			t.Fatalf("Token calls %q, bytes %d", calls, f.d.patchBytes.Load())
		}
	})
	t.Run("refused again", func(t *testing.T) {
		f := newFixture(t)
		f.d.setWrap(onlyFresh)
		u := f.upload()
		var calls []string
		u.Token = func(_ context.Context, stale string) (string, error) {
			calls = append(calls, stale)
			return "never-good", nil
		}
		_, err := u.Run(context.Background())
		if !errors.Is(err, httpx.ErrUnauthorized) {
			t.Fatalf("want ErrUnauthorized, got %v", err)
		}
		if len(calls) != 2 {
			t.Fatalf("Token called %d times (%q); want the first token and one new one", len(calls), calls)
		}
	})
	t.Run("token error", func(t *testing.T) {
		f := newFixture(t)
		u := f.upload()
		signedOut := errors.New("signed out")
		u.Token = func(context.Context, string) (string, error) { return "", signedOut }
		if _, err := u.Run(context.Background()); !errors.Is(err, signedOut) {
			t.Fatalf("got %v", err)
		}
	})
}

// TestNoGoroutineLeft checks that Run leaves no goroutine behind (go-tus's
// Uploader leaves one per upload), after success, failures and a cancel.
// tusd's own goroutines (it keeps a request's context alive for a while
// after the request) are not counted.
func TestNoGoroutineLeft(t *testing.T) {
	before := clientGoroutines()
	for _, wrap := range []func(http.ResponseWriter, *http.Request, http.Handler){
		nil, statusOnce(http.MethodPatch, http.StatusServiceUnavailable, 2), cutAfter(1000), slowBody,
		statusOnce(http.MethodPatch, http.StatusBadRequest, 1),
	} {
		f := newFixture(t)
		f.d.setWrap(wrap)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond) // cancels slowBody's
		f.upload().Run(ctx)
		cancel()
		f.tr.CloseIdleConnections() // the caller's transport keeps idle connections
	}
	var after []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if after = clientGoroutines(); len(after) <= len(before) {
			return
		}
	}
	t.Fatalf("%d client goroutines before, %d after:\n%s", len(before), len(after), strings.Join(after, "\n\n"))
}

// clientGoroutines returns the stacks of goroutines running tusupload,
// go-tus or an HTTP client connection.
func clientGoroutines() []string {
	buf := make([]byte, 4<<20)
	var out []string
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "core/tusupload.") || strings.Contains(g, "eventials/go-tus") || strings.Contains(g, "net/http.(*persistConn)") {
			out = append(out, g)
		}
	}
	return out
}

func TestEndlessConflictsGiveUp(t *testing.T) {
	f := newFixture(t)
	f.d.setWrap(statusOnce(http.MethodPatch, http.StatusConflict, 1000))
	done := make(chan error, 1)
	go func() { _, err := f.upload().Run(context.Background()); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "gave up after 6 attempts") {
			t.Fatalf("got %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a server that always answers 409 keeps the upload looping")
	}
}

// stuckOffset acknowledges every PATCH without storing anything, as a
// broken proxy might: the offset never moves.
func stuckOffset(w http.ResponseWriter, r *http.Request, next http.Handler) {
	if r.Method != http.MethodPatch {
		next.ServeHTTP(w, r)
		return
	}
	io.Copy(io.Discard, r.Body)
	w.Header().Set("Upload-Offset", r.Header.Get("Upload-Offset"))
	w.WriteHeader(http.StatusNoContent)
}

func TestAcknowledgedWithoutProgressGivesUp(t *testing.T) {
	f := newFixture(t)
	f.d.setWrap(stuckOffset)
	done := make(chan error, 1)
	go func() { _, err := f.upload().Run(context.Background()); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "its offset stays at 0") {
			t.Fatalf("got %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a server whose offset never moves keeps the upload looping")
	}
}

func TestMissingUploadOffsetIsOneClearLine(t *testing.T) {
	f := newFixture(t)
	f.d.setWrap(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method != http.MethodPatch {
			next.ServeHTTP(w, r)
			return
		}
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent) // no Upload-Offset
	})
	_, err := f.upload().Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no valid Upload-Offset") || strings.Contains(err.Error(), "strconv") {
		t.Fatalf("got %v", err)
	}
}

func TestStalledChunkResyncsOnTheSameUpload(t *testing.T) {
	f := newFixture(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // runs before tusd's server closes
	var held atomic.Bool
	var afterStall []string // requests after the stall
	var mu sync.Mutex
	f.d.setWrap(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method == http.MethodPatch && held.CompareAndSwap(false, true) {
			<-release // a half-open connection: no byte read, no answer
			return
		}
		if held.Load() {
			mu.Lock()
			afterStall = append(afterStall, r.Method)
			mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
	u := f.upload()
	u.HTTP = &http.Client{Transport: httpx.Watchdog(f.tr, time.Second)} // only the held request stalls, even on a loaded machine
	url := f.run(u)
	if f.d.creates.Load() != 1 || len(f.retries) != 1 || !errors.Is(f.retries[0], httpx.ErrStalled) {
		t.Fatalf("creates %d, retries %v", f.d.creates.Load(), f.retries)
	}
	if len(afterStall) < 2 || afterStall[0] != http.MethodHead || afterStall[1] != http.MethodPatch {
		t.Fatalf("after the stall: %v", afterStall)
	}
	if got, _ := f.store.Get("job-1"); got != url {
		t.Fatalf("store has %q, finished %q", got, url)
	}
}
