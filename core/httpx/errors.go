// Package httpx holds what every platform client in core shares about HTTP:
// one error type carrying the step and status, the retryable/permanent
// classification, the one retry loop (Policy), the one 401 path
// (Authorized), and a progress watchdog so no request hangs (Watchdog).
package httpx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Sentinels for the cases callers act on. Compare with errors.Is.
var (
	// ErrUnauthorized is a 401 that survived one refresh and retry.
	ErrUnauthorized = errors.New("the platform refused the credentials")
)

// Error is a failed call to one of the platform's hosts. Its text never
// contains a token.
type Error struct {
	Op      string // what was being done, e.g. "add-content"
	Status  int    // HTTP status; 0 for a transport failure
	Message string // the platform's own words, if it gave any
	Err     error  // the transport error, when Status is 0
	// RetryAfter is the response's Retry-After header as a wait (0 when
	// absent); Policy honours it on 429 and 503.
	RetryAfter time.Duration
	// url is the request's, for a transport failure (WaitOnline probes
	// its host); never shown.
	url *url.URL
}

func (e *Error) Error() string {
	switch {
	case e.Status == 0 && errors.Is(e.Err, ErrStalled):
		return fmt.Sprintf("%s: %v", e.Op, e.Err)
	case e.Status == 0:
		return fmt.Sprintf("%s: cannot reach the server: %v", e.Op, e.Err)
	case e.Message != "":
		return fmt.Sprintf("%s: %s (HTTP %d)", e.Op, e.Message, e.Status)
	default:
		return fmt.Sprintf("%s: HTTP %d %s", e.Op, e.Status, http.StatusText(e.Status))
	}
}

func (e *Error) Unwrap() error {
	if e.Status == http.StatusUnauthorized {
		return ErrUnauthorized
	}
	return e.Err
}

// Retryable reports whether trying the same request again later may succeed:
// transport failures, 423, 429 and 5xx.
func Retryable(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Status == 0 || e.Status == http.StatusLocked ||
		e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// NotSent reports whether the request certainly never reached the server
// (the connection could not be made), so even a non-idempotent call such
// as add-content may be repeated without risking a duplicate. A stalled
// request (ErrStalled) may have reached the server, so it counts as sent
// unless it stalled before it had a connection.
func NotSent(err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.Status != 0 {
		return false
	}
	var op *net.OpError
	if errors.As(e.Err, &op) && op.Op == "dial" {
		return true
	}
	var se *stalledError
	return errors.As(e.Err, &se) && !se.connected.Load() // the dial itself stalled
}

// SafeToRepeat reports whether a failed non-idempotent call certainly did
// nothing on the platform: the connection was never made, or the server
// said it was busy (423, 429, 503). A 500, 502 or 504, or a stalled or
// dropped connection, may come after the work was done, so such calls are
// not repeated.
func SafeToRepeat(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Status {
	case 0:
		return NotSent(err)
	case http.StatusLocked, http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return true
	}
	return false
}

// ResponseError turns a non-2xx response into an *Error for op, with the
// platform's message and the Retry-After header, if any.
func ResponseError(op string, res *http.Response, message string) *Error {
	return &Error{Op: op, Status: res.StatusCode, Message: message, RetryAfter: retryAfter(res.Header.Get("Retry-After"), time.Now())}
}

// retryAfter reads a Retry-After value: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// DefaultRetryDelays are the video guide's recommended delays between
// attempts (0, 1, 3, 5, 10, 20 s); Policy uses them when given none.
var DefaultRetryDelays = []time.Duration{0, time.Second, 3 * time.Second, 5 * time.Second, 10 * time.Second, 20 * time.Second}

// Sleep waits for d or until ctx is done, returning the context's cause.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return context.Cause(ctx)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// Transport wraps a failure of http.Client.Do, or of reading a response
// body, for op: the caller's own cancellation passes through unchanged,
// anything else becomes an *Error with net/http's `Get "URL":` prefix
// replaced by the host. A stall reported by Watchdog keeps ErrStalled.
func Transport(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	var ue *url.Error
	var reqURL *url.URL
	if errors.As(err, &ue) {
		host := ue.URL
		if u, perr := url.Parse(ue.URL); perr == nil {
			host, reqURL = u.Host, u
		}
		inner := ue.Err
		var he *Error
		if errors.As(inner, &he) && he.Status == 0 && he.Err != nil {
			inner = he.Err // the watchdog's own *Error: keep its cause only
		}
		err = fmt.Errorf("%s: %w", host, inner)
	} else {
		var he *Error
		if errors.As(err, &he) && he.Status == 0 && he.Err != nil {
			err = he.Err // a body read cut by the watchdog
		}
	}
	return &Error{Op: op, Err: err, url: reqURL}
}

// Kind is what went wrong with a call, in the classes people act on
// differently: wait for the connection, wait for the platform, or change
// something. The app words each kind once (gui/format.go).
type Kind int

const (
	KindOther       Kind = iota // not a failed call (a local error)
	KindUnreachable             // no answer: the connection was refused, dropped, timed out or stalled
	KindBusy                    // the platform asked to wait (423, 429, 503)
	KindServer                  // the platform failed (another 5xx)
	KindRefused                 // the platform refused the request (4xx)
)

// KindOf classifies err by the *Error it carries.
func KindOf(err error) Kind {
	var e *Error
	if !errors.As(err, &e) {
		return KindOther
	}
	switch {
	case e.Status == 0:
		return KindUnreachable
	case e.Status == http.StatusLocked || e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable:
		return KindBusy
	case e.Status >= 500:
		return KindServer
	case e.Status >= 400:
		return KindRefused
	}
	return KindOther
}

// Unreachable reports whether err is a call that got no answer at all.
func Unreachable(err error) bool { return KindOf(err) == KindUnreachable }
