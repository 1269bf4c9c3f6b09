// Package bandwidth is the one upload speed limit of the engine: a rate
// (or a timetable of rates, in rclone's form) shared by every running
// upload of every platform, changed while they run. The HTTP layer
// (core/httpx) throttles every request body whose context carries the
// engine's Limiter, so no driver has to know about it.
package bandwidth

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Rate is bytes per second; 0 means no limit ("off").
type Rate int64

// ParseRate reads a rate such as "2M" (2 MiB/s), "512k", "1.5M", "100B" or
// "off". The units are rclone's (binary: k = 1024 bytes); a number with no
// unit is refused, since rclone would read it as KiB and most people as bytes.
func ParseRate(s string) (Rate, error) {
	low := strings.ToLower(strings.TrimSpace(s))
	if low == "off" || low == "" || low == "0" {
		return 0, nil
	}
	low = strings.TrimSuffix(low, "/s")
	num, bytes := strings.TrimSuffix(strings.TrimSuffix(low, "ib"), "b"), strings.HasSuffix(low, "b")
	mult := 0.0
	if bytes {
		mult = 1
	}
	if num != "" {
		if k := strings.IndexByte("kmg", num[len(num)-1]); k >= 0 {
			mult, num = float64(int64(1)<<(10*(k+1))), num[:len(num)-1]
		}
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0, fmt.Errorf("%q is not a rate: write it like 2M (MiB/s), 512k (KiB/s) or off", s)
	}
	if mult == 0 {
		return 0, fmt.Errorf("%q has no unit: write %sk (KiB/s) or %sM (MiB/s), or off", s, num, num)
	}
	if n == 0 {
		return 0, nil
	}
	if n*mult < minRate {
		return 0, fmt.Errorf("%q is below the smallest limit, 1k (1 KiB/s)", s)
	}
	return Rate(n * mult), nil
}

// minRate keeps a typo (0.001k) from parking every upload.
const minRate = 1 << 10

// String is the rate in rclone's form: "2M", "512k", "1.5M", "off".
func (r Rate) String() string {
	switch {
	case r <= 0:
		return "off"
	case r%(1<<20) == 0:
		return strconv.FormatInt(int64(r)>>20, 10) + "M"
	case r >= 1<<20:
		return strconv.FormatFloat(float64(r)/(1<<20), 'f', -1, 64) + "M"
	case r%(1<<10) == 0:
		return strconv.FormatInt(int64(r)>>10, 10) + "k"
	default:
		return strconv.FormatInt(int64(r), 10) + "B"
	}
}

// Slot is one entry of a timetable: from At (time since local midnight) the
// rate is Rate, until the next slot.
type Slot struct {
	At   time.Duration
	Rate Rate
}

// Schedule is a limit: one constant rate, or a timetable of slots sorted
// by time of day (the last one runs on past midnight until the first).
// The zero Schedule is no limit.
type Schedule []Slot

// ParseSchedule reads a limit: a rate ("2M", "off"), or rclone's timetable
// "08:00,1M 18:00,512k 23:00,off" (space-separated HH:MM,RATE pairs, in
// increasing time order, local time).
func ParseSchedule(s string) (Schedule, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return nil, nil
	}
	if len(fields) == 1 && !strings.Contains(fields[0], ",") {
		r, err := ParseRate(fields[0])
		if err != nil || r == 0 {
			return nil, err
		}
		return Schedule{{Rate: r}}, nil
	}
	var out Schedule
	for _, f := range fields {
		at, rs, ok := strings.Cut(f, ",")
		if !ok {
			return nil, fmt.Errorf("%q: a timetable entry is HH:MM,RATE, e.g. 08:00,1M", f)
		}
		t, err := time.Parse("15:04", at)
		if err != nil {
			return nil, fmt.Errorf("%q: %q is not a time of day (HH:MM, e.g. 08:00)", f, at)
		}
		r, err := ParseRate(rs)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", f, err)
		}
		d := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
		if len(out) > 0 && d <= out[len(out)-1].At {
			return nil, fmt.Errorf("%q: the times must increase through the day", f)
		}
		out = append(out, Slot{At: d, Rate: r})
	}
	return out, nil
}

// String is the schedule in the form ParseSchedule reads.
func (s Schedule) String() string {
	if len(s) == 0 {
		return "off"
	}
	if len(s) == 1 && s[0].At == 0 {
		return s[0].Rate.String()
	}
	parts := make([]string, len(s))
	for i, sl := range s {
		parts[i] = fmt.Sprintf("%02d:%02d,%s", int(sl.At.Hours()), int(sl.At.Minutes())%60, sl.Rate)
	}
	return strings.Join(parts, " ")
}

// At is the rate in force at t, and when it next changes (the zero time
// for a constant rate).
func (s Schedule) At(t time.Time) (Rate, time.Time) {
	switch len(s) {
	case 0:
		return 0, time.Time{}
	case 1:
		if s[0].At == 0 {
			return s[0].Rate, time.Time{}
		}
	}
	midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	since := t.Sub(midnight)
	cur := s[len(s)-1].Rate // before the first slot: yesterday's last
	next := midnight.AddDate(0, 0, 1).Add(s[0].At)
	for i, sl := range s {
		if since < sl.At {
			next = midnight.Add(sl.At)
			break
		}
		cur = sl.Rate
		if i == len(s)-1 {
			next = midnight.AddDate(0, 0, 1).Add(s[0].At)
		}
	}
	// midnight.Add counts elapsed time, which a DST change on that day
	// shifts by an hour; a wall-clock date is what the timetable means.
	next = time.Date(next.Year(), next.Month(), next.Day(), 0, 0, 0, 0, t.Location()).
		Add(time.Duration(next.Hour())*time.Hour + time.Duration(next.Minute())*time.Minute)
	return cur, next
}

// Limiter throttles the bytes of every reader it wraps to one shared rate
// (a token bucket from golang.org/x/time/rate, whose waits are served in
// the order they were asked, so parallel uploads share it evenly). Its
// schedule can change at any time; the change holds within one burst (a
// twentieth of a second of the new rate, or one read). The zero Limiter is not usable:
// call New.
type Limiter struct {
	lim *rate.Limiter
	now func() time.Time

	mu    sync.Mutex
	sched Schedule
	// cur is the rate in force (0: no limit); next is when the schedule
	// changes it next (unix nanoseconds of the wall clock, 0: never).
	cur  atomic.Int64
	next atomic.Int64
	// step is the most one read takes at a time while limited.
	step atomic.Int64
}

// New returns a Limiter following s.
func New(s Schedule) *Limiter {
	l := &Limiter{lim: rate.NewLimiter(rate.Inf, quantum), now: time.Now}
	l.Set(s)
	return l
}

// Set replaces the schedule; readers in use follow it at once.
func (l *Limiter) Set(s Schedule) {
	l.mu.Lock()
	l.sched = append(Schedule(nil), s...)
	l.mu.Unlock()
	l.refresh(l.now())
}

// Schedule is the schedule in force.
func (l *Limiter) Schedule() Schedule {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append(Schedule(nil), l.sched...)
}

// Rate is the rate in force now (0: no limit).
func (l *Limiter) Rate() Rate {
	l.check()
	return Rate(l.cur.Load())
}

// quantum is the most one read takes at a time while limited: reads of
// different sizes then still share the rate evenly, since the bucket
// serves each wait in turn. Below 160 KiB/s a read takes a tenth of a
// second's worth, so even many uploads queued for a slow limit each move
// often (the stall watchdog sees progress).
const quantum = 16 << 10

// refresh applies the schedule's rate at now (the schedule's clock; the
// bucket keeps its own).
func (l *Limiter) refresh(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, next := l.sched.At(now)
	if r > 0 {
		// A burst of a twentieth of a second: small enough that a pause
		// (or a loaded machine) is never made up by a rush above the
		// limit, large enough for a whole quantum.
		step := max(min(quantum, int64(r)/10), 64)
		l.step.Store(step)
		l.lim.SetLimit(rate.Limit(r))
		l.lim.SetBurst(max(int(r/20), int(step)))
	} else {
		l.lim.SetLimit(rate.Inf)
	}
	l.cur.Store(int64(r))
	if next.IsZero() {
		l.next.Store(0)
	} else {
		l.next.Store(next.UnixNano())
	}
}

// check moves to the schedule's next rate once its time has come.
func (l *Limiter) check() {
	if next := l.next.Load(); next != 0 {
		if now := l.now(); now.UnixNano() >= next {
			l.refresh(now)
		}
	}
}

// Reader returns r throttled by l; ctx ends its waits (a pause or a
// cancel is not held up by the limit).
func (l *Limiter) Reader(ctx context.Context, r io.Reader) io.Reader {
	return &reader{l: l, ctx: ctx, r: r}
}

type reader struct {
	l   *Limiter
	ctx context.Context
	r   io.Reader
}

func (t *reader) Read(p []byte) (int, error) {
	t.l.check()
	if t.l.cur.Load() == 0 {
		return t.r.Read(p) // no limit: nothing but this load and check
	}
	if step := int(t.l.step.Load()); len(p) > step {
		p = p[:step]
	}
	n, err := t.r.Read(p)
	// Wait for what was read, in pieces the bucket can hold even if the
	// burst shrank meanwhile (a lower limit set live).
	for left := n; left > 0; {
		k := min(left, t.l.lim.Burst())
		if werr := t.l.lim.WaitN(t.ctx, k); werr != nil {
			if cerr := context.Cause(t.ctx); cerr != nil {
				werr = cerr
			}
			return n, werr
		}
		left -= k
	}
	return n, err
}

type ctxKey struct{}

// WithLimiter returns a context whose request bodies l throttles.
func WithLimiter(ctx context.Context, l *Limiter) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// FromContext is the Limiter ctx carries, or nil.
func FromContext(ctx context.Context) *Limiter {
	l, _ := ctx.Value(ctxKey{}).(*Limiter)
	return l
}
