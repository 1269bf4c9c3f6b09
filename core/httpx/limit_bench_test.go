package httpx_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/bandwidth"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
)

// sink is a loopback server that counts the body bytes it reads.
func sink(b *testing.B) (*httptest.Server, *atomic.Int64) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		got.Add(n)
	}))
	b.Cleanup(srv.Close)
	return srv, &got
}

// put sends size bytes of buf (repeated) as one PUT under ctx.
func put(b *testing.B, ctx context.Context, c *http.Client, url string, buf []byte, size int64) time.Duration {
	body := io.LimitReader(&repeat{buf: buf}, size)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, body)
	if err != nil {
		b.Fatal(err)
	}
	req.ContentLength = size
	start := time.Now()
	res, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	return time.Since(start)
}

type repeat struct {
	buf []byte
	off int
}

func (r *repeat) Read(p []byte) (int, error) {
	n := copy(p, r.buf[r.off:])
	r.off = (r.off + n) % len(r.buf)
	return n, nil
}

// BenchmarkLimitOff: a request through the watchdog whose context carries
// the engine's limiter, switched off, against the same request with no
// limiter at all, alternated in the same run. The ratio (off / none) is
// the throughput the limiter costs when off: 1.0 is nothing.
func BenchmarkLimitOff(b *testing.B) {
	const size = 256 << 20
	srv, _ := sink(b)
	c := httpx.WithWatchdog(nil, 0)
	buf := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	off := bandwidth.WithLimiter(context.Background(), bandwidth.New(nil))
	var ratios []float64
	var none, withOff time.Duration
	for i := 0; i < b.N; i++ {
		a := put(b, context.Background(), c, srv.URL, buf, size)
		o := put(b, off, c, srv.URL, buf, size)
		none, withOff = none+a, withOff+o
		ratios = append(ratios, a.Seconds()/o.Seconds())
	}
	sort.Float64s(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "off/none")
	b.ReportMetric(float64(size)*float64(b.N)/none.Seconds()/1e6, "MB/s-none")
	b.ReportMetric(float64(size)*float64(b.N)/withOff.Seconds()/1e6, "MB/s-off")
	b.SetBytes(2 * size)
}

// BenchmarkLimitHolds: 10 s of upload at a 4M limit through the watchdog;
// rate/limit is what the server received per second over the limit (1.0
// is exact; the target is within 5%).
func BenchmarkLimitHolds(b *testing.B) {
	const limit = 4 << 20
	srv, got := sink(b)
	c := httpx.WithWatchdog(nil, 0)
	buf := bytes.Repeat([]byte("x"), 1<<20)
	for i := 0; i < b.N; i++ {
		got.Store(0)
		ctx := bandwidth.WithLimiter(context.Background(), bandwidth.New(bandwidth.Schedule{{Rate: limit}}))
		took := put(b, ctx, c, srv.URL, buf, 10*limit)
		b.ReportMetric(float64(got.Load())/took.Seconds()/limit, "rate/limit")
		b.ReportMetric(took.Seconds(), "s")
	}
}
