package wangsu_test

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
	sandbox "github.com/gjw-uploader/gjw-uploader/core/sandbox/wangsu"
	"github.com/gjw-uploader/gjw-uploader/core/wangsu"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

func TestOriginFileName(t *testing.T) {
	long := strings.Repeat("abcdefghij", 6) + ".mp4" // 60 characters + .mp4
	for in, want := range map[string]string{
		"/x/clip.mp4":         "clip.mp4",
		"/x/" + long:          strings.Repeat("abcdefghij", 3) + "abcdef.mp4",
		"/x/Müller — été.mov": "M_ller _ _t_.mov",
		"/x/日本語.mp4":          "video.mp4",
		"/x/noext":            "noext",
	} {
		got := wangsu.OriginFileName(in)
		if got != want || len(got) > 40 {
			t.Errorf("OriginFileName(%q) = %q, want %q", in, got, want)
		}
		for _, r := range got {
			if r < 0x20 || r >= 0x7f {
				t.Errorf("%q: not printable ASCII", got)
			}
		}
	}
}

type memProgress struct {
	mu     sync.Mutex
	state  json.RawMessage
	ed     dest.Edition
	onSent func(int64)
	saves  int
}

func (p *memProgress) Step(string)                           {}
func (p *memProgress) Processing(int)                        {}
func (p *memProgress) Retrying(string, time.Duration, error) {}
func (p *memProgress) Published(int)                         {}
func (p *memProgress) Latest() (dest.Edition, error)         { return p.ed, nil }
func (p *memProgress) Sent(n int64) {
	if p.onSent != nil {
		p.onSent(n)
	}
}
func (p *memProgress) Checkpoint(s any) error {
	b, err := json.Marshal(s)
	p.mu.Lock()
	p.state, p.saves = b, p.saves+1
	p.mu.Unlock()
	return err
}

func source(t *testing.T, size int64) *memProgress {
	path := filepath.Join(t.TempDir(), "clip.mp4")
	f, _ := os.Create(path)
	io.CopyN(f, rand.Reader, size)
	f.Close()
	fi, _ := os.Stat(path)
	return &memProgress{ed: dest.Edition{Source: dest.Source{Path: path, Size: size, ModTime: fi.ModTime()}, Meta: persist.VideoMeta{Title: "T"}, Rev: 1}}
}

// Blocks purged before the merge (a long pause): every block is sent
// again under the same batch into the same video, and merged once.
func TestPurgedBlocksSentAgain(t *testing.T) {
	pl := newPlatform(t)
	size := int64(2*confBlock + 1000)
	p := source(t, size)
	var once sync.Once
	p.onSent = func(acked int64) {
		if acked == size {
			once.Do(func() { pl.run.Server.PurgeBlocks() })
		}
	}
	if _, err := pl.Driver(t).Publish(context.Background(), nil, p); err != nil {
		t.Fatal(err)
	}
	if st := pl.run.Server.Stats(); st.Videos != 1 || st.Batches != 1 || st.Mkfiles != 1 || st.Received != 2*size {
		t.Fatalf("stats %+v", st)
	}
}

// A bput stored but its answer lost: the retry's ctx is stale, so that
// block alone is sent again from its start.
func TestLostAnswerRedoesOnlyThatBlock(t *testing.T) {
	pl := newPlatform(t)
	size := int64(3*confBlock + 1000)
	p := source(t, size)
	var once sync.Once
	p.onSent = func(acked int64) {
		if acked >= confBlock+confChunk { // block 1 begun: its next bput's answer is lost
			once.Do(func() { pl.run.Server.Inject(sandbox.Fault{Host: "upload", Path: "/bput/", CutAfter: 1 << 30}) })
		}
	}
	if _, err := pl.Driver(t).Publish(context.Background(), nil, p); err != nil {
		t.Fatal(err)
	}
	st := pl.run.Server.Stats()
	if st.Videos != 1 || st.Batches != 1 || st.Mkfiles != 1 || st.Mkblks != 5 || st.StaleCtx != 1 || st.Received != size+3*confChunk {
		t.Fatalf("want block 1 alone re-sent (2 chunks + the stale one): %+v", st)
	}
}

// Resume from a checkpoint whose token is near its deadline: a new token
// for the same fileId, the same video and batch.
func TestTokenNearDeadlineRenewed(t *testing.T) {
	pl := newPlatform(t)
	size := int64(confBlock + 1000)
	p := source(t, size)
	ctx, kill := context.WithCancel(context.Background())
	p.onSent = func(acked int64) {
		if acked > 0 {
			kill()
		}
	}
	pl.Driver(t).Publish(ctx, nil, p)
	p.onSent = nil
	var cp wangsu.Checkpoint
	json.Unmarshal(p.state, &cp)
	d := wangsu.NewDriver(pl.client(), wangsu.DriverOptions{BlockSize: confBlock, ChunkSize: confChunk, PollInterval: time.Millisecond, TokenMargin: 48 * time.Hour})
	res, err := d.Publish(context.Background(), p.state, p)
	if err != nil || res.ID != cp.VideoID {
		t.Fatalf("%+v %v", res, err)
	}
	st := pl.run.Server.Stats()
	if st.Videos != 1 || st.Batches != 1 || st.Tokens < 2 || st.TokenRefused != 0 || st.Received != size {
		t.Fatalf("stats %+v", st)
	}
}

// A wrong secret key: a signed-out stop naming the account, no video, and
// never the secret in the error.
func TestWrongSecret(t *testing.T) {
	pl := newPlatform(t)
	ak, _ := pl.run.Server.Keys()
	c := pl.client()
	c.Account = "studio"
	c.Keys = func() (wangsu.Keys, error) { return wangsu.Keys{AccessKey: ak, SecretKey: "WRONG-secret-42"}, nil }
	_, err := wangsu.NewDriver(c, wangsu.DriverOptions{}).Publish(context.Background(), nil, source(t, 1000))
	if err == nil || dest.ReasonOf(err) != dest.ReasonSignedOut || !strings.Contains(err.Error(), `"studio"`) || strings.Contains(err.Error(), "WRONG-secret") {
		t.Fatalf("%v (%s)", err, dest.ReasonOf(err))
	}
	if st := pl.run.Server.Stats(); st.Videos != 0 {
		t.Fatalf("a video was created: %+v", st)
	}
}

// A clock 10 minutes off: the first call is refused for its timestamp,
// the client learns the server's time from Date and signs again, once.
func TestClockSkewResynced(t *testing.T) {
	pl := newPlatform(t)
	pl.run.Server.SetClockSkew(10 * time.Minute)
	res, err := pl.Driver(t).Publish(context.Background(), nil, source(t, 1000))
	if err != nil || res.ID == "" {
		t.Fatalf("%+v %v", res, err)
	}
	if st := pl.run.Server.Stats(); st.Refused != 1 || st.Videos != 1 {
		t.Fatalf("stats %+v", st)
	}
}
