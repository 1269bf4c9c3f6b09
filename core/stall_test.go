package core_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// stallTimeout is short so the test is quick; the sandbox holds requests
// far longer, so only the watchdog can end them.
const stallTimeout = time.Second

// TestStalledRequestsAreRetried holds one API call (get-vod-token) and one
// PATCH without answering, as a half-open connection would: the watchdog
// cancels each after the stall timeout, the policy retries, and the upload
// goes on from the server's offset on the same TUS upload.
func TestStalledRequestsAreRetried(t *testing.T) {
	var cfg sandbox.Config
	if testing.Verbose() { // shows each hold, cut, HEAD and PATCH
		cfg.Logf = t.Logf
	}
	e := newEnv(t, cfg)
	release := make(chan struct{})
	defer close(release)
	e.sb.Inject(sandbox.Fault{Host: "api", Method: "GET", Path: "/v1.0c/get-vod-token", Hold: -1, Release: release})
	e.sb.Inject(sandbox.Fault{Host: "vod", Method: "PATCH", Path: "/api/v1/tus/upload/", Hold: -1, Release: release})
	e.engine = e.newEngine(core.Options{StallTimeout: stallTimeout})
	j := e.add(persist.VideoMeta{})

	// A hang is the bug: the context only keeps a failing test from
	// sitting until the test binary's own timeout.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.engine.Run(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	e.published(e.job(j.ID)) // one content entry, one TUS create, every byte once or so

	// Both stalls reached the user as retries.
	e.mu.Lock()
	defer e.mu.Unlock()
	retries := 0
	for _, ev := range e.events {
		if ev.RetryIn > 0 {
			retries++
		}
	}
	if retries == 0 {
		t.Error("no event said a request was being retried")
	}
}

// TestStalledAddContentIsNotRepeated: a stalled add-content may have
// reached the platform, so, like a 502, it is not sent again.
func TestStalledAddContentIsNotRepeated(t *testing.T) {
	e := newEnv(t, sandbox.Config{})
	release := make(chan struct{})
	defer close(release)
	e.sb.Inject(sandbox.Fault{Host: "api", Path: "/v1.0c/add-content", Hold: -1, Release: release})
	e.engine = e.newEngine(core.Options{StallTimeout: stallTimeout})
	j := e.add(persist.VideoMeta{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := e.engine.Run(ctx, j.ID)
	if err == nil || !strings.Contains(err.Error(), "stalled") || !strings.Contains(err.Error(), "not repeated") {
		t.Fatalf("want a stalled add-content that was not repeated, got %v", err)
	}
	if st := e.sb.Stats(); st.AddContent != 0 || st.TusCreates != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestStallTimeoutFromEnv(t *testing.T) {
	if o, err := core.OptionsFrom(persist.Settings{StallTimeout: 30 * time.Second}); err != nil || o.StallTimeout != 30*time.Second {
		t.Fatalf("from settings: %v, %v", o.StallTimeout, err)
	}
	t.Setenv("GJW_STALL_TIMEOUT", "90s")
	o, err := core.OptionsFrom(persist.Settings{StallTimeout: 30 * time.Second})
	if err != nil || o.StallTimeout != 90*time.Second {
		t.Fatalf("%v, %v", o.StallTimeout, err)
	}
	for _, bad := range []string{"soon", "0s", "-5s", "60"} {
		t.Setenv("GJW_STALL_TIMEOUT", bad)
		if _, err := core.OptionsFrom(persist.Settings{}); err == nil || !strings.Contains(err.Error(), "GJW_STALL_TIMEOUT") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
