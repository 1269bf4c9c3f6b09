package account

import (
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	wangsusb "github.com/gjw-uploader/gjw-uploader/core/sandbox/wangsu"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// A Wangsu account gets the Wangsu driver on $WANGSU_API_URL with the
// account's keys; removing the account makes its work wait.
func TestWangsuDriver(t *testing.T) {
	keyring.MockInit()
	run, err := wangsusb.Start(wangsusb.Config{Polls: -1}, "127.0.0.1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	t.Setenv("WANGSU_API_URL", run.APIURL)
	db, _ := persist.OpenInMemory()
	defer db.Close()
	m := open(t, db)
	ak, sk := run.Server.Keys()
	if err := m.Add(Account{Name: "asia", Platform: Wangsu}, map[string]string{"access_key": ak, "secret_key": sk}); err != nil {
		t.Fatal(err)
	}
	d, err := Drivers(m, db, core.Options{PollInterval: time.Millisecond})("asia")
	if err != nil || d.Platform() != "wangsu" {
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
	if v, _ := run.Server.Video(res.ID); v.Name != "T" || v.TranscodeState != 1 {
		t.Fatalf("video %+v", v)
	}
	if err := m.Remove("asia"); err != nil {
		t.Fatal(err)
	}
	_, err = d.Publish(context.Background(), nil, &memProgress{ed: p.ed})
	if dest.ReasonOf(err) != dest.ReasonSignedOut || strings.Contains(err.Error(), sk) {
		t.Fatalf("after removal: %v (%s)", err, dest.ReasonOf(err))
	}
}

// With WANGSU_API_URL unset, a Wangsu account's driver talks to the
// settings' Wangsu API host.
func TestWangsuDriverFromSettings(t *testing.T) {
	keyring.MockInit()
	run, err := wangsusb.Start(wangsusb.Config{Polls: -1}, "127.0.0.1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	t.Setenv("WANGSU_API_URL", "")
	db, _ := persist.OpenInMemory()
	defer db.Close()
	if err := db.PutSettings(persist.Settings{WangsuAPIURL: run.APIURL}); err != nil {
		t.Fatal(err)
	}
	m := open(t, db)
	ak, sk := run.Server.Keys()
	if err := m.Add(Account{Name: "asia", Platform: Wangsu}, map[string]string{"access_key": ak, "secret_key": sk}); err != nil {
		t.Fatal(err)
	}
	d, err := Drivers(m, db, core.Options{PollInterval: time.Millisecond})("asia")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "v.mp4")
	if err := os.WriteFile(path, make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	p := &memProgress{ed: dest.Edition{Source: dest.Source{Path: path, Size: 1000, ModTime: fi.ModTime()}, Meta: persist.VideoMeta{Title: "T"}, Rev: 1}}
	res, err := d.Publish(context.Background(), nil, p)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := run.Server.Video(res.ID); !ok || v.Name != "T" {
		t.Fatalf("video %+v %v", v, ok)
	}
}
