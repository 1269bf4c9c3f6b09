// Package article builds the HTML body (meta.text) of a Gan Jing World
// article, publishes it and keeps drafts saved. The HTML functions
// (Sanitize, FromMarkdown, Parse, RewriteImages, ...) are pure and have
// no network access. Publisher uploads the images through core's client
// and sends add-content or update-content; Autosaver saves the draft being
// edited to persist. It never imports Fyne; the GUI renders the Blocks
// that Parse returns.
//
// # The subset
//
// The article guide ("Article HTML Body Format") lists what meta.text may
// contain. This package produces exactly that and nothing else:
//
//	<p style="margin-left:0px;">text</p>            the only block element
//	<p style="margin-left:0px;">&nbsp;</p>          the spacer
//	<strong>, <em>, <u>                             no attributes
//	<a target="_blank" rel="noopener noreferrer" href="https://...">
//	                                                href http(s) with a host, or mailto:
//	<img src="..." alt="..." />                     src http(s), file: or a path
//
// Inline elements only occur inside a paragraph; paragraphs do not nest.
// Text is UTF-8 and escaped with &amp; &lt; &gt;, and U+00A0 is written
// &nbsp;. InSubset checks a string against these rules.
//
// # Canonical form
//
// Sanitize output is canonical, so Sanitize is idempotent and two
// equivalent inputs give the same bytes: one paragraph per line ("\n"
// between them), white space collapsed as a browser would and trimmed at
// both ends of a paragraph, nesting always a > strong > em > u, adjacent
// runs with the same format merged, the attributes in the guide's order,
// and alt always present. URLs are normalised: tabs and newlines removed,
// spaces and non-ASCII bytes percent-encoded, "//host" becomes
// "https://host" and a Windows path "C:\x.png" becomes "file:///C:/x.png".
//
// # How Sanitize works
//
// The input is parsed with golang.org/x/net/html (as a browser would,
// repairing broken markup) and walked into paragraphs of runs; that
// walk does all the structural work. The result is rendered and passed
// through a bluemonday policy that allows only the subset (the security
// gate), and bluemonday's output is walked and rendered once more, which
// makes the result canonical whatever bluemonday did.
//
// Decisions taken in the walk:
//
//   - Block elements (div, h1-h6, li, blockquote, pre, table cells, dt/dd,
//     section, ...) end the current paragraph before and after their
//     content, so their text becomes paragraphs and nested <p> are
//     flattened. Text outside any block is wrapped in a paragraph.
//   - <br> splits a paragraph into one paragraph per line; a trailing <br>
//     adds nothing and a blank line between two <br> becomes a spacer.
//   - Spacers only come from the input asking for one: an empty or
//     &nbsp;-only <p>, a blank <br> line, an &nbsp;-only block, or <hr>.
//     White space between blocks never makes one. Spacers at the start
//     and end of the article are dropped (a stray </p> also makes an
//     empty paragraph in the parser).
//   - b/strong → strong, i/em/cite/dfn → em, u/ins → u. Inline CSS counts
//     too, so Google Docs and Word pastes keep their formatting:
//     font-weight (bold, or ≥ 600), font-style italic and
//     text-decoration underline (ignored inside links, which are
//     underlined anyway). <b style="font-weight:normal">, the wrapper
//     Google Docs puts around a paste, is not bold.
//   - Headings become paragraphs in bold (unless their CSS says
//     otherwise). List items become paragraphs starting with "• ", or
//     "3. " in an ordered list (start and value are honoured); Word's
//     list markers (span style="mso-list:Ignore") become "• " or "2. ".
//     Checkboxes become "☑ " and "☐ ".
//   - Preformatted text keeps its lines (one paragraph each) and its
//     indentation (as no-break spaces, a tab as four).
//   - Links with any other href (javascript:, data:, relative, #frag) and
//     all other inline elements (span, font, code, sup, del, o:p, ...)
//     keep their text and lose the markup. Images whose src is data:,
//     javascript:, cid: or anything else unusable are dropped, alt and
//     all. A link around an image is kept.
//   - Content is dropped with the element for script, style, head,
//     template, noscript, iframe, object, embed, audio, video, svg, math
//     and form controls (select, textarea, button). Comments, including
//     Word's conditional comments, are dropped; the content between
//     Word's <![if ...]> and <![endif]> is kept.
//   - Invalid UTF-8 and NUL become U+FFFD.
//
// Local image sources are kept so that the uploader can find the files
// (Images, LocalPath), upload them, and put the CDN URLs in place
// (RewriteImages) before the body is sent: the guide requires every image
// to be on the CDN.
//
// FromMarkdown renders Markdown with goldmark (CommonMark and the GitHub
// extensions, no typographer) into ordinary HTML, raw HTML included, and
// then runs Sanitize, so Markdown gets exactly the mapping above.
// ToMarkdown goes the other way for the subset (bold, italic, links,
// images as Markdown, <u> as HTML), and FromMarkdown(ToMarkdown(x)) reads
// the same as Sanitize(x); a fuzz test holds it to that.
//
// A draft is written in HTML or in Markdown (persist.Draft.Format): Source
// and SetSource are its body as written, Body its body in the subset,
// SetMarkdown switches it, converting. ReadFile and DraftFromFile read a
// .md file as a Markdown draft (titled by its first heading,
// TitleFromMarkdown) and an .html file as an HTML one.
//
// # Publishing
//
// Publisher.Publish checks the whole draft before uploading anything
// (title, visibility, poster, body, schedule, every image), then uploads
// the poster and each distinct local image once (gjw.UploadImageOnce,
// keyed by SHA-256 in persist, so a picture used twice, or again in a
// later update, is not uploaded again), rewrites each local src to the
// picture's 960 URL (.webp preferred; else the poster fallback order),
// and sends add-content with type News, mode ready and every field of
// the guide's table. Update sends update-content with the same complete
// body, so nothing is reset. An <img> with any other http(s) source than
// a CDN URL (IsCDNURL, the one definition) is an error naming it.
//
// # Autosave
//
// Autosaver holds the draft being edited, saves it about a second after
// the last change and at most two seconds after the first unsaved one,
// and on Flush and Close; persist writes synchronously, so a crash loses
// at most those seconds. See docs/articles.md for the whole picture.
package article
