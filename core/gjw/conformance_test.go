package gjw_test

import (
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/dest/desttest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

func TestConformance(t *testing.T) {
	desttest.Run(t, func(t *testing.T) desttest.Platform {
		env := sandboxtest.NewWith(t, sandbox.Config{TranscodePolls: 2})
		db, err := persist.OpenInMemory()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return &platform{env: env, creds: sandboxtest.SessionOf(env.Sandbox.DemoAccount()), images: db}
	})
}

// platform is the GJW sandbox as the conformance suite sees it.
type platform struct {
	env    *sandboxtest.Env
	creds  *sandboxtest.Session
	images gjw.ImageStore
}

const conformanceChunk = 64 << 10

func (p *platform) Driver(testing.TB) dest.Driver {
	c := gjw.NewClient(p.env.Hosts, p.creds, httpx.WithWatchdog(nil, time.Second))
	// The guide's six attempts, without its waits.
	c.RetryDelays = []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 4 * time.Millisecond, 5 * time.Millisecond}
	return gjw.NewDriver(c, gjw.DriverOptions{ChunkSize: conformanceChunk, PollInterval: time.Millisecond, Images: p.images})
}

func (p *platform) Chunk() int64 { return conformanceChunk }

func (p *platform) Stats() desttest.Stats {
	st := p.env.Sandbox.Stats()
	return desttest.Stats{Entities: st.AddContent, Uploads: st.TusCreates, Received: st.TusPatchBytes}
}

func (p *platform) Title(id string) (string, bool) {
	c, ok := p.env.Sandbox.Content(id)
	if !ok || !c.Published {
		return "", false
	}
	title, _ := c.Fields["title"].(string)
	return title, true
}

const tusPath = "/api/v1/tus/upload/"

func (p *platform) ExpireCredentials() { p.env.Sandbox.ExpireAccessTokens() }
func (p *platform) FailTransfer(status int) {
	p.env.Sandbox.Inject(sandbox.Fault{Host: "vod", Method: "PATCH", Path: tusPath, Status: status})
}
func (p *platform) DropTransfer() {
	p.env.Sandbox.Inject(sandbox.Fault{Host: "vod", Method: "PATCH", Path: tusPath, CutAfter: 1000})
}
func (p *platform) StallTransfer() {
	p.env.Sandbox.Inject(sandbox.Fault{Host: "vod", Method: "PATCH", Path: tusPath, Hold: -1})
}

// StallAPI holds the upload-token call: idempotent, so the stalled request
// is repeated (a stalled add-content is ambiguous and rightly not repeated).
func (p *platform) StallAPI() {
	p.env.Sandbox.Inject(sandbox.Fault{Host: "api", Path: "/v1.0c/get-vod-token", Hold: -1})
}
func (p *platform) FailProcessing(words string) { p.env.Sandbox.FailTranscode(words) }
