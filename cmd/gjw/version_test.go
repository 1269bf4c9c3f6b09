package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestVersionPrintsTheStamp(t *testing.T) {
	old := [3]string{version, commit, buildDate}
	t.Cleanup(func() { version, commit, buildDate = old[0], old[1], old[2] })

	version, commit, buildDate = "1.2.3", "0123abcd4567", "2026-01-02T03:04:05Z"
	var out bytes.Buffer
	if err := cmdVersion(context.Background(), &app{stdout: &out}, nil); err != nil {
		t.Fatal(err)
	}
	want := "gjw 1.2.3 (commit 0123abcd4567, built 2026-01-02T03:04:05Z) " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	if out.String() != want {
		t.Fatalf("gjw version printed %q, want %q", out.String(), want)
	}

	out.Reset()
	if err := cmdVersion(context.Background(), &app{stdout: &out}, []string{"--json"}); err != nil {
		t.Fatal(err)
	}
	var v buildVersion
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatalf("--json printed %q: %v", out.String(), err)
	}
	if v.Version != "1.2.3" || v.Commit != "0123abcd4567" || v.Date != "2026-01-02T03:04:05Z" || v.OS != runtime.GOOS {
		t.Fatalf("--json printed %+v", v)
	}

	// Unstamped (go build without make): "dev", never an empty version.
	version, commit, buildDate = "", "", ""
	out.Reset()
	if err := cmdVersion(context.Background(), &app{stdout: &out}, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "gjw dev ") {
		t.Fatalf("unstamped gjw version printed %q", out.String())
	}

	var ue usageError
	if err := cmdVersion(context.Background(), &app{stdout: &out}, []string{"extra"}); !errors.As(err, &ue) {
		t.Fatalf("an argument gave %v, want a usage error", err)
	}
}
