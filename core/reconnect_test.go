package core_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/core/netwatch"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// These tests bound how long things take, but only far below what the
// old behaviour needed (a minute of stall timeout, half a minute of retry
// delay): a test that fails here has waited the old way, it was not slow.

// fast sets the reconnect grace and probe interval for one test.
func fast(t *testing.T) {
	grace, probe := httpx.SetReconnectTimes(200*time.Millisecond, 50*time.Millisecond)
	t.Cleanup(func() { httpx.SetReconnectTimes(grace, probe) })
}

// holding reports when the sandbox starts holding a request (its log).
func holding() (sandbox.Config, <-chan struct{}) {
	held := make(chan struct{}, 10)
	return sandbox.Config{Logf: func(format string, args ...any) {
		if strings.Contains(format, "held without an answer") {
			held <- struct{}{}
		}
	}}, held
}

// reconnectDuring runs j, and calls Reconnect once ready fires. Within 20
// s, below the minute of stall timeout and the 30 s retry delays these
// tests set, or it fails.
func (e *env) reconnectDuring(j persist.Job, ready <-chan struct{}, why netwatch.Change) error {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.engine.Run(ctx, j.ID) }()
	select {
	case <-ready:
	case <-ctx.Done():
		e.t.Fatal("the fault never showed")
	}
	e.engine.Reconnect(why)
	return <-done
}

func (e *env) reconnectingEvents() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.events {
		if ev.Reconnecting {
			n++
		}
	}
	return n
}

// TestWakeDropsAStalledUploadAtOnce: a PATCH hangs on a connection that
// died while the machine slept (the sandbox holds it unanswered). The
// stall timeout is a minute; after the wake the request is dropped within
// the reconnect grace, the upload re-syncs with HEAD and goes on in the
// same TUS upload at once.
func TestWakeDropsAStalledUploadAtOnce(t *testing.T) {
	fast(t)
	cfg, held := holding()
	e := newEnv(t, cfg)
	release := make(chan struct{})
	defer close(release)
	e.sb.Inject(sandbox.Fault{Host: "vod", Method: "PATCH", Path: "/api/v1/tus/upload/", Hold: -1, Release: release})
	e.engine = e.newEngine(core.Options{StallTimeout: time.Minute, RetryDelays: []time.Duration{0, 30 * time.Second, 30 * time.Second}})
	j := e.add(persist.VideoMeta{})
	if err := e.reconnectDuring(j, held, netwatch.Wake); err != nil {
		t.Fatalf("after the wake: %v", err)
	}
	e.published(e.job(j.ID)) // one content entry, one TUS upload
}

// TestNetworkChangeEndsTheRetryWait: a dropped connection puts the upload
// in a 30 s wait before its retry, reported as reconnecting; the network
// changes, and it retries (HEAD, then the rest) at once.
func TestNetworkChangeEndsTheRetryWait(t *testing.T) {
	fast(t)
	e := newEnv(t, sandbox.Config{})
	e.sb.Inject(sandbox.Fault{Host: "vod", Method: "PATCH", Path: "/api/v1/tus/upload/", CutAfter: testChunk / 2})
	waiting := make(chan struct{}, 1)
	e.hook = func(ev core.Event) {
		if ev.RetryIn >= 30*time.Second && ev.Reconnecting {
			select {
			case waiting <- struct{}{}:
			default:
			}
		}
	}
	e.engine = e.newEngine(core.Options{RetryDelays: []time.Duration{0, 30 * time.Second, 30 * time.Second}})
	j := e.add(persist.VideoMeta{})
	if err := e.reconnectDuring(j, waiting, netwatch.Network); err != nil {
		t.Fatalf("after the network change: %v", err)
	}
	e.published(e.job(j.ID))
}

// vodSwitch serves the sandbox's TUS host on a fixed loopback port that
// can go down (connection refused) and come back.
type vodSwitch struct {
	t    *testing.T
	h    http.Handler
	addr string
	mu   sync.Mutex
	srv  *http.Server
}

func (v *vodSwitch) up() {
	ln, err := net.Listen("tcp", v.addr)
	if err != nil {
		v.t.Fatal(err)
	}
	v.addr = ln.Addr().String()
	srv := &http.Server{Handler: v.h}
	go srv.Serve(ln)
	v.mu.Lock()
	v.srv = srv
	v.mu.Unlock()
}

func (v *vodSwitch) down() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.srv != nil {
		v.srv.Close()
		v.srv = nil
	}
}

// TestConnectionReturnsByItself: the video host goes away mid-upload and
// every retry fails; the row waits, reconnecting, instead of failing. When
// the host is back the upload goes on by itself, nobody clicking Retry,
// in the same TUS upload.
func TestConnectionReturnsByItself(t *testing.T) {
	fast(t)
	sb, err := sandbox.New(sandbox.Config{Dir: t.TempDir(), TranscodePolls: -1, Throttle: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	vod := &vodSwitch{t: t, h: sb.VOD(), addr: "127.0.0.1:0"}
	vod.up()
	api, img := httptest.NewServer(sb.API()), httptest.NewServer(sb.Image())
	t.Cleanup(func() { vod.down(); api.Close(); img.Close(); sb.Close() })
	platform := &sandboxtest.Env{Sandbox: sb, Hosts: gjw.Hosts{API: api.URL, Image: img.URL, VOD: "http://" + vod.addr}}
	e := &env{t: t, sb: sb, db: platform.Store(t), hosts: platform.Hosts}
	dir := t.TempDir()
	e.video = sandboxtest.WriteRandom(t, filepath.Join(dir, "clip.mp4"), testSize)
	e.thumb = sandboxtest.WritePNG(t, filepath.Join(dir, "poster.png"), 1)
	var once sync.Once
	e.hook = func(ev core.Event) {
		if ev.Sent > 0 {
			once.Do(vod.down) // the first chunk is in: the host goes away
		}
	}
	e.engine = e.newEngine(core.Options{})
	j := e.add(persist.VideoMeta{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.engine.Start(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the upload waits for the connection", func() bool {
		tg := e.job(j.ID).Targets[0]
		return tg.State == core.StateWaiting && dest.Reason(tg.Reason) == dest.ReasonOffline
	})
	if e.reconnectingEvents() == 0 {
		t.Fatal("no event said the upload was reconnecting")
	}
	vod.up()
	deadline := time.Now().Add(10 * time.Second)
	for e.job(j.ID).State != core.StateDone {
		if time.Now().After(deadline) {
			tg := e.job(j.ID).Targets[0]
			t.Fatalf("not published once the host is back: %s %s step %s: %s", tg.State, tg.Reason, tg.Step, tg.Error)
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.published(e.job(j.ID))
}
