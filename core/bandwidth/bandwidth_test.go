package bandwidth

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	for in, want := range map[string]Rate{
		"2M": 2 << 20, "2m": 2 << 20, "512k": 512 << 10, "512K": 512 << 10, "1.5M": 3 << 19,
		"1G": 1 << 30, "2MiB": 2 << 20, "2MiB/s": 2 << 20,
		"2MB": 2 << 20, "4096b": 4096, "off": 0, "OFF": 0, "": 0, "0": 0, "0k": 0,
	} {
		got, err := ParseRate(in)
		if err != nil || got != want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"fast", "2", "512", "-1M", "M", "b", "2X", "1.2.3k", "100B" /* below 1k */, "0.5k"} {
		_, err := ParseRate(bad)
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseRate(%q): want a one-line error naming it, got %v", bad, err)
		}
	}
	if _, err := ParseRate("512"); err == nil || !strings.Contains(err.Error(), "512k") {
		t.Errorf("a bare number should suggest its unit: %v", err)
	}
}

func TestRateString(t *testing.T) {
	for r, want := range map[Rate]string{0: "off", 2 << 20: "2M", 512 << 10: "512k", 3 << 19: "1.5M", 1500: "1500B"} {
		if got := r.String(); got != want {
			t.Errorf("%d: %q, want %q", r, got, want)
		}
		if r != 1500 {
			if back, err := ParseRate(want); err != nil || back != r {
				t.Errorf("round trip %q: %d %v", want, back, err)
			}
		}
	}
}

func TestParseSchedule(t *testing.T) {
	s, err := ParseSchedule("08:00,1M 18:00,512k 23:00,off")
	if err != nil {
		t.Fatal(err)
	}
	want := Schedule{{8 * time.Hour, 1 << 20}, {18 * time.Hour, 512 << 10}, {23 * time.Hour, 0}}
	if len(s) != 3 || s[0] != want[0] || s[1] != want[1] || s[2] != want[2] {
		t.Fatalf("%v", s)
	}
	if s.String() != "08:00,1M 18:00,512k 23:00,off" {
		t.Errorf("String %q", s)
	}
	if c, err := ParseSchedule("  2M "); err != nil || len(c) != 1 || c[0].Rate != 2<<20 || c.String() != "2M" {
		t.Errorf("constant: %v %v", c, err)
	}
	if off, err := ParseSchedule("off"); err != nil || off != nil || off.String() != "off" {
		t.Errorf("off: %v %v", off, err)
	}
	for _, bad := range []string{"08:00", "25:00,1M", "08:00,fast", "18:00,1M 08:00,2M", "08:00,1M 08:00,2M", "8h,1M"} {
		if _, err := ParseSchedule(bad); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: want a one-line error, got %v", bad, err)
		}
	}
}

func TestScheduleAt(t *testing.T) {
	s, _ := ParseSchedule("08:00,1M 18:00,512k 23:00,off")
	day := func(h, m int) time.Time { return time.Date(2026, 3, 10, h, m, 0, 0, time.Local) }
	for _, c := range []struct {
		at   time.Time
		rate Rate
		next time.Time
	}{
		{day(3, 0), 0, day(8, 0)}, // before the first slot: yesterday's last (off)
		{day(8, 0), 1 << 20, day(18, 0)},
		{day(12, 30), 1 << 20, day(18, 0)},
		{day(18, 0), 512 << 10, day(23, 0)},
		{day(23, 59), 0, day(8, 0).AddDate(0, 0, 1)},
	} {
		r, next := s.At(c.at)
		if r != c.rate || !next.Equal(c.next) {
			t.Errorf("at %s: %s until %s, want %s until %s", c.at.Format("15:04"), r, next, c.rate, c.next)
		}
	}
	if r, next := (Schedule{{Rate: 2 << 20}}).At(day(1, 0)); r != 2<<20 || !next.IsZero() {
		t.Errorf("constant: %s %s", r, next)
	}
}

// TestLimiterFollowsTimetable: the rate changes when the (fake) clock
// passes a slot, with no call to Set.
func TestLimiterFollowsTimetable(t *testing.T) {
	s, _ := ParseSchedule("08:00,1M 18:00,512k 23:00,off")
	clock := time.Date(2026, 3, 10, 17, 59, 0, 0, time.Local)
	l := &Limiter{lim: New(nil).lim, now: func() time.Time { return clock }}
	l.Set(s)
	if l.Rate() != 1<<20 {
		t.Fatalf("17:59: %s", l.Rate())
	}
	clock = clock.Add(time.Minute)
	if l.Rate() != 512<<10 {
		t.Fatalf("18:00: %s", l.Rate())
	}
	clock = clock.Add(5 * time.Hour)
	if l.Rate() != 0 {
		t.Fatalf("23:00: %s", l.Rate())
	}
}

// TestReaderPassesThroughWhenOff: with no limit the reader hands over
// whole reads (no quantum) and waits for nothing.
func TestReaderPassesThroughWhenOff(t *testing.T) {
	l := New(nil)
	data := bytes.Repeat([]byte("x"), 1<<20)
	r := l.Reader(context.Background(), bytes.NewReader(data))
	buf := make([]byte, len(data))
	if n, err := r.Read(buf); n != len(data) || err != nil {
		t.Fatalf("read %d, %v", n, err)
	}
}

// TestReaderStopsWithItsContext: a cancel ends a wait for the limit at
// once, with the context's cause.
func TestReaderStopsWithItsContext(t *testing.T) {
	l := New(Schedule{{Rate: 1 << 10}}) // 1 KiB/s: a 64 KiB read waits about a minute
	paused := errors.New("paused")
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(50*time.Millisecond, func() { cancel(paused) })
	start := time.Now()
	_, err := io.Copy(io.Discard, l.Reader(ctx, bytes.NewReader(make([]byte, 64<<10))))
	if !errors.Is(err, paused) {
		t.Fatalf("want the cancel's cause, got %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the cancel took %s", d)
	}
}

func TestContext(t *testing.T) {
	if FromContext(context.Background()) != nil {
		t.Fatal("a bare context carries no limiter")
	}
	l := New(nil)
	if FromContext(WithLimiter(context.Background(), l)) != l {
		t.Fatal("WithLimiter/FromContext")
	}
}
