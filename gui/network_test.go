package gui

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/proxytest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// TestSettingsNetworkApplyAtOnce: the upload speed limit, the proxy and
// keeping the computer awake take effect when saved (no restart), are stored, and a bad value is
// refused with a line naming the field, storing nothing.
func TestSettingsNetworkApplyAtOnce(t *testing.T) {
	t.Cleanup(func() { httpx.SetProxy("", "") })
	h := newHarness(t, nil, harnessOpts{noStart: true})
	s := h.ui.prefs

	if !s.awake.Checked {
		t.Fatal("keeping the computer awake should be on by default")
	}
	s.limit.SetText("512k")
	s.proxy.SetText("http://127.0.0.1:3128")
	s.awake.SetChecked(false)
	h.saveSettings()
	if !strings.HasPrefix(s.result.Text, "Saved") {
		t.Fatalf("result %q", s.result.Text)
	}
	if sched, rate := h.ui.deps.Engine.Limit(); sched.String() != "512k" || rate != 512<<10 {
		t.Fatalf("the engine's limit is %s (%d B/s)", sched, rate)
	}
	if got := httpx.ProxyInUse(); got != "http://127.0.0.1:3128" {
		t.Fatalf("proxy in use %q", got)
	}
	st, _ := h.db.Settings()
	if st.LimitRate != "512k" || st.Proxy != "http://127.0.0.1:3128" || !st.AllowSleep {
		t.Fatalf("stored %+v", st)
	}

	s.limit.SetText("08:00,1M 18:00,512k 23:00,off")
	h.saveSettings()
	if sched, _ := h.ui.deps.Engine.Limit(); sched.String() != "08:00,1M 18:00,512k 23:00,off" {
		t.Fatalf("timetable: %s (%s)", sched, s.result.Text)
	}

	for field, bad := range map[string]func(){
		"Upload speed limit": func() { s.limit.SetText("fast") },
		"Proxy":              func() { s.limit.SetText("off"); s.proxy.SetText("ftp://proxy.example") },
	} {
		bad()
		h.saveSettings()
		if !strings.HasPrefix(s.result.Text, field+":") || strings.Contains(s.result.Text, "\n") {
			t.Errorf("%s: result %q", field, s.result.Text)
		}
		if st, _ := h.db.Settings(); st.LimitRate != "08:00,1M 18:00,512k 23:00,off" || st.Proxy != "http://127.0.0.1:3128" {
			t.Errorf("%s: a refused value was stored: %+v", field, st)
		}
	}
}

// TestSettingsNoProxyAppliesAtOnce: the hosts saved under "No proxy for"
// skip the settings' proxy from the next request on (here the proxy alone
// resolves the host, so going direct fails and the proxy hears nothing),
// are stored, and a bad entry is refused naming the field.
func TestSettingsNoProxyAppliesAtOnce(t *testing.T) {
	t.Cleanup(func() { httpx.SetProxy("", "") })
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(srv.Close)
	p := proxytest.New(t)
	url := proxytest.Aliased(srv.URL)
	get := func() error {
		res, err := httpx.Client().Get(url)
		if err == nil {
			res.Body.Close()
		}
		return err
	}
	h := newHarness(t, nil, harnessOpts{noStart: true})
	s := h.ui.prefs
	s.proxy.SetText(p.URL)
	s.noProxy.SetText(proxytest.Alias + ", example.com")
	h.saveSettings()
	if !strings.HasPrefix(s.result.Text, "Saved") {
		t.Fatalf("result %q", s.result.Text)
	}
	if st, _ := h.db.Settings(); st.NoProxy != proxytest.Alias+", example.com" {
		t.Fatalf("stored %+v", st)
	}
	if err := get(); err == nil || p.Total() != 0 {
		t.Fatalf("a listed host: err %v, the proxy saw %d requests", err, p.Total())
	}

	s.noProxy.SetText("example.com")
	h.saveSettings()
	if err := get(); err != nil || p.Count(proxytest.Host(srv.URL)) != 1 {
		t.Fatalf("an unlisted host: err %v, the proxy saw %d requests", err, p.Total())
	}

	s.noProxy.SetText("http://example.com")
	h.saveSettings()
	if !strings.HasPrefix(s.result.Text, "No proxy for:") || strings.Contains(s.result.Text, "\n") {
		t.Errorf("result %q", s.result.Text)
	}
	if st, _ := h.db.Settings(); st.NoProxy != "example.com" {
		t.Errorf("a refused value was stored: %+v", st)
	}
}

// TestRowSaysReconnecting: a target retrying a connection error, and one
// waiting for the connection after every retry, say "Reconnecting" and
// that they go on by themselves; an answer's retry still reads as before.
func TestRowSaysReconnecting(t *testing.T) {
	db, err := persist.OpenInMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	jobs := seedJobs(t, db, 1)
	h := newHarness(t, nil, harnessOpts{db: db, noStart: true})
	j := jobs[0]

	refused := &httpx.Error{Op: "upload chunk", Err: errors.New("dial tcp 10.0.0.1:443: connect: connection refused")}
	h.events.Push(core.Event{Job: j, Target: j.Targets[0].Account, Sent: 10 << 20, RetryIn: 20 * time.Second, Err: refused, Reconnecting: true})
	rv := h.eventuallyRow(j.ID, "reconnecting while retrying", func(rv *rowView) bool {
		return strings.HasPrefix(rv.status.Text, "Reconnecting") && strings.Contains(rv.detail.Text, "retrying in 20 s")
	})
	if !strings.Contains(rv.detail.Text, "Gan Jing World") {
		t.Errorf("the detail does not name the platform: %q", rv.detail.Text)
	}

	h.events.Push(core.Event{Job: j, Target: j.Targets[0].Account, Sent: 10 << 20, RetryIn: 3 * time.Second, Err: &httpx.Error{Op: "upload chunk", Status: 502}})
	h.eventuallyRow(j.ID, "a 5xx retry is not reconnecting", func(rv *rowView) bool {
		return strings.HasPrefix(rv.status.Text, "Uploading") && strings.Contains(rv.detail.Text, "had a problem; retrying in 3 s")
	})

	j.Rev++
	j.State, j.Targets[0].State, j.Targets[0].Reason = core.StateWaiting, core.StateWaiting, string(dest.ReasonOffline)
	j.Targets[0].Error = "step 6 (uploading video): upload chunk: cannot reach the server: dial tcp: connection refused"
	h.events.Push(core.Event{Job: j, Target: j.Targets[0].Account, RetryIn: time.Minute, Reconnecting: true})
	h.eventuallyRow(j.ID, "waiting for the connection", func(rv *rowView) bool {
		return strings.HasPrefix(rv.status.Text, "Reconnecting") && strings.Contains(rv.detail.Text, "by itself")
	})
}
