package jw_test

import (
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/core/jw"
	sandbox "github.com/gjw-uploader/gjw-uploader/core/sandbox/jw"
)

// linkProxy forwards loopback TCP to target through an emulated link:
// each direction delayed by rtt/2 and limited to rate bytes per second,
// shared by every connection (parts in flight compete for one link).
type linkProxy struct {
	ln       net.Listener
	target   string
	oneWay   time.Duration
	up, down wire
}

// wire is one direction of the link: when it is free for the next packet.
type wire struct {
	rate float64
	mu   sync.Mutex
	free time.Time
}

// slot reserves the wire for n bytes arriving at the far end's queue at
// due: when they go out.
func (w *wire) slot(n int, due time.Time) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.free.After(due) {
		due = w.free
	}
	w.free = due.Add(time.Duration(float64(n) / w.rate * float64(time.Second)))
	return due
}

func newLinkProxy(tb testing.TB, target string, rate float64, rtt time.Duration) *linkProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &linkProxy{ln: ln, target: target, oneWay: rtt / 2, up: wire{rate: rate}, down: wire{rate: rate}}
	go p.serve()
	tb.Cleanup(func() { ln.Close() })
	return p
}

func (p *linkProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			u, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				return
			}
			go p.pipe(u, c, &p.up)
			p.pipe(c, u, &p.down)
		}()
	}
}

type packet struct {
	b  []byte
	at time.Time
}

// pipe copies src to dst over w, each read delivered oneWay later, when
// the wire is free.
func (p *linkProxy) pipe(dst, src net.Conn, w *wire) {
	q := make(chan packet, 32) // 1 MiB of buffer: back-pressure as on a real link
	go func() {
		defer close(q)
		for {
			b := make([]byte, 32<<10)
			n, err := src.Read(b)
			if n > 0 {
				q <- packet{b[:n], time.Now()}
			}
			if err != nil {
				return
			}
		}
	}()
	for pk := range q {
		time.Sleep(time.Until(w.slot(len(pk.b), pk.at.Add(p.oneWay))))
		if _, err := dst.Write(pk.b); err != nil {
			break
		}
	}
	dst.Close()
	io.Copy(io.Discard, src)
}

// linkRate and linkRTT are the emulated link of the Link benchmarks.
const (
	linkRate = 200e6 / 8 // bytes per second
	linkRTT  = 40 * time.Millisecond
)

// linkPublish publishes size bytes through the emulated link with parts
// of part bytes, inFlight at once, and returns how long it took and the
// parts stored.
func linkPublish(b *testing.B, size, part int64, inFlight int) (time.Duration, int) {
	b.StopTimer()
	pl := newPlatform(b, sandbox.Config{Polls: -1, MinPart: sandbox.MinPart})
	defer pl.run.Close()
	px := newLinkProxy(b, pl.run.S3URL[len("http://"):], linkRate, linkRTT)
	pl.run.Server.SetS3URL("http://" + px.ln.Addr().String())
	c := pl.client()
	c.HTTP = httpx.WithWatchdog(nil, 30*time.Second)
	d := jw.NewDriver(c, jw.DriverOptions{ChunkSize: part, InFlight: inFlight, PollInterval: time.Millisecond})
	pr := source(b, size)
	b.StartTimer()
	start := time.Now()
	if _, err := d.Publish(b.Context(), nil, pr); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	return took, pl.run.Server.Stats().PartPuts
}

// BenchmarkLinkParts measures the share of an emulated 200 Mbit/s, 40 ms
// link a JW upload gets with one part in flight, for the default 5 MiB
// parts and larger ones (GJW_CHUNK_SIZE): go test -run - -bench LinkParts ./core/jw/
func BenchmarkLinkParts(b *testing.B) {
	const size = 160 << 20
	for _, part := range []int64{5 << 20, 16 << 20, 32 << 20} {
		b.Run(fmt.Sprintf("%dMiB", part>>20), func(b *testing.B) {
			for range b.N {
				took, parts := linkPublish(b, size, part, 1)
				b.ReportMetric(float64(size)/took.Seconds()/linkRate*100, "%link")
				b.ReportMetric(float64(parts), "parts")
			}
		})
	}
}

// BenchmarkLinkInFlight measures 1, 2 and 3 parts of 5 MiB in flight on
// the same emulated link, each iteration all three in turn: the share of
// the link each gets, and the speed of 2 and 3 against 1 in the same run:
// go test -run - -bench LinkInFlight -benchtime 3x ./core/jw/
func BenchmarkLinkInFlight(b *testing.B) {
	const size = 160 << 20
	const part = 5 << 20
	var took [4]time.Duration
	for range b.N {
		for k := 1; k <= 3; k++ {
			d, _ := linkPublish(b, size, part, k)
			took[k] += d
		}
	}
	for k := 1; k <= 3; k++ {
		b.ReportMetric(float64(size)*float64(b.N)/took[k].Seconds()/linkRate*100, fmt.Sprintf("%%link-%d", k))
	}
	b.ReportMetric(took[1].Seconds()/took[2].Seconds(), "x2/1")
	b.ReportMetric(took[1].Seconds()/took[3].Seconds(), "x3/1")
}
