package jw_test

import (
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/dest/desttest"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/core/jw"
	sandbox "github.com/gjw-uploader/gjw-uploader/core/sandbox/jw"
)

func TestConformance(t *testing.T) {
	desttest.Run(t, func(t *testing.T) desttest.Platform { return newPlatform(t, sandbox.Config{}) })
}

// platform is the JW sandbox as the conformance suite sees it.
type platform struct{ run *sandbox.Running }

// conformancePart is the part size of the tests; the sandbox takes it as
// its minimum (the real minimum is 5 MiB).
const conformancePart = 64 << 10

func newPlatform(t testing.TB, cfg sandbox.Config) *platform {
	t.Helper()
	if cfg.MinPart == 0 {
		cfg.MinPart = conformancePart
	}
	run, err := sandbox.Start(cfg, "127.0.0.1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	return &platform{run: run}
}

func (p *platform) client() *jw.Client {
	return &jw.Client{
		BaseURL: p.run.APIURL, SiteID: p.run.Server.SiteID(), Account: "jw",
		Secret:      func() (string, error) { return p.run.Server.Secret(), nil },
		HTTP:        httpx.WithWatchdog(nil, time.Second), // a loaded machine answers some calls slower than 0.3 s
		RetryDelays: []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 4 * time.Millisecond, 5 * time.Millisecond},
	}
}

func (p *platform) Driver(testing.TB) dest.Driver {
	return jw.NewDriver(p.client(), jw.DriverOptions{ChunkSize: conformancePart, PollInterval: time.Millisecond})
}

// Chunk is what a kill may re-send: the parts in flight.
func (p *platform) Chunk() int64 { return jw.DefaultInFlight * conformancePart }

func (p *platform) Stats() desttest.Stats {
	st := p.run.Server.Stats()
	return desttest.Stats{Entities: st.Creates, Uploads: st.Uploads, Received: st.PartBytes}
}

func (p *platform) Title(id string) (string, bool) {
	m, ok := p.run.Server.Media(id)
	if !ok || m.Status != "ready" {
		return "", false
	}
	return m.Title, true
}

// ExpireCredentials expires the presigned part links: JW's API secrets do
// not expire. The driver lists the parts again for fresh links.
func (p *platform) ExpireCredentials() { p.run.Server.ExpireLinks() }
func (p *platform) FailTransfer(status int) {
	p.run.Server.Inject(sandbox.Fault{Host: "s3", Method: "PUT", Path: "/bucket/", Status: status})
}
func (p *platform) DropTransfer() {
	p.run.Server.Inject(sandbox.Fault{Host: "s3", Method: "PUT", Path: "/bucket/", CutAfter: 1000})
}
func (p *platform) StallTransfer() {
	p.run.Server.Inject(sandbox.Fault{Host: "s3", Method: "PUT", Path: "/bucket/", Hold: -1})
}

// StallAPI holds the first parts listing: idempotent, so it is repeated
// (a stalled create is ambiguous and rightly not repeated).
func (p *platform) StallAPI() {
	p.run.Server.Inject(sandbox.Fault{Host: "api", Method: "GET", Path: "/v2/uploads/", Hold: -1})
}
func (p *platform) FailProcessing(words string) { p.run.Server.FailProcessing(words) }
