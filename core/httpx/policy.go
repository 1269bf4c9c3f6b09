package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// MaxRetryAfter bounds how long a server's Retry-After can make Policy wait
// before one attempt, so a bogus header cannot park an upload for a day.
const MaxRetryAfter = 5 * time.Minute

// Policy is the one retry loop of every platform client in core (the GJW
// API and CDN calls, and every TUS request): the guide's fixed delays,
// aware of idempotency, with a hook that hears each wait.
type Policy struct {
	// Delays are waited before each attempt; their number is the number of
	// attempts (the first entry, normally 0, is never waited). Empty means
	// DefaultRetryDelays; one entry means a single attempt.
	Delays []time.Duration
	// OnRetry, if set, hears about each wait before a retry ("retrying in
	// 3 s"). Retries are also reported to a context's WithOnRetry hook.
	OnRetry func(op string, wait time.Duration, err error)
}

// Do runs fn, and again after each of p.Delays while it fails with a
// retryable error (Retryable), or one marked with Again. A non-idempotent
// call is repeated only when the request certainly did not reach the server
// or the server said it was busy (SafeToRepeat); otherwise its error says it
// was not repeated. A 429 or 503 carrying Retry-After waits at least that
// long (at most MaxRetryAfter). After the last attempt the error says how
// many were made. The context's cancellation ends the waits at once; so
// do, for a connection error, a Reconnect and the host coming back
// (WaitOnline), and a request dropped by a Reconnect goes again at once.
func (p Policy) Do(ctx context.Context, op string, idempotent bool, fn func() error) error {
	delays := p.Delays
	if len(delays) == 0 {
		delays = DefaultRetryDelays
	}
	var err error
	for i, d := range delays {
		if i > 0 {
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			if !isAgain(err) && !errors.Is(err, ErrReconnected) {
				wait := retryWait(d, err)
				changed := Changed()
				p.report(ctx, op, wait, err)
				// A connection error goes again as soon as the
				// connection is back (WaitOnline), not only after d.
				if serr := WaitOnline(ctx, changed, wait, err); serr != nil {
					return serr
				}
			}
		}
		if err = fn(); err == nil {
			return nil
		}
		if isAgain(err) {
			continue
		}
		if !Retryable(err) {
			return err
		}
		if !idempotent && !SafeToRepeat(err) {
			return &AmbiguousError{Err: err}
		}
	}
	err = unwrapAgain(err)
	if len(delays) == 1 {
		return err
	}
	return fmt.Errorf("gave up after %d attempts: %w", len(delays), err)
}

func (p Policy) report(ctx context.Context, op string, wait time.Duration, err error) {
	if p.OnRetry != nil {
		p.OnRetry(op, wait, err)
	}
	if fn, ok := ctx.Value(onRetryKey{}).(func(string, time.Duration, error)); ok {
		fn(op, wait, err)
	}
}

// retryWait is d, or the server's Retry-After when it asked for longer.
func retryWait(d time.Duration, err error) time.Duration {
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > d &&
		(e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable) {
		return min(e.RetryAfter, MaxRetryAfter)
	}
	return d
}

type onRetryKey struct{}

// WithOnRetry returns a context under which every Policy.Do also reports
// its retries to fn (after the Policy's own OnRetry, and after any hook ctx
// already carries). It is how one job hears the retries of a client that
// many jobs share: the engine wraps each job's context with it.
func WithOnRetry(ctx context.Context, fn func(op string, wait time.Duration, err error)) context.Context {
	if outer, ok := ctx.Value(onRetryKey{}).(func(string, time.Duration, error)); ok {
		inner := fn
		fn = func(op string, wait time.Duration, err error) { outer(op, wait, err); inner(op, wait, err) }
	}
	return context.WithValue(ctx, onRetryKey{}, fn)
}

// Again marks err as worth one more attempt at once, without a wait and
// without OnRetry, whatever its kind; the attempt still counts. TUS uses it
// for a 409 (re-sync the offset with HEAD, then go on), and for a chunk
// acknowledged without progress, so a server stuck there ends the upload.
func Again(err error) error { return &againError{err} }

type againError struct{ err error }

func (a *againError) Error() string { return a.err.Error() }
func (a *againError) Unwrap() error { return a.err }

func isAgain(err error) bool {
	var a *againError
	return errors.As(err, &a)
}

func unwrapAgain(err error) error {
	if a, ok := err.(*againError); ok {
		return a.err
	}
	return err
}

// TokenFunc returns the credential to send. stale is "" normally, or the
// credential a 401 just refused, which must not be returned again.
type TokenFunc func(ctx context.Context, stale string) (string, error)

// Authorized is the one 401 path of the platform clients: it runs send with
// a credential from token and, when send fails with a 401
// (ErrUnauthorized), asks token for a new one once and runs send again. A
// second 401 is final. It goes inside Policy.Do, so a refresh is never
// retried by the policy on its own.
func Authorized(ctx context.Context, token TokenFunc, send func(credential string) error) error {
	cred, err := token(ctx, "")
	if err != nil {
		return err
	}
	if err = send(cred); !errors.Is(err, ErrUnauthorized) {
		return err
	}
	if cred, err = token(ctx, cred); err != nil {
		return err
	}
	return send(cred)
}

// AmbiguousError is a failed call that creates something, which may have
// reached the platform all the same (a 500, a dropped connection): it was
// not repeated, so no duplicate can appear.
type AmbiguousError struct{ Err error }

func (e *AmbiguousError) Error() string {
	return e.Err.Error() + "; it may have reached the platform, so it was not repeated"
}
func (e *AmbiguousError) Unwrap() error { return e.Err }
