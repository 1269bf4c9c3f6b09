package article_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gjw-uploader/gjw-uploader/core/article"
)

// P wraps inline HTML in the guide's paragraph.
func P(inner string) string { return `<p style="margin-left:0px;">` + inner + `</p>` }

// doc joins paragraphs the way Sanitize does.
func doc(paras ...string) string { return strings.Join(paras, "\n") }

// A is the guide's link.
func A(href, text string) string {
	return `<a target="_blank" rel="noopener noreferrer" href="` + href + `">` + text + `</a>`
}

const spacer = `<p style="margin-left:0px;">&nbsp;</p>`

const wordPaste = `<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8">
<meta name=Generator content="Microsoft Word 15">
<!--[if gte mso 9]><xml><o:OfficeDocumentSettings><o:AllowPNG/></o:OfficeDocumentSettings></xml><![endif]-->
<style>
<!-- p.MsoNormal {margin:0in; font-size:11.0pt; font-family:"Calibri",sans-serif;} -->
</style>
</head>
<body lang=EN-US style='tab-interval:.5in;word-wrap:break-word'>
<!--StartFragment-->
<div class=WordSection1>
<p class=MsoNormal><b><span style='font-size:14.0pt;mso-bidi-font-size:11.0pt'>Annual Report<o:p></o:p></span></b></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoNormal>Results were <i style='mso-bidi-font-style:normal'>very</i> good<span style='mso-spacerun:yes'>  </span>this
year.<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-.25in;mso-list:l0 level1 lfo1'><![if !supportLists]><span
style='font-family:Symbol;mso-fareast-font-family:Symbol'><span style='mso-list:Ignore'>·<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>First
point<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-.25in;mso-list:l1 level1 lfo2'><![if !supportLists]><span
style='mso-list:Ignore'>2.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp; </span></span><![endif]>Second
point<o:p></o:p></p>
<p class=MsoNormal><span style='mso-no-proof:yes'><!--[if gte vml 1]><v:shape id="Picture_x0020_1" type="#_x0000_t75"><v:imagedata
src="file:///C:/Users/ann/AppData/Local/Temp/msohtmlclip1/01/clip_image001.png" o:title=""/></v:shape><![endif]--><![if !vml]><img
width=200 height=100 src="file:///C:/Users/ann/AppData/Local/Temp/msohtmlclip1/01/clip_image002.png" v:shapes="Picture_x0020_1"><![endif]></span><o:p></o:p></p>
<p class=MsoNormal><u>Underlined</u> and <a href="https://example.com/report">a link</a><o:p></o:p></p>
</div>
<!--EndFragment-->
</body>
</html>`

var sanitizeCases = []struct {
	name, in, want string
}{
	{"empty", "", ""},
	{"only white space", " \n\t ", ""},
	{"plain text is wrapped", "Hello, world.", P("Hello, world.")},
	{
		"already clean is unchanged",
		doc(P(`First <strong>bold</strong>, <em>it</em>, <u>un</u> and `+A("https://example.com", "link")+"."), spacer,
			P(`<img src="https://image1-us-east.cloudokyo.cloud/image/v14/x/960.webp" alt="Description" />`)),
		doc(P(`First <strong>bold</strong>, <em>it</em>, <u>un</u> and `+A("https://example.com", "link")+"."), spacer,
			P(`<img src="https://image1-us-east.cloudokyo.cloud/image/v14/x/960.webp" alt="Description" />`)),
	},
	{
		"guide example",
		`<p style="margin-left:0px;">
  First paragraph of the article with <strong>bold text</strong> and a
  <a target="_blank" rel="noopener noreferrer" href="https://example.com">link</a>.
</p>
<p style="margin-left:0px;">&nbsp;</p>
<p style="margin-left:0px;">Second paragraph continues the article content.</p>`,
		doc(P(`First paragraph of the article with <strong>bold text</strong> and a `+A("https://example.com", "link")+"."),
			spacer, P("Second paragraph continues the article content.")),
	},
	{"script removed with its content", `<p>Hello</p><script>alert("x")</script><p>World</p>`, doc(P("Hello"), P("World"))},
	{"style removed with its content", `<style>p{color:red}</style>Text`, P("Text")},
	{"script inside paragraph", `<p>a<script>document.cookie</script>b</p>`, P("ab")},
	{
		"img onerror",
		`<img src="https://cdn.example.com/a.png" onerror="alert(1)" alt="A">`,
		P(`<img src="https://cdn.example.com/a.png" alt="A" />`),
	},
	{"img without src", `<p>x<img onerror="alert(1)" src="">y</p>`, P("xy")},
	{"img javascript src", `<p>x<img src="javascript:alert(1)" alt="no"></p>`, P("x")},
	{"img data src", `<p>x <img src="data:image/png;base64,iVBORw0KGgo=" alt="inline"></p>`, P("x")},
	{"javascript link keeps text", `<a href="javascript:alert(1)">click me</a>`, P("click me")},
	{"obfuscated javascript links", `<a href=" JaVaScRiPt:alert(1)">a</a> <a href="java&#x09;script:alert(1)">b</a> <a href="&#106;avascript:alert(1)">c</a>`, P("a b c")},
	{"data link keeps text", `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>`, P("data")},
	{"vbscript and relative links keep text", `<a href="vbscript:msgbox(1)">v</a> <a href="/about">rel</a> <a href="#top">frag</a>`, P("v rel frag")},
	{
		"links get the guide's attributes",
		`<a href="https://example.com/?a=1&amp;b=2" title="t" target="_self" rel="nofollow" onclick="x()">x</a> <a href="mailto:ann@example.com">mail</a>`,
		P(A("https://example.com/?a=1&amp;b=2", "x") + " " + A("mailto:ann@example.com", "mail")),
	},
	{"protocol-relative link becomes https", `<a href="//example.com/x">x</a>`, P(A("https://example.com/x", "x"))},
	{"url spaces are escaped", `<a href=" https://example.com/a b?q=c d ">x</a>`, P(A("https://example.com/a%20b?q=c%20d", "x"))},
	{
		"event handlers and styles dropped",
		`<p style="color:red;margin-left:20px" onclick="steal()" class="x" id="y">text</p>`,
		P("text"),
	},
	{"comments dropped", `<p>a<!-- secret -->b</p><!-- x -->`, P("ab")},
	{"iframe object embed form controls dropped", `<p>a<iframe src="https://evil"></iframe><object data="x">fallback</object><embed src="y"><input type="text" value="v"><button>Go</button><select><option>o</option></select><textarea>t</textarea>b</p>`, P("ab")},
	{"svg and math dropped", `<p>a<svg><script>alert(1)</script><text>svg text</text></svg><math><mi>x</mi></math>b</p>`, P("ab")},
	{"b i map to strong em", `<b>bold</b> <i>italic</i> <u>under</u> <strong><em><u>all</u></em></strong>`, P(`<strong>bold</strong> <em>italic</em> <u>under</u> <strong><em><u>all</u></em></strong>`)},
	{"nesting is canonical", `<u><em><b>x</b></em></u><i>y<b>z</b></i>`, P(`<strong><em><u>x</u></em></strong><em>y</em><strong><em>z</em></strong>`)},
	{"formatting inside link", `<b><a href="https://e.com">x</a></b>`, P(A("https://e.com", "<strong>x</strong>"))},
	{"nested unsupported tags", `<div><section><span><font color=red><b>Bold <i>both</i></b></font></span> <sup>1</sup><del>old</del><code>c</code></section></div>`, P(`<strong>Bold <em>both</em></strong> 1oldc`)},
	{"div soup", `<div>one<div>two</div>three</div><div></div><div>   </div><div><div><div>deep</div></div></div>`, doc(P("one"), P("two"), P("three"), P("deep"))},
	{"text outside paragraphs", `intro<p>para</p>tail <b>bold</b>`, doc(P("intro"), P("para"), P("tail <strong>bold</strong>"))},
	{"nested p flattened", `<p>a<p>b</p></p><p>c</p>`, doc(P("a"), P("b"), spacer, P("c"))},
	{"lists", `<ul><li>one</li><li><p>two</p><ul><li>sub</li></ul></li></ul><ol start="3"><li>three</li><li>four</li></ol><ol><li>x</li></ol><li>stray</li>`, doc(P("• one"), P("• two"), P("• sub"), P("3. three"), P("4. four"), P("1. x"), P("• stray"))},
	{"empty list item dropped", `<ul><li></li><li>a</li></ul>`, P("• a")},
	{"headings are bold paragraphs", `<h1>Title</h1><h2>Sub <i>it</i></h2><h3 style="font-weight:normal">plain</h3>`, doc(P("<strong>Title</strong>"), P("<strong>Sub <em>it</em></strong>"), P("plain"))},
	{"blockquote and table cells", `<blockquote>quoted</blockquote><table><tr><th>h</th><td>c1</td></tr><tr><td><b>c2</b></td><td></td></tr></table>`, doc(P("quoted"), P("h"), P("c1"), P("<strong>c2</strong>"))},
	{"br splits lines", `line1<br>line2<br/>line3<br>`, doc(P("line1"), P("line2"), P("line3"))},
	{"double br is a spacer", `<p>a<br><br>b</p>`, doc(P("a"), spacer, P("b"))},
	{"br keeps formatting", `<b>a<br>b</b>`, doc(P("<strong>a</strong>"), P("<strong>b</strong>"))},
	{"editor blank line", `<p>a</p><p><br></p><p>b</p><div><br></div><div>c</div>`, doc(P("a"), spacer, P("b"), spacer, P("c"))},
	{"explicit spacers kept", `<p>a</p><p></p><p>&nbsp;</p><p> &nbsp; </p><p>b</p>`, doc(P("a"), spacer, spacer, spacer, P("b"))},
	{"no spacers from white space", "<p>a</p>\n\n   \n<p>b</p>\n<div> </div>\n<div>\n</div>", doc(P("a"), P("b"))},
	{"leading and trailing spacers dropped", `<p>&nbsp;</p><p>a</p><p></p>`, P("a")},
	{"hr is a spacer", `<p>a</p><hr><p>b</p>`, doc(P("a"), spacer, P("b"))},
	{"white space collapses across elements", "<p>  a  <b> b </b>  c\n\td </p>", P("a <strong>b </strong>c d")},
	{"nbsp is kept", `<p>&nbsp;&nbsp;indented&nbsp;</p>`, P("&nbsp;&nbsp;indented&nbsp;")},
	{"non-ASCII", `<p>中文標題 😀 café naïve — Ünïcödé</p>`, P("中文標題 😀 café naïve — Ünïcödé")},
	{"entities", `<p>Tom &amp; Jerry &lt;b&gt; &quot;q&quot; &#39;s&#39; &copy; &#x4E2D; &nbsp;x</p>`, P(`Tom &amp; Jerry &lt;b&gt; "q" 's' © 中 &nbsp;x`)},
	{"raw ampersand and angle", `a & b < c > d`, P("a &amp; b &lt; c &gt; d")},
	{"invalid utf-8", "a\xffb", P("a\uFFFDb")},
	{"word paste", wordPaste, doc(
		P("<strong>Annual Report</strong>"),
		spacer,
		P("Results were <em>very</em> good this year."),
		P("• First point"),
		P("2. Second point"),
		P(`<img src="file:///C:/Users/ann/AppData/Local/Temp/msohtmlclip1/01/clip_image002.png" alt="" />`),
		P("<u>Underlined</u> and "+A("https://example.com/report", "a link")),
	)},
	{
		"google docs paste",
		`<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-abc"><p dir="ltr" style="line-height:1.38;margin-top:0pt;"><span style="font-size:11pt;font-weight:700;">Bold</span><span style="font-weight:400;"> and </span><span style="font-style:italic;font-weight:400;">italic</span><span style="text-decoration:underline;font-weight:400;"> under</span></p><br><p dir="ltr"><a href="https://example.com" style="text-decoration:none;"><span style="color:#1155cc;text-decoration:underline;">link</span></a></p></b>`,
		doc(P("<strong>Bold</strong> and <em>italic</em><u> under</u>"), spacer, P(A("https://example.com", "link"))),
	},
	{
		"conditional comments",
		`<!--[if gte mso 9]><xml><w:WordDocument>secret</w:WordDocument></xml><![endif]--><p>a<!--[if !supportLists]-->b<!--[endif]--></p>`,
		P("ab"),
	},
	{
		"images keep position and alt",
		`<p>Look: <img src="images/a b.png" alt=" A  picture&quot; "> here <a href="https://e.com"><img src="https://cdn.e.com/x.webp"></a></p>`,
		P(`Look: <img src="images/a%20b.png" alt="A picture&quot;" /> here ` + A("https://e.com", `<img src="https://cdn.e.com/x.webp" alt="" />`)),
	},
	{"windows path image", `<img src="C:\Users\me\pic.jpg">`, P(`<img src="file:///C:/Users/me/pic.jpg" alt="" />`)},
	{"pre keeps lines and indentation", "<pre>func f() {\n\treturn  1\n\n}\n</pre>", doc(P("func f() {"), P("&nbsp;&nbsp;&nbsp;&nbsp;return &nbsp;1"), spacer, P("}"))},
	{"checkboxes", `<ul><li><input type="checkbox" checked> done</li><li><input type="checkbox"> todo</li></ul>`, doc(P("• ☑ done"), P("• ☐ todo"))},
	{"full document", `<!DOCTYPE html><html><head><title>T</title></head><body><nav>menu</nav><article><h1>H</h1><p>p</p></article></body></html>`, doc(P("menu"), P("<strong>H</strong>"), P("p"))},
}

func TestSanitize(t *testing.T) {
	for _, tc := range sanitizeCases {
		t.Run(tc.name, func(t *testing.T) {
			got := article.Sanitize(tc.in)
			if got != tc.want {
				t.Errorf("Sanitize(%q)\n got: %s\nwant: %s", tc.in, got, tc.want)
			}
			if err := article.InSubset(got); err != nil {
				t.Errorf("InSubset: %v", err)
			}
			if again := article.Sanitize(got); again != got {
				t.Errorf("not idempotent:\n once: %s\ntwice: %s", got, again)
			}
		})
	}
}

func TestInSubset(t *testing.T) {
	ok := []string{
		"",
		P("x"),
		"\n" + P("a") + "\n\n" + spacer + "\n",
		P(`<a href="https://e.com" rel="noopener noreferrer" target="_blank"><strong>x</strong><img src="a.png" /></a>`),
		P(`<u><em><strong>x</strong></em></u>`),
		P(`<img src="https://e.com/a.png" alt="a">`),
	}
	for _, s := range ok {
		if err := article.InSubset(s); err != nil {
			t.Errorf("InSubset(%q) = %v, want nil", s, err)
		}
	}
	bad := []struct{ in, want string }{
		{"text", "text outside <p>"},
		{P("a") + "b", "text outside <p>"},
		{`<p>x</p>`, `<p> needs style`},
		{`<p style="margin-left:10px;">x</p>`, `<p> needs style`},
		{`<p style="margin-left:0px;" class="c">x</p>`, `attribute class on <p>`},
		{P(P("x")), "nested <p>"},
		{P("<div>x</div>"), "element <div>"},
		{P("<b>x</b>"), "element <b>"},
		{P("a<br>b"), "element <br>"},
		{"<strong>x</strong>", "<strong> outside <p>"},
		{P(`<a href="https://e.com">x</a>`), `target="_blank"`},
		{P(`<a target="_blank" rel="noopener" href="https://e.com">x</a>`), `rel="noopener noreferrer"`},
		{P(`<a target="_blank" rel="noopener noreferrer">x</a>`), "without href"},
		{P(`<a target="_blank" rel="noopener noreferrer" href="javascript:alert(1)">x</a>`), "is not http(s) or mailto"},
		{P(`<a target="_blank" rel="noopener noreferrer" href="/rel">x</a>`), "is not http(s) or mailto"},
		{P(`<a target="_blank" rel="noopener noreferrer" href="https://e.com" title="t">x</a>`), "attribute title on <a>"},
		{P(`<img src="data:image/png;base64,AAAA" alt="" />`), "<img> src"},
		{P(`<img alt="" />`), "<img> without src"},
		{P(`<img src="a.png" onerror="x()" />`), "attribute onerror"},
		{P(`<strong class="x">a</strong>`), "attribute class on <strong>"},
		{P("<strong>a</em>"), "unexpected </em>"},
		{`<p style="margin-left:0px;">a`, "<p> not closed"},
		{P("<!-- c -->"), "comment"},
		{"<!DOCTYPE html>" + P("x"), "doctype"},
		{P("<script>x</script>"), "element <script>"},
		{`<p style="margin-left:0px;"/>`, "self-closing"},
		{`<p style="margin-left:0px;" style="margin-left:0px;">x</p>`, "duplicate attribute"},
	}
	for _, tc := range bad {
		err := article.InSubset(tc.in)
		if err == nil {
			t.Errorf("InSubset(%q) = nil, want error containing %q", tc.in, tc.want)
			continue
		}
		if !errors.Is(err, article.ErrNotInSubset) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("InSubset(%q) = %v, want ErrNotInSubset containing %q", tc.in, err, tc.want)
		}
	}
}

func TestText(t *testing.T) {
	in := `<h1>Title</h1><p>First &amp; <b>bold</b>&nbsp;x</p><p>&nbsp;</p><p><img src="a.png" alt="pic"></p><ul><li>item</li></ul>`
	want := "Title\n\nFirst & bold x\n\n• item"
	if got := article.Text(in); got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
	if got := article.Text(""); got != "" {
		t.Errorf("Text(\"\") = %q", got)
	}
}
