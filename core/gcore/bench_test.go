package gcore_test

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/gcore"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	sandbox "github.com/gjw-uploader/gjw-uploader/core/sandbox/gcore"
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

// BenchmarkLinkChunks measures the share of an emulated 200 Mbit/s, 40 ms
// link an upload gets with the guide's 10 MiB chunks and with chunks sized
// to the link (issue 8): go test -run - -bench LinkChunks ./core/gcore/
func BenchmarkLinkChunks(b *testing.B) {
	const rate = 200e6 / 8 // bytes per second
	const size = 192 << 20
	for _, tc := range []struct {
		name  string
		chunk int64
	}{{"fixed-10MiB", 10 << 20}, {"sized-to-link", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				p := newPlatform(b, sandbox.Config{Polls: -1})
				host := p.run.UploadURLs[0][len("http://"):]
				px := newLinkProxy(b, host, rate, 40*time.Millisecond)
				p.run.Server.SetUploadHosts(px.ln.Addr().String())
				c := p.client()
				c.HTTP = httpx.WithWatchdog(nil, 30*time.Second)
				d := gcore.NewDriver(c, gcore.DriverOptions{ChunkSize: tc.chunk, PollInterval: time.Millisecond})
				pr := newUpload(b, size)
				b.StartTimer()
				start := time.Now()
				if _, err := d.Publish(b.Context(), nil, pr); err != nil {
					b.Fatal(err)
				}
				took := time.Since(start)
				b.ReportMetric(float64(size)/took.Seconds()/rate*100, "%link")
				b.ReportMetric(float64(p.run.Server.Stats().Patches), "patches")
				p.run.Close()
			}
		})
	}
}
