package tusupload_test

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tus "github.com/eventials/go-tus"
	"github.com/tus/tusd/v2/pkg/filestore"
	tushandler "github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"
	"golang.org/x/exp/slog"

	"github.com/gjw-uploader/gjw-uploader/core/tusupload"
)

const (
	basePath  = "/files/"
	testChunk = 64 << 10
)

// tusd is a real tusd (pkg/handler with a filestore) behind httptest.
type tusd struct {
	srv      *httptest.Server
	dir      string
	endpoint string // the creation URL

	// wrap, if set, sees every request before tusd does (fault injection).
	wrap atomic.Pointer[func(w http.ResponseWriter, r *http.Request, next http.Handler)]

	patchBytes atomic.Int64 // PATCH body bytes tusd read
	patches    atomic.Int64 // PATCH requests that reached tusd
	creates    atomic.Int64

	mu        sync.Mutex
	lastPatch time.Time     // when the last PATCH's handler returned
	idle      time.Duration // time between one PATCH's end and the next's start
}

// idleBetweenPatches returns, and resets, the time the server spent waiting
// between the end of one PATCH and the start of the next.
func (d *tusd) idleBetweenPatches() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	idle := d.idle
	d.idle, d.lastPatch = 0, time.Time{}
	return idle
}

func newTusd(tb testing.TB) *tusd {
	tb.Helper()
	d := &tusd{dir: tb.TempDir()}
	if dir := os.Getenv("GJW_BENCH_DIR"); dir != "" {
		if _, ok := tb.(*testing.B); ok {
			d.dir = mkdirTemp(tb, dir)
		}
	}
	h, err := tusdHandler(d.dir)
	if err != nil {
		tb.Fatal(err)
	}
	inner := h
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPatch:
			d.patches.Add(1)
			r.Body = &countBody{ReadCloser: r.Body, n: &d.patchBytes}
			d.mu.Lock()
			if !d.lastPatch.IsZero() {
				d.idle += time.Since(d.lastPatch)
			}
			d.mu.Unlock()
			defer func() {
				d.mu.Lock()
				d.lastPatch = time.Now()
				d.mu.Unlock()
			}()
		case http.MethodPost:
			d.creates.Add(1)
		}
		inner.ServeHTTP(w, r)
	})
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f := d.wrap.Load(); f != nil {
			(*f)(w, r, counted)
			return
		}
		counted.ServeHTTP(w, r)
	}))
	tb.Cleanup(d.srv.Close)
	d.endpoint = d.srv.URL + basePath
	return d
}

// tusdHandler is tusd's handler on a filestore in dir, mounted at basePath.
func tusdHandler(dir string) (http.Handler, error) {
	composer := tushandler.NewStoreComposer()
	filestore.New(dir).UseIn(composer)
	memorylocker.New().UseIn(composer)
	h, err := tushandler.NewHandler(tushandler.Config{
		BasePath:      basePath,
		StoreComposer: composer,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return nil, err
	}
	return http.StripPrefix("/files", h), nil
}

// setWrap installs a middleware in front of tusd; nil removes it.
func (d *tusd) setWrap(f func(w http.ResponseWriter, r *http.Request, next http.Handler)) {
	if f == nil {
		d.wrap.Store(nil)
		return
	}
	d.wrap.Store(&f)
}

// stored returns the bytes tusd has for the upload at url.
func (d *tusd) stored(tb testing.TB, url string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(d.dir, filepath.Base(url)))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// remove deletes an upload's files (as a server expiring it would).
func (d *tusd) remove(url string) {
	id := filepath.Base(url)
	os.Remove(filepath.Join(d.dir, id))
	os.Remove(filepath.Join(d.dir, id+".info"))
}

type countBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c *countBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// mapStore is a go-tus Store in memory.
type mapStore struct {
	mu sync.Mutex
	m  map[string]string
}

func newMapStore() *mapStore { return &mapStore{m: map[string]string{}} }

func (s *mapStore) Get(fp string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.m[fp]
	return u, ok
}
func (s *mapStore) Set(fp, url string) { s.mu.Lock(); s.m[fp] = url; s.mu.Unlock() }
func (s *mapStore) Delete(fp string)   { s.mu.Lock(); delete(s.m, fp); s.mu.Unlock() }
func (s *mapStore) Close()             {}

var _ tus.Store = (*mapStore)(nil)

var fastDelays = []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond}

// randomFile writes n random bytes to a new file in dir.
func randomFile(tb testing.TB, dir string, n int64) (string, []byte) {
	tb.Helper()
	b := make([]byte, n)
	rand.Read(b)
	path := filepath.Join(dir, "video.mp4")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path, b
}

// newUpload returns an Upload of f to d with a fixed token.
func newUpload(d *tusd, f *os.File, size int64, store tus.Store) *tusupload.Upload {
	return &tusupload.Upload{
		Endpoint:    d.endpoint,
		File:        f,
		Size:        size,
		Metadata:    tus.Metadata{"filename": "video.mp4"},
		Fingerprint: "job-1",
		Store:       store,
		ChunkSize:   testChunk,
		HTTP:        &http.Client{},
		Delays:      fastDelays,
		Token:       func(context.Context, string) (string, error) { return "tok", nil },
	}
}

func mkdirTemp(tb testing.TB, parent string) string {
	dir, err := os.MkdirTemp(parent, "tusd-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
