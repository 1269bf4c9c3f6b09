// Package tuslock is tusd's memory locker as the sandboxes use it, with one
// change in how a held upload is taken over.
//
// When a request needs an upload another request holds (a client resuming
// while the server still reads its abandoned PATCH), tusd asks the holder to
// let go by cancelling the holder's context; a goroutine of tusd (v2.8.0 to
// v2.9.1, handler/context.go newContext) then reads the holder's body field
// without synchronisation, which the race detector reports in every test
// that resumes quickly. Here the holder's PATCH body is interrupted instead:
// its reads fail and its connection's read deadline is set to now (as tusd's
// own closeWithError does), so the PATCH ends with the bytes it had, the
// lock is freed and the new request goes on, as a client sees it from tusd.
package tuslock

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	tushandler "github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"
)

// errInterrupted ends a PATCH body whose upload another request needs.
var errInterrupted = errors.New("upload interrupted by a newer request for it")

type holderKey struct{}

// holder is one request's hold on its body.
type holder struct {
	patch       bool
	rc          *http.ResponseController
	interrupted atomic.Bool
}

// interrupt ends the holder's PATCH body; other requests end by themselves
// in moments, and their connections stay usable.
func (h *holder) interrupt() {
	if h.patch && h.interrupted.CompareAndSwap(false, true) {
		h.rc.SetReadDeadline(time.Now()) // wakes a read blocked on the network
	}
}

type body struct {
	io.ReadCloser
	h *holder
}

func (b body) Read(p []byte) (int, error) {
	if b.h.interrupted.Load() {
		return 0, errInterrupted
	}
	n, err := b.ReadCloser.Read(p)
	if err == nil && b.h.interrupted.Load() {
		err = errInterrupted
	}
	return n, err
}

// Track lets the Locker interrupt next's PATCH requests: wrap the tusd
// handler with it.
func Track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := &holder{patch: r.Method == http.MethodPatch, rc: http.NewResponseController(w)}
		r = r.WithContext(context.WithValue(r.Context(), holderKey{}, h))
		if r.Body != nil {
			r.Body = body{r.Body, h}
		}
		next.ServeHTTP(w, r)
	})
}

// Locker is memorylocker.MemoryLocker, its holders interrupted through
// Track instead of tusd's context cancellation.
type Locker struct{ inner *memorylocker.MemoryLocker }

// New returns a Locker; UseIn puts it in a composer.
func New() Locker { return Locker{memorylocker.New()} }

// UseIn makes composer lock uploads with l.
func (l Locker) UseIn(composer *tushandler.StoreComposer) { composer.UseLocker(l) }

// NewLock implements tusd's Locker.
func (l Locker) NewLock(id string) (tushandler.Lock, error) {
	lk, err := l.inner.NewLock(id)
	if err != nil {
		return nil, err
	}
	return lock{lk}, nil
}

type lock struct{ inner tushandler.Lock }

func (l lock) Unlock() error { return l.inner.Unlock() }

// Lock takes the upload for the request of ctx; when another request wants
// it, that request's PATCH body is interrupted (tusd's requestRelease,
// which cancels its context, is not used).
func (l lock) Lock(ctx context.Context, _ func()) error {
	h, _ := ctx.Value(holderKey{}).(*holder)
	return l.inner.Lock(ctx, func() {
		if h != nil {
			h.interrupt()
		}
	})
}
