package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// progressPrinter shows engine events on stderr: a redrawn bar on a
// terminal, otherwise plain lines (one per step and per 10% of upload).
// For a batch of several uploads it adds a total line: under the bar on a
// terminal; otherwise after each finished upload and per 10% of the
// batch's bytes.
type progressPrinter struct {
	w   io.Writer
	bar bool

	mu   sync.Mutex
	jobs map[string]*jobLine // by job ID and account

	batch      []persist.Job  // the batch's jobs, as their latest events say; nil for one upload
	index      map[string]int // batch position by job ID
	totals     core.Totals
	batchMark  int // plain mode: last 10% of the batch's bytes printed
	totalShown bool
}

type jobLine struct {
	step        string
	lastPercent int // plain mode: last 10% mark printed
	drawn       bool
	retrying    bool // plain mode: this retry's line is printed
}

func newProgressPrinter(w io.Writer, bar bool) *progressPrinter {
	return &progressPrinter{w: w, bar: bar, jobs: map[string]*jobLine{}}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// startBatch makes the printer show a total line for jobs, if several.
func (p *progressPrinter) startBatch(jobs []persist.Job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.batch, p.index, p.batchMark = nil, nil, -1
	if len(jobs) < 2 {
		return
	}
	p.batch, p.index = slices.Clone(jobs), map[string]int{}
	for i, j := range jobs {
		p.index[j.ID] = i
	}
}

func (p *progressPrinter) event(ev core.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i, ok := p.index[ev.Job.ID]; ok && ev.Job.Rev >= p.batch[i].Rev {
		p.batch[i] = ev.Job // the job's latest record, all its targets
		p.totals.Observe(ev)
	}
	j := ev.Job
	t := j.Target(ev.Target)
	if t == nil || t.State != core.StateRunning {
		return // the final state is reported by the command
	}
	key := j.ID + "/" + t.Account
	l := p.jobs[key]
	if l == nil {
		l = &jobLine{lastPercent: -1}
		p.jobs[key] = l
	}
	name := j.Meta.Title
	if len(j.Targets) > 1 {
		name += " on " + t.Account
	}
	st, known := dest.StepOf(t.Platform, t.Step)
	if t.Step != l.step {
		l.step = t.Step
		p.endBar(l)
		if known {
			fmt.Fprintf(p.w, "%s: step %d/%d %s\n", name, st.N, st.Of, st.Title)
		}
	}
	if !p.bar {
		// Plain lines: one per retry, as it starts.
		if ev.RetryIn > 0 && !l.retrying {
			fmt.Fprintf(p.w, "  %s\n", retryText(ev))
		}
		l.retrying = ev.RetryIn > 0
	}
	switch {
	case st.Transfer && ev.Sent > 0 || ev.RetryIn > 0:
		p.show(l, ev.Sent, j.Size, progressText(ev))
	case st.Processing:
		p.show(l, int64(t.ProcessingPercent), 100, "processed by the platform")
	}
}

// progressText is "450.0 MiB / 1.0 GiB  12.3 MiB/s  ETA 1m02s".
func progressText(ev core.Event) string {
	s := fmt.Sprintf("%s / %s", humanBytes(ev.Sent), humanBytes(ev.Job.Size))
	if ev.Speed > 0 {
		s += fmt.Sprintf("  %s/s", humanBytes(int64(ev.Speed)))
	}
	if ev.ETA > 0 {
		s += "  ETA " + ev.ETA.Round(time.Second).String()
	}
	if ev.RetryIn > 0 {
		s += "  (" + retryText(ev) + ")"
	}
	return s
}

// retryText says why a request waits and for how long.
func retryText(ev core.Event) string {
	if ev.Reconnecting {
		return fmt.Sprintf("reconnecting: the platform can't be reached; retrying in %s, or as soon as the connection is back", ev.RetryIn.Round(time.Second))
	}
	return fmt.Sprintf("the platform answered with an error: retrying in %s", ev.RetryIn.Round(time.Second))
}

func (p *progressPrinter) show(l *jobLine, n, total int64, text string) {
	pct := percent(n, total)
	if !p.bar {
		if mark := int(pct) / 10 * 10; mark > l.lastPercent {
			l.lastPercent = mark
			fmt.Fprintf(p.w, "  %5.1f%%  %s\n", pct, text)
		}
		if tot, ok := p.total(); ok {
			if mark := int(percent(tot.Sent, tot.Bytes)) / 10 * 10; mark > p.batchMark {
				p.batchMark = mark
				fmt.Fprintln(p.w, totalLine(tot))
			}
		}
		return
	}
	const width = 30
	filled := int(pct / 100 * width)
	fmt.Fprintf(p.w, "\r\x1b[K  [%s%s] %5.1f%%  %s", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), pct, text)
	if tot, ok := p.total(); ok {
		// The total on the next line, then back to the bar's.
		fmt.Fprintf(p.w, "\n\x1b[K%s\x1b[1A\r", totalLine(tot))
		p.totalShown = true
	}
	l.drawn = true
}

func (p *progressPrinter) endBar(l *jobLine) {
	if l.drawn {
		fmt.Fprintln(p.w)
		if p.totalShown { // below the total line it left
			fmt.Fprintln(p.w)
			p.totalShown = false
		}
		l.drawn = false
	}
	l.lastPercent = -1
}

// total is the batch's total so far; false for a single upload.
func (p *progressPrinter) total() (core.Total, bool) {
	if p.batch == nil {
		return core.Total{}, false
	}
	return p.totals.Sum(func(yield func(*persist.Job) bool) {
		for i := range p.batch {
			if !yield(&p.batch[i]) {
				return
			}
		}
	}), true
}

// totalLine is "batch: 2 of 5 videos done · 120.0 MiB / 400.0 MiB ·
// 4.0 MiB/s · ETA 1m10s".
func totalLine(t core.Total) string {
	s := fmt.Sprintf("batch: %d of %d videos done · %s / %s", t.Done, t.Files, humanBytes(t.Sent), humanBytes(t.Bytes))
	if t.Speed > 0 {
		s += fmt.Sprintf(" · %s/s", humanBytes(int64(t.Speed)))
	}
	if t.ETA > 0 {
		s += " · ETA " + t.ETA.Round(time.Second).String()
	}
	return s
}

// done ends a job's bar lines before the command prints its results, and
// in a batch prints the total so far.
func (p *progressPrinter) done(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for key, l := range p.jobs {
		if strings.HasPrefix(key, id+"/") {
			p.endBar(l)
		}
	}
	if tot, ok := p.total(); ok {
		fmt.Fprintln(p.w, totalLine(tot))
	}
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
