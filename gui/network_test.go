package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
)

// TestSettingsNetworkApplyAtOnce: the upload speed limit, the proxy and
// keeping the computer awake take effect when saved (no restart), are stored, and a bad value is
// refused with a line naming the field, storing nothing.
func TestSettingsNetworkApplyAtOnce(t *testing.T) {
	t.Cleanup(func() { httpx.SetProxy("") })
	h := newHarness(t, nil, harnessOpts{noStart: true})
	s := h.ui.prefs

	if !s.awake.Checked {
		t.Fatal("keeping the computer awake should be on by default")
	}
	s.limit.SetText("512k")
	s.proxy.SetText("http://127.0.0.1:3128")
	s.awake.SetChecked(false)
	test.Tap(findButton(t, s.content, "Save settings"))
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
	test.Tap(findButton(t, s.content, "Save settings"))
	if sched, _ := h.ui.deps.Engine.Limit(); sched.String() != "08:00,1M 18:00,512k 23:00,off" {
		t.Fatalf("timetable: %s (%s)", sched, s.result.Text)
	}

	for field, bad := range map[string]func(){
		"Upload speed limit": func() { s.limit.SetText("fast") },
		"Proxy":              func() { s.limit.SetText("off"); s.proxy.SetText("ftp://proxy.example") },
	} {
		bad()
		test.Tap(findButton(t, s.content, "Save settings"))
		if !strings.HasPrefix(s.result.Text, field+":") || strings.Contains(s.result.Text, "\n") {
			t.Errorf("%s: result %q", field, s.result.Text)
		}
		if st, _ := h.db.Settings(); st.LimitRate != "08:00,1M 18:00,512k 23:00,off" || st.Proxy != "http://127.0.0.1:3128" {
			t.Errorf("%s: a refused value was stored: %+v", field, st)
		}
	}
}
