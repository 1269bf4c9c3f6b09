package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set at link time by make (cli, dist):
//
//	go build -ldflags "-X main.version=0.1.0 -X main.commit=0123abcd -X main.buildDate=2026-01-02T03:04:05Z"
//
// version is FyneApp.toml's Version, so gjw and the app carry one number.
var version, commit, buildDate string

// buildVersion is what gjw version prints. A plain go build has no stamp:
// the version reads "dev" and the commit comes from Go's VCS stamp if any.
type buildVersion struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Date    string `json:"build_date,omitempty"`
	Go      string `json:"go"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

func currentVersion() buildVersion {
	v := buildVersion{Version: version, Commit: commit, Date: buildDate, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if v.Version == "" {
		v.Version = "dev"
	}
	if bi, ok := debug.ReadBuildInfo(); ok && (v.Commit == "" || v.Date == "") {
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && v.Commit == "":
				v.Commit = s.Value
			case s.Key == "vcs.time" && v.Date == "":
				v.Date = s.Value
			}
		}
	}
	return v
}

// String is the one line gjw version prints.
func (v buildVersion) String() string {
	s := "gjw " + v.Version
	if v.Commit != "" {
		s += " (commit " + v.Commit
		if v.Date != "" {
			s += ", built " + v.Date
		}
		s += ")"
	} else if v.Date != "" {
		s += " (built " + v.Date + ")"
	}
	return s + " " + v.Go + " " + v.OS + "/" + v.Arch
}

// cmdVersion prints gjw's version, commit and build date.
func cmdVersion(_ context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print as JSON")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{"version takes no arguments"}
	}
	v := currentVersion()
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		return enc.Encode(v)
	}
	_, err = fmt.Fprintln(a.stdout, v)
	return err
}
