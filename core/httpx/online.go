package httpx

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// After the machine wakes or the network changes, the connections made
// before are likely dead: a request on one makes no progress until the
// stall watchdog gives up on it (a minute), and a retry waiting out the
// guide's delays waits for nothing. Reconnect ends both at once.

// DefaultReconnectGrace is how long a request in flight after Reconnect
// may go without progress before it is dropped (it would otherwise wait
// out the whole stall timeout), until the first byte of its answer shows
// the connection works. A request that keeps sending and is answered is
// left alone.
const DefaultReconnectGrace = 10 * time.Second

// DefaultProbeEvery is how often a retry waiting on a connection error
// tries to reach the host again (a TCP connection, to the proxy when one
// is used).
const DefaultProbeEvery = 2 * time.Second

var reconnectGrace, probeEvery atomic.Int64

func init() { SetReconnectTimes(DefaultReconnectGrace, DefaultProbeEvery) }

// SetReconnectTimes changes the reconnect grace and the probe interval
// (tests shorten them) and returns the previous ones.
func SetReconnectTimes(grace, probe time.Duration) (oldGrace, oldProbe time.Duration) {
	return time.Duration(reconnectGrace.Swap(int64(grace))), time.Duration(probeEvery.Swap(int64(probe)))
}

func graceTime() time.Duration { return time.Duration(reconnectGrace.Load()) }

// ErrReconnected marks a request dropped after Reconnect: Policy retries
// it at once, not after the next delay.
var ErrReconnected = errors.New("dropped after the network changed")

var network = struct {
	sync.Mutex
	changed  chan struct{} // closed by the next Reconnect
	inFlight map[*call]struct{}
}{changed: make(chan struct{}), inFlight: map[*call]struct{}{}}

// call is one request in flight, as the watchdog tracks it.
type call struct {
	shorten func() // arms the reconnect grace
}

func track(c *call) func() {
	network.Lock()
	network.inFlight[c] = struct{}{}
	network.Unlock()
	return func() {
		network.Lock()
		delete(network.inFlight, c)
		network.Unlock()
	}
}

// Reconnect is what a wake or a network change calls: pooled connections
// are closed, every request in flight that makes no progress within
// the reconnect grace is dropped (and retried at once), and every retry
// waiting on a connection error goes again now.
func Reconnect() {
	shared.CloseIdleConnections()
	network.Lock()
	close(network.changed)
	network.changed = make(chan struct{})
	calls := make([]*call, 0, len(network.inFlight))
	for c := range network.inFlight {
		calls = append(calls, c)
	}
	network.Unlock()
	for _, c := range calls {
		c.shorten()
	}
}

// Changed is closed by the next Reconnect.
func Changed() <-chan struct{} {
	network.Lock()
	defer network.Unlock()
	return network.changed
}

// WaitOnline waits d, or less: until ctx ends, a Reconnect after changed
// was taken from Changed (take it before telling anyone of the wait, so
// no Reconnect falls in between), or, when err
// is a connection error (Unreachable) to a host that is unreachable now, the
// moment the host accepts connections again. A host that is reachable
// all along (the failure was something else, such as a reset) is waited
// out in full, so a flaky server is not hammered. It returns ctx's cause
// if ctx ended.
func WaitOnline(ctx context.Context, changed <-chan struct{}, d time.Duration, err error) error {
	return waitOnline(ctx, changed, d, err, false)
}

// WaitBack is WaitOnline for a host already known to be unreachable
// (every retry failed to connect): the first time it accepts a
// connection ends the wait, even at the first probe.
func WaitBack(ctx context.Context, changed <-chan struct{}, d time.Duration, err error) error {
	return waitOnline(ctx, changed, d, err, true)
}

func waitOnline(ctx context.Context, changed <-chan struct{}, d time.Duration, err error, down bool) error {
	if d <= 0 {
		return context.Cause(ctx)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	var back <-chan struct{}
	if addr := probeAddr(err); addr != "" {
		pctx, cancel := context.WithCancel(ctx)
		defer cancel()
		back = returned(pctx, addr, time.Duration(probeEvery.Load()), down)
	}
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
	case <-changed:
	case <-back:
	}
	return nil
}

// returned is closed once addr, unreachable at first, accepts a TCP
// connection; it stays open if addr was reachable at the first try,
// unless down says it is known to have been unreachable.
func returned(ctx context.Context, addr string, every time.Duration, down bool) <-chan struct{} {
	back := make(chan struct{})
	go func() {
		if dial(ctx, addr, every) {
			if down {
				close(back) // it came back
			}
			return // else reachable: the failure was not the connection
		}
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if dial(ctx, addr, every) {
					close(back)
					return
				}
			}
		}
	}()
	return back
}

// probed, if set, hears each probe's outcome (tests).
var probed atomic.Pointer[func(addr string, ok bool)]

// dial reports whether addr accepts a TCP connection within timeout.
func dial(ctx context.Context, addr string, timeout time.Duration) bool {
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := (&net.Dialer{}).DialContext(dctx, "tcp", addr)
	if err == nil {
		c.Close()
	}
	if fn := probed.Load(); fn != nil {
		(*fn)(addr, err == nil)
	}
	return err == nil
}

// probeAddr is where to test the connection of a failed request: the
// proxy that carries it, else its host (with the scheme's port).
func probeAddr(err error) string {
	var e *Error
	if !Unreachable(err) || !errors.As(err, &e) || e.url == nil {
		return ""
	}
	u := e.url
	if p, perr := proxyFor(&http.Request{URL: u, Header: http.Header{}}); perr == nil && p != nil {
		u = p
	}
	return hostPort(u)
}

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "80"
	switch u.Scheme {
	case "https":
		port = "443"
	case "socks5", "socks5h":
		port = "1080"
	}
	return net.JoinHostPort(u.Hostname(), port)
}
