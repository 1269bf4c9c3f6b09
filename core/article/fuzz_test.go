package article_test

import (
	"html"
	"math/rand"
	"strings"
	"testing"

	"github.com/gjw-uploader/gjw-uploader/core/article"
)

// checkSanitize asserts the properties every Sanitize result must have.
func checkSanitize(t *testing.T, in string) {
	t.Helper()
	out := article.Sanitize(in)
	if err := article.InSubset(out); err != nil {
		t.Fatalf("InSubset(Sanitize(%q)) = %v\noutput: %s", in, err, out)
	}
	if again := article.Sanitize(out); again != out {
		t.Fatalf("Sanitize not idempotent for %q\n once: %s\ntwice: %s", in, out, again)
	}
	same, err := article.RewriteImages(in, func(src string) (string, error) { return src, nil })
	if err != nil || same != out {
		t.Fatalf("RewriteImages(%q, identity) = %q, %v; want Sanitize's %q", in, same, err, out)
	}
	for _, src := range article.Images(out) {
		if _, local := article.LocalPath(src); local == article.IsRemote(src) {
			t.Fatalf("image %q: LocalPath ok = %v, IsRemote = %v", src, local, article.IsRemote(src))
		}
	}
	_ = article.Parse(in)
	_ = article.Text(in)
}

func checkMarkdown(t *testing.T, in string) {
	t.Helper()
	out, err := article.FromMarkdown(in)
	if err != nil {
		t.Fatalf("FromMarkdown(%q): %v", in, err)
	}
	if err := article.InSubset(out); err != nil {
		t.Fatalf("InSubset(FromMarkdown(%q)) = %v\noutput: %s", in, err, out)
	}
}

// checkToMarkdown asserts that ToMarkdown loses nothing: its Markdown
// converts back to the sanitized HTML (but for emphasis on spaces at the
// ends of a run, which it moves out).
func checkToMarkdown(t *testing.T, in string) {
	t.Helper()
	md := article.ToMarkdown(in)
	back, err := article.FromMarkdown(md)
	if want := article.Sanitize(in); err != nil || !article.Equivalent(back, want) {
		t.Fatalf("FromMarkdown(ToMarkdown(%q)) = %q, %v\nMarkdown: %q\nwant:     %q", in, back, err, md, want)
	}
}

// pieces are the tokens randomHTML builds from: the structures that are
// hard for a byte-level mutator to find.
var pieces = []string{
	"<p>", "</p>", "<div>", "</div>", "<b>", "</b>", "<i>", "</i>", "<u>", "</u>", "<strong>", "</strong>", "<em>", "</em>",
	`<a href="https://e.com/x">`, `<a href="mailto:a@b">`, `<a href="javascript:x">`, "</a>", `<a href=" //h/p q ">`,
	"<br>", "<br/>", "<hr>", " ", "  ", "\n", "\t", "&nbsp;", "\u00a0", "x", "yz", "&amp;", "&lt;", "<", ">", "&",
	`<img src="a.png">`, `<img src="https://c/d.webp" alt=" q ">`, `<img src="data:x">`, `<img src="C:\a\b c.png">`,
	"<ul>", "</ul>", "<ol start=2>", "</ol>", "<li>", "</li>", "<h1>", "</h1>", "<pre>", "</pre>",
	"<table>", "<tr>", "<td>", "</td>", "</table>", "<script>", "</script>", "<style>", "</style>", "<!--", "-->",
	`<span style="font-weight:bold">`, `<span style="font-weight:normal">`, `<span style="text-decoration:underline">`, "</span>",
	`<span style="mso-list:Ignore">`, "·", "<o:p>", "</o:p>", "<![if !x]>", "<![endif]>", `<b style="font-weight:normal">`,
	`<p style="margin-left:0px;">`, `<p style="margin-left:0px;">&nbsp;</p>`, "<blockquote>", "</blockquote>",
	"<input type=checkbox checked>", "<button>", "</button>", "<svg>", "</svg>", "<textarea>", "</textarea>",
	"<code>", "</code>", "\r", "\x00", "\xff", "中", "😀", "<font>", "</font>", "<xmp>", "</xmp>", "<plaintext>",
	"<noscript>", "<template>", "<select>", "<!DOCTYPE html>", "<html>", "<body>", "<head>", "<title>", "</title>",
	"# ", "- ", "1. ", "> ", "*", "**", "_", "`", "```\n", "[l](https://e.com)", "![i](a.png)", "\\\n", "  \n", "---\n",
}

func randomHTML(r *rand.Rand) string {
	var b strings.Builder
	for n := r.Intn(25); n > 0; n-- {
		b.WriteString(pieces[r.Intn(len(pieces))])
	}
	return b.String()
}

// TestRandomStructure runs the fuzz properties on inputs assembled from
// whole tags; it is deterministic.
func TestRandomStructure(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for range n {
		in := randomHTML(r)
		checkSanitize(t, in)
		checkMarkdown(t, in)
		checkToMarkdown(t, in)
	}
}

func FuzzSanitize(f *testing.F) {
	for _, tc := range sanitizeCases {
		f.Add(tc.in)
	}
	f.Add(imagesDoc)
	r := rand.New(rand.NewSource(2))
	for range 50 {
		f.Add(randomHTML(r))
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSanitize(t, in)
		checkToMarkdown(t, in)
	})
}

func FuzzFromMarkdown(f *testing.F) {
	for _, tc := range markdownCases {
		f.Add(tc.in)
	}
	for _, tc := range sanitizeCases {
		f.Add(tc.in)
	}
	r := rand.New(rand.NewSource(3))
	for range 50 {
		f.Add(randomHTML(r))
	}
	f.Fuzz(checkMarkdown)
}

// FuzzURLs puts one string in every URL attribute and in alt.
func FuzzURLs(f *testing.F) {
	for _, s := range []string{
		"https://e.com/a b?q=ü#x", "//h/p", `C:\a\b.png`, "file:///x", "file://server/share/x.png", "a.png",
		"mailto:x@y", "https://例え.jp/", "http://[::1]/", "https://h/%zz", "../a%2", "?x", "#", "HTTPS://H/%41",
		"java\tscript:alert(1)", " data:image/png;base64,AAAA",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, u string) {
		e := html.EscapeString(u)
		doc := `<a href="` + e + `">x</a><img src="` + e + `" alt="` + e + `"><a href="` + e + `"><img src="` + e + `"></a>`
		checkSanitize(t, doc)
		checkToMarkdown(t, doc)
	})
}
