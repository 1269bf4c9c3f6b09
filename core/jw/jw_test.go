package jw_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/jw"
	sandbox "github.com/gjw-uploader/gjw-uploader/core/sandbox/jw"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

func TestPartSize(t *testing.T) {
	if got := jw.PartSize(100, 0); got != 5<<20 {
		t.Fatalf("small file: %d", got)
	}
	if got := jw.PartSize(50<<30, 0); got != 6<<20 || (50<<30+got-1)/got > 10000 {
		t.Fatalf("50 GiB: %d", got)
	}
	if got := jw.PartSize(1<<30, 8<<20); got != 8<<20 {
		t.Fatalf("GJW_CHUNK_SIZE: %d", got)
	}
	if got := jw.PartSize(100<<30, 1<<20); got < 10<<20 || (100<<30+got-1)/got > 10000 {
		t.Fatalf("a chunk size giving over 10,000 parts: %d", got)
	}
}

type prog struct {
	mu     sync.Mutex
	state  json.RawMessage
	ed     dest.Edition
	onSent func(int64)
}

func (p *prog) Step(string)                           {}
func (p *prog) Processing(int)                        {}
func (p *prog) Retrying(string, time.Duration, error) {}
func (p *prog) Published(int)                         {}
func (p *prog) Sent(a int64) {
	if p.onSent != nil {
		p.onSent(a)
	}
}
func (p *prog) Checkpoint(s any) error {
	b, err := json.Marshal(s)
	p.mu.Lock()
	p.state = b
	p.mu.Unlock()
	return err
}
func (p *prog) Latest() (dest.Edition, error) { return p.ed, nil }

func source(t testing.TB, size int64) *prog {
	path := filepath.Join(t.TempDir(), "v.mp4")
	f, _ := os.Create(path)
	io.CopyN(f, rand.Reader, size)
	f.Close()
	fi, _ := os.Stat(path)
	return &prog{ed: dest.Edition{Source: dest.Source{Path: path, Size: size, ModTime: fi.ModTime()},
		Meta: persist.VideoMeta{Title: "T", Description: "D"}, Rev: 1}}
}

func TestWrongSecret(t *testing.T) {
	pl := newPlatform(t, sandbox.Config{})
	c := pl.client()
	c.Secret = func() (string, error) { return "not-the-secret-xyz", nil }
	_, err := jw.NewDriver(c, jw.DriverOptions{}).Publish(context.Background(), nil, source(t, 1000))
	if dest.ReasonOf(err) != dest.ReasonSignedOut || !strings.Contains(err.Error(), `account "jw"`) || strings.Contains(err.Error(), "not-the-secret-xyz") {
		t.Fatalf("want a sign-out naming the account without the secret, got %v", err)
	}
	if st := pl.run.Server.Stats(); st.Creates != 0 || st.Refused != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// The real 5 MiB rule: 64 KiB parts are refused at complete, in JW's words.
func TestDefaultPartRule(t *testing.T) {
	pl := newPlatform(t, sandbox.Config{MinPart: sandbox.MinPart})
	_, err := pl.Driver(t).Publish(context.Background(), nil, source(t, 3*conformancePart))
	if err == nil || !strings.Contains(err.Error(), "at least 5242880") || dest.ReasonOf(err) != dest.ReasonRefused {
		t.Fatalf("want complete refused for small parts, got %v", err)
	}
	// With the driver's own sizing the same file is one part and passes.
	pl = newPlatform(t, sandbox.Config{MinPart: sandbox.MinPart})
	d := jw.NewDriver(pl.client(), jw.DriverOptions{PollInterval: time.Millisecond})
	res, err := d.Publish(context.Background(), nil, source(t, 3*conformancePart))
	if err != nil || res.URL != "https://cdn.jwplayer.com/previews/"+res.ID {
		t.Fatalf("%+v %v", res, err)
	}
}

// Links expiring after every part: each 403 lists again, nothing is sent
// twice, no chunked body ever leaves.
func TestExpiredLinksAndResume(t *testing.T) {
	pl := newPlatform(t, sandbox.Config{})
	p := source(t, 6*conformancePart+10)
	ctx, kill := context.WithCancel(context.Background())
	p.onSent = func(a int64) {
		pl.run.Server.ExpireLinks()
		if a >= 3*conformancePart {
			kill()
		}
	}
	if _, err := pl.Driver(t).Publish(ctx, nil, p); err == nil {
		t.Fatal("the killed run finished")
	}
	p.onSent = nil
	if _, err := pl.Driver(t).Publish(context.Background(), p.state, p); err != nil {
		t.Fatal(err)
	}
	st := pl.run.Server.Stats()
	if st.Creates != 1 || st.Uploads != 1 || st.Expired < 2 || st.Chunked != 0 || st.PartPuts > 8 {
		t.Fatalf("stats %+v", st)
	}
	var cp jw.Checkpoint
	json.Unmarshal(p.state, &cp)
	if cp.PartSize != conformancePart || len(cp.ETags) != 7 || cp.ETags[6] == "" || cp.UploadToken == "" {
		t.Fatalf("checkpoint %+v", cp)
	}
}

// A 429 with Retry-After is waited out, then the call goes through.
func TestRateLimited(t *testing.T) {
	pl := newPlatform(t, sandbox.Config{})
	pl.run.Server.Inject(sandbox.Fault{Host: "api", Method: "POST", Path: "/v2/sites/", Status: 429, RetryAfter: time.Second})
	start := time.Now()
	if _, err := pl.Driver(t).Publish(context.Background(), nil, source(t, 1000)); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < time.Second {
		t.Fatal("Retry-After was not honoured")
	}
	if st := pl.run.Server.Stats(); st.Creates != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestAPIURL(t *testing.T) {
	t.Setenv("JW_API_URL", "")
	if jw.APIURL("") != jw.DefaultAPIURL || jw.APIURL("http://x/") != "http://x" {
		t.Fatal("APIURL")
	}
	t.Setenv("JW_API_URL", "http://env")
	if jw.APIURL("http://x") != "http://env" {
		t.Fatal("JW_API_URL")
	}
}

// The limit reached: paced under it, the upload slows down and finishes
// without a 429; unpaced, the 429s' Retry-After is waited out and it
// finishes too. (Windows of 1 s stand for JW's minute.)
func TestRateLimitReached(t *testing.T) {
	for _, paced := range []bool{true, false} {
		pl := newPlatform(t, sandbox.Config{RateLimit: 4, RateWindow: time.Second, Polls: 3})
		c := pl.client()
		c.Window, c.Budget = time.Second, 3
		if !paced {
			c.Budget = -1
		}
		d := jw.NewDriver(c, jw.DriverOptions{ChunkSize: conformancePart, PollInterval: time.Millisecond})
		start := time.Now()
		if _, err := d.Publish(context.Background(), nil, source(t, 2*conformancePart)); err != nil {
			t.Fatalf("paced=%v: %v", paced, err)
		}
		// 1 create + 4 polls + 1 update check on the secret: over 4 in a second.
		st := pl.run.Server.Stats()
		if time.Since(start) < time.Second || (paced && st.Limited != 0) || (!paced && st.Limited == 0) || st.Creates != 1 {
			t.Fatalf("paced=%v: took %s, stats %+v", paced, time.Since(start), st)
		}
	}
}

// A part stored whose checkpoint was lost (a kill between the PUT's answer
// and the save) is recognised by its MD5 and not sent again; a stored
// part whose bytes differ is sent again. One part in flight, so which
// parts the kill leaves stored is known.
func TestResumeKeepsStoredPartWithoutCheckpoint(t *testing.T) {
	pl := newPlatform(t, sandbox.Config{})
	d := jw.NewDriver(pl.client(), jw.DriverOptions{ChunkSize: conformancePart, PollInterval: time.Millisecond, InFlight: 1})
	p := source(t, 3*conformancePart+5)
	ctx, kill := context.WithCancel(context.Background())
	var saved json.RawMessage
	p.onSent = func(a int64) {
		if a == conformancePart {
			p.mu.Lock()
			saved = append(json.RawMessage(nil), p.state...) // part 1 recorded
			p.mu.Unlock()
		}
		if a >= 2*conformancePart {
			kill()
		}
	}
	if _, err := d.Publish(ctx, nil, p); err == nil {
		t.Fatal("the killed run finished")
	}
	p.onSent = nil
	before := pl.run.Server.Stats().PartBytes
	if _, err := d.Publish(context.Background(), saved, p); err != nil { // part 2's record lost
		t.Fatal(err)
	}
	sent := pl.run.Server.Stats().PartBytes - before
	if sent != conformancePart+5 { // parts 3 and 4 only: part 2 is recognised
		t.Fatalf("re-sent %d bytes", sent)
	}
	if st := pl.run.Server.Stats(); st.Creates != 1 || st.Completes != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// Over 1,000 parts: the listing is read in pages of 1,000.
func TestManyPartsPaged(t *testing.T) {
	pl := newPlatform(t, sandbox.Config{MinPart: 1024})
	d := patientDriver(pl, jw.DriverOptions{ChunkSize: 1024}) // a late answer retried would count twice
	if _, err := d.Publish(context.Background(), nil, source(t, 1000*1024+10)); err != nil {
		t.Fatal(err)
	}
	if st := pl.run.Server.Stats(); st.Lists != 2 || st.PartPuts != 1001 || st.Completes != 1 {
		t.Fatalf("stats %+v", st)
	}
}
