//go:build unix

package article_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/article"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// TestAutosaveSurvivesKill runs the test binary again as a child that
// types into a draft on a file-backed store, waits for an autosave, keeps
// typing and SIGKILLs itself mid-edit. The parent reopens the store: the
// draft holds at least every edit made more than MaxWait before the kill.
func TestAutosaveSurvivesKill(t *testing.T) {
	if dir := os.Getenv("GJW_AUTOSAVE_CHILD"); dir != "" {
		autosaveChild(dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestAutosaveSurvivesKill$", "-test.v")
	cmd.Env = append(os.Environ(), "GJW_AUTOSAVE_CHILD="+dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed: %v\n%s", err, out.String())
	}

	// The child's log: "edit N UNIXNANO", "autosaved N", "kill UNIXNANO".
	edits := map[int]time.Time{}
	var killed time.Time
	autosaved := -1
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 3 && f[0] == "edit":
			n, _ := strconv.Atoi(f[1])
			ns, _ := strconv.ParseInt(f[2], 10, 64)
			edits[n] = time.Unix(0, ns)
		case len(f) == 2 && f[0] == "autosaved":
			autosaved, _ = strconv.Atoi(f[1])
		case len(f) == 2 && f[0] == "kill":
			ns, _ := strconv.ParseInt(f[1], 10, 64)
			killed = time.Unix(0, ns)
		}
	}
	if killed.IsZero() || autosaved < 0 || len(edits) == 0 {
		t.Fatalf("child log incomplete:\n%s", out.String())
	}

	db, err := persist.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d, ok, err := db.Draft("killed")
	if err != nil || !ok {
		t.Fatalf("draft after kill: %v %v", ok, err)
	}
	var saved int
	if _, err := fmt.Sscanf(d.HTML, "<p>edit %d</p>", &saved); err != nil {
		t.Fatalf("draft HTML %q: %v", d.HTML, err)
	}
	if saved < autosaved {
		t.Fatalf("the store holds edit %d, older than the autosave the child saw (%d)", saved, autosaved)
	}
	// Allowed loss: MaxWait, plus slack for a loaded machine (-race, two cores).
	limit := killed.Add(-article.AutosaveMaxWait - time.Second)
	for n, at := range edits {
		if at.Before(limit) && n > saved {
			t.Fatalf("edit %d, made %v before the kill, was lost (store holds %d)", n, killed.Sub(at), saved)
		}
	}
	t.Logf("edits %d, saved %d, killed %v after the first edit", len(edits), saved, killed.Sub(edits[1]))
}

// autosaveChild is the killed process: default timing, real Badger.
func autosaveChild(dir string) {
	db, err := persist.Open(dir)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	a := article.NewAutosaver(db, persist.Draft{ID: "killed", Title: "Crash test"})
	savedCh := make(chan int, 100)
	a.OnSave = func(d persist.Draft, err error) {
		var n int
		if _, serr := fmt.Sscanf(d.HTML, "<p>edit %d</p>", &n); err == nil && serr == nil {
			savedCh <- n
		}
	}
	edit := func(n int) {
		a.Edit(func(d *persist.Draft) { d.HTML = fmt.Sprintf("<p>edit %d</p>", n) })
		fmt.Printf("edit %d %d\n", n, time.Now().UnixNano())
	}
	n := 0
	// A burst of typing, then a pause long enough for the autosave.
	for range 10 {
		n++
		edit(n)
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case got := <-savedCh:
		fmt.Printf("autosaved %d\n", got)
	case <-time.After(5 * time.Second):
		fmt.Println("no autosave within 5s")
		os.Exit(1)
	}
	// Typing without pauses for 3 s (only MaxWait saves it), then the kill.
	for start := time.Now(); time.Since(start) < 3*time.Second; {
		n++
		edit(n)
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Printf("kill %d\n", time.Now().UnixNano())
	os.Stdout.Sync()
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}
