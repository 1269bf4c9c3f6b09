package gui

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
)

// posterGate holds the posters a drop makes, each until the test lets it
// go, then makes it as the app does.
type posterGate struct {
	mu      sync.Mutex
	begun   []string // videos whose poster is being made, in the order begun
	release map[string]chan struct{}
}

// holdPosters holds every poster the window's drops make from now on.
func holdPosters(h *harness) *posterGate {
	g := &posterGate{release: map[string]chan struct{}{}}
	h.ui.uploads.makePoster = func(ctx context.Context, dir, name, video, title, channel string) (string, error) {
		g.mu.Lock()
		g.begun = append(g.begun, video)
		c := g.ch(video)
		g.mu.Unlock()
		select {
		case <-c:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		return makePoster(ctx, dir, name, video, title, channel)
	}
	return g
}

func (g *posterGate) ch(video string) chan struct{} {
	c, ok := g.release[video]
	if !ok {
		c = make(chan struct{})
		g.release[video] = c
	}
	return c
}

// let lets video's poster be made.
func (g *posterGate) let(video string) {
	g.mu.Lock()
	close(g.ch(video))
	g.mu.Unlock()
}

// started is whether video's poster is being made (or was).
func (g *posterGate) started(video string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Contains(g.begun, video)
}

// scrambledDrop writes n small videos and returns them in the order they
// are dropped, which is not the order of their names.
func scrambledDrop(t *testing.T, n int) []string {
	dir := t.TempDir()
	videos := make([]string, n)
	for i := range n {
		// 7 is prime to n = 20: every name once, out of order.
		videos[i] = sandboxtest.WriteRandom(t, filepath.Join(dir, fmt.Sprintf("clip_%02d.mp4", (i*7)%n+1)), 20<<10)
	}
	return videos
}

// rowVideos are the videos of the queue's rows, in the list's order.
func rowVideos(h *harness) []string {
	var out []string
	for _, r := range h.ui.uploads.rows {
		out = append(out, r.job.VideoPath)
	}
	return out
}

// names are the file names of paths.
func names(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

// prepCount reads the preparing line: videos still to come, of all
// (ok false when it says no count).
func prepCount(h *harness) (left, total int, ok bool) {
	l := h.ui.uploads.prepLine
	if !l.Visible() {
		return 0, 0, false
	}
	n, _ := fmt.Sscanf(l.Text, "Preparing %d of %d videos…", &left, &total)
	return left, total, n == 2
}

func dropURIs(h *harness, paths []string) {
	uris := make([]fyne.URI, len(paths))
	for i, p := range paths {
		uris[i] = storage.NewFileURI(p)
	}
	h.ui.DropURIs(uris)
}

// A drop of 20 videos says at once that it is being prepared, then how
// many of the 20 are still to come, counting down as each joins the queue
// (never ahead of the rows shown); a few posters are made at a time, and
// the rows come in the order of the drop whatever order they finish in.
// The line goes when the last is queued.
func TestBigDropSaysHowManyArePreparing(t *testing.T) {
	const n = 20
	h := newHarness(t, nil, harnessOpts{db: storeJobs(t), noStart: true})
	gate := holdPosters(h)
	videos := scrambledDrop(t, n)
	u := h.ui.uploads

	dropURIs(h, videos)
	// At once, in the drop handler: before the folders are read.
	if !u.prepLine.Visible() || u.prepLine.Text != "Preparing videos…" {
		t.Fatalf("right after the drop the preparing line shows %v %q", u.prepLine.Visible(), u.prepLine.Text)
	}
	h.eventually("“Preparing 20 of 20 videos…” with no row yet", func() bool {
		left, total, ok := prepCount(h)
		return ok && left == n && total == n && len(u.rows) == 0
	})

	// A few posters are made at once, no more. The second finishing
	// first adds nothing: the first comes first in the queue.
	h.eventually(fmt.Sprintf("the first %d posters to be made at once", dropPosterWorkers), func() bool {
		for _, v := range videos[:dropPosterWorkers] {
			if !gate.started(v) {
				return false
			}
		}
		return true
	})
	if gate.started(videos[dropPosterWorkers]) {
		t.Fatalf("more than %d posters are made at once", dropPosterWorkers)
	}
	gate.let(videos[1])
	h.eventually("the next poster to begin", func() bool { return gate.started(videos[dropPosterWorkers]) })
	h.pump()
	if left, total, ok := prepCount(h); !ok || left != n || total != n || len(u.rows) != 0 {
		t.Fatalf("with the first poster held: %q and %d rows", u.prepLine.Text, len(u.rows))
	}

	// countsDown lets each poster go and waits for the line to reach left,
	// checking at every step that it never counts a video not yet shown.
	countsDown := func(left int) {
		t.Helper()
		h.eventually(fmt.Sprintf("“Preparing %d of %d videos…”", left, n), func() bool {
			l, total, ok := prepCount(h)
			if ok && (total != n || len(u.rows) < n-l) {
				t.Fatalf("the line says %q with %d rows", u.prepLine.Text, len(u.rows))
			}
			return ok && l == left
		})
		if got := rowVideos(h); !slices.Equal(got, videos[:len(got)]) {
			t.Fatalf("rows %v are not in the order of the drop %v", names(got), names(videos))
		}
	}
	gate.let(videos[0])
	countsDown(n - 2)
	for i := 2; i < n-1; i++ {
		gate.let(videos[i])
		countsDown(n - i - 1)
	}
	if len(u.rows) == n {
		t.Fatalf("all %d rows exist before the last poster is made", n)
	}
	gate.let(videos[n-1])
	h.eventually("the preparing line to go", func() bool { return !u.prepLine.Visible() && u.prepLine.Text == "" })
	h.waitDrops()
	if got := rowVideos(h); !slices.Equal(got, videos) {
		t.Fatalf("rows %v, want the order of the drop %v", names(got), names(videos))
	}
	if u.msg.Text != "Queued 20 videos." {
		t.Fatalf("the message says %q", u.msg.Text)
	}
}
