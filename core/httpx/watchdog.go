package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/bandwidth"
)

// DefaultStallTimeout is how long a request may make no progress (no
// request-body byte taken, no response byte received) before Watchdog
// cancels it. GJW_STALL_TIMEOUT overrides it.
const DefaultStallTimeout = 60 * time.Second

// ErrStalled is the cause of a request Watchdog cancelled. The *Error that
// carries it is retryable (Status 0); a non-idempotent call is still not
// repeated after it, since the request may have reached the server.
var ErrStalled = errors.New("the connection stalled")

type stalledError struct {
	idle time.Duration
	// connected is set once the transport had a connection for the
	// request; a stall before that (a dial that hangs) sent nothing.
	connected atomic.Bool
	// reconnect is set while the request runs on the reconnect grace (after a
	// Reconnect, until its next progress).
	reconnect atomic.Bool
}

func (e *stalledError) Error() string {
	if e.reconnect.Load() {
		return fmt.Sprintf("the connection stalled: no progress for %s s after the network changed", strconv.FormatFloat(graceTime().Seconds(), 'f', -1, 64))
	}
	return fmt.Sprintf("the connection stalled: no progress for %s s", strconv.FormatFloat(e.idle.Seconds(), 'f', -1, 64))
}
func (e *stalledError) Is(target error) bool {
	return target == ErrStalled || (target == ErrReconnected && e.reconnect.Load())
}

// Watchdog wraps rt (the shared transport when nil) so that a request
// whose body upload, response headers or response body make no progress
// for idle (DefaultStallTimeout when <= 0) is cancelled, and fails with a
// retryable *Error (Status 0, wrapping ErrStalled) instead of hanging until
// the operating system gives up on the connection (cf. restic's
// internal/backend/watchdog_roundtriper.go). A slow transfer that keeps
// moving is never cancelled. The idle clock runs from the start of the
// request to the close of its response body: callers read bodies at once.
// A request whose context carries a bandwidth.Limiter (the engine's) has
// its body throttled by it: this is where the speed limit applies to
// every upload of every platform.
func Watchdog(rt http.RoundTripper, idle time.Duration) http.RoundTripper {
	if rt == nil {
		rt = shared
	}
	if idle <= 0 {
		idle = DefaultStallTimeout
	}
	if w, ok := rt.(*watchdog); ok {
		rt = w.rt
	}
	return &watchdog{rt: rt, idle: idle}
}

// WithWatchdog returns a copy of c (a new client when nil) whose transport
// is wrapped in Watchdog(idle); a transport already wrapped gets the new
// idle. c itself is left as it was.
func WithWatchdog(c *http.Client, idle time.Duration) *http.Client {
	out := &http.Client{}
	if c != nil {
		*out = *c
	}
	out.Transport = Watchdog(out.Transport, idle)
	return out
}

type watchdog struct {
	rt   http.RoundTripper
	idle time.Duration
}

func (w *watchdog) RoundTrip(req *http.Request) (*http.Response, error) {
	se := &stalledError{idle: w.idle}
	ctx := httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { se.connected.Store(true) },
	})
	ctx, cancel := context.WithCancelCause(ctx)
	stall := &Error{Op: req.Method + " " + req.URL.Host, Err: se}
	timer := time.AfterFunc(w.idle, func() { cancel(stall) })
	// sending resets the idle clock (to the grace while on it); an
	// answer's bytes prove the connection works, and end the grace.
	sending := func() {
		if se.reconnect.Load() {
			timer.Reset(graceTime())
		} else {
			timer.Reset(w.idle)
		}
	}
	kick := func() {
		se.reconnect.Store(false)
		timer.Reset(w.idle)
	}
	untrack := track(&call{shorten: func() {
		se.reconnect.Store(true)
		timer.Reset(graceTime())
	}})
	// stalled reports whether err comes from our cancel, not the caller's.
	stalled := func(err error) bool {
		return err != nil && req.Context().Err() == nil && errors.Is(context.Cause(ctx), ErrStalled)
	}

	limiter := bandwidth.FromContext(ctx)
	watch := func(rc io.ReadCloser) io.ReadCloser {
		k := &kickReader{rc: rc, r: rc, kick: sending}
		if limiter != nil {
			k.r = limiter.Reader(ctx, rc)
		}
		return k
	}
	r := req.Clone(ctx)
	if req.Body != nil && req.Body != http.NoBody {
		r.Body = watch(req.Body)
	}
	if req.GetBody != nil {
		r.GetBody = func() (io.ReadCloser, error) {
			b, err := req.GetBody()
			if err != nil || b == nil || b == http.NoBody {
				return b, err
			}
			return watch(b), nil
		}
	}
	res, err := w.rt.RoundTrip(r)
	if err != nil {
		untrack()
		timer.Stop()
		if stalled(err) {
			err = stall
		}
		cancel(nil)
		return nil, err
	}
	kick()
	res.Body = &watchedBody{rc: res.Body, kick: kick, stalled: stalled, stall: stall,
		done: func() { untrack(); timer.Stop(); cancel(nil) }}
	return res, nil
}

// kickReader resets the idle clock on every byte the transport takes from
// a request body; r is the body, throttled when a limit applies.
type kickReader struct {
	rc   io.ReadCloser
	r    io.Reader
	kick func()
}

func (k *kickReader) Read(p []byte) (int, error) {
	n, err := k.r.Read(p)
	if n > 0 {
		k.kick()
	}
	return n, err
}

func (k *kickReader) Close() error { return k.rc.Close() }

// watchedBody resets the idle clock on every byte of a response body, turns
// a read cut by the watchdog into its stall error, and stops the clock on
// Close.
type watchedBody struct {
	rc      io.ReadCloser
	kick    func()
	stalled func(error) bool
	stall   *Error
	once    sync.Once
	done    func()
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.kick()
	}
	if err != nil && err != io.EOF && b.stalled(err) {
		err = b.stall
	}
	return n, err
}

func (b *watchedBody) Close() error {
	err := b.rc.Close()
	b.once.Do(b.done)
	return err
}
