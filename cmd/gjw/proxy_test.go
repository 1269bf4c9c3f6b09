package main

import (
	"strings"
	"testing"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	gcoresb "github.com/gjw-uploader/gjw-uploader/core/sandbox/gcore"
	jwsb "github.com/gjw-uploader/gjw-uploader/core/sandbox/jw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/proxytest"
	wangsusb "github.com/gjw-uploader/gjw-uploader/core/sandbox/wangsu"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// fourPlatforms is gjw on a fresh data folder with the four sandboxes
// (GJW, Gcore, JW Player, Wangsu) reachable only by the alias name: the
// hosts gjw is given and the upload hosts the sandboxes hand out.
type fourPlatforms struct {
	*cli
	gcore  *gcoresb.Running
	jw     *jwsb.Running
	wangsu *wangsusb.Running
	hosts  []string // every host:port a request must reach
}

func newFourPlatforms(t *testing.T) *fourPlatforms {
	c := newCLI(t, sandbox.Config{TranscodePolls: -1}, testSize)
	f := &fourPlatforms{cli: c}
	var err error
	if f.gcore, err = gcoresb.Start(gcoresb.Config{Dir: t.TempDir()}, "127.0.0.1", 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.gcore.Close() })
	if f.jw, err = jwsb.Start(jwsb.Config{MinPart: testChunk}, "127.0.0.1", 0, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.jw.Close() })
	if f.wangsu, err = wangsusb.Start(wangsusb.Config{Polls: 1}, "127.0.0.1", 0, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.wangsu.Close() })

	t.Setenv("GJW_API_URL", proxytest.Aliased(c.sb.APIURL))
	t.Setenv("GJW_IMAGE_URL", proxytest.Aliased(c.sb.ImageURL))
	t.Setenv("GJW_VOD_URL", proxytest.Aliased(c.sb.VODURL))
	t.Setenv("GCORE_API_URL", proxytest.Aliased(f.gcore.APIURL))
	t.Setenv("JW_API_URL", proxytest.Aliased(f.jw.APIURL))
	t.Setenv("WANGSU_API_URL", proxytest.Aliased(f.wangsu.APIURL))
	var uploadHosts []string
	for _, u := range f.gcore.UploadURLs {
		uploadHosts = append(uploadHosts, proxytest.Host(u))
	}
	f.gcore.Server.SetUploadHosts(uploadHosts...)
	f.jw.Server.SetS3URL(proxytest.Aliased(f.jw.S3URL))
	f.wangsu.Server.SetUploadURL(proxytest.Aliased(f.wangsu.UploadURL))
	f.hosts = []string{proxytest.Host(c.sb.APIURL), proxytest.Host(c.sb.ImageURL), proxytest.Host(c.sb.VODURL),
		proxytest.Host(f.gcore.APIURL), proxytest.Host(f.jw.APIURL), proxytest.Host(f.jw.S3URL), proxytest.Host(f.wangsu.APIURL), proxytest.Host(f.wangsu.UploadURL)}
	c.sb.VODURL = proxytest.Aliased(c.sb.VODURL) // the HLS links name it so
	return f
}

// addAccounts signs in to all four with r.
func (f *fourPlatforms) addAccounts(r runner) {
	f.t.Helper()
	f.login(r, f.sb.Server.DemoAccount())
	ak, sk := f.wangsu.Server.Keys()
	f.tokens = append(f.tokens, f.gcore.Server.Key(), f.jw.Server.Secret(), sk)
	for _, args := range [][]string{
		{"account", "add", "gcore", "--api-key", f.gcore.Server.Key()},
		{"account", "add", "jw", "--site-id", f.jw.Server.SiteID(), "--api-secret", f.jw.Server.Secret()},
		{"account", "add", "wangsu", "--access-key", ak, "--secret-key", sk},
	} {
		if o := f.gjw(r, args...); o.code != 0 {
			f.t.Fatalf("%s: %v", strings.Join(args, " "), o)
		}
	}
}

// uploadAll publishes the video to the four platforms with r and checks
// each one has it.
func (f *fourPlatforms) uploadAll(r runner, p *proxytest.Proxy) {
	f.t.Helper()
	o := f.gjw(r, "upload", f.video, "--title", "T", "--thumbnail", f.thumb, "--to", "gjw,gcore,jw,wangsu", "--json")
	if o.code != 0 {
		f.t.Fatalf("upload: %v", o)
	}
	res, err := jsonLines(o.stdout)
	if err != nil || len(res) != 4 {
		f.t.Fatalf("want four results: %v %v", res, err)
	}
	for _, r := range res {
		if r.State != "done" {
			f.t.Fatalf("%s: %+v", r.Platform, r)
		}
	}
	f.published(res[0])
	if st := f.gcore.Server.Stats(); st.TusCreates != 1 || st.PatchBytes < testSize {
		f.t.Errorf("gcore: %+v", st)
	}
	if st := f.jw.Server.Stats(); st.Completes != 1 || st.PartBytes < testSize {
		f.t.Errorf("jw: %+v", st)
	}
	if st := f.wangsu.Server.Stats(); st.Mkfiles != 1 || st.Received != testSize {
		f.t.Errorf("wangsu: %+v", st)
	}
	// Every host was reached, and only through the proxy (no other way
	// resolves the proxytest.Alias).
	for _, h := range f.hosts {
		if p.Count(h) == 0 {
			f.t.Errorf("no request to %s went through the proxy", h)
		}
	}
	gcoreUploads := 0
	for _, u := range f.gcore.UploadURLs {
		gcoreUploads += p.Count(proxytest.Host(u))
	}
	if gcoreUploads == 0 {
		f.t.Errorf("no request to Gcore's upload hosts went through the proxy")
	}
}

// TestEveryRequestGoesThroughTheEnvironmentsProxy: with HTTP_PROXY set,
// gjw publishes to all four platforms (API calls, GJW's image host and
// TUS, Gcore's TUS, JW's part PUTs, Wangsu's upload host) though none of
// their hosts resolves: every request went through the proxy. With the
// alias in NO_PROXY, the same upload cannot reach the platform at all.
// The binary is run, since net/http reads the variables once per process.
func TestEveryRequestGoesThroughTheEnvironmentsProxy(t *testing.T) {
	f := newFourPlatforms(t)
	p := proxytest.New(t)
	t.Setenv("HTTP_PROXY", p.URL)
	t.Setenv("HTTPS_PROXY", p.URL)
	t.Setenv("NO_PROXY", "")
	f.addAccounts(binary)
	f.uploadAll(binary, p)

	before := p.Total()
	t.Setenv("NO_PROXY", proxytest.Alias)
	o := f.gjw(binary, "upload", f.video, "--title", "Direct", "--thumbnail", f.thumb, "--to", "gjw")
	if line := oneErrorLine(t, o); o.code == 0 || !strings.Contains(line, proxytest.Alias) {
		t.Fatalf("with NO_PROXY=%s the upload should fail to reach %s: %v", proxytest.Alias, proxytest.Alias, o)
	}
	if p.Total() != before {
		t.Fatalf("a host in NO_PROXY went through the proxy")
	}
}

// TestEveryRequestGoesThroughTheSettingsProxy: the proxy saved in the
// settings carries every request of every platform, with no variable set.
func TestEveryRequestGoesThroughTheSettingsProxy(t *testing.T) {
	t.Cleanup(func() { httpx.SetProxy("", "") })
	f := newFourPlatforms(t)
	p := proxytest.New(t)
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(k, "")
	}
	db, err := persist.Open(f.data)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutSettings(persist.Settings{Proxy: p.URL}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	f.addAccounts(inProcess)
	f.uploadAll(inProcess, p)

	// With the alias under the settings' "no proxy for", the same upload
	// goes direct, so it cannot reach the platform, and the proxy hears
	// nothing of it.
	db, _ = persist.Open(f.data)
	db.PutSettings(persist.Settings{Proxy: p.URL, NoProxy: "example.com, " + proxytest.Alias})
	db.Close()
	before := p.Total()
	o := f.gjw(inProcess, "upload", f.video, "--title", "Direct", "--thumbnail", f.thumb, "--to", "gjw")
	if line := oneErrorLine(t, o); o.code == 0 || !strings.Contains(line, proxytest.Alias) {
		t.Fatalf("with %s under no proxy the upload should fail to reach it: %v", proxytest.Alias, o)
	}
	if p.Total() != before {
		t.Fatalf("a host under no proxy went through the proxy")
	}

	// A bad proxy in the settings is one line naming it.
	db, _ = persist.Open(f.data)
	db.PutSettings(persist.Settings{Proxy: "ftp://proxy.example"})
	db.Close()
	o = f.gjw(inProcess, "jobs")
	if line := oneErrorLine(t, o); o.code == 0 || !strings.Contains(line, "ftp://proxy.example") {
		t.Fatalf("a bad proxy setting: %v", o)
	}
}
