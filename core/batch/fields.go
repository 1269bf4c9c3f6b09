// Package batch turns video files into uploads without typing. A video's
// metadata comes from its sidecar (VIDEO.json beside VIDEO.mp4), else from
// its row in a manifest (a folder's manifest.csv, or the file given to gjw
// upload --manifest), else from a template ({filename}, {dirname}, {date});
// its poster from the sidecar or the row, else a same-name image, else a
// frame taken with ffmpeg (core.ExtractFrame). The command line (gjw upload
// --manifest, gjw watch) and the app's watch folders resolve through here,
// into core.NewUpload values.
//
// Every problem is one line naming the file, the row or field, and what to
// do; a video with a problem is not queued.
package batch

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
)

// Fields are what a sidecar or a manifest row says about a video. An empty
// field falls through to the next source (sidecar, then manifest row, then
// template and settings).
type Fields struct {
	// File is the video, relative to the manifest's folder (manifests
	// only; a sidecar describes the video of its own name).
	File         string   `json:"file,omitempty"`
	Title        string   `json:"title,omitempty"`
	Description  string   `json:"description,omitempty"`
	Visibility   string   `json:"visibility,omitempty"` // public or private
	Language     string   `json:"language,omitempty"`   // en-US
	MadeForKids  *bool    `json:"made_for_kids,omitempty"`
	Thumbnail    string   `json:"thumbnail,omitempty"` // relative to the sidecar's or manifest's folder
	Destinations []string `json:"destinations,omitempty"`
	// Extras are per-platform fields: {"gjw": {"category": "cat22"}}.
	Extras map[string]map[string]string `json:"extras,omitempty"`

	at  Problem // where these fields were read, for problems
	dir string  // the folder relative paths are in
}

// Problem is one thing wrong with a batch: the file it is in, the row and
// field when known, and what is wrong and what to do.
type Problem struct {
	File  string
	Row   string // "row 4" (CSV), "item 2" (JSON); may be empty
	Field string // may be empty
	Msg   string

	video string // the video a manifest row names, when known
}

func (p Problem) String() string {
	s := p.File
	if p.Row != "" {
		s += " " + p.Row
	}
	if p.Field != "" {
		s += " (" + p.Field + ")"
	}
	return s + ": " + p.Msg
}

// with returns p for another field with message msg.
func (p Problem) with(field, msg string) Problem {
	p.Field, p.Msg = field, msg
	return p
}

// Errors joins problems into one error, a line each (nil when none).
func Errors(ps []Problem) error {
	if len(ps) == 0 {
		return nil
	}
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return errors.New(strings.Join(lines, "\n"))
}

// extraFields are the per-platform fields each platform takes beyond title
// and description (the others have none yet).
var extraFields = map[string][]string{gjw.Platform: {gjw.CategoryField}}

// columns are a manifest's known columns (plus PLATFORM.FIELD extras).
var columns = []string{"file", "title", "description", "visibility", "language", "made_for_kids", "thumbnail", "destinations"}

// SidecarPath is the sidecar of video: VIDEO.json beside it.
func SidecarPath(video string) string {
	return strings.TrimSuffix(video, filepath.Ext(video)) + ".json"
}

// ReadSidecar reads a sidecar; ok is false when there is none.
func ReadSidecar(path string) (f *Fields, ok bool, problems []Problem) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	at := Problem{File: path}
	if err != nil {
		return nil, true, []Problem{at.with("", "cannot be read: check its permissions")}
	}
	f, problems = decodeFields(b, at, filepath.Dir(path))
	if f != nil && f.File != "" {
		problems = append(problems, at.with("file", "a sidecar describes the video of its own name: remove file"))
	}
	return f, true, problems
}

// decodeFields decodes one JSON object of Fields, strictly.
func decodeFields(b []byte, at Problem, dir string) (*Fields, []Problem) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f Fields
	if err := dec.Decode(&f); err != nil {
		return nil, []Problem{jsonProblem(b, at, err)}
	}
	f.at, f.dir = at, dir
	return &f, f.checkExtras()
}

// jsonProblem explains a JSON decoding error in one line.
func jsonProblem(b []byte, at Problem, err error) Problem {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line := 1 + bytes.Count(b[:min(int(syn.Offset), len(b))], []byte("\n"))
		return at.with("", fmt.Sprintf("not valid JSON at line %d (%v): fix it", line, syn))
	case errors.As(err, &typ):
		want := map[string]string{"made_for_kids": "true or false", "destinations": `a list of account names, e.g. ["gjw"]`,
			"extras": `an object per platform, e.g. {"gjw": {"category": "cat13"}}`}[typ.Field]
		if want == "" {
			want = "a string"
		}
		return at.with(typ.Field, "want "+want)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return at.with(name, "not a field: use "+strings.Join(columns[1:], ", ")+" or extras")
	case errors.Is(err, io.EOF):
		return at.with("", "empty: write a JSON object such as {\"title\": \"My video\"}")
	}
	return at.with("", fmt.Sprintf("not valid JSON (%v): fix it", err))
}

// checkExtras checks that each platform and field of Extras exists.
func (f *Fields) checkExtras() []Problem {
	var out []Problem
	for platform, fields := range f.Extras {
		known, ok := extraFields[platform]
		if !slices.Contains(account.Platforms, platform) {
			out = append(out, f.at.with("extras."+platform, fmt.Sprintf("not a platform: use one of %s", strings.Join(account.Platforms, ", "))))
			continue
		}
		for name := range fields {
			if !slices.Contains(known, name) {
				hint := "it takes title and description only"
				if ok {
					hint = "it takes " + strings.Join(known, ", ")
				}
				out = append(out, f.at.with("extras."+platform+"."+name, fmt.Sprintf("%s has no such field: %s", account.Title(platform), hint)))
			}
		}
	}
	slices.SortFunc(out, func(a, b Problem) int { return strings.Compare(a.Field, b.Field) })
	return out
}

// ReadManifest reads a manifest: CSV with a header row (.csv), or a JSON
// array of objects (.json), one video each. Rows with problems are left
// out and their problems returned.
func ReadManifest(path string) ([]*Fields, []Problem) {
	b, err := os.ReadFile(path)
	at := Problem{File: path}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, []Problem{at.with("", "does not exist: check the path")}
		}
		return nil, []Problem{at.with("", "cannot be read: check its permissions")}
	}
	dir := filepath.Dir(path)
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return readCSV(b, at, dir)
	case ".json":
		return readJSON(b, at, dir)
	}
	return nil, []Problem{at.with("", "is neither .csv nor .json: name a manifest FILE.csv or FILE.json")}
}

func readJSON(b []byte, at Problem, dir string) ([]*Fields, []Problem) {
	var items []json.RawMessage
	if err := json.Unmarshal(b, &items); err != nil {
		return nil, []Problem{jsonProblem(b, at, err).with("", "want a JSON array of objects, one per video, each with file and title")}
	}
	var rows []*Fields
	var problems []Problem
	for i, raw := range items {
		rat := at
		rat.Row = "item " + strconv.Itoa(i+1)
		f, ps := decodeFields(raw, rat, dir)
		if f != nil && len(ps) == 0 && strings.TrimSpace(f.File) == "" {
			ps = append(ps, rat.with("file", "missing: name the video, relative to the manifest's folder"))
		}
		if len(ps) > 0 {
			problems = append(problems, tagged(ps, f)...)
			continue
		}
		rows = append(rows, f)
	}
	return rows, problems
}

func readCSV(b []byte, at Problem, dir string) ([]*Fields, []Problem) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))) // spreadsheets write a BOM
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, []Problem{at.with("", "empty: write a header row (file,title,...) and a row per video")}
		}
		return nil, []Problem{at.with("", fmt.Sprintf("not valid CSV (%v): fix it", err))}
	}
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(header[i]))
	}
	var problems []Problem
	for _, h := range header {
		if slices.Contains(columns, h) {
			continue
		}
		if platform, field, ok := strings.Cut(h, "."); ok && slices.Contains(account.Platforms, platform) {
			if slices.Contains(extraFields[platform], field) {
				continue
			}
		}
		problems = append(problems, at.with(fmt.Sprintf("column %q", h), "not a manifest column: use "+strings.Join(columns, ", ")+" or gjw.category"))
	}
	if !slices.Contains(header, "file") {
		problems = append(problems, at.with("", "the header row has no file column: add one naming each video"))
	}
	if len(problems) > 0 {
		return nil, problems
	}
	var rows []*Fields
	seen := map[string]string{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		rat := at
		rat.Row = "row " + strconv.Itoa(line)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				rat.Row = "row " + strconv.Itoa(pe.StartLine)
			}
			problems = append(problems, rat.with("", fmt.Sprintf("not valid CSV (%v): fix it", errors.Unwrap(err))))
			continue
		}
		if len(rec) != len(header) {
			problems = append(problems, rat.with("", fmt.Sprintf("%d fields, the header has %d: quote fields that hold commas", len(rec), len(header))))
			continue
		}
		f, ps := csvRow(header, rec, rat, dir)
		if f.File != "" {
			if prev, dup := seen[f.File]; dup {
				ps = append(ps, rat.with("file", fmt.Sprintf("%q is already on %s: keep one row per video", f.File, prev)))
			} else {
				seen[f.File] = rat.Row
			}
		}
		if len(ps) > 0 {
			problems = append(problems, tagged(ps, f)...)
			continue
		}
		rows = append(rows, f)
	}
	return rows, problems
}

// tagged marks a row's problems with the video it names, so a watch
// folder's video reports the problems of its own row.
func tagged(ps []Problem, f *Fields) []Problem {
	if f != nil && f.File != "" {
		for i := range ps {
			ps[i].video = filepath.Clean(filepath.Join(f.dir, f.File))
		}
	}
	return ps
}

// csvRow reads one manifest row into Fields.
func csvRow(header, rec []string, at Problem, dir string) (*Fields, []Problem) {
	f := &Fields{at: at, dir: dir}
	var problems []Problem
	for i, h := range header {
		v := strings.TrimSpace(rec[i])
		if v == "" {
			continue
		}
		switch h {
		case "file":
			f.File = v
		case "title":
			f.Title = v
		case "description":
			f.Description = rec[i] // as written: it may have line breaks
		case "visibility":
			f.Visibility = v
		case "language":
			f.Language = v
		case "made_for_kids":
			b, ok := parseBool(v)
			if !ok {
				problems = append(problems, at.with(h, fmt.Sprintf("%q is not yes or no: write true or false", v)))
			}
			f.MadeForKids = &b
		case "thumbnail":
			f.Thumbnail = v
		case "destinations":
			f.Destinations = strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == ' ' })
		default: // PLATFORM.FIELD, checked with the header
			platform, field, _ := strings.Cut(h, ".")
			if f.Extras == nil {
				f.Extras = map[string]map[string]string{}
			}
			if f.Extras[platform] == nil {
				f.Extras[platform] = map[string]string{}
			}
			f.Extras[platform][field] = v
		}
	}
	if f.File == "" {
		problems = append(problems, at.with("file", "empty: name the video, relative to the manifest's folder"))
	}
	return f, problems
}

func parseBool(v string) (b, ok bool) {
	switch strings.ToLower(v) {
	case "true", "yes", "y", "1":
		return true, true
	case "false", "no", "n", "0":
		return false, true
	}
	return false, false
}
