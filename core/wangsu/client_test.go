package wangsu_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/wangsu"
)

// TestChunkBufferFreeOnceAnswered: an upload host that answers before it
// has read a block (here at once, reading nothing) makes Mkblk return
// while the transport may still be sending the body; the driver then fills
// the same buffer with the next chunk, so nothing may read it after Mkblk
// returned (run with -race, which watches the buffer).
func TestChunkBufferFreeOnceAnswered(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"ctx":"c1","offset":1}`)
	}))
	defer srv.Close()
	c := &wangsu.Client{HTTP: srv.Client(), RetryDelays: []time.Duration{0}}
	up := wangsu.Upload{URL: srv.URL, FileKey: "k", Batch: "b"}
	buf := make([]byte, 8<<20)
	for i := range 20 {
		c.Mkblk(context.Background(), "token", up, int64(len(buf)), 0, buf) // an early answer may also be a broken pipe
		for j := range buf {
			buf[j] = byte(i) // the next chunk
		}
	}
}
