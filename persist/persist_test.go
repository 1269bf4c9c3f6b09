package persist

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Tests run against real Badger in t.TempDir(); closing and reopening the DB
// stands in for an app restart.

func openT(t testing.TB, dir string) *DB {
	t.Helper()
	d, err := Open(dir)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// reopen closes d and opens its folder again.
func reopen(t *testing.T, d *DB, dir string) *DB {
	t.Helper()
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return openT(t, dir)
}

func ok(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func equal[T any](t testing.TB, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

var t0 = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)

func sampleJob(id string, pos int64, created time.Time) Job {
	return Job{
		ID:            id,
		Position:      pos,
		VideoPath:     "/videos/" + id + ".mp4",
		ThumbnailPath: "/videos/" + id + ".jpg",
		Size:          3 << 30,
		ModTime:       t0.Add(-time.Hour),
		Meta: VideoMeta{
			Title: "Title " + id, Description: "Desc",
			Lang: "th", Visibility: "public", MadeForKids: true,
			Extras: map[string]map[string]string{"gjw": {"category": "music"}},
		},
		State:   "running",
		EditRev: 2,
		Targets: []Target{{
			Account: "gjw", Platform: "gjw", Step: "upload", State: "running",
			Reason: "failed", Error: "step 4 upload: 503",
			Checkpoint: json.RawMessage(`{"content_id":"c-` + id + `","upload_id":"u-` + id + `"}`),
			Offset:     70 << 20, ProcessingPercent: 42, SentRev: 1,
			Result: TargetResult{ID: "c-" + id, URL: "https://example/" + id, Ext: map[string]string{"hls_url": "https://vod.example/" + id + ".m3u8"}},
		}},
		CreatedAt:  created,
		FinishedAt: t0.Add(time.Minute),
	}
}

func TestRoundTripSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	d := openT(t, dir)

	job := sampleJob("j1", 3, t0)
	before := time.Now()
	ok(t, d.PutJob(job))

	creds := Credentials{
		AccessToken: "at", RefreshToken: "rt", ChannelID: "ch", ExpiresAt: t0.Add(time.Hour),
	}
	ok(t, d.PutCredentials(creds))

	settings := Settings{
		APIURL: "https://api.example", ImageURL: "https://img.example", VODURL: "https://vod.example",
		Parallel: 3, ChunkSize: 10 << 20, Defaults: VideoMeta{Lang: "en", Visibility: "private"}, Notify: true,
	}
	ok(t, d.PutSettings(settings))

	draft := Draft{
		ID: "d1", Title: "T", Description: "D", HTML: "<p>hi <img src=\"a.png\"></p>", BaseDir: "/docs",
		PosterPath: "/docs/p.png", PosterURL: "https://cdn/p", PosterHDURL: "https://cdn/phd",
		Hashtags: []string{"a", "b"}, Keywords: []string{"k"}, Category: "news", Lang: "th",
		Visibility: "public", Premium: true, MadeForKids: true, Schedule: t0.Add(24 * time.Hour),
		ContentID: "c9", PublishedAt: t0.Add(2 * time.Hour), CreatedAt: t0, UpdatedAt: t0.Add(time.Minute),
	}
	ok(t, d.PutDraft(draft))

	img := Image{SHA256: strings.Repeat("ab", 32), URLs: []string{"https://cdn/1", "https://cdn/2"}}
	ok(t, d.PutImage(img))

	d = reopen(t, d, dir)

	got, found, err := d.Job("j1")
	ok(t, err)
	if !found {
		t.Fatal("job j1 not found after reopen")
	}
	if got.UpdatedAt.Before(before) || time.Since(got.UpdatedAt) > time.Minute {
		t.Errorf("UpdatedAt = %v, want about now", got.UpdatedAt)
	}
	job.Version = RecordVersion
	job.UpdatedAt = got.UpdatedAt
	equal(t, "job", got, job)

	gotCreds, found, err := d.Credentials()
	ok(t, err)
	creds.Version = RecordVersion
	equal(t, "credentials found", found, true)
	equal(t, "credentials", gotCreds, creds)

	gotSettings, err := d.Settings()
	ok(t, err)
	settings.Version = RecordVersion
	equal(t, "settings", gotSettings, settings)

	gotDraft, found, err := d.Draft("d1")
	ok(t, err)
	draft.Version = RecordVersion
	equal(t, "draft found", found, true)
	equal(t, "draft", gotDraft, draft)

	gotImg, found, err := d.Image(img.SHA256)
	ok(t, err)
	img.Version = RecordVersion
	equal(t, "image found", found, true)
	equal(t, "image", gotImg, img)
}

func TestMissingRecords(t *testing.T) {
	d := openT(t, t.TempDir())

	if _, found, err := d.Job("nope"); err != nil || found {
		t.Errorf("Job(nope) = found %v, err %v", found, err)
	}
	if _, found, err := d.Credentials(); err != nil || found {
		t.Errorf("Credentials() = found %v, err %v", found, err)
	}
	if s, err := d.Settings(); err != nil || !reflect.DeepEqual(s, Settings{}) {
		t.Errorf("Settings() = %+v, %v; want zero", s, err)
	}
	if _, found, err := d.Draft("nope"); err != nil || found {
		t.Errorf("Draft(nope) = found %v, err %v", found, err)
	}
	if _, found, err := d.Image("nope"); err != nil || found {
		t.Errorf("Image(nope) = found %v, err %v", found, err)
	}
	if jobs, err := d.Jobs(); err != nil || len(jobs) != 0 {
		t.Errorf("Jobs() = %v, %v", jobs, err)
	}
	if drafts, err := d.Drafts(); err != nil || len(drafts) != 0 {
		t.Errorf("Drafts() = %v, %v", drafts, err)
	}
}

func TestEmptyIDsRejected(t *testing.T) {
	d := openT(t, t.TempDir())
	for name, err := range map[string]error{
		"PutJob":      d.PutJob(Job{}),
		"DeleteJob":   d.DeleteJob(""),
		"PutDraft":    d.PutDraft(Draft{}),
		"DeleteDraft": d.DeleteDraft(""),
		"PutImage":    d.PutImage(Image{}),
	} {
		if err == nil {
			t.Errorf("%s with an empty ID: no error", name)
		}
	}
}

func TestJobsOrder(t *testing.T) {
	dir := t.TempDir()
	d := openT(t, dir)
	// Stored in an order unlike the wanted one; key order ("a" < "b" < ...)
	// differs from it too.
	for _, j := range []Job{
		sampleJob("e", 2, t0),
		sampleJob("a", 5, t0),
		sampleJob("d", 1, t0.Add(time.Second)),
		sampleJob("c", 1, t0),
		sampleJob("b", 1, t0),
	} {
		ok(t, d.PutJob(j))
	}
	d = reopen(t, d, dir)
	jobs, err := d.Jobs()
	ok(t, err)
	var ids []string
	for _, j := range jobs {
		ids = append(ids, j.ID)
	}
	equal(t, "job order", ids, []string{"b", "c", "d", "e", "a"})
}

func TestDraftsNewestFirst(t *testing.T) {
	dir := t.TempDir()
	d := openT(t, dir)
	for _, dr := range []Draft{
		{ID: "old", UpdatedAt: t0},
		{ID: "new", UpdatedAt: t0.Add(2 * time.Hour)},
		{ID: "mid-b", UpdatedAt: t0.Add(time.Hour)},
		{ID: "mid-a", UpdatedAt: t0.Add(time.Hour)},
	} {
		ok(t, d.PutDraft(dr))
	}
	d = reopen(t, d, dir)
	drafts, err := d.Drafts()
	ok(t, err)
	var ids []string
	for _, dr := range drafts {
		ids = append(ids, dr.ID)
	}
	equal(t, "draft order", ids, []string{"new", "mid-a", "mid-b", "old"})
}

func TestPutOverwrites(t *testing.T) {
	dir := t.TempDir()
	d := openT(t, dir)
	j := sampleJob("j", 0, t0)
	for off := int64(0); off <= 100<<20; off += 10 << 20 {
		j.Targets[0].Offset = off
		ok(t, d.PutJob(j))
	}
	d = reopen(t, d, dir)
	got, _, err := d.Job("j")
	ok(t, err)
	equal(t, "offset", got.Targets[0].Offset, int64(100<<20))
	jobs, err := d.Jobs()
	ok(t, err)
	equal(t, "number of jobs", len(jobs), 1)
}

// TestLargeDrafts covers values on both sides of the value threshold: an
// article just under 1 MiB stays in the LSM tree, a bigger one goes to the
// value log.
func TestLargeDrafts(t *testing.T) {
	dir := t.TempDir()
	d := openT(t, dir)
	sizes := map[string]int{"under": 1<<20 - 4096, "over": 3 << 20}
	for round := range 3 {
		for id, n := range sizes {
			html := strings.Repeat(string(rune('a'+round)), n)
			ok(t, d.PutDraft(Draft{ID: id, HTML: html}))
		}
	}
	d = reopen(t, d, dir)
	for id, n := range sizes {
		dr, found, err := d.Draft(id)
		ok(t, err)
		if !found || len(dr.HTML) != n || dr.HTML[0] != 'c' {
			t.Errorf("draft %s: found %v, %d bytes starting %q", id, found, len(dr.HTML), dr.HTML[:min(1, len(dr.HTML))])
		}
	}
}

func TestDelete(t *testing.T) {
	dir := t.TempDir()
	d := openT(t, dir)
	ok(t, d.PutJob(sampleJob("gone", 0, t0)))
	ok(t, d.PutJob(sampleJob("kept", 1, t0)))
	ok(t, d.PutDraft(Draft{ID: "gone"}))
	ok(t, d.PutDraft(Draft{ID: "kept"}))
	ok(t, d.PutCredentials(Credentials{RefreshToken: "rt"}))

	ok(t, d.DeleteJob("gone"))
	ok(t, d.DeleteDraft("gone"))
	ok(t, d.DeleteCredentials())
	// Deleting what is not there is fine.
	ok(t, d.DeleteJob("never"))
	ok(t, d.DeleteDraft("never"))
	ok(t, d.DeleteCredentials())

	d = reopen(t, d, dir)
	if _, found, _ := d.Job("gone"); found {
		t.Error("deleted job still there")
	}
	if _, found, _ := d.Draft("gone"); found {
		t.Error("deleted draft still there")
	}
	if _, found, _ := d.Credentials(); found {
		t.Error("deleted credentials still there")
	}
	jobs, err := d.Jobs()
	ok(t, err)
	equal(t, "jobs left", len(jobs), 1)
	drafts, err := d.Drafts()
	ok(t, err)
	equal(t, "drafts left", len(drafts), 1)
}

func TestDataDirPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	base := t.TempDir()

	fresh := filepath.Join(base, "a", "gjw-uploader")
	openT(t, fresh)
	if fi, err := os.Stat(fresh); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("new data dir: %v, %v; want mode 0700", fi.Mode(), err)
	}

	existing := filepath.Join(base, "existing")
	ok(t, os.Mkdir(existing, 0o755))
	ok(t, os.Chmod(existing, 0o755)) // whatever the umask
	openT(t, existing)
	if fi, err := os.Stat(existing); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("existing data dir: %v, %v; want mode 0700", fi.Mode(), err)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("GJW_DATA_DIR", "/custom/place")
	dir, err := DefaultDir()
	ok(t, err)
	equal(t, "DefaultDir with GJW_DATA_DIR", dir, "/custom/place")

	t.Setenv("GJW_DATA_DIR", "")
	cfg, err := os.UserConfigDir()
	if err != nil {
		t.Skipf("no user config dir here: %v", err)
	}
	dir, err = DefaultDir()
	ok(t, err)
	equal(t, "DefaultDir", dir, filepath.Join(cfg, "gjw-uploader"))
}

// putRaw stores a value bypassing the typed API, as a newer release might.
func putRaw(t *testing.T, d *DB, key, val string) {
	t.Helper()
	ok(t, d.bdb.Update(func(txn *badger.Txn) error { return txn.Set([]byte(key), []byte(val)) }))
}

func TestNewerRecordVersion(t *testing.T) {
	dir := t.TempDir()
	d := openT(t, dir)
	newer := RecordVersion + 1
	putRaw(t, d, "job/x", fmt.Sprintf(`{"v":%d,"id":"x","shiny_new_field":1}`, newer))
	putRaw(t, d, "credentials", fmt.Sprintf(`{"v":%d}`, newer))
	putRaw(t, d, "settings", fmt.Sprintf(`{"v":%d}`, newer))
	putRaw(t, d, "draft/x", fmt.Sprintf(`{"v":%d,"id":"x"}`, newer))
	putRaw(t, d, "image/x", fmt.Sprintf(`{"v":%d}`, newer))
	putRaw(t, d, "tus/x", fmt.Sprintf(`{"v":%d,"url":"https://tus/x"}`, newer))

	check := func(what, key string, err error) {
		t.Helper()
		if !errors.Is(err, ErrNewerVersion) {
			t.Errorf("%s: err = %v, want ErrNewerVersion", what, err)
			return
		}
		want := "record " + key + " was written by a newer version of GJW Uploader"
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %q, want it to say %q", what, err, want)
		}
	}
	_, _, err := d.Job("x")
	check("Job", "job/x", err)
	_, err = d.Jobs()
	check("Jobs", "job/x", err)
	_, _, err = d.Credentials()
	check("Credentials", "credentials", err)
	_, err = d.Settings()
	check("Settings", "settings", err)
	_, _, err = d.Draft("x")
	check("Draft", "draft/x", err)
	_, err = d.Drafts()
	check("Drafts", "draft/x", err)
	_, _, err = d.Image("x")
	check("Image", "image/x", err)

	// Older records (no "v" yet) are upgraded when the folder is opened.
	putRaw(t, d, "job/old", `{"id":"old","offset":5}`)
	d.DeleteJob("x")
	d = reopen(t, d, dir)
	j, found, err := d.Job("old")
	if err != nil || !found || j.Targets[0].Offset != 5 {
		t.Errorf("Job(old) = %+v, %v, %v", j, found, err)
	}
}

func TestCorruptRecord(t *testing.T) {
	d := openT(t, t.TempDir())
	putRaw(t, d, "job/bad", `{not json`)
	if _, _, err := d.Job("bad"); err == nil || errors.Is(err, ErrNewerVersion) {
		t.Errorf("Job(bad) err = %v, want a decode error", err)
	}
}

func TestSecondOpenInProcess(t *testing.T) {
	dir := t.TempDir()
	d := openT(t, dir)
	start := time.Now()
	d2, err := Open(dir)
	if err == nil {
		_ = d2.Close()
		t.Fatal("second Open of the same folder succeeded")
	}
	if !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second Open: %v, want ErrAlreadyRunning", err)
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q does not name the folder %s", err, dir)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("second Open took %v; want it to fail fast", el)
	}
	// The first DB is unharmed, and the folder opens again once it closes.
	ok(t, d.PutJob(sampleJob("j", 0, t0)))
	d = reopen(t, d, dir)
	if _, found, err := d.Job("j"); err != nil || !found {
		t.Errorf("Job after reopen: %v, %v", found, err)
	}
}

func TestCloseTwice(t *testing.T) {
	d, err := Open(t.TempDir())
	ok(t, err)
	ok(t, d.Close())
	ok(t, d.Close())
}

func TestInMemory(t *testing.T) {
	d, err := OpenInMemory()
	ok(t, err)
	defer d.Close()
	ok(t, d.PutJob(sampleJob("m", 0, t0)))
	ok(t, d.PutCredentials(Credentials{RefreshToken: "rt"}))
	jobs, err := d.Jobs()
	ok(t, err)
	equal(t, "jobs", len(jobs), 1)
	ok(t, d.DeleteJob("m"))
	if _, found, _ := d.Job("m"); found {
		t.Error("job survived DeleteJob")
	}
}

// Subprocess tests re-execute this test binary, running only
// TestHelperProcess with helperEnv naming what to do in helperDirEnv.
const (
	helperEnv    = "GJW_PERSIST_HELPER"
	helperDirEnv = "GJW_PERSIST_HELPER_DIR"
)

// TestHelperProcess is not a real test: it is the child process of the
// subprocess tests below, and does nothing unless helperEnv is set.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper process for subprocess tests")
	}
	dir := os.Getenv(helperDirEnv)
	d, err := Open(dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "helper: Open: %v\n", err)
		os.Exit(3)
	}
	switch mode {
	case "hold", "hold-jobs":
		// Hold the folder until the parent closes stdin.
		if mode == "hold-jobs" {
			if err := d.PutJob(sampleJob("h", 0, t0)); err != nil {
				fmt.Fprintf(os.Stderr, "helper: PutJob: %v\n", err)
				os.Exit(4)
			}
		}
		fmt.Println("ready")
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		_ = d.Close()
		os.Exit(0)
	case "kill9":
		if err := d.PutCredentials(Credentials{
			AccessToken: "at-2", RefreshToken: "rotated", ChannelID: "ch", ExpiresAt: t0,
		}); err != nil {
			fmt.Fprintf(os.Stderr, "helper: PutCredentials: %v\n", err)
			os.Exit(4)
		}
		j := sampleJob("k", 0, t0)
		j.Targets[0].Offset = 30 << 20
		if err := d.PutJob(j); err != nil {
			fmt.Fprintf(os.Stderr, "helper: PutJob: %v\n", err)
			os.Exit(4)
		}
		p, err := os.FindProcess(os.Getpid())
		if err == nil {
			err = p.Kill() // SIGKILL on Unix: no deferred calls, no Close
		}
		fmt.Fprintf(os.Stderr, "helper: still alive after kill: %v\n", err)
		os.Exit(5)
	}
	fmt.Fprintf(os.Stderr, "helper: unknown mode %q\n", mode)
	os.Exit(2)
}

func helperCmd(t *testing.T, mode, dir string) *exec.Cmd {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	cmd := exec.Command(exe, "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, helperDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	return cmd
}

// holdInHelper starts the helper in mode (hold or hold-jobs) on dir and
// waits until it has the folder open. Closing stdin makes it close and exit.
func holdInHelper(t *testing.T, mode, dir string) (*exec.Cmd, io.Closer) {
	t.Helper()
	cmd := helperCmd(t, mode, dir)
	stdin, err := cmd.StdinPipe()
	ok(t, err)
	stdout, err := cmd.StdoutPipe()
	ok(t, err)
	ok(t, cmd.Start())
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})

	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err == nil && strings.TrimSpace(line) != "ready" {
			err = fmt.Errorf("helper said %q", line)
		}
		ready <- err
	}()
	select {
	case err := <-ready:
		ok(t, err)
	case <-time.After(60 * time.Second):
		t.Fatal("helper process did not open the folder in time")
	}
	return cmd, stdin
}

func TestSecondProcessGetsErrAlreadyRunning(t *testing.T) {
	dir := t.TempDir()
	cmd, stdin := holdInHelper(t, "hold", dir)

	start := time.Now()
	d, err := Open(dir)
	elapsed := time.Since(start)
	if err == nil {
		_ = d.Close()
		t.Fatal("Open succeeded while another process holds the folder")
	}
	if !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("Open: %v, want ErrAlreadyRunning", err)
	}
	if elapsed > 5*time.Second {
		t.Errorf("Open took %v to fail; want it to fail fast", elapsed)
	}
	t.Logf("Open failed after %v: %v", elapsed, err)

	// Once the other process exits, the folder opens.
	ok(t, stdin.Close())
	ok(t, cmd.Wait())
	openT(t, dir)
}

func TestCredentialsSurviveKill9(t *testing.T) {
	dir := t.TempDir()
	cmd := helperCmd(t, "kill9", dir)
	err := cmd.Run()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != -1 {
		// ExitCode is -1 when a signal ended the process.
		t.Fatalf("helper: %v; want it killed by a signal", err)
	}

	d := openT(t, dir)
	creds, found, err := d.Credentials()
	ok(t, err)
	if !found {
		t.Fatal("credentials lost by kill -9")
	}
	equal(t, "credentials", creds, Credentials{
		Version: RecordVersion, AccessToken: "at-2", RefreshToken: "rotated", ChannelID: "ch", ExpiresAt: t0,
	})
	j, found, err := d.Job("k")
	ok(t, err)
	if !found || j.Targets[0].Offset != 30<<20 {
		t.Errorf("job after kill -9: found %v, offset %d", found, j.Targets[0].Offset)
	}
}

// BenchmarkPutJob measures one job write, as core makes after every chunk
// and step. "synced" is what Open gives; "unsynced" is Badger's default
// (SyncWrites off) for comparison; "memory" is OpenInMemory.
func BenchmarkPutJob(b *testing.B) {
	run := func(b *testing.B, d *DB) {
		j := sampleJob("bench", 0, t0)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			j.Targets[0].Offset = int64(i) * 10 << 20
			if err := d.PutJob(j); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("synced", func(b *testing.B) {
		run(b, openT(b, b.TempDir()))
	})
	b.Run("unsynced", func(b *testing.B) {
		bdb, err := badger.Open(badgerOptions(badger.DefaultOptions(b.TempDir())).WithSyncWrites(false))
		if err != nil {
			b.Fatal(err)
		}
		d := &DB{bdb: bdb, stop: make(chan struct{})}
		defer d.Close()
		run(b, d)
	})
	b.Run("memory", func(b *testing.B) {
		d, err := OpenInMemory()
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		run(b, d)
	})
}

// Reads and writes racing Close end with ErrClosed, never Badger's panic
// (the engine's scheduler may still read while its owner closes).
func TestUseAfterCloseIsAnError(t *testing.T) {
	d := openT(t, t.TempDir())
	ok(t, d.PutJob(sampleJob("a", 0, t0)))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := d.Jobs(); err != nil && !errors.Is(err, ErrClosed) {
					t.Errorf("Jobs: %v", err)
					return
				}
				if err := d.PutJob(sampleJob("b", 1, t0)); err != nil && !errors.Is(err, ErrClosed) {
					t.Errorf("PutJob: %v", err)
					return
				}
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	ok(t, d.Close())
	close(stop)
	wg.Wait()
	if _, err := d.Jobs(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Jobs after Close: %v", err)
	}
	if _, _, err := d.Job("a"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Job after Close: %v", err)
	}
}
