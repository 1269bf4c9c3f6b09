package wangsu_test

import (
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/dest/desttest"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	sandbox "github.com/gjw-uploader/gjw-uploader/core/sandbox/wangsu"
	"github.com/gjw-uploader/gjw-uploader/core/wangsu"
)

// The conformance sizes: 128 KiB blocks (the sandbox's unit set to match;
// its default is the real 4 MiB) of four 32 KiB chunks, so the suite's
// file (4 chunks + 4321 bytes) is one full block by mkblk and three bputs,
// then a short last block.
const (
	confBlock = 128 << 10
	confChunk = 32 << 10
)

func TestConformance(t *testing.T) {
	for _, mode := range []struct {
		name string
		cfg  sandbox.Config
	}{
		{"default", sandbox.Config{}},
		// Only documented parameters; header values canonicalised lowercase
		// (the other reading of the docs): the driver's lowercase values
		// sign the same under both.
		{"strict+lowercase", sandbox.Config{Strict: true, LowercaseHeaderValues: true}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			desttest.Run(t, func(t *testing.T) desttest.Platform { return newPlatformConfig(t, mode.cfg) })
		})
	}
}

type platform struct{ run *sandbox.Running }

func newPlatform(t testing.TB) *platform { return newPlatformConfig(t, sandbox.Config{}) }

func newPlatformConfig(t testing.TB, cfg sandbox.Config) *platform {
	t.Helper()
	cfg.BlockUnit, cfg.Polls = confBlock, 2
	run, err := sandbox.Start(cfg, "127.0.0.1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	return &platform{run: run}
}

func (p *platform) client() *wangsu.Client {
	ak, sk := p.run.Server.Keys()
	return &wangsu.Client{
		BaseURL: p.run.APIURL, Account: "wangsu",
		Keys:        func() (wangsu.Keys, error) { return wangsu.Keys{AccessKey: ak, SecretKey: sk}, nil },
		HTTP:        httpx.WithWatchdog(nil, time.Second), // a loaded machine answers some calls slower than 0.3 s
		RetryDelays: []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 4 * time.Millisecond, 5 * time.Millisecond},
	}
}

func (p *platform) Driver(testing.TB) dest.Driver {
	return wangsu.NewDriver(p.client(), wangsu.DriverOptions{BlockSize: confBlock, ChunkSize: confChunk, PollInterval: time.Millisecond})
}

func (p *platform) Chunk() int64 { return confChunk }

func (p *platform) Stats() desttest.Stats {
	st := p.run.Server.Stats()
	return desttest.Stats{Entities: st.Videos, Uploads: st.Batches, Received: st.Received}
}

func (p *platform) Title(id string) (string, bool) {
	v, ok := p.run.Server.Video(id)
	if !ok || v.TranscodeState != 1 {
		return "", false
	}
	return v.Name, true
}

const chunkPaths = "/mkblk/|/bput/"

// ExpireCredentials expires the upload tokens (the access keys do not
// expire): the driver renews it with the same fileId, keeping its batch.
func (p *platform) ExpireCredentials() { p.run.Server.ExpireTokens() }
func (p *platform) FailTransfer(status int) {
	p.run.Server.Inject(sandbox.Fault{Host: "upload", Path: chunkPaths, Status: status})
}
func (p *platform) DropTransfer() {
	p.run.Server.Inject(sandbox.Fault{Host: "upload", Path: chunkPaths, CutAfter: 1000})
}
func (p *platform) StallTransfer() {
	p.run.Server.Inject(sandbox.Fault{Host: "upload", Path: chunkPaths, Hold: -1})
}

// StallAPI holds the first API call, getUploadToken: with a fileId it
// finds the same video when repeated, so it is repeated.
func (p *platform) StallAPI() {
	p.run.Server.Inject(sandbox.Fault{Host: "api", Path: "/vod/videoManage/getUploadToken", Hold: -1})
}
func (p *platform) FailProcessing(words string) { p.run.Server.FailProcessing(words) }
