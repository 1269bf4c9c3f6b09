package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/batch"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/watch"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// metaFlags are upload's metadata flags. With --manifest or in gjw watch,
// --title and --description are templates for videos whose sidecar or row
// has none, and the others (when given) defaults.
type metaFlags struct {
	fs                                      *flag.FlagSet
	title, desc, category, lang, visibility *string
	kids                                    *bool
	to                                      *string
}

func newMetaFlags(fs *flag.FlagSet) *metaFlags {
	return &metaFlags{fs: fs,
		title:      fs.String("title", "", "video title (a template with --manifest: {filename}, {dirname}, {date})"),
		desc:       fs.String("description", "", "video description (a template with --manifest)"),
		category:   fs.String("category", gjw.DefaultCategory, "Gan Jing World category: an id, or a name from gjw category list"),
		lang:       fs.String("lang", core.DefaultVideoMeta.Lang, "language code"),
		visibility: fs.String("visibility", core.DefaultVideoMeta.Visibility, "public or private"),
		kids:       fs.Bool("kids", false, "made for kids"),
		to:         fs.String("to", "", "destination accounts, comma-separated (default: the default accounts)"),
	}
}

// meta is the metadata the flags give one video.
func (m *metaFlags) meta() persist.VideoMeta {
	return gjw.WithCategory(persist.VideoMeta{Title: *m.title, Description: *m.desc, Lang: *m.lang, Visibility: *m.visibility, MadeForKids: *m.kids}, *m.category)
}

// resolver resolves a batch's videos with the flags: --to as the
// destinations, --title and --description as templates, the other flags
// given over the settings' defaults. Frames taken with ffmpeg go to the
// data folder's posters/.
func (a *app) resolver(m *metaFlags, folder *persist.WatchFolder) (*batch.Resolver, error) {
	settings, err := a.db.Settings()
	if err != nil {
		return nil, err
	}
	dir, err := persist.DefaultDir()
	if err != nil {
		return nil, err
	}
	r := &batch.Resolver{Accounts: a.accounts, Defaults: settings.Defaults, CategoryNames: settings.CategoryNames, PosterDir: filepath.Join(dir, "posters")}
	if folder != nil {
		r.Destinations, r.Template = folder.Destinations, folder.Template
	}
	set := map[string]bool{}
	m.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["to"] {
		accts, err := a.destinations(*m.to)
		if err != nil {
			return nil, err
		}
		r.Destinations = nil
		for _, acct := range accts {
			r.Destinations = append(r.Destinations, acct.Name)
		}
	}
	if set["title"] {
		r.Template.Title = *m.title
	}
	if set["description"] {
		r.Template.Description = *m.desc
	}
	for field, tmpl := range map[string]string{"--title": r.Template.Title, "--description": r.Template.Description} {
		if err := batch.CheckTemplate(field, tmpl); err != nil {
			return nil, usageError{err.Error()}
		}
	}
	if set["category"] {
		id, err := a.categoryID(*m.category)
		if err != nil {
			return nil, err
		}
		r.Defaults = gjw.WithCategory(r.Defaults, id)
	}
	if set["lang"] {
		r.Defaults.Lang = *m.lang
	}
	if set["visibility"] {
		r.Defaults.Visibility = *m.visibility
	}
	if set["kids"] {
		r.Defaults.MadeForKids = *m.kids
	}
	return r, nil
}

// planLine is what upload --manifest --dry-run --json prints per video:
// Destinations are the targets a new upload would go to; Skip and Resume
// the targets the queue already has (published or queued; failed).
type planLine struct {
	File         string      `json:"file"`
	Title        string      `json:"title,omitempty"`
	Destinations []string    `json:"destinations,omitempty"`
	Poster       string      `json:"poster,omitempty"`
	PosterFrom   string      `json:"poster_from,omitempty"`
	From         []string    `json:"from,omitempty"`
	Skip         []priorLine `json:"skip,omitempty"`
	Resume       []priorLine `json:"resume,omitempty"`
	Problems     []string    `json:"problems,omitempty"`
}

// priorLine is a target of a row's video the queue already has.
type priorLine struct {
	Account string `json:"account"`
	JobID   string `json:"job_id"`
	State   string `json:"state"`
	URL     string `json:"url,omitempty"`
}

func priorLines(hs []batch.Holding) []priorLine {
	var out []priorLine
	for _, h := range hs {
		pl := priorLine{Account: h.Target.Account, JobID: h.Job.ID, State: h.Target.State}
		if h.Target.State == core.StateDone {
			pl.URL = h.Target.Result.URL
		}
		out = append(out, pl)
	}
	return out
}

// rowPlan is what a manifest run does with a good row: what the queue
// already has of its video (nothing looked at with --again), and the new
// upload it needs, if any.
type rowPlan struct {
	it     batch.Item
	prior  batch.Prior
	upload core.NewUpload
	add    bool // upload is queued
}

// planRow decides, for both the dry run and the run, what a good row does
// (batch.Already); with again it is a new upload whatever the queue holds.
func planRow(queued []persist.Job, it batch.Item, again bool) *rowPlan {
	rp := &rowPlan{it: it, upload: it.Upload, add: true}
	if !again {
		rp.prior = batch.Already(queued, it)
		rp.upload, rp.add = rp.prior.New(it)
	}
	return rp
}

// where names a target for a person: its platform, and the account when
// it is not the platform's default name.
func where(t persist.Target) string {
	switch {
	case t.Platform == "":
		return "account " + t.Account
	case t.Account == t.Platform:
		return account.Title(t.Platform)
	}
	return account.Title(t.Platform) + " account " + t.Account
}

// skipLine says why a row's held targets are not uploaded again ("" when
// none is).
func (rp rowPlan) skipLine() string {
	var why []string
	for _, h := range rp.prior.Held {
		if h.Target.State == core.StateDone {
			why = append(why, fmt.Sprintf("already published to %s (job %s)", where(h.Target), h.Job.ID))
		} else {
			why = append(why, fmt.Sprintf("already in the queue for %s (job %s, %s; gjw resume finishes it)", where(h.Target), h.Job.ID, h.Target.State))
		}
	}
	if len(why) == 0 {
		return ""
	}
	return fmt.Sprintf("skip %s: %s; --again uploads it again", rp.it.Video, strings.Join(why, ", "))
}

// resumeLine says which failed targets of a row go on in their job ("" when
// none does).
func (rp rowPlan) resumeLine() string {
	var what []string
	for _, h := range rp.prior.Failed {
		what = append(what, fmt.Sprintf("%s (job %s)", where(h.Target), h.Job.ID))
	}
	if len(what) == 0 {
		return ""
	}
	return fmt.Sprintf("resume %s: its upload to %s failed before; it goes on from where it stopped, into the same entry", rp.it.Video, strings.Join(what, ", "))
}

// uploadManifest queues every row of a manifest and publishes them, or
// with dryRun checks every file and field and prints the plan, uploading
// nothing. A row whose video the queue already has (published or queued,
// for the same targets) is skipped, with a line saying so, and a failed
// one resumed; with again every row is uploaded anew. Problems are one
// line each; any makes the exit code non-zero.
func (a *app) uploadManifest(ctx context.Context, path string, m *metaFlags, limit string, dryRun, again, asJSON bool) error {
	if err := a.openLimited(limit); err != nil {
		return err
	}
	r, err := a.resolver(m, nil)
	if err != nil {
		return err
	}
	items, problems := r.Manifest(ctx, path)
	var queued []persist.Job
	if !again {
		if queued, err = a.engine.Jobs(); err != nil {
			return err
		}
	}
	plans := make([]*rowPlan, len(items)) // nil for a row with problems
	enc := json.NewEncoder(a.stdout)
	adding, resuming, skipped := 0, 0, 0
	for i, it := range items {
		problems = append(problems, it.Problems...)
		var rp *rowPlan
		if len(it.Problems) == 0 {
			rp = planRow(queued, it, again)
			plans[i] = rp
			switch {
			case rp.add:
				adding++
			case len(rp.prior.Failed) > 0:
				resuming++
			default:
				skipped++
			}
			for _, line := range []string{rp.skipLine(), rp.resumeLine()} {
				if line != "" {
					fmt.Fprintln(a.stderr, line)
				}
			}
		}
		switch {
		case dryRun && asJSON:
			pl := planLine{File: it.Video, Title: it.Upload.Meta.Title, Destinations: it.Upload.Targets,
				Poster: it.Upload.ThumbnailPath, PosterFrom: it.PosterFrom, From: it.From}
			if rp != nil {
				pl.Destinations = nil
				if rp.add {
					pl.Destinations = rp.upload.Targets
				}
				pl.Skip, pl.Resume = priorLines(rp.prior.Held), priorLines(rp.prior.Failed)
			}
			for _, p := range it.Problems {
				pl.Problems = append(pl.Problems, p.String())
			}
			enc.Encode(pl)
		case dryRun && rp != nil && rp.add:
			shown := it
			shown.Upload = rp.upload
			fmt.Fprintln(a.stdout, shown.Plan())
		}
	}
	lines := problemLines(problems)
	total := len(items) + countRowProblems(problems, items)
	others := ""
	if resuming > 0 {
		others += fmt.Sprintf(", %d resumed", resuming)
	}
	if skipped > 0 {
		others += fmt.Sprintf(", %d skipped", skipped)
	}
	if dryRun {
		summary := fmt.Sprintf("dry run: %d of %d videos would be queued%s; nothing was uploaded", adding, total, others)
		if len(lines) == 0 {
			fmt.Fprintln(a.stderr, summary)
			return nil
		}
		return &targetErrors{lines: append(lines, summary)}
	}
	var jobs []persist.Job
	resumed := map[string]bool{}
	for _, rp := range plans {
		if rp == nil {
			continue
		}
		for _, h := range rp.prior.Failed {
			if !resumed[h.Job.ID] {
				resumed[h.Job.ID] = true
				jobs = append(jobs, h.Job)
			}
		}
		if !rp.add {
			continue
		}
		j, err := a.engine.Add(rp.upload)
		if err != nil {
			lines = append(lines, fmt.Sprintf("%s: %v", rp.it.Video, err))
			continue
		}
		jobs = append(jobs, j)
	}
	err = a.finishJobs(ctx, jobs, asJSON, false)
	if len(lines) == 0 {
		return err
	}
	var te *targetErrors
	if err != nil && !errors.As(err, &te) {
		return err
	}
	if te == nil {
		te = &targetErrors{}
	}
	published := 0
	for _, j := range jobs {
		if final, ok, _ := a.db.Job(j.ID); ok && final.State == core.StateDone {
			published++
		}
	}
	skippedNote := ""
	if skipped > 0 {
		skippedNote = fmt.Sprintf(" (%d skipped: already there)", skipped)
	}
	te.lines = append(append(lines, te.lines...),
		fmt.Sprintf("%d of %d videos published%s; fix the lines above, then queue the others again", published, total, skippedNote))
	return te
}

func problemLines(ps []batch.Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// countRowProblems is how many manifest rows were left out for their
// problems (the items' own problems are counted with the items).
func countRowProblems(ps []batch.Problem, items []batch.Item) int {
	rows := map[string]bool{}
	for _, p := range ps {
		if p.Row != "" {
			rows[p.Row] = true
		}
	}
	for _, it := range items {
		for _, p := range it.Problems {
			delete(rows, p.Row)
		}
	}
	return len(rows)
}

// cmdWatch publishes the videos written into a folder until interrupted.
func cmdWatch(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	m := newMetaFlags(fs)
	settle := fs.Duration("settle", watch.DefaultSettle, "how long a video must stay unchanged before it is queued (for one of the app's watch folders: the time set there)")
	moveDone := fs.String("move-done", "", "move published videos (and their sidecars) into this folder")
	asJSON := fs.Bool("json", false, "print each published target as JSON")
	limit := limitRateFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"watch needs exactly one folder: gjw watch DIR"}
	}
	if fi, err := os.Stat(pos[0]); err != nil || !fi.IsDir() {
		return usageError{fmt.Sprintf("watch folder %q is not a folder: create it or name another", pos[0])}
	}
	out := &watchPrinter{a: a, asJSON: *asJSON, printed: map[string]string{}}
	a.onEvent = out.event
	if err := a.openLimited(*limit); err != nil {
		return err
	}
	// The app's settings for this folder, if it is one of its watch
	// folders: its destinations, template, move-done folder and settle
	// time.
	var folder *persist.WatchFolder
	abs, _ := filepath.Abs(pos[0])
	if folders, err := a.db.WatchFolders(); err == nil {
		for i := range folders {
			if p, _ := filepath.Abs(folders[i].Path); p == abs {
				folder = &folders[i]
			}
		}
	}
	r, err := a.resolver(m, folder)
	if err != nil {
		return err
	}
	if *moveDone == "" && folder != nil {
		*moveDone = folder.MoveDone
	}
	settleSet := false
	fs.Visit(func(f *flag.Flag) { settleSet = settleSet || f.Name == "settle" })
	if folder != nil && folder.Settle > 0 && !settleSet {
		*settle = folder.Settle
	}
	if err := a.engine.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "watching %s (a video is queued once unchanged for %s); Ctrl-C stops\n", pos[0], *settle)
	err = watch.Run(ctx, watch.Options{Dir: pos[0], Settle: *settle, MoveDone: *moveDone, Engine: a.engine,
		Resolver: r, Store: a.db, OnEvent: out.watchEvent})
	if err != nil {
		return err
	}
	a.waitStopped(3 * time.Second)
	fmt.Fprintln(a.stderr, "gjw: watch stopped; unfinished uploads go on at the next gjw watch or gjw resume")
	return nil
}

// waitStopped waits (at most limit) until no target is running, so each
// records where it stopped before the data folder closes.
func (a *app) waitStopped(limit time.Duration) {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		jobs, err := a.db.Jobs()
		running := false
		for _, j := range jobs {
			running = running || j.State == core.StateRunning
		}
		if err != nil || !running {
			return
		}
	}
}

// watchPrinter prints what gjw watch does: a line per queued video, per
// problem and per move on stderr, and each target's link (or JSON) on
// stdout once it is published.
type watchPrinter struct {
	a      *app
	asJSON bool

	mu      sync.Mutex
	printed map[string]string // job/account -> the last state reported
}

func (p *watchPrinter) event(ev core.Event) {
	t := ev.Job.Target(ev.Target)
	if t == nil || (t.State != core.StateDone && t.State != core.StateFailed && t.State != core.StateWaiting) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	key := ev.Job.ID + "/" + t.Account
	if p.printed[key] == t.State {
		return
	}
	p.printed[key] = t.State
	r := targetResult(ev.Job, *t)
	switch {
	case p.asJSON && t.State == core.StateDone:
		json.NewEncoder(p.a.stdout).Encode(r)
	case t.State == core.StateDone:
		fmt.Fprintf(p.a.stdout, "%s  %s on %s\n", r.URL, ev.Job.Meta.Title, t.Account)
	case dest.Reason(t.Reason) == dest.ReasonOffline:
		fmt.Fprintf(p.a.stderr, "gjw: %q on %s: reconnecting: %s; it goes on by itself once the connection is back\n", ev.Job.Meta.Title, t.Account, t.Error)
	default:
		fmt.Fprintf(p.a.stderr, "gjw: %q on %s: %s\n", ev.Job.Meta.Title, t.Account, t.Error)
	}
}

func (p *watchPrinter) watchEvent(ev watch.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev.Kind {
	case watch.Queued:
		fmt.Fprintf(p.a.stderr, "queued %s\n", ev.Item.Plan())
	case watch.Moved:
		fmt.Fprintf(p.a.stderr, "moved %s to %s\n", ev.Path, ev.To)
	case watch.Problem:
		for _, line := range strings.Split(ev.Err.Error(), "\n") {
			fmt.Fprintf(p.a.stderr, "gjw: %s\n", line)
		}
	}
}
