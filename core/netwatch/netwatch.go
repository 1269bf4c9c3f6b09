// Package netwatch notices the two moments when every open connection
// may have died: the machine waking from sleep, and the network changing
// (another Wi-Fi, a cable plugged in, a VPN up or down). It polls, which
// works the same on every system and needs no privileges: a wake shows as
// the wall clock having moved on further than the monotonic clock (which
// stops while the machine sleeps), a network change as a different set of
// interface addresses.
package netwatch

import (
	"context"
	"net"
	"slices"
	"time"
)

// Change is what happened.
type Change string

const (
	Wake    Change = "wake"
	Network Change = "network"
)

// Watcher polls every Interval and calls OnChange.
type Watcher struct {
	Interval time.Duration // default 2 s
	// Jump is how much further the wall clock must move than the
	// monotonic one to count as a wake (default 5 s: a clock adjusted by
	// NTP moves far less).
	Jump time.Duration
	// Clock is the wall clock (without its monotonic reading) and the
	// monotonic time since any fixed start; Addrs lists the interface
	// addresses. Both default to the system's; tests fake them.
	Clock    func() (wall time.Time, mono time.Duration)
	Addrs    func() ([]string, error)
	OnChange func(Change)
}

// Run polls until ctx ends.
func (w *Watcher) Run(ctx context.Context) {
	every, jump := w.Interval, w.Jump
	if every <= 0 {
		every = 2 * time.Second
	}
	if jump <= 0 {
		jump = 5 * time.Second
	}
	clock, addrs := w.Clock, w.Addrs
	if clock == nil {
		start := time.Now()
		clock = func() (time.Time, time.Duration) { now := time.Now(); return now.Round(0), now.Sub(start) }
	}
	if addrs == nil {
		addrs = interfaceAddrs
	}
	wall, mono := clock()
	seen, _ := addrs()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		nowWall, nowMono := clock()
		if nowWall.Sub(wall)-(nowMono-mono) > jump {
			w.OnChange(Wake)
		}
		wall, mono = nowWall, nowMono
		if now, err := addrs(); err == nil {
			if !slices.Equal(now, seen) && seen != nil {
				w.OnChange(Network)
			}
			seen = now
		}
	}
}

// interfaceAddrs lists the addresses of the interfaces that are up,
// sorted, loopback left out.
func interfaceAddrs() ([]string, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, i := range ifs {
		if i.Flags&net.FlagUp == 0 || i.Flags&net.FlagLoopback != 0 {
			continue
		}
		as, err := i.Addrs()
		if err != nil {
			continue
		}
		for _, a := range as {
			out = append(out, i.Name+" "+a.String())
		}
	}
	slices.Sort(out)
	return out, nil
}
