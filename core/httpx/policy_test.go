package httpx_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
)

var fast = []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond}

// server answers each request with the next of statuses (then 200), with
// header set on every answer, and counts requests.
func server(t *testing.T, header http.Header, statuses ...int) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		for k, v := range header {
			w.Header()[k] = v
		}
		if i < len(statuses) {
			http.Error(w, "busy", statuses[i])
			return
		}
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// call is one request to url turned into an error the way the clients do.
func call(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader("{}"))
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return httpx.Transport(ctx, "add-content", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return httpx.ResponseError("add-content", res, "")
	}
	return nil
}

type heard struct {
	ops   []string
	waits []time.Duration
}

func (h *heard) policy(delays []time.Duration) httpx.Policy {
	return httpx.Policy{Delays: delays, OnRetry: func(op string, wait time.Duration, err error) {
		h.ops, h.waits = append(h.ops, op), append(h.waits, wait)
	}}
}

func TestPolicyWaitsTheDelaysInOrder(t *testing.T) {
	srv, n := server(t, nil, 503, 502, 500)
	var h heard
	if err := h.policy(fast).Do(context.Background(), "update-content", true, func() error { return call(context.Background(), srv.URL) }); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 4 || len(h.waits) != 3 || h.waits[0] != fast[1] || h.waits[1] != fast[2] || h.waits[2] != fast[3] {
		t.Fatalf("%d requests, waits %v", n.Load(), h.waits)
	}
	if h.ops[0] != "update-content" {
		t.Fatalf("op %q", h.ops[0])
	}
}

func TestPolicyGivesUpAfterTheLastDelay(t *testing.T) {
	srv, n := server(t, nil, 503, 503, 503, 503, 503)
	err := httpx.Policy{Delays: fast}.Do(context.Background(), "op", true, func() error { return call(context.Background(), srv.URL) })
	if n.Load() != 4 || !httpx.Retryable(err) || !strings.Contains(err.Error(), "gave up after 4 attempts") || !strings.Contains(err.Error(), "503") {
		t.Fatalf("%d requests: %v", n.Load(), err)
	}
	// One delay is one attempt, and the error is the request's own.
	err = httpx.Policy{Delays: []time.Duration{0}}.Do(context.Background(), "op", true, func() error { return call(context.Background(), srv.URL) })
	if n.Load() != 5 || strings.Contains(err.Error(), "gave up") {
		t.Fatalf("%d requests: %v", n.Load(), err)
	}
}

func TestPolicyPermanentErrorIsNotRetried(t *testing.T) {
	srv, n := server(t, nil, 400)
	var h heard
	err := h.policy(fast).Do(context.Background(), "op", true, func() error { return call(context.Background(), srv.URL) })
	var e *httpx.Error
	if !errors.As(err, &e) || e.Status != 400 || n.Load() != 1 || len(h.waits) != 0 {
		t.Fatalf("%d requests, %d retries: %v", n.Load(), len(h.waits), err)
	}
}

func TestPolicyNonIdempotent(t *testing.T) {
	for _, c := range []struct {
		status   int
		repeated bool
	}{{500, false}, {502, false}, {504, false}, {423, true}, {429, true}, {503, true}} {
		srv, n := server(t, nil, c.status)
		err := httpx.Policy{Delays: fast}.Do(context.Background(), "add-content", false, func() error { return call(context.Background(), srv.URL) })
		if c.repeated && (err != nil || n.Load() != 2) {
			t.Errorf("%d: want one repeat, got %d requests: %v", c.status, n.Load(), err)
		}
		if !c.repeated && (err == nil || n.Load() != 1 || !strings.Contains(err.Error(), "not repeated")) {
			t.Errorf("%d: want no repeat, got %d requests: %v", c.status, n.Load(), err)
		}
	}

	// A connection that could not be made is repeated: nothing was sent.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	tries := 0
	err = httpx.Policy{Delays: fast}.Do(context.Background(), "add-content", false, func() error { tries++; return call(context.Background(), dead) })
	if tries != len(fast) || !httpx.NotSent(err) {
		t.Fatalf("%d tries: %v", tries, err)
	}

	// A dropped connection after the request was sent is not repeated.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := http.NewResponseController(w).Hijack()
		conn.Close()
	}))
	defer srv.Close()
	tries = 0
	err = httpx.Policy{Delays: fast}.Do(context.Background(), "add-content", false, func() error { tries++; return call(context.Background(), srv.URL) })
	if tries != 1 || err == nil || !strings.Contains(err.Error(), "not repeated") {
		t.Fatalf("%d tries: %v", tries, err)
	}
}

func TestPolicyHonoursRetryAfter(t *testing.T) {
	srv, n := server(t, http.Header{"Retry-After": {"1"}}, 429)
	var h heard
	start := time.Now()
	if err := h.policy(fast).Do(context.Background(), "op", false, func() error { return call(context.Background(), srv.URL) }); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 || len(h.waits) != 1 || h.waits[0] != time.Second || time.Since(start) < time.Second {
		t.Fatalf("%d requests, waits %v after %s", n.Load(), h.waits, time.Since(start))
	}

	// An HTTP date works too; a 500's Retry-After is not a reason to wait.
	date := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	srv, _ = server(t, http.Header{"Retry-After": {date}}, 429, 500)
	h = heard{}
	ctx, cancel := context.WithCancel(context.Background())
	p := h.policy(fast)
	p.OnRetry = func(op string, wait time.Duration, err error) {
		h.waits = append(h.waits, wait)
		if len(h.waits) == 1 {
			cancel() // no need to sit through it
		}
	}
	err := p.Do(ctx, "op", true, func() error { return call(context.Background(), srv.URL) })
	if !errors.Is(err, context.Canceled) || len(h.waits) != 1 || h.waits[0] < time.Second || h.waits[0] > 3*time.Second {
		t.Fatalf("waits %v: %v", h.waits, err)
	}
	srv, _ = server(t, http.Header{"Retry-After": {"120"}}, 500)
	h = heard{}
	if err := h.policy(fast).Do(context.Background(), "op", true, func() error { return call(context.Background(), srv.URL) }); err != nil || h.waits[0] != fast[1] {
		t.Fatalf("waits %v: %v", h.waits, err)
	}
}

func TestPolicyAgainRepeatsAtOnceAndCounts(t *testing.T) {
	var h heard
	tries := 0
	err := h.policy(fast).Do(context.Background(), "upload chunk", true, func() error {
		tries++
		return httpx.Again(errors.New("offset refused"))
	})
	if tries != len(fast) || len(h.waits) != 0 || err == nil || err.Error() != "gave up after 4 attempts: offset refused" {
		t.Fatalf("%d tries, %d waits: %v", tries, len(h.waits), err)
	}
}

func TestPolicyStopsOnCancel(t *testing.T) {
	srv, n := server(t, nil, 503, 503)
	ctx, cancel := context.WithCancelCause(context.Background())
	paused := errors.New("paused")
	p := httpx.Policy{Delays: []time.Duration{0, time.Hour}, OnRetry: func(string, time.Duration, error) { cancel(paused) }}
	if err := p.Do(ctx, "op", true, func() error { return call(ctx, srv.URL) }); !errors.Is(err, paused) || n.Load() != 1 {
		t.Fatalf("%d requests: %v", n.Load(), err)
	}
}

func TestWithOnRetryReachesEveryListener(t *testing.T) {
	srv, _ := server(t, nil, 503)
	var client, outer, inner int
	ctx := httpx.WithOnRetry(context.Background(), func(string, time.Duration, error) { outer++ })
	ctx = httpx.WithOnRetry(ctx, func(string, time.Duration, error) { inner++ })
	p := httpx.Policy{Delays: fast, OnRetry: func(string, time.Duration, error) { client++ }}
	if err := p.Do(ctx, "op", true, func() error { return call(ctx, srv.URL) }); err != nil {
		t.Fatal(err)
	}
	if client != 1 || outer != 1 || inner != 1 {
		t.Fatalf("heard %d, %d, %d", client, outer, inner)
	}
}

func TestAuthorizedRefreshesOnce(t *testing.T) {
	var stales []string
	token := func(_ context.Context, stale string) (string, error) {
		stales = append(stales, stale)
		if stale == "" {
			return "old", nil
		}
		return "new", nil
	}
	unauthorized := &httpx.Error{Op: "op", Status: http.StatusUnauthorized}
	var sent []string
	err := httpx.Authorized(context.Background(), token, func(c string) error {
		sent = append(sent, c)
		if c == "old" {
			return unauthorized
		}
		return nil
	})
	if err != nil || strings.Join(stales, ",") != ",old" || strings.Join(sent, ",") != "old,new" {
		t.Fatalf("stales %q, sent %q: %v", stales, sent, err)
	}
	// A second 401 is final.
	stales, sent = nil, nil
	err = httpx.Authorized(context.Background(), token, func(c string) error { sent = append(sent, c); return unauthorized })
	if !errors.Is(err, httpx.ErrUnauthorized) || len(sent) != 2 || len(stales) != 2 {
		t.Fatalf("stales %q, sent %q: %v", stales, sent, err)
	}
}
