package article

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html"
)

// ErrNotInSubset is wrapped by the errors InSubset returns.
var ErrNotInSubset = errors.New("article: not in the meta.text subset")

// InSubset checks html token by token against the subset (see the package
// documentation) and returns an error, matching ErrNotInSubset, naming the
// first thing outside it. It checks the markup as written, not as a
// browser would repair it, so unclosed or misnested tags are errors too.
// White space between paragraphs is allowed; it does not require the
// canonical form Sanitize produces (attribute order, nesting order).
func InSubset(s string) error {
	z := html.NewTokenizer(strings.NewReader(s))
	var stack []string
	start, end := 0, 0 // byte offsets of the current token
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s at byte %d", ErrNotInSubset, fmt.Sprintf(format, args...), start)
	}
	inside := func(name string) bool {
		for _, s := range stack {
			if s == name {
				return true
			}
		}
		return false
	}
	for {
		tt := z.Next()
		start, end = end, end+len(z.Raw())
		switch tt {
		case html.ErrorToken:
			if err := z.Err(); err != io.EOF {
				return fmt.Errorf("%w: %v", ErrNotInSubset, err)
			}
			if len(stack) > 0 {
				return fail("<%s> not closed", stack[len(stack)-1])
			}
			return nil
		case html.TextToken:
			if text := string(z.Text()); len(stack) == 0 && strings.Trim(text, htmlSpace) != "" {
				return fail("text outside <p>: %.40q", text)
			}
		case html.CommentToken:
			return fail("comment")
		case html.DoctypeToken:
			return fail("doctype")
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(stack) == 0 || stack[len(stack)-1] != string(name) {
				return fail("unexpected </%s>", name)
			}
			stack = stack[:len(stack)-1]
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			name := tok.Data
			if err := checkAttrs(name, tok.Attr); err != nil {
				return fail("%v", err)
			}
			switch name {
			case "p":
				if len(stack) > 0 {
					if stack[0] == "p" {
						return fail("nested <p>")
					}
					return fail("<p> inside <%s>", stack[len(stack)-1])
				}
			case "strong", "em", "u", "a", "img":
				if len(stack) == 0 {
					return fail("<%s> outside <p>", name)
				}
				if name == "a" && inside("a") {
					return fail("<a> inside <a>")
				}
			default:
				return fail("element <%s> not allowed", name)
			}
			if name == "img" {
				continue // void
			}
			if tt == html.SelfClosingTagToken {
				return fail("self-closing <%s/>", name)
			}
			stack = append(stack, name)
		}
	}
}

// checkAttrs checks the attributes of an allowed element.
func checkAttrs(name string, attrs []html.Attribute) error {
	got := map[string]string{}
	for _, a := range attrs {
		if a.Namespace != "" {
			return fmt.Errorf("attribute %s:%s on <%s> not allowed", a.Namespace, a.Key, name)
		}
		if _, dup := got[a.Key]; dup {
			return fmt.Errorf("duplicate attribute %s on <%s>", a.Key, name)
		}
		got[a.Key] = a.Val
	}
	var want []string
	switch name {
	case "p":
		if v, ok := got["style"]; !ok || v != paraStyle {
			return fmt.Errorf(`<p> needs style=%q, has %q`, paraStyle, v)
		}
		want = []string{"style"}
	case "a":
		if got["target"] != "_blank" {
			return fmt.Errorf(`<a> needs target="_blank"`)
		}
		if got["rel"] != "noopener noreferrer" {
			return fmt.Errorf(`<a> needs rel="noopener noreferrer"`)
		}
		href, ok := got["href"]
		if !ok {
			return fmt.Errorf("<a> without href")
		}
		if _, valid := cleanHref(href); !valid {
			return fmt.Errorf("<a> href %.60q is not http(s) or mailto", href)
		}
		want = []string{"target", "rel", "href"}
	case "img":
		src, ok := got["src"]
		if !ok {
			return fmt.Errorf("<img> without src")
		}
		if _, valid := cleanSrc(src); !valid {
			return fmt.Errorf("<img> src %.60q is not http(s) or a local path", src)
		}
		want = []string{"src", "alt"}
	}
	for k := range got {
		allowed := false
		for _, w := range want {
			allowed = allowed || k == w
		}
		if !allowed {
			return fmt.Errorf("attribute %s on <%s> not allowed", k, name)
		}
	}
	return nil
}
