package article

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
)

// markdown is the converter FromMarkdown uses.
func markdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
	)
}

// FromMarkdown converts Markdown (CommonMark plus the GitHub extensions:
// tables, strikethrough, autolinks, task lists) to the subset. goldmark
// renders ordinary HTML and Sanitize maps it: headings become bold
// paragraphs, list items "• " or "1. " paragraphs, code plain text, hard
// breaks new paragraphs. There is no typographer (quotes and dashes stay
// as typed). Raw HTML in the Markdown is passed to Sanitize rather than
// omitted, since Sanitize is the gate anyway and <u> has no Markdown
// syntax.
func FromMarkdown(md string) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("article: markdown: %v", r)
		}
	}()
	var buf bytes.Buffer
	if err := markdown().Convert([]byte(md), &buf); err != nil {
		return "", fmt.Errorf("article: markdown: %w", err)
	}
	return Sanitize(buf.String()), nil
}

// ToMarkdown writes any HTML as Markdown that FromMarkdown turns back into
// exactly Sanitize(h): one paragraph per block, separated by blank lines;
// **bold**, *italic*, <u>underline</u> (Markdown has no syntax for it),
// [links](url), ![images](src), and &nbsp; for a spacer. Characters that
// Markdown would read as markup are escaped. A paragraph whose Markdown
// does not come back the same (emphasis Markdown cannot express, such as
// bold right before italic) is kept as its HTML, which Markdown passes
// through as it is.
func ToMarkdown(h string) string {
	var out []string
	for _, p := range sanitizeDoc(h) {
		md := markdownPara(p)
		// A spacer alone is dropped (an article neither starts nor ends
		// with one); between paragraphs, which is where they are, &nbsp;
		// is one.
		if len(p) > 0 {
			if got, err := FromMarkdown(md); err != nil || !equivalent(got, render([]para{p})) {
				md = render([]para{p})
			}
		}
		out = append(out, md)
	}
	return strings.Join(out, "\n\n")
}

// equivalent reports whether two articles in the subset read the same:
// equal but for bold, italic or underline on the spaces at the ends of a
// run, which ToMarkdown moves out (Markdown emphasis cannot start or end
// on a space).
func equivalent(a, b string) bool {
	return slices.EqualFunc(sanitizeDoc(a), sanitizeDoc(b), func(x, y para) bool {
		return slices.EqualFunc(spacesPlain(x), spacesPlain(y), func(i, j inline) bool {
			if i.img != nil || j.img != nil {
				return i.img != nil && j.img != nil && *i.img == *j.img
			}
			return i.run == j.run
		})
	})
}

// spacesPlain splits the spaces at the ends of each run off as runs
// without bold, italic and underline, and joins neighbours of the same
// style.
func spacesPlain(p para) []inline {
	var out []inline
	add := func(r Run) {
		if r.Text == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].img == nil {
			if last := &out[n-1].run; r.Bold == last.Bold && r.Italic == last.Italic && r.Underline == last.Underline && r.Link == last.Link {
				last.Text += r.Text
				return
			}
		}
		out = append(out, inline{run: r})
	}
	for _, it := range p {
		if it.img != nil {
			out = append(out, it)
			continue
		}
		r := it.run
		plain := func(text string) Run { return Run{Text: text, Link: r.Link} }
		core := strings.Trim(r.Text, " ")
		if core == "" {
			add(plain(r.Text))
			continue
		}
		i := strings.Index(r.Text, core)
		add(plain(r.Text[:i]))
		add(Run{Text: core, Bold: r.Bold, Italic: r.Italic, Underline: r.Underline, Link: r.Link})
		add(plain(r.Text[i+len(core):]))
	}
	return out
}

// markdownPara writes one paragraph as Markdown (see ToMarkdown).
func markdownPara(p para) string {
	if len(p) == 0 {
		return "&nbsp;"
	}
	var b strings.Builder
	link := ""
	closeLink := func() {
		if link != "" {
			b.WriteString("](" + markdownURL(link) + ")")
			link = ""
		}
	}
	for _, it := range p {
		want := it.run.Link
		if it.img != nil {
			want = it.img.Link
		}
		if want != link {
			closeLink()
			if want != "" {
				b.WriteString("[")
				link = want
			}
		}
		if it.img != nil {
			b.WriteString(MarkdownImage(it.img.Src, it.img.Alt))
			continue
		}
		// Emphasis must not start or end on a space: keep spaces outside.
		t := it.run.Text
		core := strings.Trim(t, " ")
		if core == "" {
			b.WriteString(escapeMarkdown(t))
			continue
		}
		lead := t[:strings.Index(t, core)]
		trail := t[len(lead)+len(core):]
		open, close := "", ""
		if it.run.Bold {
			open, close = open+"**", "**"+close
		}
		if it.run.Italic {
			open, close = open+"*", "*"+close
		}
		if it.run.Underline {
			open, close = open+"<u>", "</u>"+close
		}
		b.WriteString(lead + open + escapeMarkdown(core) + close + trail)
	}
	closeLink()
	return escapeLineStart(b.String())
}

var (
	// markdownEscaper backslash-escapes what is markup anywhere in a line,
	// and breaks up what GitHub's autolinks would turn into links.
	markdownEscaper = strings.NewReplacer(
		`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "~", `\~`,
		"www.", `www\.`, "://", `\://`, "@", `\@`)
	// entityLike is an & that Markdown would read as an entity.
	entityLike = regexp.MustCompile(`&(#?[0-9A-Za-z]+;)`)
	// blockStart is what makes a line a heading, quote, list or rule.
	blockStart = regexp.MustCompile(`^(#|=|-|\+|\d+[.)])`)
)

func escapeMarkdown(s string) string {
	s = entityLike.ReplaceAllString(markdownEscaper.Replace(s), `\&$1`)
	return strings.ReplaceAll(s, "\u00a0", "&nbsp;")
}

// escapeLineStart escapes a paragraph's first characters when Markdown
// would read them as the start of another block.
func escapeLineStart(s string) string {
	m := blockStart.FindString(s)
	if m == "" {
		return s
	}
	return m[:len(m)-1] + `\` + m[len(m)-1:] + s[len(m):]
}

// markdownURL is a link destination, in <> when it has characters a bare
// one cannot.
func markdownURL(u string) string {
	if strings.ContainsAny(u, " ()") {
		return "<" + u + ">"
	}
	return u
}

// MarkdownLink is a Markdown link to href around text (Markdown already).
func MarkdownLink(href, text string) string { return "[" + text + "](" + markdownURL(href) + ")" }

// MarkdownImage is a Markdown image of src with the alternative text alt.
func MarkdownImage(src, alt string) string {
	return "![" + escapeMarkdown(alt) + "](" + markdownURL(src) + ")"
}

// TitleFromMarkdown returns the plain text of the first heading of md and
// md without it when the heading is its first block (a document's title,
// which the platform shows above the article). With no heading, title is
// "" and body is md.
func TitleFromMarkdown(md string) (title, body string) {
	src := []byte(md)
	conv := markdown()
	doc := conv.Parser().Parse(text.NewReader(src))
	var h *ast.Heading
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if hd, ok := n.(*ast.Heading); ok && entering && hd.Lines().Len() > 0 {
			h = hd
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	if h == nil {
		return "", md
	}
	var buf bytes.Buffer
	if err := conv.Renderer().Render(&buf, src, h); err != nil {
		return "", md
	}
	title = Text(buf.String())
	if title == "" || doc.FirstChild() != h {
		return title, md
	}
	// Cut from the start to the end of the heading: its last line, and for
	// a setext heading (text over === or ---) the underline too.
	end := h.Lines().At(h.Lines().Len() - 1).Stop
	lineStart := bytes.LastIndexByte(src[:h.Lines().At(0).Start], '\n') + 1
	lines := 1 // to the end of the heading's line
	if !strings.HasPrefix(strings.TrimLeft(md[lineStart:], " "), "#") {
		lines = 2 // and the underline's
	}
	if end > 0 && src[end-1] == '\n' {
		lines-- // the segment has its line's end already
	}
	for ; lines > 0 && end < len(src); lines-- {
		if i := bytes.IndexByte(src[end:], '\n'); i >= 0 {
			end += i + 1
		} else {
			end = len(src)
		}
	}
	rest := md[end:]
	for { // and the blank lines after it
		i := strings.IndexByte(rest, '\n')
		if i < 0 || strings.TrimSpace(rest[:i]) != "" {
			break
		}
		rest = rest[i+1:]
	}
	return title, rest
}
