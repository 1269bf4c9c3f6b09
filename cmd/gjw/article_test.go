package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/article"
	"github.com/gjw-uploader/gjw-uploader/core/sandbox/sandboxtest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// articleCLI is gjw on a fresh data folder, signed in to a sandbox.
type articleCLI struct {
	env *sandboxtest.Env
	dir string // article files
}

func newArticleCLI(t *testing.T) *articleCLI {
	env := sandboxtest.New(t)
	data := t.TempDir()
	t.Setenv("GJW_DATA_DIR", data)
	for k, v := range env.Vars() {
		t.Setenv(k, v)
	}
	db, err := persist.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	env.SignIn(t, db)
	db.Close()
	return &articleCLI{env: env, dir: t.TempDir()}
}

func (c *articleCLI) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func (c *articleCLI) file(t *testing.T, name, content string) string {
	p := filepath.Join(c.dir, name)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestArticleCLIMarkdownPublishAndUpdate(t *testing.T) {
	c := newArticleCLI(t)
	os.MkdirAll(filepath.Join(c.dir, "img"), 0o755)
	sandboxtest.WritePNG(t, filepath.Join(c.dir, "img", "one.png"), 1)
	sandboxtest.WritePNG(t, filepath.Join(c.dir, "two.png"), 2)
	poster := sandboxtest.WritePNG(t, filepath.Join(c.dir, "cover.png"), 3)
	md := c.file(t, "post.md", "# Hello\n\nSome **bold** and a [link](https://example.com).\n\n![one](img/one.png)\n\n"+
		"![two](two.png) and ![one again](./img/one.png)\n\n<script>alert(1)</script>\n")

	code, out, errOut := c.run(t, "article", "publish", md, "--title", "From Markdown", "--poster", poster,
		"--description", "desc", "--hashtags", "go, #fyne", "--keywords", "a,b", "--visibility", "unlisted", "--kids", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		ContentID string `json:"content_id"`
		URL       string `json:"url"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.ContentID == "" || res.URL != "https://www.ganjingworld.com/news/"+res.ContentID {
		t.Fatalf("json %q: %v", out, err)
	}
	if st := c.env.Sandbox.Stats(); st.Images != 3 || st.AddContent != 1 {
		t.Fatalf("stats %+v", st)
	}
	content, _ := c.env.Sandbox.Content(res.ContentID)
	before := content.Fields
	text := before["meta"].(map[string]any)["text"].(string)
	if strings.Contains(text, "img/") || strings.Contains(text, "script") || !strings.Contains(text, "<strong>bold</strong>") {
		t.Fatalf("meta.text %q", text)
	}
	var srcs []string
	for _, b := range article.Parse(text) {
		if b.Image != nil {
			srcs = append(srcs, b.Image.Src)
		}
	}
	if len(srcs) != 3 || srcs[0] != srcs[2] || srcs[0] == srcs[1] || !strings.HasPrefix(srcs[1], c.env.Hosts.Image) {
		t.Fatalf("srcs %q", srcs)
	}
	for k, v := range map[string]any{"title": "From Markdown", "hashtags": []any{"#go", "#fyne"}, "keywords": []any{"a", "b"},
		"visibility": "unlisted", "made_for_kids": true, "user_made_for_kids": true, "category_id": "cat22", "lang": "en-US"} {
		if !reflect.DeepEqual(before[k], v) {
			t.Errorf("%s = %#v, want %#v", k, before[k], v)
		}
	}

	// Update with only a new title: every other field is kept, nothing is
	// uploaded again, and the plain output is the URL.
	code, out, errOut = c.run(t, "article", "update", res.ContentID, md, "--title", "Renamed")
	if code != 0 {
		t.Fatalf("update exit %d: %s", code, errOut)
	}
	if strings.TrimSpace(out) != res.URL {
		t.Fatalf("update printed %q", out)
	}
	if st := c.env.Sandbox.Stats(); st.Images != 3 || st.UpdateContent != 1 {
		t.Fatalf("stats after update %+v", st)
	}
	content, _ = c.env.Sandbox.Content(res.ContentID)
	for k, v := range before {
		want := v
		if k == "title" {
			want = "Renamed"
		}
		if !reflect.DeepEqual(content.Fields[k], want) {
			t.Errorf("after update %s = %#v, want %#v", k, content.Fields[k], want)
		}
	}
}

func TestArticleCLIErrors(t *testing.T) {
	c := newArticleCLI(t)
	poster := sandboxtest.WritePNG(t, filepath.Join(c.dir, "cover.png"), 3)
	good := c.file(t, "good.html", "<p>Hi</p>")
	outside := c.file(t, "outside.html", `<p>Hi</p><img src="https://example.com/cat.jpg">`)
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"outside image", []string{"article", "publish", outside, "--title", "T", "--poster", poster}, exitFailed, "image https://example.com/cat.jpg is not on the Gan Jing World image CDN"},
		{"past schedule", []string{"article", "publish", good, "--title", "T", "--poster", poster, "--schedule", past}, exitFailed, "schedule " + past + " is in the past"},
		{"bad schedule", []string{"article", "publish", good, "--title", "T", "--poster", poster, "--schedule", "tomorrow"}, exitUsage, `--schedule "tomorrow" is not an RFC 3339 time`},
		{"no title", []string{"article", "publish", good, "--poster", poster}, exitUsage, "needs --title"},
		{"no poster", []string{"article", "publish", good, "--title", "T"}, exitUsage, "needs --poster"},
		{"not an article", []string{"article", "publish", poster, "--title", "T", "--poster", poster}, exitFailed, "is not an article"},
		{"missing file", []string{"article", "publish", filepath.Join(c.dir, "nope.md"), "--title", "T", "--poster", poster}, exitFailed, "nope.md cannot be read"},
		{"bad visibility", []string{"article", "publish", good, "--title", "T", "--poster", poster, "--visibility", "secret"}, exitFailed, `visibility "secret" is not allowed`},
		{"update unknown", []string{"article", "update", "abc", good}, exitUsage, "needs --title"},
		{"unknown", []string{"article", "frobnicate"}, exitUsage, `unknown article command "frobnicate"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := c.run(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) || out != "" {
				t.Fatalf("exit %d (want %d), stdout %q, stderr %q (want %q)", code, tc.code, out, errOut, tc.want)
			}
			if n := strings.Count(strings.TrimSpace(errOut), "\n"); n != 0 {
				t.Fatalf("stderr is not one line: %q", errOut)
			}
		})
	}
	if st := c.env.Sandbox.Stats(); st.AddContent != 0 || st.Images != 0 {
		t.Fatalf("a refused article reached the platform: %+v", st)
	}

	// A future schedule works and prints the URL.
	future := time.Now().Add(3 * time.Hour).Format(time.RFC3339)
	code, out, errOut := c.run(t, "article", "publish", good, "--title", "Later", "--poster", poster, "--schedule", future)
	if code != 0 || !strings.HasPrefix(out, "https://www.ganjingworld.com/news/") || !strings.Contains(errOut, "scheduled for") {
		t.Fatalf("scheduled publish: %d %q %q", code, out, errOut)
	}
	// Signed out: its own exit code.
	t.Setenv("GJW_DATA_DIR", t.TempDir())
	code, _, errOut = c.run(t, "article", "publish", good, "--title", "T", "--poster", poster)
	if code != exitSignedOut || !strings.Contains(errOut, "not signed in") {
		t.Fatalf("signed out: %d %q", code, errOut)
	}
	code, out, _ = c.run(t, "article", "help")
	if code != 0 || !strings.Contains(out, "gjw article publish FILE.html|FILE.md") {
		t.Fatalf("help: %d %q", code, out)
	}
}

// An article goes to the account --to names; its update, with no --to,
// goes to the same channel.
func TestArticleCLIPublishesThroughTheNamedAccount(t *testing.T) {
	c := newArticleCLI(t)
	second := c.env.Sandbox.NewChannel("articles-channel")
	if code, _, errOut := c.run(t, "account", "add", "gjw", "--name", "news", "--access-token", second.AccessToken,
		"--refresh-token", second.RefreshToken, "--channel", second.ChannelID); code != 0 {
		t.Fatalf("account add: %s", errOut)
	}
	poster := sandboxtest.WritePNG(t, filepath.Join(c.dir, "cover.png"), 3)
	html := c.file(t, "post.html", "<p>Hello</p>")
	code, out, errOut := c.run(t, "article", "publish", html, "--title", "To news", "--poster", poster, "--to", "news", "--json")
	if code != 0 {
		t.Fatalf("publish: exit %d: %s", code, errOut)
	}
	var res struct {
		ContentID string `json:"content_id"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.env.Sandbox.Content(res.ContentID); !ok || got.ChannelID != "articles-channel" {
		t.Fatalf("content %s on channel %q, want articles-channel", res.ContentID, got.ChannelID)
	}
	if code, _, errOut := c.run(t, "article", "update", res.ContentID, html, "--title", "To news, edited"); code != 0 {
		t.Fatalf("update: exit %d: %s", code, errOut)
	}
	got, _ := c.env.Sandbox.Content(res.ContentID)
	if got.Fields["title"] != "To news, edited" || c.env.Sandbox.Stats().UpdateContent != 1 {
		t.Fatalf("update did not reach the article's channel: %+v", got.Fields["title"])
	}
	if code, _, errOut := c.run(t, "article", "publish", html, "--title", "x", "--poster", poster, "--to", "nobody"); code == 0 || !strings.Contains(errOut, "nobody") {
		t.Fatalf("--to an unknown account: exit %d: %s", code, errOut)
	}
}
