package article

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// paraStyle is the only style a paragraph may carry, as in the guide.
const paraStyle = "margin-left:0px;"

// Sanitize reduces any HTML (a pasted web page, Word or Google Docs HTML,
// an editor's output) to the subset of meta.text described in the
// package documentation. The result is canonical: Sanitize(Sanitize(x)) ==
// Sanitize(x), and InSubset(Sanitize(x)) == nil.
func Sanitize(s string) string {
	return render(sanitizeDoc(s))
}

// sanitizeDoc is Sanitize before rendering: normalise, render, pass the
// result through bluemonday, then read what bluemonday kept.
func sanitizeDoc(s string) []para {
	gated := policy().Sanitize(render(parseDoc(s)))
	return parseDoc(gated)
}

var policy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "strong", "em", "u")
	p.AllowAttrs("style").Matching(regexp.MustCompile(`^margin-left:0px;$`)).OnElements("p")
	p.AllowAttrs("target").Matching(regexp.MustCompile(`^_blank$`)).OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^noopener noreferrer$`)).OnElements("a")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("src", "alt").OnElements("img")
	// The schemes are shared by all URL attributes; which scheme is allowed
	// on which element is enforced again when the result is read back.
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(true)
	p.AllowURLSchemes("http", "https", "mailto", "file")
	return p
})

// para is one output paragraph. An empty para is the &nbsp; spacer.
type para []inline

// inline is a run of text, an image or (only while walking) a line break.
type inline struct {
	run Run
	img *ImageRef
	br  bool
}

// format is the inherited inline state while walking the tree.
type format struct {
	bold, italic, underline bool
	link                    string
	pre                     bool
}

type listCtx struct {
	ordered bool
	next    int
}

// walker turns a parsed HTML tree into paragraphs. Inline content is
// collected in cur until a block boundary flushes it.
type walker struct {
	out    []para
	cur    []inline
	fromP  bool   // cur is the content of a <p> so far
	sawBR  bool   // cur contains a <br>
	prefix string // list marker waiting for the item's first content
	lists  []*listCtx
}

// parseDoc parses any HTML and returns its paragraphs.
func parseDoc(s string) []para {
	// NUL, like invalid UTF-8, becomes U+FFFD (as Markdown makes it too).
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
	root, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return nil
	}
	w := &walker{}
	w.children(root, format{})
	w.flush(false)
	out := w.out
	// Spacers before the first and after the last content have no use;
	// one may also come from a stray </p>, which the parser turns into an
	// empty paragraph.
	for len(out) > 0 && len(out[0]) == 0 {
		out = out[1:]
	}
	for len(out) > 0 && len(out[len(out)-1]) == 0 {
		out = out[:len(out)-1]
	}
	return out
}

// skipped elements lose their content too.
var skipped = map[string]bool{
	"head": true, "title": true, "meta": true, "link": true, "base": true,
	"script": true, "style": true, "noscript": true, "template": true,
	"iframe": true, "frame": true, "frameset": true, "noframes": true,
	"object": true, "embed": true, "applet": true, "param": true,
	"audio": true, "video": true, "track": true, "source": true,
	"canvas": true, "map": true, "area": true, "svg": true, "math": true,
	"select": true, "option": true, "optgroup": true, "datalist": true,
	"textarea": true, "button": true, "xml": true, "noembed": true,
	"dialog": true, "slot": true,
}

// blocks end the current paragraph before and after their content.
var blocks = map[string]bool{
	"html": true, "body": true, "p": true, "div": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"hgroup": true, "ul": true, "ol": true, "menu": true, "dir": true, "li": true,
	"dl": true, "dt": true, "dd": true, "blockquote": true, "pre": true,
	"listing": true, "xmp": true, "plaintext": true, "table": true,
	"caption": true, "thead": true, "tbody": true, "tfoot": true, "tr": true,
	"td": true, "th": true, "section": true, "article": true, "header": true,
	"footer": true, "nav": true, "aside": true, "main": true, "figure": true,
	"figcaption": true, "address": true, "details": true, "summary": true,
	"center": true, "form": true, "fieldset": true, "legend": true,
	"search": true,
}

func (w *walker) children(n *html.Node, f format) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			w.text(c.Data, f)
		case html.ElementNode:
			w.element(c, f)
		case html.DocumentNode:
			w.children(c, f)
		}
	}
}

func (w *walker) element(n *html.Node, f format) {
	name := n.Data
	if n.Namespace != "" || skipped[name] {
		return
	}
	switch name {
	case "br":
		w.cur = append(w.cur, inline{br: true})
		w.sawBR = true
		return
	case "hr":
		w.flush(false)
		w.out = append(w.out, para{})
		return
	case "img":
		if src, ok := cleanSrc(attr(n, "src")); ok {
			w.visible()
			w.cur = append(w.cur, inline{img: &ImageRef{Src: src, Alt: collapse(attr(n, "alt")), Link: f.link}})
		}
		return
	case "input":
		if strings.EqualFold(attr(n, "type"), "checkbox") {
			box := "☐ "
			if hasAttr(n, "checked") {
				box = "☑ "
			}
			w.text(box, format{link: f.link})
		}
		return
	case "wbr":
		return
	}

	f = inlineFormat(n, f)
	if name == "span" && isMsoListMarker(n) {
		w.msoListMarker(n, f)
		return
	}
	if !blocks[name] {
		w.children(n, f)
		return
	}

	w.flush(false)
	switch name {
	case "ul", "menu", "dir":
		w.lists = append(w.lists, &listCtx{})
	case "ol":
		start := 1
		if v, err := strconv.Atoi(strings.TrimSpace(attr(n, "start"))); err == nil && v >= 0 && v < 1e6 {
			start = v
		}
		w.lists = append(w.lists, &listCtx{ordered: true, next: start})
	case "li":
		w.prefix = w.listMarker(n)
	case "p":
		w.fromP = true
	case "h1", "h2", "h3", "h4", "h5", "h6":
		if !hasCSS(n, "font-weight") {
			f.bold = true
		}
	case "pre", "listing", "xmp", "plaintext":
		f.pre = true
	}
	w.children(n, f)
	w.flush(true)
	switch name {
	case "ul", "menu", "dir", "ol":
		w.lists = w.lists[:len(w.lists)-1]
	case "li":
		w.prefix = ""
	}
}

// listMarker is the text put before a list item: "• " or "3. ".
func (w *walker) listMarker(n *html.Node) string {
	if len(w.lists) == 0 {
		return "• "
	}
	l := w.lists[len(w.lists)-1]
	if !l.ordered {
		return "• "
	}
	if v, err := strconv.Atoi(strings.TrimSpace(attr(n, "value"))); err == nil && v >= 0 && v < 1e6 {
		l.next = v
	}
	m := strconv.Itoa(l.next) + ". "
	l.next++
	return m
}

// visible is called before visible content is added: it emits a pending
// list marker.
func (w *walker) visible() {
	if w.prefix != "" {
		w.cur = append(w.cur, inline{run: Run{Text: w.prefix}})
		w.prefix = ""
	}
}

func (w *walker) text(s string, f format) {
	if f.pre {
		w.preText(s, f)
		return
	}
	if strings.TrimLeft(s, htmlSpace) == "" {
		if s != "" {
			w.cur = append(w.cur, inline{run: Run{Text: " "}})
		}
		return
	}
	w.visible()
	w.cur = append(w.cur, inline{run: f.run(s)})
}

// preText keeps the lines and the indentation of preformatted text: each
// newline becomes a line break, and spaces that would collapse become
// no-break spaces.
func (w *walker) preText(s string, f format) {
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			w.cur = append(w.cur, inline{br: true})
			w.sawBR = true
		}
		var b strings.Builder
		prevSpace := true
		for _, r := range line {
			switch r {
			case '\t':
				b.WriteString("\u00a0\u00a0\u00a0\u00a0")
				prevSpace = true
			case ' ', '\f', '\r':
				if prevSpace {
					b.WriteRune('\u00a0')
				} else {
					b.WriteByte(' ')
				}
				prevSpace = true
			default:
				b.WriteRune(r)
				prevSpace = false
			}
		}
		if b.Len() > 0 {
			w.visible()
			w.cur = append(w.cur, inline{run: f.run(b.String())})
		}
	}
}

func (f format) run(s string) Run {
	return Run{Text: s, Bold: f.bold, Italic: f.italic, Underline: f.underline, Link: f.link}
}

// flush ends the current paragraph. Its content is split into lines at
// <br>; a trailing <br> adds no line. A line with no content becomes the
// spacer only if the source asked for one: an empty <p> (end is true when
// the flush is the end of the element whose content cur is) or a line made
// by <br>. A line of only no-break spaces is also the spacer.
func (w *walker) flush(end bool) {
	items := w.cur
	explicit := (end && w.fromP) || w.sawBR
	w.cur, w.fromP, w.sawBR = nil, false, false

	var lines [][]inline
	start := 0
	for i, it := range items {
		if it.br {
			lines = append(lines, items[start:i])
			start = i + 1
		}
	}
	lines = append(lines, items[start:])
	if len(lines) > 1 && normalizeLine(lines[len(lines)-1]) == nil {
		lines = lines[:len(lines)-1]
	}
	for _, l := range lines {
		p := normalizeLine(l)
		switch {
		case p == nil:
			if explicit {
				w.out = append(w.out, para{})
			}
		case p.blank():
			w.out = append(w.out, para{})
		default:
			w.out = append(w.out, p)
		}
	}
}

// htmlSpace is the white space HTML collapses; U+00A0 is not part of it.
const htmlSpace = " \t\n\f\r"

func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r'
}

// normalizeLine collapses white space as a browser would (across runs),
// trims it at both ends, drops empty runs and merges neighbours with the
// same format. It returns nil if nothing is left.
func normalizeLine(items []inline) para {
	var out para
	lastSpace := true
	for _, it := range items {
		if it.br {
			continue
		}
		if it.img != nil {
			out = append(out, it)
			lastSpace = false
			continue
		}
		var b strings.Builder
		for _, r := range it.run.Text {
			if isHTMLSpace(r) {
				if !lastSpace {
					b.WriteByte(' ')
					lastSpace = true
				}
				continue
			}
			b.WriteRune(r)
			lastSpace = false
		}
		if b.Len() == 0 {
			continue
		}
		r := it.run
		r.Text = b.String()
		if n := len(out); n > 0 && out[n-1].img == nil && out[n-1].run.sameFormat(r) {
			out[n-1].run.Text += r.Text
		} else {
			out = append(out, inline{run: r})
		}
	}
	for len(out) > 0 {
		last := &out[len(out)-1]
		if last.img != nil || !strings.HasSuffix(last.run.Text, " ") {
			break
		}
		last.run.Text = strings.TrimSuffix(last.run.Text, " ")
		if last.run.Text != "" {
			break
		}
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// blank reports whether a paragraph holds only spaces and no-break spaces.
func (p para) blank() bool {
	for _, it := range p {
		if it.img != nil || strings.Trim(it.run.Text, " \u00a0") != "" {
			return false
		}
	}
	return true
}

func (r Run) sameFormat(o Run) bool {
	return r.Bold == o.Bold && r.Italic == o.Italic && r.Underline == o.Underline && r.Link == o.Link
}

// inlineFormat applies an element's meaning and its inline CSS to the
// inherited format.
func inlineFormat(n *html.Node, f format) format {
	switch n.Data {
	case "b", "strong":
		f.bold = true
	case "i", "em", "cite", "dfn":
		f.italic = true
	case "u", "ins":
		f.underline = true
	case "a":
		if href, ok := cleanHref(attr(n, "href")); ok {
			f.link = href
		}
	}
	css := parseCSS(attr(n, "style"))
	if v, ok := css["font-weight"]; ok {
		switch v {
		case "bold", "bolder":
			f.bold = true
		case "normal", "lighter":
			f.bold = false
		default:
			if w, err := strconv.Atoi(v); err == nil {
				f.bold = w >= 600
			}
		}
	}
	if v, ok := css["font-style"]; ok {
		f.italic = strings.HasPrefix(v, "italic") || strings.HasPrefix(v, "oblique")
	}
	// Links are underlined anyway; pasted links often repeat that in CSS.
	if f.link == "" {
		for _, k := range []string{"text-decoration", "text-decoration-line"} {
			if v, ok := css[k]; ok {
				f.underline = strings.Contains(v, "underline")
			}
		}
	}
	return f
}

// parseCSS reads a style attribute into lower-cased property: value pairs.
func parseCSS(style string) map[string]string {
	if style == "" {
		return nil
	}
	m := map[string]string{}
	for _, decl := range strings.Split(style, ";") {
		k, v, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		v = strings.ToLower(strings.TrimSpace(v))
		v = strings.TrimSpace(strings.TrimSuffix(v, "!important"))
		m[strings.ToLower(strings.TrimSpace(k))] = v
	}
	return m
}

func hasCSS(n *html.Node, prop string) bool {
	_, ok := parseCSS(attr(n, "style"))[prop]
	return ok
}

// isMsoListMarker recognises the span Word puts around a list item's
// bullet or number (style="mso-list:Ignore").
func isMsoListMarker(n *html.Node) bool {
	return parseCSS(attr(n, "style"))["mso-list"] == "ignore"
}

// wordBullets are the glyphs Word writes (in Symbol, Wingdings or Courier)
// for bullets.
var wordBullets = map[string]bool{
	"·": true, "§": true, "o": true, "Ø": true, "ü": true, "\uf0b7": true,
	"\uf0a7": true, "-": true, "–": true, "•": true, "▪": true, "◦": true,
}

// msoListMarker replaces Word's marker (a glyph and a run of no-break
// spaces) by "• " or by the number and one space.
func (w *walker) msoListMarker(n *html.Node, f format) {
	t := strings.Trim(textContent(n), htmlSpace+"\u00a0")
	if t == "" {
		return
	}
	if wordBullets[t] {
		t = "•"
	}
	w.text(t+" ", format{link: f.link})
}

func textContent(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				b.WriteString(c.Data)
			case html.ElementNode:
				rec(c)
			}
		}
	}
	rec(n)
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return true
		}
	}
	return false
}

// collapse collapses HTML white space in an attribute value and trims it.
func collapse(s string) string {
	return strings.Join(strings.FieldsFunc(s, isHTMLSpace), " ")
}

// render writes paragraphs in the canonical form: one <p> per line, inline
// elements nested a > strong > em > u, attributes in the guide's order.
func render(doc []para) string {
	var b strings.Builder
	for i, p := range doc {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(`<p style="` + paraStyle + `">`)
		if len(p) == 0 {
			b.WriteString("&nbsp;")
		} else {
			renderInline(&b, p)
		}
		b.WriteString("</p>")
	}
	return b.String()
}

type openTag struct{ name, href string }

func renderInline(b *strings.Builder, p para) {
	var open []openTag
	for _, it := range p {
		var want []openTag
		link := it.run.Link
		if it.img != nil {
			link = it.img.Link
		}
		if link != "" {
			want = append(want, openTag{"a", link})
		}
		if it.img == nil {
			if it.run.Bold {
				want = append(want, openTag{name: "strong"})
			}
			if it.run.Italic {
				want = append(want, openTag{name: "em"})
			}
			if it.run.Underline {
				want = append(want, openTag{name: "u"})
			}
		}
		k := 0
		for k < len(open) && k < len(want) && open[k] == want[k] {
			k++
		}
		for len(open) > k {
			b.WriteString("</" + open[len(open)-1].name + ">")
			open = open[:len(open)-1]
		}
		for _, t := range want[k:] {
			if t.name == "a" {
				b.WriteString(`<a target="_blank" rel="noopener noreferrer" href="` + escapeAttr(t.href) + `">`)
			} else {
				b.WriteString("<" + t.name + ">")
			}
			open = append(open, t)
		}
		if it.img != nil {
			b.WriteString(`<img src="` + escapeAttr(it.img.Src) + `" alt="` + escapeAttr(it.img.Alt) + `" />`)
		} else {
			b.WriteString(escapeText(it.run.Text))
		}
	}
	for i := len(open) - 1; i >= 0; i-- {
		b.WriteString("</" + open[i].name + ">")
	}
}

var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\u00a0", "&nbsp;")
	attrEscaper = strings.NewReplacer("&", "&amp;", `"`, "&quot;", "<", "&lt;", ">", "&gt;", "\u00a0", "&nbsp;")
)

func escapeText(s string) string { return textEscaper.Replace(s) }
func escapeAttr(s string) string { return attrEscaper.Replace(s) }
