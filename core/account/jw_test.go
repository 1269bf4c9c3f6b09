package account

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	jwsb "github.com/gjw-uploader/gjw-uploader/core/sandbox/jw"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

type jwProgress struct {
	ed dest.Edition
}

func (p *jwProgress) Step(string)                           {}
func (p *jwProgress) Sent(int64)                            {}
func (p *jwProgress) Processing(int)                        {}
func (p *jwProgress) Retrying(string, time.Duration, error) {}
func (p *jwProgress) Checkpoint(s any) error                { _, err := json.Marshal(s); return err }
func (p *jwProgress) Latest() (dest.Edition, error)         { return p.ed, nil }
func (p *jwProgress) Published(int)                         {}

// A JW account's driver publishes to the settings' API host (JW_API_URL
// unset) with the site id and secret of the account.
func TestJWDriverFromSettings(t *testing.T) {
	run, err := jwsb.Start(jwsb.Config{Polls: -1}, "127.0.0.1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	t.Setenv("JW_API_URL", "")
	db, _ := persist.OpenInMemory()
	defer db.Close()
	if err := db.PutSettings(persist.Settings{JWAPIURL: run.APIURL}); err != nil {
		t.Fatal(err)
	}
	m := open(t, db)
	if err := m.Add(Account{Name: "site", Platform: JW}, map[string]string{"site_id": jwsb.DemoSite, "api_secret": jwsb.DemoSecret}); err != nil {
		t.Fatal(err)
	}
	d, err := Drivers(m, db, core.Options{PollInterval: time.Millisecond})("site")
	if err != nil || d.Platform() != "jw" {
		t.Fatalf("driver %v %v", d, err)
	}
	path := filepath.Join(t.TempDir(), "v.mp4")
	os.WriteFile(path, make([]byte, 1000), 0o644)
	fi, _ := os.Stat(path)
	p := &jwProgress{ed: dest.Edition{Source: dest.Source{Path: path, Size: 1000, ModTime: fi.ModTime()}, Meta: persist.VideoMeta{Title: "T"}, Rev: 1}}
	res, err := d.Publish(context.Background(), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	if md, ok := run.Server.Media(res.ID); !ok || md.Status != "ready" || md.Title != "T" {
		t.Fatalf("media %+v %v", md, ok)
	}
}
