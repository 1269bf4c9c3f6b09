// Command gjw-uploader is the GJW Uploader desktop app: drag videos onto
// the window (or name them on the command line: gjw-uploader [VIDEO|FOLDER]...)
// and they upload to Gan Jing World, resuming after a restart.
// It only connects the pieces: it opens the data folder (persist), builds
// the upload engine (core) and hands both to the window (gui).
//
// Build it with the fyneDo migration tag (see FyneApp.toml):
//
//	CGO_ENABLED=1 go build -tags migrated_fynedo -o bin/gjw-uploader ./cmd/gjw-uploader
//
// Environment:
//
//	GJW_DATA_DIR                  data folder (default: gjw-uploader in the user config folder)
//	GJW_API_URL, GJW_IMAGE_URL,   hosts, overriding Settings (e.g. the local sandbox)
//	GJW_VOD_URL
//	GJW_DEMO_ACCESS_TOKEN,        a session to sign in with when none is stored, or when
//	GJW_DEMO_REFRESH_TOKEN,       the stored one is for the same channel (an earlier demo
//	GJW_DEMO_CHANNEL              run against a sandbox that has since restarted); make demo
//	GJW_DEMO_EXPIRES_IN           sets them from gjw-sandbox's output
//	GJW_EXIT_AFTER_FIRST_FRAME=1  measurement: log the time to the first frame and the idle
//	                              RSS to stderr, then quit (see docs/gui.md)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	// First: it fixes the locale environment before Fyne reads it.
	_ "github.com/gjw-uploader/gjw-uploader/gui/locale"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/gui"
	"github.com/gjw-uploader/gjw-uploader/icons"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// appID is the reverse-DNS id (as in FyneApp.toml); Fyne keys preferences
// and notifications by it.
const appID = "io.github.gjwuploader.app"

func main() {
	mainStart := time.Now()
	seedRows := flag.Int("seed-rows", 0, "measurement only: add this many finished uploads to an empty $GJW_DATA_DIR first")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	a := app.NewWithID(appID)
	a.SetIcon(icons.App)

	db, dir, err := openData()
	if err != nil {
		fail(a, err)
		return
	}
	defer db.Close()
	if *seedRows > 0 {
		if err := seed(db, *seedRows); err != nil {
			fail(a, err)
			return
		}
	}
	accounts, err := account.Open(db, account.Options{})
	if err != nil {
		fail(a, err)
		return
	}
	if err := demoSignIn(accounts); err != nil {
		fail(a, err)
		return
	}
	settings, err := db.Settings()
	if err != nil {
		fail(a, err)
		return
	}
	opts, err := core.OptionsFrom(settings)
	if err != nil {
		fail(a, err)
		return
	}
	// Every request goes through the settings' proxy, or the environment's.
	if err := httpx.SetProxy(settings.Proxy, settings.NoProxy); err != nil {
		fail(a, fmt.Errorf("settings: %w", err))
		return
	}
	events := gui.NewEvents()
	opts.OnEvent = events.Push
	engine := core.New(account.DefaultGJWStore{DB: db, Accounts: accounts}, account.Wire(accounts, db, opts))
	accounts.OnRemove(engine.StopAccount)

	w := a.NewWindow("GJW Uploader")
	w.SetIcon(icons.App)
	w.Resize(fyne.NewSize(1120, 720))
	ui, err := gui.New(ctx, w, gui.Deps{App: notifier(a), Engine: engine, DB: db, Accounts: accounts, Events: events, DataDir: dir})
	if err != nil {
		fail(a, err)
		return
	}
	// Closing the window (or Ctrl-C) cancels the root context, stops event
	// delivery, lets running jobs record that they stopped, closes the data
	// folder and exits. Exiting here rather than returning from ShowAndRun
	// skips Fyne 2.7's exit-time preferences save, which races its own file
	// watcher and logs "Preferences load error: EOF"; this app keeps nothing
	// in Fyne preferences that is not saved the moment it changes.
	var once sync.Once
	shutdown := func() {
		once.Do(func() {
			stop()
			ui.Close()
			waitStopped(db, 3*time.Second)
			db.Close()
			os.Exit(0)
		})
	}
	if os.Getenv("GJW_EXIT_AFTER_FIRST_FRAME") != "" {
		measureFirstFrame(w, ui.Content(), mainStart, shutdown)
	}
	if err := engine.Start(ctx); err != nil {
		fail(a, err)
		return
	}
	go func() {
		<-ctx.Done()
		fyne.Do(shutdown)
	}()
	// Videos or folders named on the command line are queued like a drop.
	if paths := flag.Args(); len(paths) > 0 {
		ui.Drop(paths)
	}
	w.SetCloseIntercept(shutdown)
	w.SetMaster()
	w.ShowAndRun()
	shutdown()
}

// noBusApp drops notifications where there is no session D-Bus (a bare X
// server, CI): Fyne would try dbus-launch and log an error for each one.
type noBusApp struct{ fyne.App }

func (noBusApp) SendNotification(*fyne.Notification) {}

func notifier(a fyne.App) fyne.App {
	if runtime.GOOS == "linux" && os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return noBusApp{a}
	}
	return a
}

// openData opens the data folder, explaining a second running copy.
func openData() (*persist.DB, string, error) {
	dir, err := persist.DefaultDir()
	if err != nil {
		return nil, "", err
	}
	db, err := persist.Open(dir)
	if errors.Is(err, persist.ErrAlreadyRunning) {
		return nil, "", fmt.Errorf("GJW Uploader is already running (or the gjw command is using %s). "+
			"Switch to the open window, or close the other program and start GJW Uploader again", dir)
	}
	return db, dir, err
}

// fail reports a start-up error on stderr and in a small window, so
// starting from a desktop menu shows it too.
func fail(a fyne.App, err error) {
	fmt.Fprintf(os.Stderr, "gjw-uploader: %v\n", err)
	if os.Getenv("GJW_EXIT_AFTER_FIRST_FRAME") != "" {
		os.Exit(1)
	}
	w := gui.StartupError(a, err)
	w.SetMaster()
	w.ShowAndRun()
	os.Exit(1)
}

// demoSignIn stores the GJW_DEMO_* session when no session is stored, or
// when the stored one is for the same channel (an earlier demo run whose
// rotated tokens a restarted sandbox no longer knows).
func demoSignIn(accounts *account.Manager) error {
	access, refresh, channel := os.Getenv("GJW_DEMO_ACCESS_TOKEN"), os.Getenv("GJW_DEMO_REFRESH_TOKEN"), os.Getenv("GJW_DEMO_CHANNEL")
	if access == "" || refresh == "" || channel == "" {
		return nil
	}
	cur, ok, err := accounts.DefaultOf(account.GJW)
	if err != nil {
		return err
	}
	if ok && cur.ChannelID != channel {
		return nil
	}
	cr := persist.Credentials{AccessToken: access, RefreshToken: refresh, ChannelID: channel}
	if s := os.Getenv("GJW_DEMO_EXPIRES_IN"); s != "" {
		if secs, err := strconv.ParseInt(s, 10, 64); err == nil && secs > 0 {
			cr.ExpiresAt = time.Now().Add(time.Duration(secs) * time.Second)
		}
	}
	if err := gui.SignIn(accounts, cr); err != nil {
		return err
	}
	return demoKeyAccounts(accounts)
}

// demoKeyAccounts adds the sandbox's demo accounts of the key-based
// platforms (GJW_DEMO_GCORE_KEY, GJW_DEMO_JW_*, GJW_DEMO_WANGSU_*) when
// the platform has no account yet.
func demoKeyAccounts(accounts *account.Manager) error {
	for _, d := range []struct {
		platform string
		secret   map[string]string
	}{
		{account.Gcore, map[string]string{"api_key": os.Getenv("GJW_DEMO_GCORE_KEY")}},
		{account.JW, map[string]string{"site_id": os.Getenv("GJW_DEMO_JW_SITE"), "api_secret": os.Getenv("GJW_DEMO_JW_SECRET")}},
		{account.Wangsu, map[string]string{"access_key": os.Getenv("GJW_DEMO_WANGSU_AK"), "secret_key": os.Getenv("GJW_DEMO_WANGSU_SK")}},
	} {
		if slices.Contains(slices.Collect(maps.Values(d.secret)), "") {
			continue // not on the sandbox
		}
		if _, ok, err := accounts.DefaultOf(d.platform); err != nil || ok {
			if err != nil {
				return err
			}
			continue
		}
		if err := accounts.Add(account.Account{Platform: d.platform}, d.secret); err != nil {
			return err
		}
	}
	return nil
}

// waitStopped gives running jobs a moment to record that they stopped
// (they are requeued on the next start either way).
func waitStopped(db *persist.DB, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		jobs, err := db.Jobs()
		if err != nil {
			return
		}
		running := false
		for _, j := range jobs {
			running = running || j.State == core.StateRunning
		}
		if !running {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
