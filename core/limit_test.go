package core_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/bandwidth"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// How these tests judge a speed limit. The rate is measured where it
// matters, at the server: the time each PATCH body byte reaches the
// sandbox's TUS handler. A limit may never be beaten: over any window the
// server gets at most limit*window*1.05 bytes, plus one burst and one read
// of the limiter (a twentieth of a second of the rate; they bound what a
// bucket can hold after a pause). A loaded machine can only make an upload
// slower, never faster, so that bound holds however busy the machine is.
// The lower bounds are loose on purpose (half the limit): two cores shared
// by several engineers' builds can stall a goroutine for a while, and a
// test that failed then would say nothing about the limiter.

// meter records when each PATCH body byte reaches the server, per upload.
type meter struct {
	mu    sync.Mutex
	reads map[string][]arrival // by TUS upload path
}

type arrival struct {
	at time.Time
	n  int64
}

func (m *meter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			r.Body = &meterBody{ReadCloser: r.Body, m: m, path: r.URL.Path}
		}
		h.ServeHTTP(w, r)
	})
}

type meterBody struct {
	io.ReadCloser
	m    *meter
	path string
}

func (b *meterBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.m.mu.Lock()
		b.m.reads[b.path] = append(b.m.reads[b.path], arrival{time.Now(), int64(n)})
		b.m.mu.Unlock()
	}
	return n, err
}

// uploads lists the arrivals of every upload.
func (m *meter) uploads() [][]arrival {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out [][]arrival
	for _, a := range m.reads {
		out = append(out, append([]arrival(nil), a...))
	}
	return out
}

// span is the first and last arrival of a.
func span(a []arrival) (time.Time, time.Time) { return a[0].at, a[len(a)-1].at }

// bytesIn counts the bytes of a that arrived after from, up to to.
func bytesIn(a []arrival, from, to time.Time) int64 {
	var n int64
	for _, x := range a {
		if x.at.After(from) && !x.at.After(to) {
			n += x.n
		}
	}
	return n
}

// maxBytes is the most a limit may let through in a window (see above).
func maxBytes(limit bandwidth.Rate, window time.Duration) int64 {
	slack := max(int64(limit)/20, 16<<10) + 16<<10
	return int64(float64(limit)*window.Seconds()*1.05) + slack
}

// limitEnv is env with the sandbox's TUS host behind a meter.
func limitEnv(t *testing.T) (*env, *meter) {
	t.Helper()
	sb, err := sandbox.New(sandbox.Config{Dir: t.TempDir(), TranscodePolls: -1})
	if err != nil {
		t.Fatal(err)
	}
	m := &meter{reads: map[string][]arrival{}}
	api, img, vod := httptest.NewServer(sb.API()), httptest.NewServer(sb.Image()), httptest.NewServer(m.wrap(sb.VOD()))
	t.Cleanup(func() { api.Close(); img.Close(); vod.Close(); sb.Close() })
	platform := &sandboxtest.Env{Sandbox: sb, Hosts: gjw.Hosts{API: api.URL, Image: img.URL, VOD: vod.URL}}
	e := &env{t: t, sb: sb, db: platform.Store(t), hosts: platform.Hosts}
	e.thumb = sandboxtest.WritePNG(t, filepath.Join(t.TempDir(), "poster.png"), 1)
	return e, m
}

func (e *env) addSized(title string, size int64) persist.Job {
	e.t.Helper()
	e.video = sandboxtest.WriteRandom(e.t, filepath.Join(e.t.TempDir(), title+".mp4"), size)
	return e.add(persist.VideoMeta{Title: title})
}

func mustSchedule(t *testing.T, s string) bandwidth.Schedule {
	t.Helper()
	sc, err := bandwidth.ParseSchedule(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func rateOf(n int64, d time.Duration) string {
	return fmt.Sprintf("%.3f MiB/s", float64(n)/d.Seconds()/(1<<20))
}

// TestLimitRateHolds: 20 MiB at --limit-rate 2M takes 10 s: the server
// never gets the bytes faster than 2 MiB/s + 5% (and not absurdly slower).
func TestLimitRateHolds(t *testing.T) {
	const size = 20 << 20
	limit := bandwidth.Rate(2 << 20)
	e, m := limitEnv(t)
	e.engine = e.newEngine(core.Options{ChunkSize: 4 << 20, Limit: mustSchedule(t, "2M")})
	j := e.addSized("twenty", size)
	if err := e.engine.Run(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	if st := e.job(j.ID); st.State != core.StateDone {
		t.Fatalf("state %s", st.State)
	}
	ups := m.uploads()
	if len(ups) != 1 {
		t.Fatalf("want one TUS upload, got %d", len(ups))
	}
	first, last := span(ups[0])
	took := last.Sub(first)
	got := bytesIn(ups[0], first, last) // every byte after the first read
	t.Logf("20 MiB at 2M: %s at the server, %s (10 s is the target)", took.Round(time.Millisecond), rateOf(got, took))
	if got > maxBytes(limit, took) {
		t.Fatalf("the server got %d bytes in %s: %s, over the 2 MiB/s limit + 5%%", got, took, rateOf(got, took))
	}
	if took > 20*time.Second {
		t.Fatalf("took %s: the limit slowed the upload far below 2 MiB/s", took)
	}
}

// TestLimitChangesLive: the limit set while an upload runs holds within a
// second, both up and down, then off lets it finish at full speed.
func TestLimitChangesLive(t *testing.T) {
	const size = 12 << 20
	e, m := limitEnv(t)
	e.engine = e.newEngine(core.Options{ChunkSize: 1 << 20, Limit: mustSchedule(t, "1M")})
	j := e.addSized("live", size)
	done := make(chan error, 1)
	go func() { done <- e.engine.Run(context.Background(), j.ID) }()

	// Wait for the first byte, then: 1M for 1 s, 4M for 2 s, 512k for 2 s, off.
	deadline := time.Now().Add(30 * time.Second)
	for len(m.uploads()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the upload never started")
		}
		time.Sleep(5 * time.Millisecond)
	}
	phases := []struct {
		rate string
		for_ time.Duration
	}{{"1M", time.Second}, {"4M", 2 * time.Second}, {"512k", 2 * time.Second}}
	var changed []time.Time // when each phase began
	start, _ := span(m.uploads()[0])
	changed = append(changed, start)
	for i, ph := range phases {
		time.Sleep(time.Until(changed[i].Add(ph.for_)))
		next := "off"
		if i+1 < len(phases) {
			next = phases[i+1].rate
		}
		e.engine.SetLimit(mustSchedule(t, next))
		changed = append(changed, time.Now())
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	a := m.uploads()[0]
	for i, ph := range phases {
		// Judged from a second after the change (the first phase: from its
		// first byte) to the next change.
		from := changed[i].Add(time.Second)
		if i == 0 {
			from = changed[0]
		}
		to := changed[i+1]
		limit, _ := bandwidth.ParseRate(ph.rate)
		n := bytesIn(a, from, to)
		t.Logf("%-4s: %s", ph.rate, rateOf(n, to.Sub(from)))
		if n > maxBytes(limit, to.Sub(from)) {
			t.Errorf("at %s the server got %s", ph.rate, rateOf(n, to.Sub(from)))
		}
		if ph.rate == "4M" && float64(n)/to.Sub(from).Seconds() < 1.5*(1<<20) {
			t.Errorf("a second after raising the limit from 1M to 4M the upload still ran at %s", rateOf(n, to.Sub(from)))
		}
	}
}

// TestLimitSharedByParallelUploads: two uploads running at once share one
// 2M limit, about evenly.
func TestLimitSharedByParallelUploads(t *testing.T) {
	const size = 4 << 20
	limit := bandwidth.Rate(2 << 20)
	e, m := limitEnv(t)
	e.engine = e.newEngine(core.Options{ChunkSize: 1 << 20, Parallel: 2, Limit: mustSchedule(t, "2M")})
	a, b := e.addSized("a", size), e.addSized("b", size)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.engine.Start(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for e.job(a.ID).State != core.StateDone || e.job(b.ID).State != core.StateDone {
		if time.Now().After(deadline) {
			t.Fatalf("not done: %s %s", e.job(a.ID).State, e.job(b.ID).State)
		}
		time.Sleep(20 * time.Millisecond)
	}
	ups := m.uploads()
	if len(ups) != 2 {
		t.Fatalf("want two TUS uploads, got %d", len(ups))
	}
	// The window where both were sending.
	f0, l0 := span(ups[0])
	f1, l1 := span(ups[1])
	from, to := f0, l0
	if f1.After(from) {
		from = f1
	}
	if l1.Before(to) {
		to = l1
	}
	window := to.Sub(from)
	if window < time.Second {
		t.Fatalf("the uploads overlapped for %s only: %s-%s and %s-%s", window, f0, l0, f1, l1)
	}
	n0, n1 := bytesIn(ups[0], from, to), bytesIn(ups[1], from, to)
	t.Logf("together for %s: %s and %s", window.Round(time.Millisecond), rateOf(n0, window), rateOf(n1, window))
	if n0+n1 > maxBytes(limit, window) {
		t.Fatalf("together the server got %s, over the 2M limit", rateOf(n0+n1, window))
	}
	for _, n := range []int64{n0, n1} {
		if share := float64(n) / float64(n0+n1); share < 0.3 {
			t.Fatalf("one upload got %.0f%% of the limit (%s and %s)", share*100, rateOf(n0, window), rateOf(n1, window))
		}
	}
}
