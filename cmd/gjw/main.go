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
	"syscall"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

const usage = `gjw uploads videos to Gan Jing World.

  gjw login --access-token A --refresh-token R --channel C [--expires-in SECONDS] [--name N]
  gjw logout                sign out: remove the default Gan Jing World account
  gjw account add gjw|gcore|jw|wangsu ... [--name N]
  gjw account list [--json] accounts, their default flag and where secrets live
  gjw account remove NAME   forget an account and wipe its secrets
  gjw account default NAME[,NAME]
  gjw upload VIDEO --title T --thumbnail IMG [--description D] [--category cat13]
             [--lang en-US] [--visibility public|private] [--kids] [--json]
  gjw resume [--json]       finish every unfinished upload
  gjw jobs [--json]         list uploads with their step and progress
  gjw refresh               refresh the session now
  gjw article publish FILE.html|FILE.md --title T --poster IMG [...]
  gjw article update CONTENT_ID FILE --title T --poster IMG [...]

Data (accounts, uploads in progress) lives in $GJW_DATA_DIR, by default the
user config folder; secrets go to the system keyring when one runs, else to
that folder (GJW_KEYRING=off forces that). GJW_API_URL, GJW_IMAGE_URL and
GJW_VOD_URL point it at other hosts, such as the local sandbox (gjw-sandbox).
GJW_CHUNK_SIZE (bytes), GJW_POLL_INTERVAL, GJW_POLL_ATTEMPTS and
GJW_RETRY_DELAYS (e.g. 0,1s,3s) tune the upload.
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
		fmt.Fprintf(stderr, "gjw: %v\n", err)
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
	case errors.Is(err, gjw.ErrSignedOut):
		fmt.Fprintf(stderr, "gjw: %v\n", err)
		return exitSignedOut
	default:
		fmt.Fprintf(stderr, "gjw: %v\n", err)
		return exitFailed
	}
}

// app holds what commands share: the data store and the engine.
type app struct {
	stdout, stderr io.Writer
	db             *persist.DB
	accounts       *account.Manager
	engine         *core.Engine
	progress       *progressPrinter
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
	if !withEngine {
		return nil
	}
	settings, err := a.db.Settings()
	if err != nil {
		return err
	}
	opts, err := core.OptionsFrom(settings)
	if err != nil {
		return err
	}
	a.progress = newProgressPrinter(a.stderr, isTerminal(a.stdout) && isTerminal(a.stderr))
	opts.OnEvent = a.progress.event
	a.engine = core.New(account.DefaultGJWStore{DB: a.db, Accounts: a.accounts}, opts)
	return nil
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
	acct, err := s.add(a, "login")
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
	title := fs.String("title", "", "video title")
	thumb := fs.String("thumbnail", "", "poster image (JPEG, PNG, GIF or WebP)")
	desc := fs.String("description", "", "video description")
	category := fs.String("category", core.DefaultVideoMeta.Category, "category id")
	lang := fs.String("lang", core.DefaultVideoMeta.Lang, "language code")
	visibility := fs.String("visibility", core.DefaultVideoMeta.Visibility, "public or private")
	kids := fs.Bool("kids", false, "made for kids")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"upload needs exactly one VIDEO file"}
	}
	if *thumb == "" {
		return usageError{"upload needs --thumbnail IMAGE (the video's poster)"}
	}
	if err := a.open(true); err != nil {
		return err
	}
	if _, err := a.engine.Client().ChannelID(); err != nil {
		return err
	}
	job, err := a.engine.Add(core.NewUpload{
		VideoPath: pos[0], ThumbnailPath: *thumb,
		Meta: persist.VideoMeta{Title: *title, Description: *desc, Category: *category, Lang: *lang, Visibility: *visibility, MadeForKids: *kids},
	})
	if err != nil {
		return err
	}
	return a.finishJobs(ctx, []persist.Job{job}, *asJSON, true)
}

func cmdResume(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("resume", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the results as JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := a.open(true); err != nil {
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

// result is what --json prints for one upload.
type result struct {
	JobID     string `json:"job_id"`
	Title     string `json:"title"`
	ContentID string `json:"content_id"`
	VideoID   string `json:"video_id"`
	HLSURL    string `json:"hls_url"`
	URL       string `json:"url"`
	Error     string `json:"error,omitempty"`
}

// finishJobs runs jobs one after another and prints their links. With
// --json, upload (single) prints one object; resume always an array.
func (a *app) finishJobs(ctx context.Context, jobs []persist.Job, asJSON, single bool) error {
	var results []result
	var errs []error
	for _, j := range jobs {
		err := a.engine.Run(ctx, j.ID)
		a.progress.done(j.ID)
		if errors.Is(err, context.Canceled) || ctx.Err() != nil {
			return context.Canceled
		}
		final, _, _ := a.db.Job(j.ID)
		r := result{JobID: j.ID, Title: final.Meta.Title, ContentID: final.ContentID, VideoID: final.VideoID, HLSURL: final.HLSURL}
		if err != nil {
			err = fmt.Errorf("%q: %w", final.Meta.Title, err)
			r.Error = err.Error()
			errs = append(errs, err)
		} else {
			r.URL = core.VideoURL(final.ContentID)
			if !asJSON {
				fmt.Fprintln(a.stdout, r.URL)
			}
		}
		results = append(results, r)
	}
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if single && len(results) == 1 {
			enc.Encode(results[0])
		} else {
			if results == nil {
				results = []result{}
			}
			enc.Encode(results)
		}
	}
	if len(errs) == 1 {
		if !errors.Is(errs[0], gjw.ErrSignedOut) {
			return fmt.Errorf("%w; fix that, then run gjw resume", errs[0])
		}
		return errs[0]
	}
	return errors.Join(errs...)
}

func cmdJobs(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("jobs", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print as JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := a.open(false); err != nil {
		return err
	}
	jobs, err := a.db.Jobs()
	if err != nil {
		return err
	}
	if *asJSON {
		type row struct {
			persist.Job
			Percent float64 `json:"percent"`
			URL     string  `json:"url,omitempty"`
		}
		rows := make([]row, 0, len(jobs))
		for _, j := range jobs {
			r := row{Job: j, Percent: percent(j.Offset, j.Size)}
			if j.State == core.StateDone {
				r.URL = core.VideoURL(j.ContentID)
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
	for _, j := range jobs {
		line := fmt.Sprintf("%s  %-8s  %-22s  %5.1f%%  %s / %s  %s", j.ID, j.State, core.StepTitle(j.Step),
			percent(j.Offset, j.Size), humanBytes(j.Offset), humanBytes(j.Size), j.Meta.Title)
		if j.State == core.StateDone {
			line += "  " + core.VideoURL(j.ContentID)
		}
		if j.Error != "" {
			line += "  (" + j.Error + ")"
		}
		fmt.Fprintln(a.stdout, line)
	}
	return nil
}

func percent(n, total int64) float64 {
	if total <= 0 {
		return 0
	}
	return float64(n) * 100 / float64(total)
}
