package httpx_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
)

const idle = 200 * time.Millisecond

// watched is a client whose requests go through Watchdog(idle).
func watched(t *testing.T) *http.Client { return watchedFor(t, idle) }

func watchedFor(t *testing.T, idle time.Duration) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: httpx.Watchdog(tr, idle)}
}

// wantStall checks err is the watchdog's retryable stall, reported in time.
func wantStall(t *testing.T, err error, start time.Time) {
	t.Helper()
	if !errors.Is(err, httpx.ErrStalled) || !httpx.Retryable(err) {
		t.Fatalf("want a retryable stall, got %v", err)
	}
	if !strings.Contains(err.Error(), "stalled") || !strings.Contains(err.Error(), "0.2 s") {
		t.Fatalf("message %q", err)
	}
	if d := time.Since(start); d < idle || d > 10*idle {
		t.Fatalf("stall reported after %s with idle %s", d, idle)
	}
}

func TestWatchdogStalledResponseHeaders(t *testing.T) {
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hold) // before Close, which waits for the handler
	ctx := context.Background()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1.0c/get-vod-token", strings.NewReader(`{}`))
	start := time.Now()
	_, err := watched(t).Do(req)
	err = httpx.Transport(ctx, "get upload token", err)
	wantStall(t, err, start)
	if !strings.HasPrefix(err.Error(), "get upload token: 127.0.0.1:") {
		t.Fatalf("message %q", err)
	}
}

func TestWatchdogStalledUploadBody(t *testing.T) {
	// The server reads the headers and a little of the body, then stops
	// reading: the client's writes fill the socket buffers and block.
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadFull(r.Body, make([]byte, 1000))
		<-hold
	}))
	defer srv.Close()
	defer close(hold) // before Close, which waits for the handler
	body := &countReader{r: bytes.NewReader(make([]byte, 256<<20))}
	req, _ := http.NewRequest(http.MethodPatch, srv.URL, body)
	start := time.Now()
	_, err := watched(t).Do(req)
	wantStall(t, httpx.Transport(context.Background(), "upload chunk", err), start)
	if body.n >= 256<<20 {
		t.Fatal("the whole body was sent")
	}
}

func TestWatchdogStalledResponseBody(t *testing.T) {
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.Write([]byte(`{"half":`))
		http.NewResponseController(w).Flush()
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hold) // before Close, which waits for the handler
	start := time.Now()
	res, err := watched(t).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	_, err = io.ReadAll(res.Body)
	err = httpx.Transport(context.Background(), "get processing status", err)
	wantStall(t, err, start)
	if !strings.HasPrefix(err.Error(), "get processing status: the connection stalled") {
		t.Fatalf("message %q", err)
	}
}

func TestWatchdogLetsASlowTransferThatMovesFinish(t *testing.T) {
	// Both ways take several idle periods in all, but each byte comes well
	// within one: 500 ms to spare for a loaded machine's scheduling delays.
	const idle = 600 * time.Millisecond
	const parts = 12
	step := idle / 6
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, err := io.ReadAll(r.Body)
		if err != nil || len(got) != parts {
			http.Error(w, "short body", http.StatusBadRequest)
			return
		}
		for range parts {
			time.Sleep(step)
			w.Write([]byte("x"))
			http.NewResponseController(w).Flush()
		}
	}))
	defer srv.Close()
	start := time.Now()
	req, _ := http.NewRequest(http.MethodPut, srv.URL, &slowReader{left: parts, step: step})
	res, err := watchedFor(t, idle).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK || string(got) != strings.Repeat("x", parts) {
		t.Fatalf("status %d, body %q: %v", res.StatusCode, got, err)
	}
	if d := time.Since(start); d < 3*idle {
		t.Fatalf("took %s: not slow enough to prove anything", d)
	}
}

func TestWatchdogKeepsTheCallersCancel(t *testing.T) {
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hold) // before Close, which waits for the handler
	ctx, cancel := context.WithTimeout(context.Background(), idle/4)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	_, err := watched(t).Do(req)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, httpx.ErrStalled) {
		t.Fatalf("got %v", err)
	}
}

func TestWithWatchdogCopiesTheClient(t *testing.T) {
	base := &http.Client{Timeout: time.Hour}
	c := httpx.WithWatchdog(base, time.Second)
	if base.Transport != nil || c.Timeout != time.Hour || c.Transport == nil {
		t.Fatalf("base %+v, copy %+v", base, c)
	}
	// Wrapping again replaces the idle time instead of stacking watchdogs.
	if again := httpx.WithWatchdog(c, 2*time.Second); again.Transport == c.Transport {
		t.Fatal("same transport")
	}
}

type countReader struct {
	r io.Reader
	n int
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// slowReader yields one byte per step.
type slowReader struct {
	left int
	step time.Duration
}

func (s *slowReader) Read(p []byte) (int, error) {
	if s.left == 0 {
		return 0, io.EOF
	}
	time.Sleep(s.step)
	s.left--
	p[0] = 'b'
	return 1, nil
}

func TestWatchdogStallBeforeAConnectionWasNotSent(t *testing.T) {
	// A dial that never completes (a SYN nobody answers): nothing was sent,
	// so even add-content may be repeated.
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	c := &http.Client{Transport: httpx.Watchdog(tr, idle)}
	start := time.Now()
	_, err := c.Post("http://192.0.2.1/v1.0c/add-content", "application/json", strings.NewReader("{}"))
	err = httpx.Transport(context.Background(), "add-content", err)
	wantStall(t, err, start)
	if !httpx.NotSent(err) || !httpx.SafeToRepeat(err) {
		t.Fatalf("a stalled dial counts as sent: %v", err)
	}

	// Stalled after the request went out: it may have been handled.
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		<-hold
	}))
	defer srv.Close()
	defer close(hold)
	_, err = watched(t).Post(srv.URL, "application/json", strings.NewReader("{}"))
	err = httpx.Transport(context.Background(), "add-content", err)
	if !errors.Is(err, httpx.ErrStalled) || httpx.NotSent(err) || httpx.SafeToRepeat(err) {
		t.Fatalf("a request stalled after sending counts as not sent: %v", err)
	}
}
