package batch_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/batch"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// accounts is a manager with a signed-in GJW account "gjw" (the default)
// and a Gcore account "gc".
func accounts(t *testing.T) *account.Manager {
	t.Helper()
	db, err := persist.OpenInMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m, err := account.Open(db, account.Options{NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Add(account.Account{Platform: account.GJW, ChannelID: "ch"}, persist.Credentials{AccessToken: "a", RefreshToken: "r"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Add(account.Account{Name: "gc", Platform: account.Gcore}, map[string]string{"api_key": "k"}); err != nil {
		t.Fatal(err)
	}
	return m
}

func write(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func lines(ps []batch.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

// A folder's videos take their fields from the sidecar first, then from
// their manifest.csv row, then from the template and the settings'
// defaults; the poster from the sidecar, else a same-name image.
func TestSidecarThenManifestRowThenTemplate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "trip")
	a := sandboxtest.WriteRandom(t, filepath.Join(dir, "a.mp4"), 1000)
	b := sandboxtest.WriteRandom(t, filepath.Join(dir, "b.mp4"), 1000)
	c := sandboxtest.WriteRandom(t, filepath.Join(dir, "c_day-two.mov"), 1000)
	sandboxtest.WritePNG(t, filepath.Join(dir, "art", "poster.png"), 1)
	sandboxtest.WritePNG(t, filepath.Join(dir, "b.png"), 2)
	sandboxtest.WritePNG(t, filepath.Join(dir, "c_day-two.jpg"), 3) // a PNG named .jpg: decoded by content
	write(t, batch.SidecarPath(a), `{"title": "Sidecar title", "visibility": "private", "thumbnail": "art/poster.png",
		"extras": {"gjw": {"category": "cat22"}}, "destinations": ["gjw", "gc"]}`)
	write(t, filepath.Join(dir, "manifest.csv"), "file,title,description,language,made_for_kids\n"+
		"a.mp4,Row A,\"Row description,\nwith a comma\",fr-FR,yes\n"+
		"b.mp4,Row B,,,no\n")
	mod := time.Date(2025, 6, 1, 12, 0, 0, 0, time.Local)
	os.Chtimes(c, mod, mod)

	r := &batch.Resolver{Accounts: accounts(t), Template: persist.MetaTemplate{Title: "{dirname}: {filename} ({date})", Description: "From {dirname}"},
		Defaults: gjw.WithCategory(persist.VideoMeta{Lang: "de-DE"}, "cat3")}
	ctx := context.Background()

	ia := r.Video(ctx, a)
	if len(ia.Problems) > 0 {
		t.Fatalf("a: %v", lines(ia.Problems))
	}
	want := gjw.WithCategory(persist.VideoMeta{Title: "Sidecar title", Description: "Row description,\nwith a comma", Lang: "fr-FR", Visibility: "private", MadeForKids: true}, "cat22")
	if !ia.Upload.Meta.Equal(want) || ia.Upload.ThumbnailPath != filepath.Join(dir, "art", "poster.png") ||
		strings.Join(ia.Upload.Targets, ",") != "gjw,gc" || strings.Join(ia.From, ",") != "a.json,manifest.csv row 2" || ia.PosterFrom != "a.json" {
		t.Fatalf("a: %+v", ia)
	}
	if strings.Join(ia.Companions, ",") != batch.SidecarPath(a) {
		t.Fatalf("a's companions: %v", ia.Companions)
	}

	ib := r.Video(ctx, b)
	want = gjw.WithCategory(persist.VideoMeta{Title: "Row B", Description: "From trip", Lang: "de-DE", Visibility: "public"}, "cat3")
	if len(ib.Problems) > 0 || !ib.Upload.Meta.Equal(want) || ib.Upload.ThumbnailPath != filepath.Join(dir, "b.png") || ib.PosterFrom != "same-name image" ||
		strings.Join(ib.Upload.Targets, ",") != "gjw" || strings.Join(ib.From, ",") != "manifest.csv row 4,template" {
		t.Fatalf("b: %+v %v", ib, lines(ib.Problems))
	}

	ic := r.Video(ctx, c)
	if len(ic.Problems) > 0 || ic.Upload.Meta.Title != "trip: c_day-two (2025-06-01)" || ic.Upload.ThumbnailPath != filepath.Join(dir, "c_day-two.jpg") ||
		strings.Join(ic.From, ",") != "template" {
		t.Fatalf("c: %+v %v", ic, lines(ic.Problems))
	}
	// What the resolver gives, the engine takes.
	if _, err := core.CheckVideoFile(ic.Upload.VideoPath); err != nil {
		t.Fatal(err)
	}
}

// Every problem is one line naming the file, the row or field, and what to
// do; a manifest's bad rows are reported and the good ones kept.
func TestProblemsNameFileRowAndField(t *testing.T) {
	dir := t.TempDir()
	m := accounts(t)
	r := &batch.Resolver{Accounts: m}
	ctx := context.Background()
	video := func(name string) string { return sandboxtest.WriteRandom(t, filepath.Join(dir, name), 500) }

	cases := []struct {
		name, sidecar string
		want          []string
	}{
		{"unknown.mp4", `{"title": "x", "colour": "red"}`, []string{"unknown.json (colour): not a field: use title, description"}},
		{"syntax.mp4", "{\n\"title\": \"x\",\n}", []string{"syntax.json: not valid JSON at line 3"}},
		{"kids.mp4", `{"made_for_kids": "sometimes"}`, []string{"kids.json (made_for_kids): want true or false"}},
		{"vis.mp4", `{"visibility": "unlisted"}`, []string{`vis.json (visibility): "unlisted" is not allowed for videos: use public or private`}},
		{"extra.mp4", `{"extras": {"gcore": {"tags": "a"}, "gjw": {"colour": "x"}, "vimeo": {}}}`, []string{
			`extra.json (extras.gcore.tags): Gcore has no such field: it takes title and description only`,
			`extra.json (extras.gjw.colour): Gan Jing World has no such field: it takes category`,
			`extra.json (extras.vimeo): not a platform: use one of gjw, gcore, jw, wangsu`}},
		{"dest.mp4", `{"destinations": ["nobody"]}`, []string{`dest.json (destinations): no account named "nobody": add it (gjw account add)`}},
		{"thumb.mp4", `{"thumbnail": "missing.png"}`, []string{`thumb.json (thumbnail): image "` + filepath.Join(dir, "missing.png") + `" cannot be read`}},
		{"noposter.mp4", ``, []string{`noposter.mp4 (poster): none: put noposter.jpg beside the video or name a thumbnail in its sidecar`}},
	}
	for _, c := range cases {
		v := video(c.name)
		if c.sidecar != "" {
			write(t, batch.SidecarPath(v), c.sidecar)
		}
		if c.name != "noposter.mp4" {
			sandboxtest.WritePNG(t, strings.TrimSuffix(v, ".mp4")+".png", 1)
		}
		got := lines(r.Video(ctx, v).Problems)
		if len(got) != len(c.want) {
			t.Errorf("%s: want %d problems, got %q", c.name, len(c.want), got)
			continue
		}
		for i, w := range c.want {
			if !strings.HasPrefix(got[i], filepath.Join(dir, w)) && !strings.HasPrefix(got[i], w) {
				t.Errorf("%s: got %q\nwant it to start with %q", c.name, got[i], filepath.Join(dir, w))
			}
			if strings.Contains(got[i], "\n") {
				t.Errorf("%s: a problem spans lines: %q", c.name, got[i])
			}
		}
	}

	// A damaged picture is caught by decoding it in full, not only its header.
	bad := video("damaged.mp4")
	png := sandboxtest.WritePNG(t, filepath.Join(dir, "damaged.png"), 4)
	b, _ := os.ReadFile(png)
	os.WriteFile(png, b[:len(b)-20], 0o644)
	if got := lines(r.Video(ctx, bad).Problems); len(got) != 1 || !strings.HasPrefix(got[0], png+`: image "`+png+`" is damaged`) {
		t.Errorf("damaged poster: %q", got)
	}

	// A manifest: bad rows are named, good rows are items.
	video("ok.mp4")
	sandboxtest.WritePNG(t, filepath.Join(dir, "ok.png"), 5)
	mf := write(t, filepath.Join(dir, "list.csv"), "file,title,made_for_kids,thumbnail\n"+
		"ok.mp4,Fine,no,\n"+
		"gone.mp4,Gone,,\n"+
		"ok.mp4,Again,,\n"+
		",No file,,\n"+
		"ok.mp4,Kids,maybe,\n"+
		"too,many,fields,here,now\n")
	items, problems := r.Manifest(ctx, mf)
	want := []string{
		mf + ` row 4 (file): "ok.mp4" is already on row 2: keep one row per video`,
		mf + ` row 5 (file): empty: name the video, relative to the manifest's folder`,
		mf + ` row 6 (made_for_kids): "maybe" is not yes or no: write true or false`,
		mf + ` row 6 (file): "ok.mp4" is already on row 2: keep one row per video`,
		mf + ` row 7: 5 fields, the header has 4: quote fields that hold commas`,
	}
	if strings.Join(lines(problems), "\n") != strings.Join(want, "\n") {
		t.Errorf("manifest problems:\n%s\nwant:\n%s", strings.Join(lines(problems), "\n"), strings.Join(want, "\n"))
	}
	if len(items) != 2 || items[0].Upload.Meta.Title != "Fine" || len(items[0].Problems) != 0 {
		t.Fatalf("items: %+v", items)
	}
	if got := lines(items[1].Problems); len(got) != 1 || got[0] != mf+` row 3 (file): video "`+filepath.Join(dir, "gone.mp4")+`" does not exist: check the path` {
		t.Errorf("missing video: %q", got)
	}

	// Header problems stop the manifest.
	mf = write(t, filepath.Join(dir, "cols.csv"), "file,title,rating\nok.mp4,x,5\n")
	if _, problems := r.Manifest(ctx, mf); len(problems) != 1 || problems[0].String() != mf+` (column "rating"): not a manifest column: use file, title, description, visibility, language, made_for_kids, thumbnail, destinations or gjw.category` {
		t.Errorf("bad column: %q", lines(problems))
	}
	// A JSON manifest is an array of sidecars with file.
	mf = write(t, filepath.Join(dir, "list.json"), `[{"file": "ok.mp4", "title": "From JSON", "extras": {"gjw": {"category": "cat9"}}}, {"title": "no file"}]`)
	items, problems = r.Manifest(ctx, mf)
	if len(items) != 1 || items[0].Upload.Meta.Title != "From JSON" || gjw.Category(items[0].Upload.Meta) != "cat9" ||
		len(problems) != 1 || problems[0].String() != mf+" item 2 (file): missing: name the video, relative to the manifest's folder" {
		t.Errorf("json manifest: %+v %q", items, lines(problems))
	}
}

func TestTemplates(t *testing.T) {
	mod := time.Date(2024, 12, 31, 23, 0, 0, 0, time.Local)
	if got := batch.Expand("{filename} · {dirname} · {date} · {other}", "/videos/Holiday/day_1.mp4", mod); got != "day_1 · Holiday · 2024-12-31 · {other}" {
		t.Fatalf("Expand: %q", got)
	}
	if err := batch.CheckTemplate("title", "{dirname} {date} {filename}"); err != nil {
		t.Fatal(err)
	}
	if err := batch.CheckTemplate("title", "{file}"); err == nil || err.Error() != "title template: {file} is not a placeholder: use {filename}, {dirname} or {date}" {
		t.Fatalf("CheckTemplate: %v", err)
	}
}

// Without a sidecar or a same-name image, the poster is a frame taken with
// ffmpeg, kept in the posters folder and reused by the next resolution.
func TestPosterFrameFromFFmpeg(t *testing.T) {
	dir := t.TempDir()
	video := sandboxtest.WriteVideo(t, filepath.Join(dir, "in", "real.mp4"), 1.5)
	r := &batch.Resolver{Accounts: accounts(t), PosterDir: filepath.Join(dir, "posters")}
	it := r.Video(context.Background(), video)
	if len(it.Problems) > 0 || it.PosterFrom != "ffmpeg frame" || filepath.Dir(it.Upload.ThumbnailPath) != r.PosterDir {
		t.Fatalf("%+v %v", it, lines(it.Problems))
	}
	fi, err := os.Stat(it.Upload.ThumbnailPath)
	if err != nil {
		t.Fatal(err)
	}
	again := r.Video(context.Background(), video)
	if fi2, _ := os.Stat(again.Upload.ThumbnailPath); again.Upload.ThumbnailPath != it.Upload.ThumbnailPath || !fi2.ModTime().Equal(fi.ModTime()) {
		t.Fatal("the frame was taken again")
	}

	// Noise is no video for ffmpeg: a GJW destination gets a title card,
	// so the upload need not wait for a poster.
	noise := sandboxtest.WriteRandom(t, filepath.Join(dir, "in", "noise.mp4"), 4096)
	card := r.Video(context.Background(), noise)
	if len(card.Problems) > 0 || card.PosterFrom != "title card" || filepath.Dir(card.Upload.ThumbnailPath) != r.PosterDir {
		t.Fatalf("noise: %+v %q", card, lines(card.Problems))
	}
	if err := gjw.ValidateImage(card.Upload.ThumbnailPath); err != nil {
		t.Fatalf("the title card is no poster the platform takes: %v", err)
	}
	// With nowhere to keep posters, a GJW destination needs one given.
	bare := &batch.Resolver{Accounts: r.Accounts}
	got := lines(bare.Video(context.Background(), noise).Problems)
	if len(got) != 1 || !strings.HasPrefix(got[0], noise+" (poster): none: put noise.jpg beside the video or name a thumbnail in its sidecar") {
		t.Fatalf("noise without a posters folder: %q", got)
	}
	// A Gcore destination takes a video without a poster.
	r.Destinations = []string{"gc"}
	if it := r.Video(context.Background(), noise); len(it.Problems) > 0 || it.Upload.ThumbnailPath != "" {
		t.Fatalf("gcore without poster: %+v", it)
	}
}

// A sidecar or row may name its category by one of the creator's names;
// the upload gets the id, and a name that is none is a problem naming the
// file that gave it.
func TestCategoryByName(t *testing.T) {
	dir := t.TempDir()
	a := sandboxtest.WriteRandom(t, filepath.Join(dir, "a.mp4"), 1000)
	b := sandboxtest.WriteRandom(t, filepath.Join(dir, "b.mp4"), 1000)
	sandboxtest.WritePNG(t, filepath.Join(dir, "a.png"), 1)
	sandboxtest.WritePNG(t, filepath.Join(dir, "b.png"), 2)
	write(t, batch.SidecarPath(a), `{"title": "A", "extras": {"gjw": {"category": "travel"}}}`)
	write(t, batch.SidecarPath(b), `{"title": "B", "extras": {"gjw": {"category": "Travl"}}}`)
	names, _ := gjw.ParseCategoryNames("cat13 = Culture\ncat7 = Travel")
	r := &batch.Resolver{Accounts: accounts(t), CategoryNames: names, Defaults: gjw.WithCategory(persist.VideoMeta{}, "Culture")}
	ctx := context.Background()
	if ia := r.Video(ctx, a); len(ia.Problems) > 0 || gjw.Category(ia.Upload.Meta) != "cat7" {
		t.Fatalf("a: category %q, problems %v", gjw.Category(ia.Upload.Meta), lines(ia.Problems))
	}
	ib := r.Video(ctx, b)
	if got := strings.Join(lines(ib.Problems), "\n"); got != batch.SidecarPath(b)+` (gjw.category): "Travl" is no category: type an id such as cat13, or a name from your category list (Settings, or gjw category name)` {
		t.Fatalf("b's problems: %s", got)
	}
	write(t, batch.SidecarPath(b), `{"title": "B"}`)
	if ib := r.Video(ctx, b); len(ib.Problems) > 0 || gjw.Category(ib.Upload.Meta) != "cat13" {
		t.Fatalf("b with the default category by name: %q %v", gjw.Category(ib.Upload.Meta), lines(ib.Problems))
	}
}
