package article_test

import (
	"context"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/article"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// pubEnv is a publisher on a fresh sandbox with a signed-in store.
type pubEnv struct {
	env *sandboxtest.Env
	db  *persist.DB
	pub *article.Publisher
	dir string
}

func newPubEnv(t *testing.T) *pubEnv {
	env := sandboxtest.New(t)
	db := env.Store(t)
	return &pubEnv{env: env, db: db, pub: &article.Publisher{Client: env.Engine(db).Client(), Store: db}, dir: t.TempDir()}
}

func (e *pubEnv) png(t *testing.T, rel string, seed int) string {
	p := filepath.Join(e.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	return sandboxtest.WritePNG(t, p, seed)
}

func (e *pubEnv) content(t *testing.T, id string) sandbox.Content {
	t.Helper()
	c, ok := e.env.Sandbox.Content(id)
	if !ok {
		t.Fatalf("content %s not on the sandbox", id)
	}
	return c
}

// imgSrcs returns the src of every <img> in meta.text, in order.
func imgSrcs(t *testing.T, c sandbox.Content) []string {
	t.Helper()
	meta, _ := c.Fields["meta"].(map[string]any)
	text, _ := meta["text"].(string)
	var out []string
	for _, b := range article.Parse(text) {
		if b.Image != nil {
			out = append(out, b.Image.Src)
		}
	}
	return out
}

func TestPublishUpdateEndToEnd(t *testing.T) {
	e := newPubEnv(t)
	e.png(t, "poster.png", 1)
	e.png(t, "pics/a.png", 2)
	b := e.png(t, "b.png", 3)
	d := article.NewDraft(time.Now())
	d.Title = "  Two pictures  "
	d.Description = "A test article"
	d.BaseDir = e.dir
	d.PosterPath = filepath.Join(e.dir, "poster.png")
	d.Hashtags = []string{"news", "##Go", "#news"}
	d.Keywords = []string{" go ", "", "fyne"}
	d.Visibility = "unlisted"
	d.Premium = true
	d.MadeForKids = true
	d.HTML = `<h1>Hello &amp; welcome</h1><p>Intro <b>bold</b> <a href="https://example.com">link</a></p>
<img src="pics/a.png" alt="A"><p>middle</p><img src="b.png" alt="B">
<p>again <img src="./pics/a.png" alt="A again"> and <img src="` + (&url.URL{Scheme: "file", Path: filepath.ToSlash(b)}).String() + `"></p>
<script>alert(1)</script>`
	if err := e.db.PutDraft(d); err != nil {
		t.Fatal(err)
	}

	var steps []article.Progress
	e.pub.OnProgress = func(p article.Progress) { steps = append(steps, p) }
	got, err := e.pub.Publish(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if got.ContentID == "" || got.PublishedAt.IsZero() {
		t.Fatalf("no content id or publish time: %+v", got)
	}
	if u := article.NewsURL(got.ContentID); u != "https://www.ganjingworld.com/news/"+got.ContentID {
		t.Fatalf("news URL %s", u)
	}
	if st := e.env.Sandbox.Stats(); st.Images != 3 || st.AddContent != 1 {
		t.Fatalf("want 3 images (poster, a, b) and 1 add-content, got %+v", st)
	}
	if len(steps) != 4 || steps[3].Done != 3 || steps[3].Total != 4 {
		t.Fatalf("progress %+v", steps)
	}
	stored, ok, err := e.db.Draft(d.ID)
	if err != nil || !ok || stored.ContentID != got.ContentID || !stored.PublishedAt.Equal(got.PublishedAt) {
		t.Fatalf("stored draft %+v %v %v", stored, ok, err)
	}

	c := e.content(t, got.ContentID)
	if !c.Published || c.Type != "News" {
		t.Fatalf("content %+v", c)
	}
	srcs := imgSrcs(t, c)
	if len(srcs) != 4 || srcs[0] != srcs[2] || srcs[1] != srcs[3] || srcs[0] == srcs[1] {
		t.Fatalf("want a, b, a, b on the CDN, got %q", srcs)
	}
	for _, s := range srcs {
		if !strings.HasPrefix(s, e.env.Hosts.Image+"/") || !strings.HasSuffix(s, "/960.webp") {
			t.Fatalf("src %s is not the CDN's 960 URL", s)
		}
	}
	f := c.Fields
	want := map[string]any{
		"type": "News", "mode": "ready", "lang": "en-US", "category_id": "cat22", "title": "Two pictures",
		"description": "A test article", "visibility": "unlisted", "premium": 1.0, "use_schedule": false,
		"made_for_kids": true, "user_made_for_kids": true, "protected_type": "", "slug": "",
		"hashtags": []any{"#news", "#Go"}, "keywords": []any{"go", "fyne"}, "deleteTranslations": []any{},
	}
	for k, v := range want {
		if !reflect.DeepEqual(f[k], v) {
			t.Errorf("%s = %#v, want %#v", k, f[k], v)
		}
	}
	if _, ok := f["time_scheduled"]; ok {
		t.Error("time_scheduled sent without a schedule")
	}
	if !strings.HasSuffix(f["poster_url"].(string), "/672.webp") || !strings.HasSuffix(f["poster_hd_url"].(string), "/origin.webp") {
		t.Errorf("posters %v %v", f["poster_url"], f["poster_hd_url"])
	}
	text := f["meta"].(map[string]any)["text"].(string)
	if err := article.InSubset(text); err != nil || strings.Contains(text, "alert") || !strings.Contains(text, "<strong>Hello &amp; welcome</strong>") {
		t.Fatalf("meta.text %q: %v", text, err)
	}

	// Update: a new title and one more paragraph; the same pictures.
	upd := got
	upd.Title = "Two pictures, updated"
	upd.HTML += "<p>P.S.</p>"
	upd2, err := e.pub.Update(context.Background(), upd)
	if err != nil {
		t.Fatal(err)
	}
	if upd2.ContentID != got.ContentID {
		t.Fatalf("content id changed: %s", upd2.ContentID)
	}
	if st := e.env.Sandbox.Stats(); st.Images != 3 || st.UpdateContent != 1 || st.AddContent != 1 {
		t.Fatalf("update uploaded again or did not update: %+v", st)
	}
	after := e.content(t, got.ContentID)
	if after.Updates != 1 {
		t.Fatalf("updates %d", after.Updates)
	}
	keysBefore := slices.Sorted(maps.Keys(f))
	keysAfter := slices.DeleteFunc(slices.Sorted(maps.Keys(after.Fields)), func(k string) bool { return k == "content_id" })
	if !slices.Equal(keysBefore, keysAfter) {
		t.Fatalf("fields before %v, after %v", keysBefore, keysAfter)
	}
	for k, v := range f {
		switch k {
		case "title":
			if after.Fields[k] != "Two pictures, updated" {
				t.Errorf("title after update: %v", after.Fields[k])
			}
		case "meta":
			if !slices.Equal(imgSrcs(t, after), srcs) || !strings.Contains(after.Fields[k].(map[string]any)["text"].(string), "P.S.") {
				t.Errorf("meta after update: %v", after.Fields[k])
			}
		default:
			if !reflect.DeepEqual(after.Fields[k], v) {
				t.Errorf("%s changed by the update: %#v -> %#v", k, v, after.Fields[k])
			}
		}
	}

	// Publishing it again is refused; updating an unpublished draft too.
	if _, err := e.pub.Publish(context.Background(), upd2); err == nil || !strings.Contains(err.Error(), "update it instead") {
		t.Fatalf("second publish: %v", err)
	}
	fresh := d
	fresh.ContentID = ""
	if _, err := e.pub.Update(context.Background(), fresh); err == nil || !strings.Contains(err.Error(), "publish it first") {
		t.Fatalf("update of an unpublished draft: %v", err)
	}
}

func TestPublishSchedule(t *testing.T) {
	e := newPubEnv(t)
	d := article.NewDraft(time.Now())
	d.Title = "Later"
	d.PosterPath = e.png(t, "poster.png", 1)
	d.HTML = "<p>Coming soon</p>"

	past := time.Now().Add(-time.Hour).Truncate(time.Second)
	d.Schedule = past
	_, err := e.pub.Publish(context.Background(), d)
	if err == nil || !strings.Contains(err.Error(), "schedule "+past.Format(time.RFC3339)+" is in the past") {
		t.Fatalf("past schedule: %v", err)
	}
	if st := e.env.Sandbox.Stats(); st.Images != 0 || st.AddContent != 0 {
		t.Fatalf("something was sent before the check: %+v", st)
	}

	future := time.Now().Add(2 * time.Hour).Truncate(time.Millisecond)
	d.Schedule = future
	got, err := e.pub.Publish(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if !got.PublishedAt.Equal(future) {
		t.Errorf("PublishedAt %v, want the schedule %v", got.PublishedAt, future)
	}
	f := e.content(t, got.ContentID).Fields
	if f["use_schedule"] != true || f["time_scheduled"] != float64(future.UnixMilli()) {
		t.Fatalf("schedule fields %v %v", f["use_schedule"], f["time_scheduled"])
	}

	// Still scheduled: an update sends the schedule again.
	if _, err := e.pub.Update(context.Background(), got); err != nil {
		t.Fatal(err)
	}
	if f := e.content(t, got.ContentID).Fields; f["use_schedule"] != true || f["time_scheduled"] != float64(future.UnixMilli()) {
		t.Fatalf("schedule after update %v %v", f["use_schedule"], f["time_scheduled"])
	}
	// An update without the schedule makes it live now: PublishedAt says so,
	// rather than the time it was scheduled for.
	unscheduled := got
	unscheduled.Schedule = time.Time{}
	live, err := e.pub.Update(context.Background(), unscheduled)
	if err != nil {
		t.Fatal(err)
	}
	if f := e.content(t, got.ContentID).Fields; f["use_schedule"] != false || live.PublishedAt.After(time.Now()) {
		t.Fatalf("unscheduled by update: use_schedule %v, PublishedAt %v", f["use_schedule"], live.PublishedAt)
	}
	// Once the schedule has passed the article is live: an update leaves it so.
	e.pub.Now = func() time.Time { return future.Add(time.Hour) }
	if _, err := e.pub.Update(context.Background(), got); err != nil {
		t.Fatal(err)
	}
	if f := e.content(t, got.ContentID).Fields; f["use_schedule"] != false {
		t.Fatalf("use_schedule after the schedule passed: %v", f["use_schedule"])
	}
	// But a new schedule in the past is refused on update too.
	got.Schedule = future.Add(30 * time.Minute)
	if _, err := e.pub.Update(context.Background(), got); err == nil || !strings.Contains(err.Error(), "is in the past") {
		t.Fatalf("past schedule on update: %v", err)
	}
}

func TestPublishRefusesOutsideImage(t *testing.T) {
	e := newPubEnv(t)
	d := article.NewDraft(time.Now())
	d.Title = "Outside"
	d.PosterPath = e.png(t, "poster.png", 1)
	d.BaseDir = e.dir
	e.png(t, "ok.png", 2)
	d.HTML = `<p>fine</p><img src="ok.png"><img src="https://example.com/cat.png?x=1" alt="cat">`
	_, err := e.pub.Publish(context.Background(), d)
	if err == nil || !strings.Contains(err.Error(), "image https://example.com/cat.png?x=1 is not on the Gan Jing World image CDN") {
		t.Fatalf("outside image: %v", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
	if st := e.env.Sandbox.Stats(); st.Images != 0 || st.AddContent != 0 {
		t.Fatalf("something was sent: %+v", st)
	}

	// A picture already on the CDN (inserted by the editor) passes through.
	cdn, err := e.pub.UploadImage(context.Background(), e.png(t, "dropped.png", 3))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(cdn, "/960.webp") {
		t.Fatalf("inline URL %s", cdn)
	}
	d.HTML = `<p>fine</p><img src="ok.png"><img src="` + cdn + `" alt="dropped">`
	got, err := e.pub.Publish(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	srcs := imgSrcs(t, e.content(t, got.ContentID))
	if len(srcs) != 2 || srcs[1] != cdn || srcs[0] == cdn {
		t.Fatalf("srcs %q", srcs)
	}
	if st := e.env.Sandbox.Stats(); st.Images != 3 {
		t.Fatalf("images %d, want 3 (dropped, poster, ok)", st.Images)
	}
}

func TestPublishValidate(t *testing.T) {
	e := newPubEnv(t)
	poster := e.png(t, "poster.png", 1)
	notImage := filepath.Join(e.dir, "notes.png")
	os.WriteFile(notImage, []byte("not a picture"), 0o644)
	base := article.NewDraft(time.Now())
	base.Title, base.PosterPath, base.HTML, base.BaseDir = "T", poster, "<p>x</p>", e.dir
	for _, tc := range []struct {
		name string
		edit func(*persist.Draft)
		want string
	}{
		{"ok", func(*persist.Draft) {}, ""},
		{"title", func(d *persist.Draft) { d.Title = "  " }, "title is empty"},
		{"visibility", func(d *persist.Draft) { d.Visibility = "friends" }, `visibility "friends" is not allowed`},
		{"no poster", func(d *persist.Draft) { d.PosterPath = "" }, "poster is missing"},
		{"poster missing file", func(d *persist.Draft) { d.PosterPath = filepath.Join(e.dir, "gone.png") }, "gone.png"},
		{"poster not an image", func(d *persist.Draft) { d.PosterPath = notImage }, "poster: image " + `"` + notImage + `" is not a JPEG`},
		{"poster URL elsewhere", func(d *persist.Draft) {
			d.PosterPath, d.PosterURL, d.PosterHDURL = "", "https://example.com/672.webp", "https://example.com/origin.webp"
		}, "poster https://example.com/672.webp is not on the image CDN"},
		{"empty body", func(d *persist.Draft) { d.HTML = "<script>x()</script>  " }, "the article body is empty"},
		{"missing image", func(d *persist.Draft) { d.HTML = `<p>x</p><img src="nope.png">` }, "nope.png"},
		{"image not an image", func(d *persist.Draft) { d.HTML = `<img src="notes.png">` }, "notes.png"},
		{"relative without folder", func(d *persist.Draft) { d.BaseDir = ""; d.HTML = `<img src="a.png">` }, `image "a.png" is a relative path`},
		{"outside", func(d *persist.Draft) { d.HTML = `<img src="http://cdn.example.org/a.webp">` }, "image http://cdn.example.org/a.webp is not on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := base
			tc.edit(&d)
			err := e.pub.Validate(d, false)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v, want one line with %q", err, tc.want)
			}
		})
	}
}

func TestIsCDNURL(t *testing.T) {
	for _, tc := range []struct {
		api, src string
		want     bool
	}{
		{"https://imgapi.cloudokyo.cloud", "https://image5-us-west.cloudokyo.cloud/image/v14/x/960.webp", true},
		{"https://imgapi.cloudokyo.cloud", "https://IMAGE1-us-east.cloudokyo.cloud/x/960.webp", true},
		{"https://imgapi.cloudokyo.cloud", "http://image1.cloudokyo.cloud/x.jpg", true},
		{"https://imgapi.cloudokyo.cloud", "https://imgapi.cloudokyo.cloud/x.webp", true},
		{"https://imgapi.cloudokyo.cloud", "https://imgapi.cloudokyo.cloud:443/x.webp", true},
		{"https://imgapi.cloudokyo.cloud", "https://image1.cloudokyo.cloud:8443/x.webp", false},
		{"https://imgapi.cloudokyo.cloud", "https://image1.evil.cloud/x.webp", false},
		{"https://imgapi.cloudokyo.cloud", "https://image1.cloudokyo.cloud.evil.com/x.webp", false},
		{"https://imgapi.cloudokyo.cloud", "https://cdn.cloudokyo.cloud/x.webp", false},
		{"https://imgapi.cloudokyo.cloud", "https://a.image1.cloudokyo.cloud/x.webp", false},
		{"https://imgapi.cloudokyo.cloud", "file:///tmp/x.png", false},
		{"https://imgapi.cloudokyo.cloud", "x.png", false},
		{"http://127.0.0.1:4567", "http://127.0.0.1:4567/image/ab/960.webp", true},
		{"http://127.0.0.1:4567", "http://127.0.0.1:4568/image/ab/960.webp", false},
		{"http://127.0.0.1:4567", "https://image1.cloudokyo.cloud/x.webp", false},
		{"http://imgapi.localhost:9000", "http://image1.localhost/x.webp", false},
	} {
		if got := article.IsCDNURL(tc.api, tc.src); got != tc.want {
			t.Errorf("IsCDNURL(%q, %q) = %v, want %v", tc.api, tc.src, got, tc.want)
		}
	}
}

func TestDraftFromFile(t *testing.T) {
	dir := t.TempDir()
	md := filepath.Join(dir, "My post.md")
	os.WriteFile(md, []byte("# The *real* title\n\nSome *text* ![pic](img/a.png)\n"), 0o644)
	d, err := article.DraftFromFile(md, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// A Markdown file stays Markdown, titled by its first heading, which
	// leaves the body.
	if d.Title != "The real title" || d.BaseDir != dir || d.ID == "" || d.Category != "cat22" || !article.IsMarkdown(d) {
		t.Fatalf("draft %+v", d)
	}
	if d.Markdown != "Some *text* ![pic](img/a.png)\n" || d.HTML != "" {
		t.Fatalf("markdown %q, html %q", d.Markdown, d.HTML)
	}
	body, err := article.Body(d)
	if imgs := article.Images(body); err != nil || len(imgs) != 1 || imgs[0] != "img/a.png" || !strings.Contains(body, "<em>text</em>") {
		t.Fatalf("body %q %v", body, err)
	}
	// No heading: the file name; HTML stays HTML, sanitized.
	os.WriteFile(md, []byte("Just text.\n"), 0o644)
	if d, _ := article.DraftFromFile(md, time.Now()); d.Title != "My post" || d.Markdown != "Just text.\n" {
		t.Fatalf("no heading: %+v", d)
	}
	page := filepath.Join(dir, "page.html")
	os.WriteFile(page, []byte("<h1>Page</h1><script>x()</script>"), 0o644)
	if d, _ := article.DraftFromFile(page, time.Now()); d.Title != "page" || article.IsMarkdown(d) || d.HTML != P("<strong>Page</strong>") {
		t.Fatalf("html file: %+v", d)
	}
	if _, err := article.DraftFromFile(filepath.Join(dir, "x.txt"), time.Now()); err == nil {
		t.Fatal("a .txt file became a draft")
	}
	dup := article.Duplicate(d, time.Now())
	if dup.ID == d.ID || dup.Title != "The real title (copy)" || dup.ContentID != "" || dup.Markdown != d.Markdown || !article.IsMarkdown(dup) {
		t.Fatalf("duplicate %+v", dup)
	}
}

// A Markdown draft is sent as the subset, its local pictures uploaded as
// for HTML; an old draft (no format) is HTML.
func TestPublishMarkdownDraft(t *testing.T) {
	e := newPubEnv(t)
	poster := e.png(t, "poster.png", 1)
	e.png(t, "pics/a b.png", 2)
	d := article.NewDraft(time.Now())
	d.Title, d.BaseDir, d.PosterPath = "Written in Markdown", e.dir, poster
	d.Format = persist.FormatMarkdown
	d.Markdown = "## Hello\n\nA **bold** start,\nand [a link](https://example.com).\n\n![A picture](<pics/a b.png>)\n\n- one\n- two"
	d.HTML = "<p>not this</p>"
	got, err := e.pub.Publish(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	text := e.content(t, got.ContentID).Fields["meta"].(map[string]any)["text"].(string)
	srcs := imgSrcs(t, e.content(t, got.ContentID))
	if len(srcs) != 1 || !article.IsCDNURL(e.env.Hosts.Image, srcs[0]) {
		t.Fatalf("images %q", srcs)
	}
	want := doc(P("<strong>Hello</strong>"), P("A <strong>bold</strong> start, and "+A("https://example.com", "a link")+"."),
		P(`<img src="`+srcs[0]+`" alt="A picture" />`), P("• one"), P("• two"))
	if text != want {
		t.Fatalf("meta.text\n got %s\nwant %s", text, want)
	}
	if got.Markdown != d.Markdown || !article.IsMarkdown(got) || got.Images["pics/a%20b.png"] != srcs[0] {
		t.Fatalf("the draft after publishing: %+v", got)
	}
	d.Format = ""
	if err := e.pub.Validate(d, false); err != nil {
		t.Fatalf("the same draft as HTML: %v", err)
	}
}

func TestUpdateAfterThePicturesMoved(t *testing.T) {
	e := newPubEnv(t)
	poster := e.png(t, "poster.png", 1)
	pic := e.png(t, "pics/a.png", 2)
	d := article.NewDraft(time.Now())
	d.Title, d.BaseDir, d.PosterPath = "Moving pictures", e.dir, poster
	d.HTML = `<p>before</p><img src="pics/a.png" alt="A">`
	got, err := e.pub.Publish(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	// The draft remembers what each local source was sent as.
	if u := got.Images["pics/a.png"]; !article.IsCDNURL(e.env.Hosts.Image, u) {
		t.Fatalf("draft image map %v", got.Images)
	}
	srcs := imgSrcs(t, e.content(t, got.ContentID))

	if err := os.Remove(pic); err != nil {
		t.Fatal(err)
	}
	got.HTML += "<p>after</p>"
	if _, err := e.pub.Update(context.Background(), got); err != nil {
		t.Fatalf("update after the picture moved: %v", err)
	}
	if after := imgSrcs(t, e.content(t, got.ContentID)); !slices.Equal(after, srcs) {
		t.Fatalf("image src changed from %v to %v", srcs, after)
	}
	if st := e.env.Sandbox.Stats(); st.Images != 2 {
		t.Fatalf("pictures uploaded again: %d uploads", st.Images)
	}
	// A picture never sent and missing is still an error naming it.
	got.HTML += `<img src="pics/never.png">`
	if _, err := e.pub.Update(context.Background(), got); err == nil || !strings.Contains(err.Error(), "never.png") {
		t.Fatalf("a missing, never-sent picture: %v", err)
	}
}

// Pictures remembered from an earlier article that the image host has
// forgotten since (a CDN purge, a restarted sandbox) do not break the next
// publish: the refused add-content is sent once more with the poster and
// the pictures uploaded again, and the new URLs are remembered.
func TestPublishUploadsForgottenPicturesAgain(t *testing.T) {
	e := newPubEnv(t)
	e.png(t, "poster.png", 1)
	e.png(t, "a.png", 2)
	draft := func(title string) persist.Draft {
		d := article.NewDraft(time.Now())
		d.Title, d.BaseDir, d.PosterPath = title, e.dir, filepath.Join(e.dir, "poster.png")
		d.HTML = `<p>Text</p><p><img src="a.png" alt="A"></p>`
		return d
	}
	first, err := e.pub.Publish(context.Background(), draft("First"))
	if err != nil {
		t.Fatal(err)
	}
	e.env.Sandbox.ForgetImages()
	second, err := e.pub.Publish(context.Background(), draft("Second"))
	if err != nil {
		t.Fatalf("publishing with forgotten pictures: %v", err)
	}
	if second.PosterURL == first.PosterURL || e.content(t, second.ContentID).Fields["poster_url"] != second.PosterURL {
		t.Fatalf("the poster was not uploaded again: %s", second.PosterURL)
	}
	st := e.env.Sandbox.Stats()
	if st.Images != 4 || st.AddContent != 2 {
		t.Fatalf("want poster and picture uploaded twice each, two articles: %+v", st)
	}
	if _, err := e.pub.Publish(context.Background(), draft("Third")); err != nil {
		t.Fatal(err)
	}
	if st := e.env.Sandbox.Stats(); st.Images != 4 {
		t.Fatalf("the new URLs were not remembered: %d image uploads", st.Images)
	}
}
