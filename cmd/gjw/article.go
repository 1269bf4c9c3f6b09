package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/article"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

const articleUsage = `gjw article publishes articles (type News) to Gan Jing World.

  gjw article publish FILE.html|FILE.md --title T --poster IMG [options]
  gjw article update CONTENT_ID FILE.html|FILE.md [--title T] [--poster IMG] [options]

Options:
  --description D        short summary
  --category ID|NAME     category: an id, or a name from gjw category list (default cat22)
  --lang CODE            language (default en-US)
  --visibility V         public, unlisted or private (default public)
  --hashtags "#a,#b"     comma-separated; a leading # is added when missing
  --keywords "a,b"       comma-separated
  --schedule TIME        publish later, RFC 3339 (2026-05-01T09:00:00+02:00)
  --kids                 made for kids
  --premium              premium content
  --json                 print {"content_id": ..., "url": ...}

Markdown is converted, HTML sanitized, to the guide's HTML subset. Local
images (paths relative to FILE, or file: URLs) are uploaded to the image CDN
once each; images on other sites are refused. The news URL is printed.
update sends every field again: options left out keep the values of the
last publish or update made from this data folder.
`

// articleFlags are the options publish and update share.
type articleFlags struct {
	title, poster, desc, category, lang, visibility string
	hashtags, keywords, schedule, to                string
	kids, premium, asJSON                           bool
	set                                             map[string]bool // flags given on the command line
}

func parseArticleFlags(name string, args []string) (*articleFlags, []string, error) {
	f := &articleFlags{set: map[string]bool{}}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&f.title, "title", "", "article title")
	fs.StringVar(&f.poster, "poster", "", "poster image (JPEG, PNG, GIF or WebP)")
	fs.StringVar(&f.desc, "description", "", "short description")
	fs.StringVar(&f.category, "category", article.DefaultCategory, "category: an id, or a name from gjw category list")
	fs.StringVar(&f.lang, "lang", article.DefaultLang, "language code")
	fs.StringVar(&f.visibility, "visibility", article.DefaultVisibility, "public, unlisted or private")
	fs.StringVar(&f.hashtags, "hashtags", "", "comma-separated hashtags")
	fs.StringVar(&f.keywords, "keywords", "", "comma-separated keywords")
	fs.StringVar(&f.schedule, "schedule", "", "publish time, RFC 3339")
	fs.BoolVar(&f.kids, "kids", false, "made for kids")
	fs.BoolVar(&f.premium, "premium", false, "premium content")
	fs.BoolVar(&f.asJSON, "json", false, "print the result as JSON")
	fs.StringVar(&f.to, "to", "", "the GJW account to publish to (default: the default GJW account, or for an update the one it was published to)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, nil, err
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	return f, pos, nil
}

// apply puts the given flags (all of them when all is set) into d.
func (f *articleFlags) apply(a *app, d *persist.Draft, all bool) error {
	given := func(name string) bool { return all || f.set[name] }
	if given("title") {
		d.Title = f.title
	}
	if given("description") {
		d.Description = f.desc
	}
	if given("category") {
		id, err := a.categoryID(f.category)
		if err != nil {
			return err
		}
		d.Category = id
	}
	if given("lang") {
		d.Lang = strings.TrimSpace(f.lang)
	}
	if given("visibility") {
		d.Visibility = strings.TrimSpace(f.visibility)
	}
	if given("hashtags") {
		d.Hashtags = article.NormalizeHashtags(article.SplitList(f.hashtags))
	}
	if given("keywords") {
		d.Keywords = article.SplitList(f.keywords)
	}
	if given("kids") {
		d.MadeForKids = f.kids
	}
	if given("premium") {
		d.Premium = f.premium
	}
	if f.set["poster"] {
		p, err := filepath.Abs(f.poster)
		if err != nil {
			return err
		}
		d.PosterPath = p
	}
	if given("schedule") {
		d.Schedule = time.Time{}
		if s := strings.TrimSpace(f.schedule); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return usageError{fmt.Sprintf("--schedule %q is not an RFC 3339 time such as 2026-05-01T09:00:00+02:00", f.schedule)}
			}
			d.Schedule = t
		}
	}
	return nil
}

func cmdArticle(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(a.stdout, articleUsage)
		return nil
	}
	switch args[0] {
	case "publish":
		return articlePublish(ctx, a, args[1:])
	case "update":
		return articleUpdate(ctx, a, args[1:])
	}
	return usageError{fmt.Sprintf("unknown article command %q: use gjw article publish or gjw article update", args[0])}
}

func articlePublish(ctx context.Context, a *app, args []string) error {
	f, pos, err := parseArticleFlags("article publish", args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"article publish needs exactly one FILE (.html or .md)"}
	}
	if strings.TrimSpace(f.title) == "" {
		return usageError{"article publish needs --title T"}
	}
	if f.poster == "" {
		return usageError{"article publish needs --poster IMAGE (the article's cover picture)"}
	}
	d := article.NewDraft(time.Now())
	if err := article.ReadFile(&d, pos[0]); err != nil {
		return err
	}
	if err := a.open(true); err != nil {
		return err
	}
	if err := f.apply(a, &d, true); err != nil {
		return err
	}
	pub, err := a.publisher(d.Title, f.to, "")
	if err != nil {
		return err
	}
	d.Account = pub.account // stored with the draft by Publish
	d, err = pub.Publish(ctx, d)
	if err != nil {
		return err
	}
	return a.printArticle(d, f.asJSON)
}

func articleUpdate(ctx context.Context, a *app, args []string) error {
	f, pos, err := parseArticleFlags("article update", args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageError{"article update needs CONTENT_ID and one FILE (.html or .md)"}
	}
	contentID := strings.TrimSpace(pos[0])
	if err := a.open(true); err != nil {
		return err
	}
	// The draft of the last publish or update from this data folder keeps
	// the fields not given now; without one, every field comes from flags.
	d, found, err := draftByContentID(a.db, contentID)
	if err != nil {
		return err
	}
	if !found {
		d = article.NewDraft(time.Now())
		d.ContentID = contentID
		if strings.TrimSpace(f.title) == "" {
			return usageError{"article update needs --title T: no earlier publish of " + contentID + " is known here"}
		}
		if f.poster == "" {
			return usageError{"article update needs --poster IMAGE: no earlier publish of " + contentID + " is known here"}
		}
	}
	if err := article.ReadFile(&d, pos[1]); err != nil {
		return err
	}
	if found && !f.set["poster"] && d.PosterURL != "" && d.PosterHDURL != "" {
		d.PosterPath = "" // keep the poster already on the platform
	}
	if err := f.apply(a, &d, !found); err != nil {
		return err
	}
	d.UpdatedAt = time.Now()
	pub, err := a.publisher(d.Title, f.to, d.Account)
	if err != nil {
		return err
	}
	d.Account = pub.account
	d, err = pub.Update(ctx, d)
	if err != nil {
		return err
	}
	return a.printArticle(d, f.asJSON)
}

func draftByContentID(db *persist.DB, id string) (persist.Draft, bool, error) {
	drafts, err := db.Drafts()
	if err != nil {
		return persist.Draft{}, false, err
	}
	for _, d := range drafts { // newest first
		if d.ContentID == id {
			return d, true, nil
		}
	}
	return persist.Draft{}, false, nil
}

// accountPublisher publishes through one GJW account.
type accountPublisher struct {
	*article.Publisher
	account string
}

// publisher publishes through the GJW account named by --to, else the one
// the draft was published to (remembered), else the default GJW account,
// and reports each step on stderr as one line.
func (a *app) publisher(title, to, remembered string) (accountPublisher, error) {
	name := to
	if name == "" {
		name = remembered
	}
	if name == "" {
		def, ok, err := a.accounts.DefaultOf(account.GJW)
		if err != nil {
			return accountPublisher{}, err
		}
		if !ok {
			return accountPublisher{}, fmt.Errorf("%w: sign in first (gjw login)", gjw.ErrSignedOut)
		}
		name = def.Name
	}
	acct, ok, err := a.accounts.Get(name)
	if err != nil {
		return accountPublisher{}, err
	}
	if !ok || acct.Platform != account.GJW {
		return accountPublisher{}, usageError{fmt.Sprintf("--to: %q is not a Gan Jing World account: see gjw account list", name)}
	}
	d, err := a.engine.Driver(name)
	if err != nil {
		return accountPublisher{}, err
	}
	g, ok := d.(*gjw.Driver)
	if !ok {
		return accountPublisher{}, fmt.Errorf("account %q cannot publish articles", name)
	}
	return accountPublisher{account: name, Publisher: &article.Publisher{
		Client: g.Client(),
		Store:  a.db,
		OnProgress: func(p article.Progress) {
			fmt.Fprintf(a.stderr, "%s: %s\n", strings.TrimSpace(title), p.Step)
		},
	}}, nil
}

func (a *app) printArticle(d persist.Draft, asJSON bool) error {
	u := article.NewsURL(d.ContentID)
	if !asJSON {
		if !d.Schedule.IsZero() && d.Schedule.After(time.Now()) {
			fmt.Fprintf(a.stderr, "%s: scheduled for %s\n", strings.TrimSpace(d.Title), d.Schedule.Local().Format(time.RFC1123))
		}
		_, err := fmt.Fprintln(a.stdout, u)
		return err
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		ContentID string `json:"content_id"`
		URL       string `json:"url"`
	}{d.ContentID, u})
}
