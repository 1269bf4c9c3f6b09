package netwatch

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeSystem is a clock and an address list the test moves.
type fakeSystem struct {
	mu    sync.Mutex
	wall  time.Time
	mono  time.Duration
	addrs []string
}

func (f *fakeSystem) clock() (time.Time, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.wall, f.mono
}

func (f *fakeSystem) list() ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.addrs...), nil
}

func (f *fakeSystem) do(fn func()) { f.mu.Lock(); fn(); f.mu.Unlock() }

func TestWatcherNoticesWakeAndNetworkChange(t *testing.T) {
	f := &fakeSystem{wall: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), addrs: []string{"wlan0 192.168.1.5/24"}}
	changes := make(chan Change, 10)
	w := &Watcher{Interval: time.Millisecond, Clock: f.clock, Addrs: f.list, OnChange: func(c Change) { changes <- c }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)

	expect := func(want Change) {
		t.Helper()
		select {
		case got := <-changes:
			if got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s noticed", want)
		}
	}
	quiet := func() {
		t.Helper()
		select {
		case got := <-changes:
			t.Fatalf("a %s with nothing changed", got)
		case <-time.After(50 * time.Millisecond):
		}
	}
	// Time passing normally, and a small clock adjustment, are nothing.
	f.do(func() { f.wall = f.wall.Add(time.Minute); f.mono += time.Minute })
	f.do(func() { f.wall = f.wall.Add(2 * time.Second) })
	quiet()
	// Asleep for an hour: the wall clock moved, the monotonic one did not.
	f.do(func() { f.wall = f.wall.Add(time.Hour); f.mono += time.Second })
	expect(Wake)
	quiet()
	// Another network.
	f.do(func() { f.addrs = []string{"wlan0 10.0.0.7/24"} })
	expect(Network)
	quiet()
	// The cable unplugged: no address at all is a change too.
	f.do(func() { f.addrs = []string{} })
	expect(Network)
}

// TestInterfaceAddrs reads this machine's interfaces without failing.
func TestInterfaceAddrs(t *testing.T) {
	if _, err := interfaceAddrs(); err != nil {
		t.Fatal(err)
	}
}
