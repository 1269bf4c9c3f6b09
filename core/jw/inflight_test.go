package jw_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/core/jw"
	sandbox "github.com/gjw-uploader/gjw-uploader/core/sandbox/jw"
)

// s3Front serves the sandbox's S3 stand-in through a test: it counts the
// part PUTs open at once and each part's attempts, and runs before on a
// request (to hold it or inject a fault for it) before the sandbox sees
// it, after once the sandbox answered.
type s3Front struct {
	next          http.Handler
	before, after func(part, attempt int, r *http.Request)

	mu       sync.Mutex
	open     int
	most     int
	attempts map[int]int
	want     int           // open PUTs that close allOpen
	allOpen  chan struct{} // closed once want PUTs are open at once
}

func newS3Front(t *testing.T, pl *platform, want int) *s3Front {
	f := &s3Front{next: pl.run.Server.S3(), attempts: map[int]int{}, want: want, allOpen: make(chan struct{})}
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	pl.run.Server.SetS3URL(ts.URL)
	return f
}

func (f *s3Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	part, _ := strconv.Atoi(path.Base(r.URL.Path))
	f.mu.Lock()
	f.open++
	f.most = max(f.most, f.open)
	if f.open == f.want && f.want > 0 {
		close(f.allOpen)
		f.want = 0
	}
	f.attempts[part]++
	attempt := f.attempts[part]
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.open--
		f.mu.Unlock()
	}()
	if f.before != nil {
		f.before(part, attempt, r)
	}
	f.next.ServeHTTP(w, r)
	if f.after != nil {
		f.after(part, attempt, r)
	}
}

func (f *s3Front) counts() (most int, attempts map[int]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	attempts = map[int]int{}
	for k, v := range f.attempts {
		attempts[k] = v
	}
	return f.most, attempts
}

// patientDriver is the tests' driver (conformance parts unless opts says)
// with a stall timeout long enough for requests a test holds on purpose
// or a loaded machine answers late.
func patientDriver(pl *platform, opts jw.DriverOptions) *jw.Driver {
	c := pl.client()
	c.HTTP = httpx.WithWatchdog(nil, 10*time.Second)
	if opts.ChunkSize == 0 {
		opts.ChunkSize = conformancePart
	}
	opts.PollInterval = time.Millisecond
	return jw.NewDriver(c, opts)
}

// wait is true when ch closes within 5 s.
func wait(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-time.After(5 * time.Second):
		return false
	}
}

// K parts are sent at once, never more (the default DefaultInFlight): the
// first K parts' PUTs are held at the S3 stand-in until all K are open.
// Sent never goes back.
func TestPartsInFlight(t *testing.T) {
	for _, opt := range []int{0, 1, 2, 3} {
		k := opt
		if k == 0 {
			k = jw.DefaultInFlight
		}
		t.Run(strconv.Itoa(opt), func(t *testing.T) {
			pl := newPlatform(t, sandbox.Config{})
			f := newS3Front(t, pl, k)
			var alone atomic.Bool
			f.before = func(part, attempt int, _ *http.Request) {
				if part <= k && attempt == 1 && !wait(f.allOpen) {
					alone.Store(true)
				}
			}
			p := source(t, int64(3*k)*conformancePart+10)
			var last int64
			p.onSent = func(a int64) {
				if a < last {
					t.Errorf("Sent went back from %d to %d", last, a)
				}
				last = a
			}
			if _, err := patientDriver(pl, jw.DriverOptions{InFlight: opt}).Publish(context.Background(), nil, p); err != nil {
				t.Fatal(err)
			}
			most, attempts := f.counts()
			if alone.Load() || most != k {
				t.Fatalf("want %d part PUTs open at once, at most %d were (held ones waited in vain: %v)", k, most, alone.Load())
			}
			st := pl.run.Server.Stats()
			if n := 3*k + 1; st.PartPuts != n || len(attempts) != n || last != p.ed.Source.Size {
				t.Fatalf("%d parts: stats %+v, attempts %v, sent %d", n, st, attempts, last)
			}
			for part, a := range attempts {
				if a != 1 {
					t.Fatalf("part %d sent %d times", part, a)
				}
			}
		})
	}
}

// With two parts in flight, part 1 fails (500, a dropped connection, an
// expired link) while part 2 is open: part 1 is retried and stored while
// part 2 is held, and part 2 then goes through on its first PUT (an
// expired link expires part 2's too: it takes the link part 1's listing
// fetched, no second listing).
func TestPartFailureLeavesTheOtherPart(t *testing.T) {
	faults := []struct {
		name   string
		inject func(s *sandbox.Server, path string)
		extra  int64 // part bytes the failed attempt delivered
	}{
		{"500", func(s *sandbox.Server, path string) {
			s.Inject(sandbox.Fault{Host: "s3", Method: "PUT", Path: path, Status: 500})
		}, 0},
		{"dropped", func(s *sandbox.Server, path string) {
			s.Inject(sandbox.Fault{Host: "s3", Method: "PUT", Path: path, CutAfter: 1000})
		}, 1000},
		{"expired", func(s *sandbox.Server, _ string) { s.ExpireLinks() }, 0},
	}
	for _, fc := range faults {
		t.Run(fc.name, func(t *testing.T) {
			pl := newPlatform(t, sandbox.Config{})
			f := newS3Front(t, pl, 2)
			part1, part2 := make(chan struct{}), make(chan struct{}) // part 1 stored, part 2 open
			var part1Puts atomic.Int64                               // parts stored when part 1 was
			var waitedInVain atomic.Bool
			f.before = func(part, attempt int, r *http.Request) {
				switch {
				case part == 1 && attempt == 1:
					if !wait(part2) {
						waitedInVain.Store(true)
					}
					fc.inject(pl.run.Server, r.URL.Path)
				case part == 2 && attempt == 1:
					close(part2)
					if !wait(part1) {
						waitedInVain.Store(true)
					}
				}
			}
			f.after = func(part, attempt int, _ *http.Request) {
				if part == 1 && attempt == 2 {
					part1Puts.Store(int64(pl.run.Server.Stats().PartPuts))
					close(part1)
				}
			}
			const size = 4*conformancePart + 10
			if _, err := patientDriver(pl, jw.DriverOptions{InFlight: 2}).Publish(context.Background(), nil, source(t, size)); err != nil {
				t.Fatal(err)
			}
			most, attempts := f.counts()
			st := pl.run.Server.Stats()
			if waitedInVain.Load() || part1Puts.Load() != 1 || most != 2 {
				t.Fatalf("part 1 was not retried and stored while part 2 was open: parts stored then %d, most open %d", part1Puts.Load(), most)
			}
			if attempts[1] != 2 || st.PartPuts != 5 || st.PartBytes != size+fc.extra || st.Completes != 1 {
				t.Fatalf("attempts %v, stats %+v", attempts, st)
			}
			if fc.name == "expired" {
				if st.Lists != 2 || attempts[2] != 2 {
					t.Fatalf("want one listing for both parts' fresh links: attempts %v, stats %+v", attempts, st)
				}
			} else if attempts[2] != 1 {
				t.Fatalf("part 2 was disturbed: attempts %v", attempts)
			}
		})
	}
}
