package core_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Two GJW channels upload one video at once; signing out of one stops its
// target within one request and makes only it wait; the other publishes.
// Signing in again finishes the first into its same content entry.
func TestSignOutOfOneAccountWhileBothUpload(t *testing.T) {
	platform := sandboxtest.NewWith(t, sandbox.Config{TranscodePolls: 2, Throttle: 4 << 20})
	db, err := persist.OpenInMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	creds := map[string]*sandboxtest.Session{
		"a": sandboxtest.SessionOf(platform.Sandbox.DemoAccount()),
		"b": sandboxtest.SessionOf(platform.Sandbox.NewChannel("channel-b")),
	}

	var eng *core.Engine
	var once sync.Once
	signedOut := make(chan struct{})
	var acksAfterSignOut int
	var mu sync.Mutex
	opts := core.Options{Hosts: platform.Hosts, ChunkSize: testChunk, PollInterval: time.Millisecond, RetryDelays: fastDelays}
	opts.Drivers = func(name string) (dest.Driver, error) {
		return core.NewGJWDriver(creds[name], db, opts), nil
	}
	var j persist.Job
	opts.OnEvent = func(ev core.Event) {
		t := ev.Job.Target("a")
		if ev.Target != "a" || t == nil || t.Step != gjw.StepUpload {
			return
		}
		select {
		case <-signedOut:
			mu.Lock()
			acksAfterSignOut++
			mu.Unlock()
		default:
		}
		if t.Offset >= testChunk {
			once.Do(func() {
				go func() { // handlers must not call the engine themselves
					creds["a"].SignOut()
					eng.StopAccount("a")
					close(signedOut)
				}()
			})
		}
	}
	eng = core.New(db, opts)
	video := sandboxtest.WriteRandom(t, filepath.Join(t.TempDir(), "clip.mp4"), testSize)
	thumb := sandboxtest.WritePNG(t, filepath.Join(t.TempDir(), "poster.png"), 1)
	j, err = eng.Add(core.NewUpload{VideoPath: video, ThumbnailPath: thumb, Meta: persist.VideoMeta{Title: "Both"}, Targets: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	err = eng.Run(context.Background(), j.ID)
	if !errors.Is(err, gjw.ErrSignedOut) && err == nil {
		t.Fatalf("run: %v, want a's sign-out reported", err)
	}
	got, _, _ := db.Job(j.ID)
	a, b := got.Target("a"), got.Target("b")
	if a.State != core.StateWaiting || dest.Reason(a.Reason) != dest.ReasonSignedOut || a.Offset >= testSize {
		t.Fatalf("a after sign-out: %+v", a)
	}
	if b.State != core.StateDone || b.Result.ID == "" {
		t.Fatalf("b: %+v", b)
	}
	if acksAfterSignOut > 1 {
		t.Fatalf("a's upload went on for %d events after the sign-out", acksAfterSignOut)
	}

	creds["a"].SignIn(platform.Sandbox.Login())
	eng.SignedIn("a")
	if err := eng.Run(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	got, _, _ = db.Job(j.ID)
	if got.State != core.StateDone {
		t.Fatalf("after signing in again: %+v", got)
	}
	for _, ch := range []string{platform.Sandbox.DemoAccount().ChannelID, "channel-b"} {
		if cs := platform.Sandbox.ContentsOf(ch); len(cs) != 1 || !cs[0].Published {
			t.Fatalf("channel %s: %+v", ch, cs)
		}
	}
	if st := platform.Sandbox.Stats(); st.TusCreates != 2 || st.AddContent != 2 {
		t.Fatalf("stats %+v", st)
	}
}
