package eta

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

const mb = 1000 * 1000

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// ack is one acknowledgement of a simulated upload.
type ack struct {
	at time.Time
	n  int64
}

// constantRate is an upload of size bytes at rate bytes/s in chunks of
// chunk bytes, each acknowledged on the ideal schedule give or take up to
// jitter (network and server noise), starting at t0 (the ack of offset 0).
func constantRate(size, chunk int64, rate float64, jitter time.Duration, seed uint64) []ack {
	rng := rand.New(rand.NewPCG(seed, 1))
	acks := []ack{{t0, 0}}
	for n := int64(0); n < size; {
		n = min(n+chunk, size)
		ideal := time.Duration(float64(n) / rate * float64(time.Second))
		noise := time.Duration((rng.Float64()*2 - 1) * float64(jitter))
		at := t0.Add(ideal + noise)
		if prev := acks[len(acks)-1].at; !at.After(prev) {
			at = prev.Add(time.Millisecond)
		}
		acks = append(acks, ack{at, n})
	}
	return acks
}

// TestConstantRate feeds constant-rate uploads (chunks from 64 KiB to GJW's
// 10 MB, with jitter) through a fake clock, sampled as the engine does (every
// 250 ms and at every acknowledgement): after the first 10 s the speed is
// within 5 % of the rate and the ETA within 20 % of the real time left (or
// one second, the display's resolution, at the very end) at every sample.
func TestConstantRate(t *testing.T) {
	const rate = 4.0 * mb
	cases := []struct {
		name   string
		chunk  int64
		jitter time.Duration
	}{
		{"64KiB", 64 << 10, 5 * time.Millisecond},
		{"1MiB", 1 << 20, 50 * time.Millisecond},
		{"5MiB", 5 << 20, 150 * time.Millisecond},
		{"10MB", 10 * mb, 250 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 5; seed++ {
				acks := constantRate(300*mb, c.chunk, rate, c.jitter, seed)
				end := acks[len(acks)-1].at
				var m Meter
				m.Reset()
				next, samples, worstSpeed, worstETA := 0, 0, 0.0, 0.0
				check := func(now time.Time, acked int64) {
					if now.Sub(t0) < 10*time.Second || !now.Before(end) {
						return
					}
					samples++
					speed := m.Speed(now)
					if d := math.Abs(speed-rate) / rate; d > worstSpeed {
						worstSpeed = d
					}
					if math.Abs(speed-rate) > 0.05*rate {
						t.Fatalf("seed %d at %v: speed %.2f MB/s, want 4.0 ± 5 %%", seed, now.Sub(t0), speed/mb)
					}
					truth := end.Sub(now)
					got := m.ETA(now, 300*mb-acked)
					tol := max(truth/5, time.Second)
					if diff := (got - truth).Abs(); diff > tol {
						t.Fatalf("seed %d at %v: ETA %v, truth %v (off by %v, more than %v)", seed, now.Sub(t0), got, truth, diff, tol)
					}
					if truth > 5*time.Second {
						worstETA = max(worstETA, float64((got-truth).Abs())/float64(truth))
					}
				}
				var acked int64
				for now := t0; now.Before(end); now = now.Add(250 * time.Millisecond) {
					for next < len(acks) && !acks[next].at.After(now) {
						m.Ack(acks[next].at, acks[next].n)
						acked = acks[next].n
						check(acks[next].at, acked)
						next++
					}
					check(now, acked)
				}
				if samples < 100 {
					t.Fatalf("only %d samples checked", samples)
				}
				if seed == 1 {
					t.Logf("%s: %d samples; worst speed error %.1f %%, worst ETA error %.1f %% (while over 5 s left)", c.name, samples, 100*worstSpeed, 100*worstETA)
				}
			}
		})
	}
}

// TestResetForgetsTheStop: after a pause the meter starts again; the bytes
// the server already had and the time the upload stood still are not
// speed (no "258 MB/s right after Resume", no crawl either).
func TestResetForgetsTheStop(t *testing.T) {
	var m Meter
	for i := 0; i <= 20; i++ {
		m.Ack(t0.Add(time.Duration(i)*time.Second), int64(i)*4*mb)
	}
	// Paused for a minute, resumed: the server holds 84 MB (4 more than
	// the last acknowledgement, from the request cut by the pause).
	resumed := t0.Add(81 * time.Second)
	m.Reset()
	m.Ack(resumed, 84*mb)
	if s := m.Speed(resumed.Add(500 * time.Millisecond)); s != 0 {
		t.Fatalf("speed right after resume %.1f MB/s, want unknown (0)", s/mb)
	}
	if e := m.ETA(resumed.Add(500*time.Millisecond), 100*mb); e != 0 {
		t.Fatalf("ETA right after resume %v, want unknown (0)", e)
	}
	m.Ack(resumed.Add(time.Second), 88*mb)
	if s := m.Speed(resumed.Add(time.Second)); math.Abs(s-4*mb) > 0.01*mb {
		t.Fatalf("speed after the first chunk since resume %.2f MB/s, want 4", s/mb)
	}
}

// TestStallSlowsDown: when acknowledgements stop, the speed falls and the
// ETA grows instead of freezing at the last figures.
func TestStallSlowsDown(t *testing.T) {
	var m Meter
	for i := 0; i <= 20; i++ {
		m.Ack(t0.Add(time.Duration(i)*time.Second), int64(i)*4*mb)
	}
	last := t0.Add(20 * time.Second)
	before, beforeETA := m.Speed(last), m.ETA(last, 40*mb)
	if math.Abs(before-4*mb) > 0.01*mb || (beforeETA-10*time.Second).Abs() > 10*time.Millisecond {
		t.Fatalf("before the stall: %.2f MB/s, ETA %v; want 4 MB/s, 10 s", before/mb, beforeETA)
	}
	stalled := last.Add(6 * time.Second)
	if s := m.Speed(stalled); s > 0.7*before {
		t.Fatalf("6 s without an acknowledgement: %.2f MB/s, want well under %.2f", s/mb, before/mb)
	}
	if e := m.ETA(stalled, 40*mb); e <= beforeETA {
		t.Fatalf("6 s without an acknowledgement: ETA %v, want more than %v", e, beforeETA)
	}
}

// TestRateChange: the speed follows a change of rate within the window.
func TestRateChange(t *testing.T) {
	var m Meter
	at, n := t0, int64(0)
	for i := 0; i < 40; i++ { // 4 MB/s for 10 s
		at, n = at.Add(250*time.Millisecond), n+1*mb
		m.Ack(at, n)
	}
	for i := 0; i < 12; i++ { // then 1 MB/s for 12 s
		at, n = at.Add(time.Second), n+1*mb
		m.Ack(at, n)
	}
	if s := m.Speed(at); math.Abs(s-1*mb) > 0.05*mb {
		t.Fatalf("12 s after dropping to 1 MB/s: %.2f MB/s", s/mb)
	}
}

// TestStartedOver: bytes going back (the server lost the upload and it
// started from 0) restart the measurement instead of showing a negative or
// huge speed.
func TestStartedOver(t *testing.T) {
	var m Meter
	m.Ack(t0, 0)
	m.Ack(t0.Add(time.Second), 50*mb)
	m.Ack(t0.Add(2*time.Second), 2*mb)
	if s := m.Speed(t0.Add(2 * time.Second)); s != 0 {
		t.Fatalf("speed after starting over %.1f MB/s, want unknown", s/mb)
	}
	m.Ack(t0.Add(3*time.Second), 6*mb)
	if s := m.Speed(t0.Add(3 * time.Second)); math.Abs(s-4*mb) > 1 {
		t.Fatalf("speed %.1f MB/s, want 4", s/mb)
	}
}

// BenchmarkAck is one acknowledgement on a fast link with small chunks
// (64 KiB at 1 GB/s: 150,000 in a 10 s window).
func BenchmarkAck(b *testing.B) {
	var m Meter
	at := t0
	for i := 0; i < b.N; i++ {
		at = at.Add(65 * time.Microsecond)
		m.Ack(at, int64(i+1)<<16)
	}
	if m.Speed(at) <= 0 && b.N > minIntervals {
		b.Fatal("no speed")
	}
}
