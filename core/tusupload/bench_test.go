package tusupload_test

// Benchmarks of issue 2. They are opt-in (go test -bench) and write up to a
// few GiB to the temp dir; see docs/benchmarks.md for the commands and the
// figures measured.

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	tus "github.com/eventials/go-tus"
)

const benchChunk = 10 << 20 // the guide's chunk size

// benchFiles are random files shared by all benchmarks of one run, generated
// on first use and removed by TestMain.
var benchFiles struct {
	mu    sync.Mutex
	dir   string
	paths map[int64]string
}

func benchFile(b *testing.B, size int64) string {
	b.Helper()
	benchFiles.mu.Lock()
	defer benchFiles.mu.Unlock()
	if p, ok := benchFiles.paths[size]; ok {
		return p
	}
	if benchFiles.dir == "" {
		dir, err := os.MkdirTemp(os.Getenv("GJW_BENCH_DIR"), "tusupload-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchFiles.dir, benchFiles.paths = dir, map[int64]string{}
	}
	p := filepath.Join(benchFiles.dir, strconv.FormatInt(size, 10)+".bin")
	writeRandomFile(b, p, size)
	benchFiles.paths[size] = p
	return p
}

func removeBenchFiles() {
	if benchFiles.dir != "" {
		os.RemoveAll(benchFiles.dir)
	}
}

// writeRandomFile writes size random bytes in 8 MiB pieces (random data
// defeats any compression or zero-page shortcut in the filesystem).
func writeRandomFile(b testing.TB, path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rng := rand.NewChaCha8([32]byte{byte(size), byte(size >> 32)})
	buf := make([]byte, 8<<20)
	for left := size; left > 0; {
		n := min(int64(len(buf)), left)
		rng.Read(buf[:n])
		if _, err := f.Write(buf[:n]); err != nil {
			b.Fatal(err)
		}
		left -= n
	}
}

// singlePatch is the baseline: a creation POST, then the whole file as the
// body of one PATCH, streamed from the file by a plain read/write loop (as
// curl sends it).
func singlePatch(b *testing.B, client *http.Client, endpoint, path string) string {
	return onePatch(b, client, endpoint, path, false)
}

// sendfilePatch is the same PATCH with the *os.File itself as the body,
// which net/http hands to sendfile(2).
func sendfilePatch(b *testing.B, client *http.Client, endpoint, path string) string {
	return onePatch(b, client, endpoint, path, true)
}

func onePatch(b *testing.B, client *http.Client, endpoint, path string, sendfile bool) string {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	url := create(b, client, endpoint, fi.Size())
	var body io.Reader = struct{ io.Reader }{f} // hides *os.File from net/http
	if sendfile {
		body = f
	}
	req, _ := http.NewRequest(http.MethodPatch, url, body)
	req.ContentLength = fi.Size()
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", "0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent || res.Header.Get("Upload-Offset") != strconv.FormatInt(fi.Size(), 10) {
		b.Fatalf("single PATCH: %s, offset %s", res.Status, res.Header.Get("Upload-Offset"))
	}
	return url
}

func create(b *testing.B, client *http.Client, endpoint string, size int64) string {
	req, _ := http.NewRequest(http.MethodPost, endpoint, nil)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Length", strconv.FormatInt(size, 10))
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		b.Fatalf("create: %s", res.Status)
	}
	return res.Header.Get("Location")
}

// ours is core's TUS upload (tusupload.Upload.Run) with 10 MiB chunks.
func ours(b *testing.B, client *http.Client, endpoint, path string) string {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	u := newUpload(&tusd{endpoint: endpoint}, f, fi.Size(), newMapStore())
	u.ChunkSize, u.HTTP = benchChunk, client
	url, err := u.Run(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return url
}

// goTus is go-tus's own chunk loop: Uploader.Upload, which reads every
// chunk into a fresh 10 MiB buffer.
func goTus(b *testing.B, client *http.Client, endpoint, path string) string {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	c, err := tus.NewClient(endpoint, &tus.Config{ChunkSize: benchChunk, HttpClient: client, Header: http.Header{}})
	if err != nil {
		b.Fatal(err)
	}
	up, err := tus.NewUploadFromFile(f)
	if err != nil {
		b.Fatal(err)
	}
	uploader, err := c.CreateUpload(up)
	if err != nil {
		b.Fatal(err)
	}
	if err := uploader.Upload(); err != nil {
		b.Fatal(err)
	}
	return uploader.Url()
}

type variant struct {
	name string
	run  func(*testing.B, *http.Client, string, string) string
}

// BenchmarkTUSUpload1GiB uploads 1 GiB to an in-process tusd four ways in
// each iteration, in rotating order: one PATCH of the whole file (the
// baseline, "single"), the same PATCH sent with sendfile(2) ("sendfile"),
// core's upload ("ours") and go-tus's Uploader ("gotus"), both with 10 MiB
// chunks. ns/op and MB/s are core's.
//
// On a shared machine other processes make single runs vary by tens of
// percent, so the figures are medians over the iterations (run with
// -benchtime 5x or more): ratio is the median over iterations of the
// baseline's time / core's time (want >= 0.90), gotus-ratio the same for
// go-tus, *-MB/s each way's median throughput, cpu-ratio the baseline's
// CPU time (client and tusd, all in this process) / core's, and
// ours-idle-ms the median time tusd sat idle between core's PATCHes: what
// sending 103 requests instead of one costs (see docs/benchmarks.md).
func BenchmarkTUSUpload1GiB(b *testing.B) {
	const size = 1 << 30
	path := benchFile(b, size)
	d := newTusd(b)
	variants := []variant{{"single", singlePatch}, {"sendfile", sendfilePatch}, {"ours", ours}, {"gotus", goTus}}
	wall := map[string][]time.Duration{}
	idle := map[string][]time.Duration{}
	cpu := map[string]time.Duration{}
	b.SetBytes(size)
	b.ResetTimer()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		for k := range variants {
			v := variants[(i+k)%len(variants)]
			client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
			runtime.GC()
			if v.name == "ours" {
				b.StartTimer()
			}
			d.idleBetweenPatches()
			start, cpu0 := time.Now(), cpuTime()
			url := v.run(b, client, d.endpoint, path)
			el, cpuEl := time.Since(start), cpuTime()-cpu0
			idle[v.name] = append(idle[v.name], d.idleBetweenPatches())
			if v.name == "ours" {
				b.StopTimer()
			}
			wall[v.name] = append(wall[v.name], el)
			cpu[v.name] += cpuEl
			client.CloseIdleConnections()
			d.remove(url)
		}
	}
	median := func(name string) time.Duration { return medianOf(wall[name]) }
	// Each iteration's ratio compares runs made moments apart, under much
	// the same outside load; their median is the figure.
	ratio := func(name string) float64 {
		rs := make([]time.Duration, b.N)
		for i := range rs {
			rs[i] = time.Duration(float64(time.Second) * wall["single"][i].Seconds() / wall[name][i].Seconds())
		}
		return medianOf(rs).Seconds()
	}
	b.ReportMetric(ratio("ours"), "ratio")
	b.ReportMetric(ratio("gotus"), "gotus-ratio")
	b.ReportMetric(cpu["single"].Seconds()/cpu["ours"].Seconds(), "cpu-ratio")
	b.ReportMetric(float64(medianOf(idle["ours"]))/1e6, "ours-idle-ms")
	for _, v := range variants {
		b.ReportMetric(size/median(v.name).Seconds()/1e6, v.name+"-MB/s")
	}
	if testing.Verbose() {
		for _, v := range variants {
			fmt.Fprintf(os.Stderr, "%-8s median %v, cpu %v, runs %v\n", v.name, median(v.name).Round(time.Millisecond),
				(cpu[v.name] / time.Duration(b.N)).Round(time.Millisecond), wall[v.name])
		}
	}
}

func medianOf(ds []time.Duration) time.Duration {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return (ds[(len(ds)-1)/2] + ds[len(ds)/2]) / 2
}

// cpuTime is the user + system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// heapSampler records the peak of heap memory in use (runtime/metrics'
// heap objects + unused span space, i.e. MemStats.HeapInuse) every
// millisecond until stopped, and the bytes allocated meanwhile.
type heapSampler struct {
	stop, done chan struct{}
	peak       uint64
	alloc0     uint64
}

var heapMetrics = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes", "/gc/heap/allocs:bytes"}

// readHeap returns the live heap objects, HeapInuse and bytes allocated.
func readHeap() (objects, inuse, allocs uint64) {
	s := make([]metrics.Sample, len(heapMetrics))
	for i, name := range heapMetrics {
		s[i].Name = name
	}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[0].Value.Uint64() + s[1].Value.Uint64(), s[2].Value.Uint64()
}

func sampleHeap() *heapSampler {
	runtime.GC()
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	_, h.peak, h.alloc0 = readHeap()
	go func() {
		defer close(h.done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				if _, inuse, _ := readHeap(); inuse > h.peak {
					h.peak = inuse
				}
			}
		}
	}()
	return h
}

// end stops sampling and returns the peak heap in use and bytes allocated.
func (h *heapSampler) end() (peak, allocated uint64) {
	close(h.stop)
	<-h.done
	_, _, allocs := readHeap()
	return h.peak, allocs - h.alloc0
}

// heldHeap uploads path with core's upload and, after every acknowledged
// chunk (when no request is in flight), runs the GC and reads the live heap:
// it returns the largest, the memory the upload holds between chunks.
func heldHeap(b *testing.B, client *http.Client, endpoint, path string) (peak uint64, url string) {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	u := newUpload(&tusd{endpoint: endpoint}, f, fi.Size(), newMapStore())
	u.ChunkSize, u.HTTP = benchChunk, client
	u.OnChunk = func(int64) error {
		runtime.GC() // twice: the first moves sync.Pool contents to the victim cache
		runtime.GC()
		live, _, _ := readHeap()
		peak = max(peak, live)
		return nil
	}
	url, err = u.Run(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return peak, url
}

// BenchmarkTUSUploadMemory measures the client's memory with tusd in a
// child process (so tusd's own allocations are not counted):
//   - B/GiB: bytes allocated per GiB sent by core's upload (gotus-B/GiB: by
//     go-tus's Uploader, for comparison);
//   - peak-heap-*: the peak of HeapInuse sampled every millisecond while
//     core uploads 64 MiB, 256 MiB and 1 GiB. It includes garbage awaiting
//     collection, so it rises to the GC's minimum heap target (4 MiB) once
//     an upload has made that much garbage, and stays there;
//   - held-heap-*: the largest live heap after a GC between chunks, for 64
//     MiB and 1 GiB; held-heap-ratio (1 GiB / 64 MiB) must be within 10%.
func BenchmarkTUSUploadMemory(b *testing.B) {
	sizes := []int64{64 << 20, 256 << 20, 1 << 30}
	paths := make([]string, len(sizes))
	for i, n := range sizes {
		paths[i] = benchFile(b, n)
	}
	dir := b.TempDir()
	if parent := os.Getenv("GJW_BENCH_DIR"); parent != "" {
		dir = mkdirTemp(b, parent)
	}
	endpoint := startTusdProcess(b, dir)
	clean := func(url string) {
		os.Remove(filepath.Join(dir, filepath.Base(url)))
		os.Remove(filepath.Join(dir, filepath.Base(url)+".info"))
	}
	newClient := func() *http.Client {
		return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	measure := func(run func(*testing.B, *http.Client, string, string) string, path string) (peak, alloc uint64) {
		client := newClient()
		defer client.CloseIdleConnections()
		h := sampleHeap()
		url := run(b, client, endpoint, path)
		peak, alloc = h.end()
		clean(url)
		return peak, alloc
	}
	peak := make([]uint64, len(sizes))
	var held [2]uint64 // 64 MiB, 1 GiB
	var allocOurs, allocGoTus uint64
	for i := 0; i < b.N; i++ {
		for k, path := range paths {
			p, a := measure(ours, path)
			peak[k] = max(peak[k], p)
			if sizes[k] == 1<<30 {
				allocOurs += a
			}
		}
		for k, path := range []string{paths[0], paths[2]} {
			client := newClient()
			p, url := heldHeap(b, client, endpoint, path)
			client.CloseIdleConnections()
			clean(url)
			held[k] = max(held[k], p)
		}
		_, a := measure(goTus, paths[2])
		allocGoTus += a
	}
	b.ReportMetric(float64(allocOurs)/float64(b.N), "B/GiB")
	b.ReportMetric(float64(allocGoTus)/float64(b.N), "gotus-B/GiB")
	for k, n := range sizes {
		b.ReportMetric(float64(peak[k]), fmt.Sprintf("peak-heap-%dMiB-B", n>>20))
	}
	b.ReportMetric(float64(held[0]), "held-heap-64MiB-B")
	b.ReportMetric(float64(held[1]), "held-heap-1024MiB-B")
	ratio := float64(held[1]) / float64(held[0])
	b.ReportMetric(ratio, "held-heap-ratio")
	if ratio > 1.10 || ratio < 1/1.10 {
		b.Errorf("heap held while uploading 1 GiB is %d B, 64 MiB %d B: not within 10%%", held[1], held[0])
	}
}
