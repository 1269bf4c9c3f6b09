// Command gjw uploads videos (and publishes articles) to Gan Jing World
// from a terminal or a script, with the same engine as the desktop app.
// It is pure Go: no cgo.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/bandwidth"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

const usage = `gjw uploads videos to Gan Jing World, Gcore, JW Player and Wangsu.

  gjw login --access-token A --refresh-token R --channel C [--expires-in SECONDS] [--name N]
  gjw logout                sign out: remove the default Gan Jing World account
  gjw account add gjw|gcore|jw|wangsu ... [--name N]
  gjw account list [--json] accounts, their default flag and where secrets live
  gjw account remove NAME   forget an account and wipe its secrets
  gjw account default NAME[,NAME]
  gjw upload VIDEO --title T [--thumbnail IMG] [--to NAME[,NAME...]] [--description D]
             [--category cat13|NAME] [--lang en-US] [--visibility public|private] [--kids] [--json]
             [--limit-rate RATE]
  gjw upload --manifest FILE.csv|FILE.json [--dry-run] [--again] [--to NAME,...] [--json]
                            every row's video (sidecars first); --dry-run checks, uploads nothing;
                            a video already published or queued there is skipped (--again: upload it anew)
  gjw watch DIR [--to NAME,...] [--settle 10s] [--move-done DIR] [--json] [--limit-rate RATE]
                            publish each video written into DIR, until Ctrl-C
  gjw resume [--json] [--limit-rate RATE]   finish every unfinished target of every upload
  gjw jobs [--json]         list uploads with each target's step and progress
                            (read-only while the app runs)
  gjw version [--json]      version, commit and build date
  gjw refresh               refresh the session now
  gjw category list [--json]            your names for Gan Jing World's category ids
  gjw category name ID NAME             name an id (cat13); "" forgets it
  gjw article publish FILE.html|FILE.md --title T --poster IMG [--to NAME] [...]
  gjw article update CONTENT_ID FILE --title T --poster IMG [--to NAME] [...]

Data (accounts, uploads in progress) lives in $GJW_DATA_DIR, by default the
user config folder; secrets go to the system keyring when one runs, else to
that folder (GJW_KEYRING=off forces that). GJW_API_URL, GJW_IMAGE_URL and
GJW_VOD_URL point it at other hosts, such as the local sandbox (gjw-sandbox).
GJW_CHUNK_SIZE (bytes), GJW_POLL_INTERVAL, GJW_POLL_ATTEMPTS and
GJW_RETRY_DELAYS (e.g. 0,1s,3s) and GJW_STALL_TIMEOUT (e.g. 60s) tune the
upload on every platform; GCORE_API_URL, JW_API_URL and WANGSU_API_URL point
the other platforms at other hosts.

--limit-rate caps the upload speed of every target together: 2M is 2 MiB/s,
512k is 512 KiB/s, off is none; a timetable such as "08:00,1M 18:00,512k
23:00,off" changes it through the day (local time). Every request goes
through HTTPS_PROXY / HTTP_PROXY (except hosts in NO_PROXY), or through
the proxy set in the app's Settings.
`

// Exit codes.
const (
	exitOK        = 0
	exitFailed    = 1
	exitUsage     = 2
	exitSignedOut = 3
	exitInterrupt = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	cmds := map[string]func(context.Context, *app, []string) error{
		"login": cmdLogin, "logout": cmdLogout, "upload": cmdUpload, "resume": cmdResume,
		"jobs": cmdJobs, "refresh": cmdRefresh, "article": cmdArticle, "account": cmdAccount,
		"version": cmdVersion, "watch": cmdWatch, "category": cmdCategory,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "gjw: unknown command %q; run gjw help\n", args[0])
		return exitUsage
	}
	a := &app{stdout: stdout, stderr: stderr}
	err := cmd(ctx, a, args[1:])
	if a.db != nil {
		a.db.Close()
	}
	return report(stderr, args[0], err)
}

// report prints err as one human line and picks the exit code.
func report(stderr io.Writer, command string, err error) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		printErr(stderr, err)
		return exitUsage
	case errors.Is(err, flag.ErrHelp):
		return exitUsage
	case errors.Is(err, context.Canceled):
		if command == "upload" || command == "resume" {
			fmt.Fprintln(stderr, "gjw: interrupted; nothing is lost: run gjw resume to continue")
		} else {
			fmt.Fprintln(stderr, "gjw: interrupted")
		}
		return exitInterrupt
	case needsSignIn(err), refusedCredentials(err):
		printErr(stderr, err)
		return exitSignedOut
	case errors.Is(err, persist.ErrAlreadyRunning) && command != "jobs":
		printErr(stderr, fmt.Errorf("%w; gjw jobs lists its uploads meanwhile (read-only)", err))
		return exitFailed
	default:
		printErr(stderr, err)
		return exitFailed
	}
}

// refusedCredentials reports whether err is a credential check the
// platform answered with a refusal.
func refusedCredentials(err error) bool {
	var ce *dest.CheckError
	return errors.As(err, &ce) && ce.Problem != dest.ProblemUnreachable
}

// printErr prints err as "gjw: ..." lines: one, or one per failed target.
func printErr(w io.Writer, err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(w, "gjw: %s\n", line)
	}
}

// app holds what commands share: the data store and the engine.
type app struct {
	stdout, stderr io.Writer
	db             *persist.DB
	accounts       *account.Manager
	engine         *core.Engine
	progress       *progressPrinter
	onEvent        func(core.Event) // also told every engine event (gjw watch)
}

// open opens the data dir and its accounts (migrating a version 1
// session) and, if withEngine, builds the engine on the default GJW
// account.
func (a *app) open(withEngine bool) error {
	dir, err := persist.DefaultDir()
	if err != nil {
		return err
	}
	if a.db, err = persist.Open(dir); err != nil {
		return err
	}
	if a.accounts, err = account.Open(a.db, account.Options{}); err != nil {
		return err
	}
	settings, err := a.db.Settings()
	if err != nil {
		return err
	}
	// Every request of this process goes through the settings' proxy, or
	// the environment's.
	if err := httpx.SetProxy(settings.Proxy, settings.NoProxy); err != nil {
		return fmt.Errorf("settings (%s): %w", dir, err)
	}
	if !withEngine {
		return nil
	}
	opts, err := core.OptionsFrom(settings)
	if err != nil {
		return err
	}
	a.progress = newProgressPrinter(a.stderr, isTerminal(a.stdout) && isTerminal(a.stderr))
	opts.OnEvent = a.progress.event
	if a.onEvent != nil {
		opts.OnEvent = func(ev core.Event) { a.progress.event(ev); a.onEvent(ev) }
	}
	a.engine = core.New(account.DefaultGJWStore{DB: a.db, Accounts: a.accounts}, account.Wire(a.accounts, a.db, opts))
	a.accounts.OnRemove(a.engine.StopAccount)
	return nil
}

// limitRateFlag is --limit-rate, shared by the commands that upload
// (upload, resume; a watch command takes it too).
func limitRateFlag(fs *flag.FlagSet) *string {
	return fs.String("limit-rate", "", `upload speed limit for this run: 2M (MiB/s), 512k, off, or a timetable "08:00,1M 18:00,512k 23:00,off" (default: the settings')`)
}

// openLimited is open(true) with --limit-rate applied (empty: the
// settings' limit stays).
func (a *app) openLimited(limit string) error {
	var sched bandwidth.Schedule
	if limit != "" {
		var err error
		if sched, err = bandwidth.ParseSchedule(limit); err != nil {
			return usageError{"--limit-rate: " + err.Error()}
		}
	}
	if err := a.open(true); err != nil {
		return err
	}
	if limit != "" {
		a.engine.SetLimit(sched)
	}
	return nil
}

// options are the engine options of the saved settings and GJW_* variables.
func (a *app) options() (core.Options, error) {
	settings, err := a.db.Settings()
	if err != nil {
		return core.Options{}, err
	}
	return core.OptionsFrom(settings)
}

// parseFlags parses flags that may come before or after positional
// arguments (gjw upload VIDEO --title T), returning the positionals.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, usageError{usage}
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// cmdLogin is gjw account add gjw, with today's wording.
func cmdLogin(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	s := gjwFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	acct, err := s.add(ctx, a, "login")
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "signed in to channel %s (account %s)\n", acct.ChannelID, acct.Name)
	return nil
}

// cmdLogout removes the default GJW account and wipes its secrets.
func cmdLogout(ctx context.Context, a *app, args []string) error {
	if err := a.open(false); err != nil {
		return err
	}
	acct, ok, err := a.accounts.DefaultOf(account.GJW)
	if err != nil {
		return err
	}
	if !ok {
		fmt.Fprintln(a.stdout, "not signed in; no credentials to remove")
		return nil
	}
	if err := a.accounts.Remove(acct.Name); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "signed out; credentials removed (account %s, channel %s)\n", acct.Name, acct.ChannelID)
	return nil
}

func cmdRefresh(ctx context.Context, a *app, args []string) error {
	if err := a.open(true); err != nil {
		return err
	}
	if err := a.engine.Client().Refresh(ctx); err != nil {
		return err
	}
	cr, _, err := account.DefaultGJWStore{DB: a.db, Accounts: a.accounts}.Credentials()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "session refreshed; expires %s\n", cr.ExpiresAt.Local().Format(time.RFC1123))
	return nil
}

func cmdUpload(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("upload", flag.ContinueOnError)
	m := newMetaFlags(fs)
	thumb := fs.String("thumbnail", "", "poster image (JPEG, PNG, GIF or WebP)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	limit := limitRateFlag(fs)
	manifest := fs.String("manifest", "", "queue every row of FILE.csv or FILE.json instead of one VIDEO")
	dryRun := fs.Bool("dry-run", false, "with --manifest: check every file and field and print the plan, uploading nothing")
	again := fs.Bool("again", false, "with --manifest: upload every row anew, even videos already published or in the queue")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *manifest != "" {
		if len(pos) > 0 || *thumb != "" {
			return usageError{"upload --manifest takes no VIDEO and no --thumbnail: the manifest names each video and its poster"}
		}
		return a.uploadManifest(ctx, *manifest, m, *limit, *dryRun, *again, *asJSON)
	}
	if *dryRun {
		return usageError{"--dry-run goes with --manifest FILE"}
	}
	if *again {
		return usageError{"--again goes with --manifest FILE (a single gjw upload always uploads anew)"}
	}
	if len(pos) != 1 {
		return usageError{"upload needs exactly one VIDEO file (or --manifest FILE)"}
	}
	to := m.to
	if err := a.openLimited(*limit); err != nil {
		return err
	}
	targets, err := a.destinations(*to)
	if err != nil {
		return err
	}
	if *m.category, err = a.categoryID(*m.category); err != nil {
		return err
	}
	for _, t := range targets {
		if t.Platform != account.GJW {
			continue
		}
		if *thumb == "" {
			return usageError{"upload needs --thumbnail IMAGE (the video's poster) for Gan Jing World account " + t.Name}
		}
		if _, ok, err := a.accounts.GJWCredentials(t.Name).Credentials(); err != nil || !ok {
			return fmt.Errorf("account %s: %w", t.Name, gjw.ErrSignedOut)
		}
	}
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = t.Name
	}
	job, err := a.engine.Add(core.NewUpload{
		VideoPath: pos[0], ThumbnailPath: *thumb, Targets: names,
		Meta: m.meta(),
	})
	if err != nil {
		return err
	}
	return a.finishJobs(ctx, []persist.Job{job}, *asJSON, true)
}

func cmdResume(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("resume", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the results as JSON")
	limit := limitRateFlag(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := a.openLimited(*limit); err != nil {
		return err
	}
	jobs, err := a.engine.Jobs()
	if err != nil {
		return err
	}
	var todo []persist.Job
	for _, j := range jobs {
		if core.Unfinished(j) {
			todo = append(todo, j)
		}
	}
	if len(todo) == 0 && !*asJSON {
		fmt.Fprintln(a.stdout, "nothing to resume: every upload is finished")
		return nil
	}
	return a.finishJobs(ctx, todo, *asJSON, false)
}

// destinations are the accounts named by --to (comma-separated), or the
// default accounts when it is empty.
func (a *app) destinations(to string) ([]account.Account, error) {
	if strings.TrimSpace(to) == "" {
		defs, err := a.accounts.Defaults()
		if err == nil && len(defs) == 0 {
			return nil, fmt.Errorf("%w: sign in first (gjw login, or gjw account add)", gjw.ErrSignedOut)
		}
		return defs, err
	}
	var out []account.Account
	for _, name := range strings.Split(to, ",") {
		name = strings.TrimSpace(name)
		acct, ok, err := a.accounts.Get(name)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, usageError{fmt.Sprintf("--to: no account named %q: see gjw account list", name)}
		}
		out = append(out, acct)
	}
	return out, nil
}

// result is what --json prints for one target of an upload.
type result struct {
	JobID    string `json:"job_id"`
	Title    string `json:"title"`
	Account  string `json:"account"`
	Platform string `json:"platform"`
	ID       string `json:"id"`
	State    string `json:"state"`
	Step     string `json:"step,omitempty"`
	URL      string `json:"url"`
	Error    string `json:"error,omitempty"`
	// jobs --json only: bytes the platform has.
	Offset  int64   `json:"offset,omitempty"`
	Percent float64 `json:"percent,omitempty"`
	// Gan Jing World's own names.
	ContentID string `json:"content_id,omitempty"`
	VideoID   string `json:"video_id,omitempty"`
	HLSURL    string `json:"hls_url,omitempty"`
}

func targetResult(j persist.Job, t persist.Target) result {
	r := result{JobID: j.ID, Title: j.Meta.Title, Account: t.Account, Platform: t.Platform, State: t.State,
		Step: t.Step, Error: t.Error, ID: t.Result.ID}
	if t.State == core.StateDone {
		r.URL = t.Result.URL
	}
	if t.Platform == gjw.Platform {
		cp, _ := gjw.ReadCheckpoint(t.Checkpoint)
		r.ContentID, r.VideoID, r.HLSURL = cp.ContentID, cp.VideoID, cp.HLSURL
		if r.ID == "" {
			r.ID = cp.ContentID
		}
	}
	return r
}

// targetErrors is one failure line per failed target; Unwrap gives the
// runs' errors, so the exit code still follows their kind.
type targetErrors struct {
	lines     []string
	causes    []error
	signedOut bool // a target waits for its account's sign-in (or keys)
}

// needsSignIn: err, or a target it reports, waits for a sign-in.
func needsSignIn(err error) bool {
	var te *targetErrors
	return errors.Is(err, gjw.ErrSignedOut) || errors.As(err, &te) && te.signedOut
}

func (e *targetErrors) Error() string   { return strings.Join(e.lines, "\n") }
func (e *targetErrors) Unwrap() []error { return e.causes }

// finishJobs runs jobs one after another (the targets of each at once) and
// prints each target's link; with --json one object per target, a line
// each.
func (a *app) finishJobs(ctx context.Context, jobs []persist.Job, asJSON, single bool) error {
	enc := json.NewEncoder(a.stdout)
	failed := &targetErrors{}
	a.progress.startBatch(jobs)
	for _, j := range jobs {
		err := a.engine.Run(ctx, j.ID)
		a.progress.done(j.ID)
		if errors.Is(err, context.Canceled) || ctx.Err() != nil {
			return context.Canceled
		}
		final, _, _ := a.db.Job(j.ID)
		for _, t := range final.Targets {
			r := targetResult(final, t)
			if asJSON {
				enc.Encode(r)
			} else if t.State == core.StateDone {
				fmt.Fprintln(a.stdout, r.URL)
			}
			if t.State != core.StateDone && t.State != core.StateCanceled {
				msg := t.Error
				if msg == "" {
					msg = "not finished (" + t.State + ")"
				}
				failed.lines = append(failed.lines, fmt.Sprintf("%q on %s: %s", final.Meta.Title, t.Account, msg))
				failed.signedOut = failed.signedOut || t.Reason == string(dest.ReasonSignedOut)
			}
		}
		if err != nil {
			failed.causes = append(failed.causes, err)
		}
	}
	if len(failed.lines) == 0 {
		return nil
	}
	if !needsSignIn(failed) {
		failed.lines[len(failed.lines)-1] += "; fix that, then run gjw resume"
	}
	return failed
}

func cmdJobs(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("jobs", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print as JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	jobs, err := a.jobsReadOnly()
	if err != nil {
		return err
	}
	if *asJSON {
		// One row per job; its first target's step, error and ids are also
		// at the top level, as release 1 printed them.
		type row struct {
			ID      string   `json:"id"`
			Title   string   `json:"title"`
			State   string   `json:"state"`
			Size    int64    `json:"size"`
			Percent float64  `json:"percent"`
			Targets []result `json:"targets"`
			result
		}
		rows := make([]row, 0, len(jobs))
		for _, j := range jobs {
			r := row{ID: j.ID, Title: j.Meta.Title, State: j.State, Size: j.Size}
			for _, t := range j.Targets {
				tr := targetResult(j, t)
				tr.Offset, tr.Percent = t.Offset, percent(t.Offset, j.Size)
				r.Targets = append(r.Targets, tr)
			}
			if len(r.Targets) > 0 {
				r.result, r.Percent = r.Targets[0], r.Targets[0].Percent
				r.result.State, r.result.Title, r.result.JobID = "", "", ""
			}
			rows = append(rows, r)
		}
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(jobs) == 0 {
		fmt.Fprintln(a.stdout, "no uploads")
		return nil
	}
	e := a.stepNames()
	for _, j := range jobs {
		for _, t := range j.Targets {
			line := fmt.Sprintf("%s  %-10s  %-8s  %-22s  %5.1f%%  %s / %s  %s", j.ID, t.Account, t.State, e(t),
				percent(t.Offset, j.Size), humanBytes(t.Offset), humanBytes(j.Size), j.Meta.Title)
			if t.State == core.StateDone {
				line += "  " + t.Result.URL
			}
			if t.Error != "" {
				line += "  (" + t.Error + ")"
			}
			fmt.Fprintln(a.stdout, line)
		}
	}
	return nil
}

// jobsReadOnly loads every job: from the database, or, while another
// process (the app, or a gjw upload) holds it, from the snapshot that
// process keeps, saying so on stderr.
func (a *app) jobsReadOnly() ([]persist.Job, error) {
	err := a.open(false)
	if err == nil {
		return a.db.Jobs()
	}
	if !errors.Is(err, persist.ErrAlreadyRunning) {
		return nil, err
	}
	dir, derr := persist.DefaultDir()
	if derr != nil {
		return nil, err
	}
	snap, serr := persist.ReadSnapshot(dir)
	if serr != nil {
		return nil, err
	}
	fmt.Fprintf(a.stderr, "(%s is running: read-only, as of %s)\n", holderName(snap), snap.WrittenAt.Local().Format("15:04:05"))
	return snap.Jobs, nil
}

// holderName says which program holds the data folder, in the user's words.
func holderName(s persist.Snapshot) string {
	if strings.EqualFold(s.Program, "gjw-uploader") {
		return "the app"
	}
	return fmt.Sprintf("%s (pid %d)", s.Program, s.PID)
}

// stepNames names a target's step in its driver's words, without
// building an engine (jobs runs beside the app).
func (a *app) stepNames() func(persist.Target) string {
	return func(t persist.Target) string {
		if t.State == core.StateDone {
			return "published"
		}
		if st, ok := dest.StepOf(t.Platform, t.Step); ok {
			return st.Title
		}
		return t.Step
	}
}

func percent(n, total int64) float64 {
	if total <= 0 {
		return 0
	}
	return float64(n) * 100 / float64(total)
}
