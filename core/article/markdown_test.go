package article_test

import (
	"testing"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/article"
)

var markdownCases = []struct {
	name, in, want string
}{
	{"empty", "", ""},
	{"paragraphs", "First line\nsame paragraph.\n\nSecond.", doc(P("First line same paragraph."), P("Second."))},
	{"emphasis and strong", "*em* _em_ **strong** __strong__ ***both***", P("<em>em</em> <em>em</em> <strong>strong</strong> <strong>strong</strong> <strong><em>both</em></strong>")},
	{"links", `[site](https://example.com/a?b=1&c=2 "title") [mail](mailto:a@example.com) <https://auto.example.com> [rel](/about) [js](javascript:alert(1))`,
		P(A("https://example.com/a?b=1&amp;c=2", "site") + " " + A("mailto:a@example.com", "mail") + " " + A("https://auto.example.com", "https://auto.example.com") + " rel js")},
	{"bare url is linked", "see www.example.com today", P("see " + A("http://www.example.com", "www.example.com") + " today")},
	{"images", `![A cat](images/cat 1.png) ![](<images/cat 2.png>) ![cdn](https://cdn.example.com/c.webp "t") ![x](data:image/png;base64,AAAA)`,
		P(`![A cat](images/cat 1.png) <img src="images/cat%202.png" alt="" /> <img src="https://cdn.example.com/c.webp" alt="cdn" />`)},
	{"headings", "# One\n## Two *it*\nSetext\n======", doc(P("<strong>One</strong>"), P("<strong>Two <em>it</em></strong>"), P("<strong>Setext</strong>"))},
	{"unordered list", "- a\n- **b**\n  - nested\n* c", doc(P("• a"), P("• <strong>b</strong>"), P("• nested"), P("• c"))},
	{"loose list", "- a\n\n- b\n", doc(P("• a"), P("• b"))},
	{"ordered list", "3. three\n4. four\n\n1) one", doc(P("3. three"), P("4. four"), P("1. one"))},
	{"blockquote", "> quoted *text*\n>\n> second", doc(P("quoted <em>text</em>"), P("second"))},
	{"code span", "use `a < b && c` here", P("use a &lt; b &amp;&amp; c here")},
	{"fenced code", "```go\nfunc main() {\n\tx := \"<b>\"\n}\n```", doc(P("func main() {"), P(`&nbsp;&nbsp;&nbsp;&nbsp;x := "&lt;b&gt;"`), P("}"))},
	{"indented code", "    a\n      b", doc(P("a"), P("&nbsp;&nbsp;b"))},
	{"hard breaks", "line one  \nline two\\\nline three", doc(P("line one"), P("line two"), P("line three"))},
	{"thematic break", "a\n\n---\n\nb", doc(P("a"), spacer, P("b"))},
	{"raw html goes through Sanitize", "<u>under</u> <script>alert(1)</script> <span onclick=x>s</span>\n\n<div class=x>block <b>b</b></div>", doc(P("<u>under</u> s"), P("block <strong>b</strong>"))},
	{"entities and non-ASCII", "Tom &amp; Jerry & 中文 😀 café &copy;", P("Tom &amp; Jerry &amp; 中文 😀 café ©")},
	{"no typographer", `"quotes" -- dashes... 'single'`, P(`"quotes" -- dashes... 'single'`)},
	{"strikethrough keeps text", "~~gone~~ stays", P("gone stays")},
	{"table cells become paragraphs", "| a | b |\n|---|---|\n| 1 | **2** |", doc(P("a"), P("b"), P("1"), P("<strong>2</strong>"))},
	{"task list", "- [x] done\n- [ ] todo", doc(P("• ☑ done"), P("• ☐ todo"))},
}

func TestFromMarkdown(t *testing.T) {
	for _, tc := range markdownCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := article.FromMarkdown(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("FromMarkdown(%q)\n got: %s\nwant: %s", tc.in, got, tc.want)
			}
			if err := article.InSubset(got); err != nil {
				t.Errorf("InSubset: %v", err)
			}
		})
	}
}

// ToMarkdown writes the subset as the Markdown a writer would type, and
// FromMarkdown gives back the same HTML.
func TestToMarkdown(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"paragraphs and styles", doc(P("Hello <strong>bold</strong> and <em>it</em>, <u>under</u>."), spacer, P("Second")),
			"Hello **bold** and *it*, <u>under</u>.\n\n&nbsp;\n\nSecond"},
		{"spaces stay outside emphasis", P("a<strong> b </strong>c<em> </em>d"), "a **b** c d"},
		{"bold italic", P("<strong><em>both</em></strong>"), "***both***"},
		{"links and images", P(A("https://e.com/a?b=1&amp;c=2", "site <strong>now</strong>") + ` <img src="pics/a b.png" alt="A [1]" />`),
			"[site **now**](https://e.com/a?b=1&c=2) ![A \\[1\\]](pics/a%20b.png)"},
		{"linked image", P(`<a target="_blank" rel="noopener noreferrer" href="https://e.com"><img src="https://c/d.webp" alt="" /></a>`),
			"[![](https://c/d.webp)](https://e.com)"},
		{"markup characters are text", P("2 * 3 = 6_ish [x] `c` &lt;b&gt; ~y~ &amp;amp; a&nbsp;b"),
			"2 \\* 3 = 6\\_ish \\[x\\] \\`c\\` \\<b\\> \\~y\\~ \\&amp; a&nbsp;b"},
		{"no block starts", doc(P("# not a heading"), P("- not a list"), P("12. not a list")),
			"\\# not a heading\n\n\\- not a list\n\n12\\. not a list"},
		{"no autolinks", P("www.example.com and https://e.com and a@b.co"),
			"www\\.example.com and https\\://e.com and a\\@b.co"},
		{"any HTML is sanitized first", "<h1>Title</h1><ul><li>one</li></ul><script>x</script>", "**Title**\n\n• one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := article.ToMarkdown(tc.in)
			if got != tc.want {
				t.Errorf("ToMarkdown(%q)\n got: %s\nwant: %s", tc.in, got, tc.want)
			}
			if back, _ := article.FromMarkdown(got); !article.Equivalent(back, article.Sanitize(tc.in)) {
				t.Errorf("back to HTML: %s\nwant %s", back, article.Sanitize(tc.in))
			}
		})
	}
}

func TestTitleFromMarkdown(t *testing.T) {
	for _, tc := range []struct{ in, title, body string }{
		{"# Title\n\nBody", "Title", "Body"},
		{"  ## The *real* title ##  \n\n\nBody\n", "The real title", "Body\n"},
		{"Setext title\n============\n\n  indented stays\n", "Setext title", "  indented stays\n"},
		{"Two line\nsetext &amp; more\n---\nBody", "Two line setext & more", "Body"},
		{"Intro first.\n\n# Later heading\n", "Later heading", "Intro first.\n\n# Later heading\n"},
		{"> # Quoted\n\nBody", "Quoted", "> # Quoted\n\nBody"},
		{"#\n\nEmpty heading", "", "#\n\nEmpty heading"},
		{"No heading at all", "", "No heading at all"},
		{"# Only a title", "Only a title", ""},
	} {
		title, body := article.TitleFromMarkdown(tc.in)
		if title != tc.title || body != tc.body {
			t.Errorf("TitleFromMarkdown(%q) = %q, %q; want %q, %q", tc.in, title, body, tc.title, tc.body)
		}
	}
}

// Switching a draft between HTML and Markdown converts its body; from
// HTML and back loses nothing.
func TestSetMarkdown(t *testing.T) {
	d := article.NewDraft(time.Now())
	d.HTML = `<p>Hi <b>there</b></p><p><a href="https://e.com">e</a></p>`
	if err := article.SetMarkdown(&d, true); err != nil {
		t.Fatal(err)
	}
	if !article.IsMarkdown(d) || d.HTML != "" || d.Markdown != "Hi **there**\n\n[e](https://e.com)" || article.Source(d) != d.Markdown {
		t.Fatalf("to Markdown: %+v", d)
	}
	article.SetSource(&d, d.Markdown+"\n\n# New")
	if err := article.SetMarkdown(&d, false); err != nil {
		t.Fatal(err)
	}
	want := doc(P("Hi <strong>there</strong>"), P(A("https://e.com", "e")), P("<strong>New</strong>"))
	if article.IsMarkdown(d) || d.Markdown != "" || d.HTML != want || article.Source(d) != want {
		t.Fatalf("back to HTML: %+v", d)
	}
	if err := article.SetMarkdown(&d, false); err != nil || d.HTML != want {
		t.Fatalf("HTML again changed it: %q", d.HTML)
	}
}

func TestEquivalent(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{P("a<strong> b </strong>c"), P("a <strong>b</strong> c"), true},
		{P("a<em> </em>b"), P("a b"), true},
		{P("a<strong>b</strong>"), P("ab"), false},
		{P("ab"), P("a b"), false},
		{P(`<img src="x.png" alt="1" />`), P(`<img src="x.png" alt="2" />`), false},
		{doc(P("a"), P("b")), P("a b"), false},
		{P("y" + A("https://e.com", " x")), P("y " + A("https://e.com", "x")), false},
	} {
		if got := article.Equivalent(tc.a, tc.b); got != tc.want {
			t.Errorf("Equivalent(%s, %s) = %v", tc.a, tc.b, got)
		}
	}
}
