package httpx_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
)

// refusedErr is the error of a request to addr that found nothing
// listening, as a client gets it.
func refusedErr(t *testing.T, addr string) error {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/", nil)
	_, err := httpx.Client().Do(req)
	if err == nil {
		t.Fatalf("%s answered", addr)
	}
	return httpx.Transport(context.Background(), "get", err)
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestWaitOnline: a wait on a connection error ends when the host comes
// back, or at a Reconnect; one on a host reachable all along (or on an
// answer the host gave) is waited out in full.
func TestWaitOnline(t *testing.T) {
	grace, probe := httpx.SetReconnectTimes(httpx.DefaultReconnectGrace, 20*time.Millisecond)
	defer httpx.SetReconnectTimes(grace, probe)
	ctx := context.Background()
	const long = time.Minute

	addr := freeAddr(t)
	err := refusedErr(t, addr)
	if !httpx.Unreachable(err) {
		t.Fatalf("a refused connection is not Unreachable: %v", err)
	}
	// The host comes back once a probe has found it gone.
	failed := make(chan struct{}, 1)
	defer httpx.OnProbe(func(a string, ok bool) {
		if a == addr && !ok {
			select {
			case failed <- struct{}{}:
			default:
			}
		}
	})()
	go func() {
		<-failed
		ln, lerr := net.Listen("tcp", addr)
		if lerr == nil {
			t.Cleanup(func() { ln.Close() })
		}
	}()
	done := make(chan struct{})
	go func() { httpx.WaitOnline(ctx, httpx.Changed(), long, err); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the wait did not end when the host came back")
	}

	// A Reconnect ends any wait on a connection error.
	err = refusedErr(t, freeAddr(t))
	done = make(chan struct{})
	changed := httpx.Changed()
	go func() { httpx.WaitOnline(ctx, changed, long, err); close(done) }()
	httpx.Reconnect()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Reconnect did not end the wait")
	}

	// Reachable all along (it drops the connection: the failure was not
	// reaching it), and a 503 (an answer): both wait the whole delay.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := http.NewResponseController(w).Hijack()
		conn.Close()
	}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
	_, derr := httpx.Client().Do(req)
	dropped := httpx.Transport(ctx, "post", derr)
	if !httpx.Unreachable(dropped) {
		t.Fatalf("a dropped connection is not Unreachable: %v", dropped)
	}
	for name, e := range map[string]error{"dropped": dropped, "503": &httpx.Error{Op: "get", Status: 503}} {
		start := time.Now()
		httpx.WaitOnline(ctx, httpx.Changed(), 200*time.Millisecond, e)
		if d := time.Since(start); d < 200*time.Millisecond {
			t.Errorf("%s: waited %s of 200ms", name, d)
		}
	}

	// WaitBack is for a host every retry failed to reach: one that
	// answers at the first probe has come back, and the wait ends at once.
	done = make(chan struct{})
	go func() { httpx.WaitBack(ctx, httpx.Changed(), long, dropped); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("WaitBack waited for a host that answers")
	}
}
