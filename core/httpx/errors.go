// Package httpx holds what every platform client in core shares about HTTP:
// one error type carrying the step and status, the retryable/permanent
// classification, and a context-aware sleep for backoff.
package httpx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
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
}

func (e *Error) Error() string {
	switch {
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

// notSent reports whether the request certainly never reached the server
// (the connection could not be made), so even a non-idempotent call such
// as add-content may be repeated without risking a duplicate.
func NotSent(err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.Status != 0 {
		return false
	}
	var op *net.OpError
	return errors.As(e.Err, &op) && op.Op == "dial"
}

// DefaultRetryDelays are the video guide's recommended delays between
// attempts (0, 1, 3, 5, 10, 20 s); every retry loop in core uses them.
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

// Transport wraps a failure of http.Client.Do for op: the caller's own
// cancellation passes through unchanged, anything else becomes an *Error
// with net/http's `Get "URL":` prefix replaced by the host.
func Transport(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		host := ue.URL
		if u, perr := url.Parse(ue.URL); perr == nil {
			host = u.Host
		}
		err = fmt.Errorf("%s: %w", host, ue.Err)
	}
	return &Error{Op: op, Err: err}
}
