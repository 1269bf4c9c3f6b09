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
// each direction delayed by rtt/2 and limited to rate bytes per second.
type linkProxy struct {
	ln        net.Listener
	target    string
	rate      float64
	oneWay    time.Duration
	wg        sync.WaitGroup
	closeOnce sync.Once
}

func newLinkProxy(tb testing.TB, target string, rate float64, rtt time.Duration) *linkProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &linkProxy{ln: ln, target: target, rate: rate, oneWay: rtt / 2}
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
			go p.pipe(u, c)
			p.pipe(c, u)
		}()
	}
}

type packet struct {
	b  []byte
	at time.Time
}

// pipe copies src to dst, each read delivered oneWay later, at most rate.
func (p *linkProxy) pipe(dst, src net.Conn) {
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
	var sendAt time.Time // when the link is free again
	for pk := range q {
		due := pk.at.Add(p.oneWay)
		if sendAt.After(due) {
			due = sendAt
		}
		time.Sleep(time.Until(due))
		if _, err := dst.Write(pk.b); err != nil {
			break
		}
		sendAt = due.Add(time.Duration(float64(len(pk.b)) / p.rate * float64(time.Second)))
	}
	dst.Close()
	io.Copy(io.Discard, src)
}

// BenchmarkLinkParts measures the share of an emulated 200 Mbit/s, 40 ms
// link a JW upload gets with one part in flight, for the default 5 MiB
// parts and larger ones (GJW_CHUNK_SIZE): go test -run - -bench LinkParts ./core/jw/
func BenchmarkLinkParts(b *testing.B) {
	const rate = 200e6 / 8 // bytes per second
	const size = 160 << 20
	for _, part := range []int64{5 << 20, 16 << 20, 32 << 20} {
		b.Run(fmt.Sprintf("%dMiB", part>>20), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				pl := newPlatform(b, sandbox.Config{Polls: -1, MinPart: sandbox.MinPart})
				px := newLinkProxy(b, pl.run.S3URL[len("http://"):], rate, 40*time.Millisecond)
				pl.run.Server.SetS3URL("http://" + px.ln.Addr().String())
				c := pl.client()
				c.HTTP = httpx.WithWatchdog(nil, 30*time.Second)
				d := jw.NewDriver(c, jw.DriverOptions{ChunkSize: part, PollInterval: time.Millisecond})
				pr := source(b, size)
				b.StartTimer()
				start := time.Now()
				if _, err := d.Publish(b.Context(), nil, pr); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(size)/time.Since(start).Seconds()/rate*100, "%link")
				b.ReportMetric(float64(pl.run.Server.Stats().PartPuts), "parts")
				pl.run.Close()
			}
		})
	}
}
