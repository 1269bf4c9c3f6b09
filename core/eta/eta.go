// Package eta estimates a transfer's speed and time left from the bytes the
// server has acknowledged, the one figure that cannot run ahead of the truth
// (bytes leaving the socket fill kernel buffers at memory speed: hundreds of
// MB/s right after a resume, then nothing while the chunk drains).
//
// Acknowledgements come a chunk at a time (Gan Jing World's 10 MB every few
// seconds), so the rate is measured between acknowledgements over a sliding
// window of several seconds: a constant rate reads constant whatever the
// chunk size, and the ETA counts down between acknowledgements instead of
// jumping at each. A Meter has no clock: callers pass the time, so tests
// drive it with a fake one. It knows nothing of jobs or platforms.
package eta

import "time"

// DefaultWindow is how far back a Meter looks by default.
const DefaultWindow = 10 * time.Second

// Meter measures one stream of acknowledged bytes (a target's upload, or a
// whole queue's). The zero value is ready with DefaultWindow. A Meter is
// not safe for concurrent use.
type Meter struct {
	// Window is how far back the rate looks; 0 is DefaultWindow.
	Window time.Duration

	// acks are the acknowledgements since the last Reset that the window
	// needs, oldest first: acks[0] is the newest one at least Window older
	// than the last, so the window is always covered, and there are at
	// least minIntervals intervals (big chunks on a slow link: a 10 MB
	// chunk every 5 s would leave two in 10 s, and their jitter would show).
	acks []sample
}

const minIntervals = 4

type sample struct {
	at time.Time
	n  int64
}

// Reset forgets every acknowledgement: the next one is the new starting
// point. Call it when a transfer starts or resumes, so the time it was
// stopped (or the bytes it found on the server) count as no speed at all.
func (m *Meter) Reset() { m.acks = m.acks[:0] }

// Ack records that the server holds n bytes at time at. The first Ack after
// a Reset is the starting point; speed is known from the second on. n
// smaller than before (the transfer started over) starts again from it. A
// time before the last one counts as the last one (reports from several
// goroutines may arrive slightly out of order).
func (m *Meter) Ack(at time.Time, n int64) {
	if k := len(m.acks); k > 0 {
		last := m.acks[k-1]
		switch {
		case n < last.n:
			m.Reset()
		case n == last.n:
			return // nothing new acknowledged: not a data point
		case at.Before(last.at):
			at = last.at
		}
	}
	m.acks = append(m.acks, sample{at, n})
	w := m.Window
	if w <= 0 {
		w = DefaultWindow
	}
	drop := 0
	for len(m.acks)-drop > minIntervals+1 && at.Sub(m.acks[drop+1].at) >= w {
		drop++
	}
	// Re-sliced, not copied: append moves the live part to a new array
	// when this one is full, so a fast link's thousands of small
	// acknowledgements per window cost O(1) each.
	m.acks = m.acks[drop:]
}

// Speed is bytes per second at time now, 0 while unknown (fewer than two
// acknowledgements since the Reset). When the next acknowledgement is
// later than one and a half usual intervals (a little late is the usual
// jitter), the wait beyond that counts as time without bytes, so a stall
// brings the speed down instead of freezing it.
func (m *Meter) Speed(now time.Time) float64 {
	span, gap, ok := m.span()
	if !ok {
		return 0
	}
	last := m.acks[len(m.acks)-1]
	if late := now.Sub(last.at) - gap*3/2; late > 0 {
		span += late
	}
	return float64(last.n-m.acks[0].n) / span.Seconds()
}

// ETA is the time left at now to send remaining bytes (those not
// acknowledged at the last Ack), 0 while the speed is unknown. The chunk in
// flight is taken to have moved at the measured speed since the last
// acknowledgement, for at most one usual interval, so the ETA counts down
// smoothly between acknowledgements. It is at least a second while bytes
// remain.
func (m *Meter) ETA(now time.Time, remaining int64) time.Duration {
	speed := m.Speed(now)
	if speed <= 0 || remaining <= 0 {
		return 0
	}
	_, gap, _ := m.span()
	moving := min(now.Sub(m.acks[len(m.acks)-1].at), gap)
	left := float64(remaining)/speed - moving.Seconds()
	return max(time.Duration(left*float64(time.Second)), time.Second)
}

// span is the time from the first to the last acknowledgement kept and the
// mean interval between them; ok is false while there is no rate.
func (m *Meter) span() (span, gap time.Duration, ok bool) {
	k := len(m.acks)
	if k < 2 {
		return 0, 0, false
	}
	span = m.acks[k-1].at.Sub(m.acks[0].at)
	if span <= 0 {
		return 0, 0, false
	}
	return span, span / time.Duration(k-1), true
}
