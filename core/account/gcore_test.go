package account

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	sandbox "github.com/gjw-uploader/gjw-uploader/core/sandbox/gcore"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

type memProgress struct {
	state json.RawMessage
	ed    dest.Edition
}

func (p *memProgress) Step(string)                           {}
func (p *memProgress) Sent(int64)                            {}
func (p *memProgress) Processing(int)                        {}
func (p *memProgress) Retrying(string, time.Duration, error) {}
func (p *memProgress) Published(int)                         {}
func (p *memProgress) Latest() (dest.Edition, error)         { return p.ed, nil }
func (p *memProgress) Checkpoint(s any) error {
	b, err := json.Marshal(s)
	p.state = b
	return err
}

// A Gcore account gets the Gcore driver on $GCORE_API_URL with the
// account's key; removing the account makes its work wait.
func TestGcoreDriver(t *testing.T) {
	keyring.MockInit()
	run, err := sandbox.Start(sandbox.Config{Dir: t.TempDir(), Polls: -1}, "127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	// The settings' host, then GCORE_API_URL over it.
	t.Setenv("GCORE_API_URL", "")
	db, _ := persist.OpenInMemory()
	defer db.Close()
	if err := db.PutSettings(persist.Settings{GcoreAPIURL: run.APIURL}); err != nil {
		t.Fatal(err)
	}
	m := open(t, db)
	if err := m.Add(Account{Name: "studio", Platform: Gcore}, map[string]string{"api_key": sandbox.DemoKey}); err != nil {
		t.Fatal(err)
	}
	d, err := Drivers(m, db, core.Options{PollInterval: time.Millisecond})("studio")
	if err != nil || d.Platform() != "gcore" {
		t.Fatalf("driver %v %v", d, err)
	}
	path := filepath.Join(t.TempDir(), "v.mp4")
	f, _ := os.Create(path)
	io.CopyN(f, rand.Reader, 1000)
	f.Close()
	fi, _ := os.Stat(path)
	p := &memProgress{ed: dest.Edition{Source: dest.Source{Path: path, Size: 1000, ModTime: fi.ModTime()}, Meta: persist.VideoMeta{Title: "T"}, Rev: 1}}
	res, err := d.Publish(context.Background(), nil, p)
	if err != nil || res.ID == "" || res.URL == "" {
		t.Fatalf("publish: %+v %v", res, err)
	}
	t.Setenv("GCORE_API_URL", "http://127.0.0.1:1")
	d2, _ := Drivers(m, db, core.Options{PollInterval: time.Millisecond, RetryDelays: []time.Duration{0}})("studio")
	if _, err := d2.Publish(context.Background(), nil, p); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("GCORE_API_URL does not win over the setting: %v", err)
	}
	if err := m.Remove("studio"); err != nil {
		t.Fatal(err)
	}
	_, err = d.Publish(context.Background(), nil, p)
	if dest.ReasonOf(err) != dest.ReasonSignedOut || strings.Contains(err.Error(), sandbox.DemoKey) {
		t.Fatalf("after removal: %v (%s)", err, dest.ReasonOf(err))
	}
}
