package article_test

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gjw-uploader/gjw-uploader/core/article"
)

const imagesDoc = `<p>a <img src="pics/one.png" alt="1"> b <img src="https://cdn.example.com/two.webp"></p>
<img src="pics/one.png" alt="again"><img src="data:image/png;base64,AAAA"><img src="javascript:x">
<a href="https://e.com"><img src="file:///C:/Users/me/three.jpg"></a><img src="pics/four five.png">`

func TestImages(t *testing.T) {
	want := []string{"pics/one.png", "https://cdn.example.com/two.webp", "file:///C:/Users/me/three.jpg", "pics/four%20five.png"}
	if got := article.Images(imagesDoc); !reflect.DeepEqual(got, want) {
		t.Errorf("Images = %q, want %q", got, want)
	}
	if got := article.Images("<p>no images</p>"); len(got) != 0 {
		t.Errorf("Images = %q, want none", got)
	}
}

func TestRewriteImages(t *testing.T) {
	calls := map[string]int{}
	got, err := article.RewriteImages(imagesDoc, func(src string) (string, error) {
		calls[src]++
		if article.IsRemote(src) {
			return src, nil
		}
		return "https://cdn.example.com/up/" + filepath.Base(filepath.ToSlash(src)) + "/960.webp", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := doc(
		P(`a <img src="https://cdn.example.com/up/one.png/960.webp" alt="1" /> b <img src="https://cdn.example.com/two.webp" alt="" />`),
		P(`<img src="https://cdn.example.com/up/one.png/960.webp" alt="again" /> `+
			A("https://e.com", `<img src="https://cdn.example.com/up/three.jpg/960.webp" alt="" />`)+
			`<img src="https://cdn.example.com/up/four%20five.png/960.webp" alt="" />`),
	)
	if got != want {
		t.Errorf("RewriteImages\n got: %s\nwant: %s", got, want)
	}
	for src, n := range calls {
		if n != 1 {
			t.Errorf("rewrite(%q) called %d times", src, n)
		}
	}
	if len(calls) != 4 {
		t.Errorf("rewrite called for %d sources, want 4", len(calls))
	}
}

func TestRewriteImagesError(t *testing.T) {
	boom := errors.New("upload failed")
	var seen []string
	_, err := article.RewriteImages(imagesDoc, func(src string) (string, error) {
		seen = append(seen, src)
		if src == "https://cdn.example.com/two.webp" {
			return "", boom
		}
		return src, nil
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "two.webp") {
		t.Errorf("err = %v, want wrapped %v naming the src", err, boom)
	}
	if len(seen) != 2 {
		t.Errorf("rewrite called %d times after the error, want to stop at 2", len(seen))
	}

	_, err = article.RewriteImages(imagesDoc, func(string) (string, error) { return "javascript:alert(1)", nil })
	if !errors.Is(err, article.ErrBadImageSource) {
		t.Errorf("err = %v, want ErrBadImageSource", err)
	}
}

func TestLocalPath(t *testing.T) {
	cases := []struct {
		src, want string
		ok        bool
	}{
		{"pics/four%20five.png", filepath.FromSlash("pics/four five.png"), true},
		{"/home/ann/a.png", filepath.FromSlash("/home/ann/a.png"), true},
		{"file:///home/ann/a%20b.png", filepath.FromSlash("/home/ann/a b.png"), true},
		{"file:///C:/Users/me/three.jpg", filepath.FromSlash("C:/Users/me/three.jpg"), true},
		{`C:\Users\me\x.png`, filepath.FromSlash("C:/Users/me/x.png"), true},
		{"https://cdn.example.com/a.png", "", false},
		{"data:image/png;base64,AAAA", "", false},
		{"", "", false},
	}
	for _, tc := range cases {
		got, ok := article.LocalPath(tc.src)
		if got != tc.want || ok != tc.ok {
			t.Errorf("LocalPath(%q) = %q, %v; want %q, %v", tc.src, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParse(t *testing.T) {
	in := `<h1>Title</h1><p>Hello <b>bold <i>both</i></b> <a href="https://e.com"><u>link</u></a> <img src="a.png" alt="A"> after</p><p>&nbsp;</p><a href="https://e.com/big"><img src="https://cdn.e.com/b.webp" alt="B"></a>`
	want := []article.Block{
		{Runs: []article.Run{{Text: "Title", Bold: true}}},
		{Runs: []article.Run{
			{Text: "Hello "},
			{Text: "bold ", Bold: true},
			{Text: "both", Bold: true, Italic: true},
			{Text: " "},
			{Text: "link", Underline: true, Link: "https://e.com"},
		}},
		{Image: &article.ImageRef{Src: "a.png", Alt: "A"}},
		{Runs: []article.Run{{Text: "after"}}},
		{},
		{Image: &article.ImageRef{Src: "https://cdn.e.com/b.webp", Alt: "B", Link: "https://e.com/big"}},
	}
	got := article.Parse(in)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse:\n got: %+v\nwant: %+v", got, want)
	}
	if got := article.Parse(""); len(got) != 0 {
		t.Errorf("Parse(\"\") = %+v", got)
	}
}

func TestNormalizeHashtags(t *testing.T) {
	cases := []struct {
		in, want []string
	}{
		{nil, []string{}},
		{[]string{"", "  ", "#", "##"}, []string{}},
		{[]string{"go", "#Go", "##GO", " golang "}, []string{"#go", "#golang"}},
		{[]string{"new york", "#New York", "# spaced\ttag"}, []string{"#newyork", "#spacedtag"}},
		{[]string{"＃中文", "#中文", "café", "#CAFÉ"}, []string{"#中文", "#café"}},
		{[]string{"a#b", "#a#B"}, []string{"#a#b"}},
	}
	for _, tc := range cases {
		got := article.NormalizeHashtags(tc.in)
		if got == nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("NormalizeHashtags(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}

func TestSplitList(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{" , ,, ", []string{}},
		{"#a, b,,c", []string{"#a", "b", "c"}},
		{"one\ntwo\r\nthree， 四", []string{"one", "two", "three", "四"}},
		{"  spaced tag  ", []string{"spaced tag"}},
	}
	for _, tc := range cases {
		got := article.SplitList(tc.in)
		if got == nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SplitList(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}
