// Package desttest is the conformance suite every destination driver
// passes against its strict sandbox (cf. restic's internal/backend/test and
// rclone's fstests): publish; kill mid-transfer and resume with one remote
// entity and at most one chunk re-sent; a credential expiring mid-run; 5xx
// answers and dropped connections; a stalled request; a processing
// failure; an edit after publishing.
//
// The suite drives the driver directly through an in-memory dest.Progress,
// so it tests the driver and its sandbox, not the queue.
package desttest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Stats are the sandbox's counters the suite checks.
type Stats struct {
	Entities int   // video entities created (GJW: content entries)
	Uploads  int   // transfer sessions created (TUS uploads, multipart uploads)
	Received int64 // file bytes the transfer endpoint received, re-sent ones included
}

// Platform is one driver's sandbox as the suite sees it. Each fault hits
// the next matching request only.
type Platform interface {
	// Driver builds a new driver of the sandbox's account, as a fresh
	// process would (so a kill loses every in-memory cache), with fast
	// retries and a stall timeout of about a second.
	Driver(t testing.TB) dest.Driver
	// Chunk is the transfer unit: at most this much is re-sent on resume.
	Chunk() int64
	Stats() Stats
	// Title is the published title of the video id, and whether it is
	// published (ready) at all.
	Title(id string) (string, bool)

	ExpireCredentials()          // the account's access credential expires now
	FailTransfer(status int)     // the next transfer request answers status
	DropTransfer()               // the next transfer request's connection drops mid-body
	StallTransfer()              // the next transfer request is held unanswered
	StallAPI()                   // the next API call is held unanswered
	FailProcessing(words string) // processing fails with the platform's words
}

// Run runs the suite; newPlatform starts a fresh sandbox for each test.
func Run(t *testing.T, newPlatform func(t *testing.T) Platform) {
	tests := []struct {
		name string
		fn   func(*testing.T, Platform)
	}{
		{"Publish", testPublish},
		{"KillMidTransferThenResume", testKillResume},
		{"CredentialExpiresMidRun", testExpire},
		{"ServerErrorsAndDrops", testServerErrors},
		{"StalledTransfer", testStalledTransfer},
		{"StalledAPICall", testStalledAPI},
		{"ProcessingFailure", testProcessingFailure},
		{"EditAfterPublish", testEdit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newPlatform(t)) })
	}
}

// progress is an in-memory dest.Progress: the checkpoint is kept as the
// queue would store it, and onSent sees every acknowledged offset.
type progress struct {
	mu      sync.Mutex
	state   json.RawMessage
	ed      dest.Edition
	acked   int64
	sentRev int
	onSent  func(acked int64)
}

func (p *progress) Step(string)                           {}
func (p *progress) Processing(int)                        {}
func (p *progress) Retrying(string, time.Duration, error) {}
func (p *progress) Published(rev int) {
	p.mu.Lock()
	p.sentRev = max(p.sentRev, rev)
	p.mu.Unlock()
}

func (p *progress) Sent(acked int64) {
	p.mu.Lock()
	p.acked = acked
	fn := p.onSent
	p.mu.Unlock()
	if fn != nil {
		fn(acked)
	}
}

func (p *progress) Checkpoint(state any) error {
	b, err := json.Marshal(state)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.state = b
	p.mu.Unlock()
	return nil
}

func (p *progress) Latest() (dest.Edition, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ed, nil
}

func (p *progress) checkpoint() json.RawMessage {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// upload is one source for a test: a random file of several chunks plus a
// partial one, and a poster.
func upload(t *testing.T, pl Platform) (*progress, int64) {
	t.Helper()
	dir := t.TempDir()
	size := 4*pl.Chunk() + 4321
	path := filepath.Join(dir, "conformance clip.mp4")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(path)
	poster := filepath.Join(dir, "poster.png")
	img := image.NewRGBA(image.Rect(0, 0, 64, 36))
	img.Set(1, 1, color.RGBA{200, 30, 30, 255})
	pf, _ := os.Create(poster)
	png.Encode(pf, img)
	pf.Close()
	return &progress{ed: dest.Edition{
		Source: dest.Source{Path: path, Size: size, ModTime: fi.ModTime(), Poster: poster},
		Meta:   persist.VideoMeta{Title: "Conformance", Description: "d", Lang: "en-US", Visibility: "public"},
		Rev:    1,
	}}, size
}

func publish(t *testing.T, pl Platform, p *progress) (dest.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return pl.Driver(t).Publish(ctx, p.checkpoint(), p)
}

// published checks what every successful publish must leave: one entity,
// one transfer session, the file received once (plus at most one chunk).
func published(t *testing.T, pl Platform, res dest.Result, size int64) {
	t.Helper()
	if res.ID == "" {
		t.Fatalf("no id in the result %+v", res)
	}
	if title, ok := pl.Title(res.ID); !ok || title != "Conformance" {
		t.Fatalf("video %s not published as sent: title %q, published %v", res.ID, title, ok)
	}
	st := pl.Stats()
	if st.Entities != 1 || st.Uploads != 1 {
		t.Fatalf("want one entity and one upload, got %+v", st)
	}
	if st.Received < size || st.Received > size+pl.Chunk() {
		t.Fatalf("received %d bytes for a %d-byte file (chunk %d)", st.Received, size, pl.Chunk())
	}
}

func testPublish(t *testing.T, pl Platform) {
	p, size := upload(t, pl)
	res, err := publish(t, pl, p)
	if err != nil {
		t.Fatal(err)
	}
	published(t, pl, res, size)
	if p.sentRev != 1 {
		t.Fatalf("the driver reported edition %d published, want 1", p.sentRev)
	}
}

func testKillResume(t *testing.T, pl Platform) {
	p, size := upload(t, pl)
	ctx, kill := context.WithCancel(context.Background())
	p.onSent = func(acked int64) {
		if acked >= pl.Chunk() {
			kill()
		}
	}
	if _, err := pl.Driver(t).Publish(ctx, nil, p); err == nil {
		t.Fatal("the killed run finished")
	}
	p.onSent = nil
	res, err := publish(t, pl, p) // a new process: a new driver on the checkpoint
	if err != nil {
		t.Fatal(err)
	}
	published(t, pl, res, size)
}

// faultAfterFirstChunk arms fault once the first chunk is acknowledged.
func faultAfterFirstChunk(p *progress, fault func()) {
	var once sync.Once
	p.onSent = func(acked int64) {
		if acked > 0 {
			once.Do(fault)
		}
	}
}

func testExpire(t *testing.T, pl Platform) {
	p, size := upload(t, pl)
	faultAfterFirstChunk(p, pl.ExpireCredentials)
	res, err := publish(t, pl, p)
	if err != nil {
		t.Fatal(err)
	}
	published(t, pl, res, size)
}

func testServerErrors(t *testing.T, pl Platform) {
	p, size := upload(t, pl)
	faultAfterFirstChunk(p, func() { pl.FailTransfer(503); pl.FailTransfer(500); pl.DropTransfer() })
	res, err := publish(t, pl, p)
	if err != nil {
		t.Fatal(err)
	}
	published(t, pl, res, size)
}

func testStalledTransfer(t *testing.T, pl Platform) {
	p, size := upload(t, pl)
	faultAfterFirstChunk(p, pl.StallTransfer)
	res, err := publish(t, pl, p)
	if err != nil {
		t.Fatal(err)
	}
	published(t, pl, res, size)
}

func testStalledAPI(t *testing.T, pl Platform) {
	p, size := upload(t, pl)
	pl.StallAPI()
	res, err := publish(t, pl, p)
	if err != nil {
		t.Fatal(err)
	}
	published(t, pl, res, size)
}

func testProcessingFailure(t *testing.T, pl Platform) {
	p, _ := upload(t, pl)
	pl.FailProcessing("unsupported codec xyz")
	_, err := publish(t, pl, p)
	if err == nil || dest.ReasonOf(err) != dest.ReasonProcessingFailed || !strings.Contains(err.Error(), "unsupported codec xyz") {
		t.Fatalf("want a processing failure with the platform's words, got %v (reason %q)", err, dest.ReasonOf(err))
	}
	var se *dest.StepError
	if !errors.As(err, &se) || !se.Step.Processing {
		t.Fatalf("the failure does not name the processing step: %v", err)
	}
}

func testEdit(t *testing.T, pl Platform) {
	p, _ := upload(t, pl)
	res, err := publish(t, pl, p)
	if err != nil {
		t.Fatal(err)
	}
	ed := p.ed
	ed.Meta.Title, ed.Rev = "Conformance (edited)", 2
	if err := pl.Driver(t).Update(context.Background(), p.checkpoint(), ed, p); err != nil {
		t.Fatal(err)
	}
	if title, ok := pl.Title(res.ID); !ok || title != "Conformance (edited)" {
		t.Fatalf("after the edit the platform shows %q (published %v)", title, ok)
	}
}
