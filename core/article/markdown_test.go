package article_test

import (
	"testing"

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
