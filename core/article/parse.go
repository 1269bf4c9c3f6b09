package article

import "strings"

// Block is one line of the article as the GUI preview shows it: a
// paragraph (Runs) or an image on its own (Image). A Block with neither is
// a spacer, the guide's <p>&nbsp;</p>.
type Block struct {
	Image *ImageRef
	Runs  []Run
}

// Run is a piece of text with one format. Link is empty or an http(s) or
// mailto URL.
type Run struct {
	Text                    string
	Bold, Italic, Underline bool
	Link                    string
}

// ImageRef is an inline image. Src is an http(s) URL, a file: URL or a
// path (see LocalPath); Link is set when the image is inside a link.
type ImageRef struct {
	Src, Alt string
	Link     string
}

// Parse sanitizes html and returns it as blocks for a preview. Each image
// becomes its own Block; the text before and after it in the same
// paragraph becomes separate blocks, trimmed of the space next to the
// image. Text keeps its no-break spaces (U+00A0).
func Parse(html string) []Block {
	var out []Block
	for _, p := range sanitizeDoc(html) {
		if len(p) == 0 {
			out = append(out, Block{})
			continue
		}
		var runs []Run
		endRuns := func() {
			if r := trimRuns(runs); len(r) > 0 {
				out = append(out, Block{Runs: r})
			}
			runs = nil
		}
		for _, it := range p {
			if it.img != nil {
				endRuns()
				img := *it.img
				out = append(out, Block{Image: &img})
				continue
			}
			runs = append(runs, it.run)
		}
		endRuns()
	}
	return out
}

// trimRuns removes ASCII spaces at both ends of a list of runs and the runs
// that become empty.
func trimRuns(runs []Run) []Run {
	for len(runs) > 0 {
		runs[0].Text = strings.TrimLeft(runs[0].Text, " ")
		if runs[0].Text != "" {
			break
		}
		runs = runs[1:]
	}
	for len(runs) > 0 {
		last := &runs[len(runs)-1]
		last.Text = strings.TrimRight(last.Text, " ")
		if last.Text != "" {
			break
		}
		runs = runs[:len(runs)-1]
	}
	return runs
}

// Text returns the article as plain text, for previews and descriptions:
// one paragraph per line group, separated by a blank line. Images and
// spacers are left out, no-break spaces become spaces.
func Text(html string) string {
	var paras []string
	for _, p := range sanitizeDoc(html) {
		var b strings.Builder
		for _, it := range p {
			if it.img == nil {
				b.WriteString(it.run.Text)
			}
		}
		t := strings.TrimSpace(strings.ReplaceAll(b.String(), "\u00a0", " "))
		if t != "" {
			paras = append(paras, t)
		}
	}
	return strings.Join(paras, "\n\n")
}
