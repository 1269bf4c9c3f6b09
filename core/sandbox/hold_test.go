package sandbox_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
)

func TestHoldAnswersNothingUntilReleased(t *testing.T) {
	e := newEnv(t, nil)
	release := make(chan struct{})
	e.s.Inject(sandbox.Fault{Host: "api", Path: "/v1.0c/get-vod-token", Hold: -1, Release: release})
	done := make(chan error, 1)
	go func() {
		_, err := e.try("GET", e.api+"/v1.0c/get-vod-token", nil, "Authorization", e.access())
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a held request ended before its release: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a held request got an answer")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the release did not end the hold")
	}
	if got := e.s.Stats().VODTokens; got != 0 {
		t.Errorf("the held request was handled: VODTokens = %d", got)
	}
	if e.vodToken() == "" { // the fault hit once; the next one is served
		t.Fatal("no token after the hold")
	}
}

func TestHoldEndsAfterItsTimeOrWhenTheClientLeaves(t *testing.T) {
	e := newEnv(t, nil)
	id, tok := e.createVideo()
	data := videoBytes(64 << 10)
	loc := e.tusCreate(tok, len(data), tusMeta(id, e.acct.ChannelID)).header.Get("Location")

	// For a duration: the client then sees the connection dropped.
	e.s.Inject(sandbox.Fault{Host: "vod", Method: "PATCH", Path: "/api/v1/tus/upload/", Hold: 300 * time.Millisecond})
	start := time.Now()
	if _, err := e.tusPatch(tok, loc, 0, data); err == nil || time.Since(start) < 300*time.Millisecond {
		t.Fatalf("after %s: %v", time.Since(start), err)
	}
	if h := e.tusHead(tok, loc); h.header.Get("Upload-Offset") != "0" || e.s.Stats().TusPatchBytes != 0 {
		t.Fatalf("a held PATCH stored bytes: offset %q", h.header.Get("Upload-Offset"))
	}

	// Forever, but the client gives up: the hold ends with it, so the
	// servers close without waiting for it.
	e.s.Inject(sandbox.Fault{Host: "vod", Method: "PATCH", Path: "/api/v1/tus/upload/", Hold: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPatch, loc, bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", "0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	if _, err := e.client.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if r, err := e.tusPatch(tok, loc, 0, data); err != nil || r.status != http.StatusNoContent {
		t.Fatalf("the PATCH after the hold: %v %d %s", err, r.status, r.body)
	}
}
