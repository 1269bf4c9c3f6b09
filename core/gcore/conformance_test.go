package gcore_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/dest/desttest"
	"github.com/gjw-uploader/gjw-uploader/core/gcore"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	sandbox "github.com/gjw-uploader/gjw-uploader/core/sandbox/gcore"
)

func TestConformance(t *testing.T) {
	for _, mode := range []struct {
		name string
		cfg  sandbox.Config
	}{
		{"object", sandbox.Config{}},
		{"array+relative", sandbox.Config{ArrayCreate: true, RelativeLocation: true}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			desttest.Run(t, func(t *testing.T) desttest.Platform { return newPlatform(t, mode.cfg) })
		})
	}
}

// platform is the Gcore sandbox as the conformance suite sees it.
type platform struct{ run *sandbox.Running }

func newPlatform(t testing.TB, cfg sandbox.Config) *platform {
	t.Helper()
	cfg.Dir = t.TempDir()
	if cfg.Polls == 0 {
		cfg.Polls = 2
	}
	run, err := sandbox.Start(cfg, "127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	return &platform{run: run}
}

const conformanceChunk = 64 << 10

func (p *platform) client() *gcore.Client {
	return &gcore.Client{
		BaseURL: p.run.APIURL, Account: "gcore",
		Key:  func() (string, error) { return p.run.Server.Key(), nil },
		HTTP: httpx.WithWatchdog(nil, time.Second),
		// The guide's six attempts, without its waits.
		RetryDelays: []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 4 * time.Millisecond, 5 * time.Millisecond},
	}
}

func (p *platform) Driver(testing.TB) dest.Driver {
	return gcore.NewDriver(p.client(), gcore.DriverOptions{ChunkSize: conformanceChunk, PollInterval: time.Millisecond})
}

func (p *platform) Chunk() int64 { return conformanceChunk }

func (p *platform) Stats() desttest.Stats {
	st := p.run.Server.Stats()
	return desttest.Stats{Entities: st.Creates, Uploads: st.TusCreates, Received: st.PatchBytes}
}

func (p *platform) Title(id string) (string, bool) {
	n, _ := strconv.ParseInt(id, 10, 64)
	v, ok := p.run.Server.Video(n)
	if !ok || v.Status != "ready" {
		return "", false
	}
	return v.Name, true
}

// ExpireCredentials expires the TUS token: Gcore's API keys do not expire.
// The upload, created before, goes on without it.
func (p *platform) ExpireCredentials() { p.run.Server.ExpireTokens() }
func (p *platform) FailTransfer(status int) {
	p.run.Server.Inject(sandbox.Fault{Host: "upload", Method: "PATCH", Path: "/upload/", Status: status})
}
func (p *platform) DropTransfer() {
	p.run.Server.Inject(sandbox.Fault{Host: "upload", Method: "PATCH", Path: "/upload/", CutAfter: 1000})
}
func (p *platform) StallTransfer() {
	p.run.Server.Inject(sandbox.Fault{Host: "upload", Method: "PATCH", Path: "/upload/", Hold: -1})
}

// StallAPI holds the first GET (the upload parameters): idempotent, so it
// is repeated (a stalled create is ambiguous and rightly not repeated).
func (p *platform) StallAPI() {
	p.run.Server.Inject(sandbox.Fault{Host: "api", Method: "GET", Path: "/streaming/videos/", Hold: -1})
}
func (p *platform) FailProcessing(words string) { p.run.Server.FailProcessing(words, false) }
