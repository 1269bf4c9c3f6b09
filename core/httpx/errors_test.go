package httpx_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
)

// KindOf classifies real failed calls: a closed port, a busy answer, a
// server failure, a refusal; errors that are no call are KindOther, and
// wrapping keeps the kind.
func TestKindOfRealCalls(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	ctx := context.Background()
	for _, c := range []struct {
		name string
		err  error
		want httpx.Kind
	}{
		{"connection refused", call(ctx, closed), httpx.KindUnreachable},
		{"503", callStatus(t, http.StatusServiceUnavailable), httpx.KindBusy},
		{"429", callStatus(t, http.StatusTooManyRequests), httpx.KindBusy},
		{"500", callStatus(t, http.StatusInternalServerError), httpx.KindServer},
		{"400", callStatus(t, http.StatusBadRequest), httpx.KindRefused},
		{"wrapped 400", fmt.Errorf("step 4: %w", callStatus(t, http.StatusBadRequest)), httpx.KindRefused},
		{"not a call", errors.New("file changed"), httpx.KindOther},
	} {
		if got := httpx.KindOf(c.err); got != c.want {
			t.Errorf("%s: KindOf(%v) = %d, want %d", c.name, c.err, got, c.want)
		}
		if httpx.Unreachable(c.err) != (c.want == httpx.KindUnreachable) {
			t.Errorf("%s: Unreachable is %v", c.name, httpx.Unreachable(c.err))
		}
	}
}

func callStatus(t *testing.T, status int) error {
	srv, _ := server(t, nil, status)
	return call(context.Background(), srv.URL)
}
