package article

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Store is what publishing needs from persistence; *persist.DB has it.
type Store interface {
	gjw.ImageStore
	PutDraft(persist.Draft) error
}

// Progress reports a publish or an update as it goes: Done of Total steps
// are finished (each image to upload, the poster, then the content call),
// and Step says what is happening now.
type Progress struct {
	Done, Total int
	Step        string
}

// Publisher publishes drafts as Gan Jing World articles (type News) and
// updates published ones, following the article guide: every image is
// uploaded to the image CDN first, once per distinct picture, then the
// whole entry is sent with add-content or update-content.
//
// Its methods may be called from any goroutine; they do network and disk
// work, so a GUI calls them off its UI goroutine.
type Publisher struct {
	Client *gjw.Client
	Store  Store
	// OnProgress, if set, hears about each step.
	OnProgress func(Progress)
	// SaveDraft stores the draft once the platform has accepted it (its
	// content ID, publish time and poster URLs set). Nil means
	// Store.PutDraft, for drafts with an ID. The GUI passes its Autosaver's
	// Published, so that a pending autosave cannot overwrite the content ID
	// with an older copy of the draft.
	SaveDraft func(persist.Draft) error
	// Now is the clock, for tests; nil means time.Now.
	Now func() time.Time
}

func (p *Publisher) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// plan is a checked draft: what to upload and what to send.
type plan struct {
	d        persist.Draft
	body     string            // sanitized, local sources not yet rewritten
	poster   string            // poster file to upload, or "" to keep the URLs
	local    map[string]string // image src -> file path
	sent     map[string]string // image src -> CDN URL from d.Images, file gone
	paths    []string          // distinct files in document order
	schedule bool              // send use_schedule true with d.Schedule
}

// Validate checks a draft as Publish would (update: as Update would),
// without uploading anything: title, visibility, poster, body, schedule
// and every image. Each error is one line naming the field or file and
// what to do.
func (p *Publisher) Validate(d persist.Draft, update bool) error {
	_, err := p.check(WithDefaults(d), update)
	return err
}

func (p *Publisher) check(d persist.Draft, update bool) (*plan, error) {
	pl := &plan{d: d, local: map[string]string{}, sent: map[string]string{}}
	if strings.TrimSpace(d.Title) == "" {
		return nil, errors.New("title is empty: give the article a title")
	}
	if !slices.Contains(Visibilities, d.Visibility) {
		return nil, fmt.Errorf("visibility %q is not allowed: use public, unlisted or private", d.Visibility)
	}
	switch {
	case strings.TrimSpace(d.PosterPath) != "":
		pl.poster = d.PosterPath
		if err := gjw.ValidateImage(pl.poster); err != nil {
			return nil, fmt.Errorf("poster: %w", err)
		}
	case d.PosterURL != "" && d.PosterHDURL != "":
		for _, u := range []string{d.PosterURL, d.PosterHDURL} {
			if !IsCDNURL(p.Client.Hosts.Image, u) {
				return nil, fmt.Errorf("poster %s is not on the image CDN in use: choose the poster file again", u)
			}
		}
	default:
		return nil, errors.New("poster is missing: choose a poster image (JPEG, PNG, GIF or WebP)")
	}
	body, err := Body(d)
	if err != nil {
		return nil, err
	}
	if pl.body = body; pl.body == "" {
		return nil, errors.New("the article body is empty: write some text")
	}
	if !d.Schedule.IsZero() {
		past := !d.Schedule.After(p.now())
		// An update of an article whose schedule has passed (PublishedAt
		// records it) leaves it live: the schedule is not sent again.
		alreadyLive := update && d.Schedule.Equal(d.PublishedAt)
		switch {
		case past && !alreadyLive:
			return nil, fmt.Errorf("schedule %s is in the past: choose a later time, or publish now without a schedule",
				d.Schedule.Format(time.RFC3339))
		case !past:
			pl.schedule = true
		}
	}
	seen := map[string]bool{}
	for _, src := range Images(pl.body) {
		if IsRemote(src) {
			if !IsCDNURL(p.Client.Hosts.Image, src) {
				return nil, fmt.Errorf("image %s is not on the Gan Jing World image CDN, and the guide forbids outside images: save it and insert the file instead", src)
			}
			continue
		}
		path, ok := LocalPath(src)
		if !ok {
			return nil, fmt.Errorf("image %q is not a usable source: insert the file again", src)
		}
		if !filepath.IsAbs(path) {
			if d.BaseDir == "" {
				return nil, fmt.Errorf("image %q is a relative path, and the draft has no folder: use an absolute path", src)
			}
			path = filepath.Join(d.BaseDir, path)
		}
		if err := gjw.ValidateImage(path); err != nil {
			// A picture sent before and moved since keeps its CDN URL.
			if u := d.Images[src]; u != "" && IsCDNURL(p.Client.Hosts.Image, u) {
				pl.sent[src] = u
				continue
			}
			return nil, err
		}
		pl.local[src] = path
		if !seen[path] {
			seen[path] = true
			pl.paths = append(pl.paths, path)
		}
	}
	return pl, nil
}

// send prepares the plan's body and sends it with call (add-content or
// update-content). When the platform refuses it for what it carried
// (gjw.ContentRefused) and it carried pictures from the image cache, they
// may be ones the CDN dropped since: every picture of the plan is uploaded
// again, past the cache, and the body sent once more, so a refused URL is
// never sent again.
func (p *Publisher) send(ctx context.Context, pl *plan, call string, fn func(gjw.Content) error) (persist.Draft, error) {
	body, d, err := p.prepare(ctx, pl, call, false)
	if err != nil {
		return d, err
	}
	err = fn(body)
	if !gjw.ContentRefused(err) || (pl.poster == "" && len(pl.paths) == 0) {
		return d, err
	}
	if body, d, err = p.prepare(ctx, pl, call, true); err != nil {
		return d, err
	}
	return d, fn(body)
}

// prepare uploads what the plan needs (again: past the image cache) and
// returns the content body and the draft with its poster URLs.
func (p *Publisher) prepare(ctx context.Context, pl *plan, call string, again bool) (gjw.Content, persist.Draft, error) {
	d := pl.d
	total := len(pl.paths) + 1
	if pl.poster != "" {
		total++
	}
	done := 0
	report := func(step string) {
		if p.OnProgress != nil {
			p.OnProgress(Progress{Done: done, Total: total, Step: step})
		}
	}
	if pl.poster != "" {
		report("uploading the poster " + filepath.Base(pl.poster))
		urls, err := p.upload(again)(ctx, p.Client, p.Store, pl.poster)
		if err != nil {
			return nil, d, fmt.Errorf("poster: %w", err)
		}
		if d.PosterURL, d.PosterHDURL, err = gjw.PickPosters(urls); err != nil {
			return nil, d, fmt.Errorf("poster %s: %w", pl.poster, err)
		}
		done++
	}
	cdn := map[string]string{} // path -> URL
	for i, path := range pl.paths {
		report(fmt.Sprintf("uploading image %d of %d: %s", i+1, len(pl.paths), filepath.Base(path)))
		u, err := p.uploadInline(ctx, path, again)
		if err != nil {
			return nil, d, err
		}
		cdn[path] = u
		done++
	}
	d.Images = map[string]string{}
	text, err := RewriteImages(pl.body, func(src string) (string, error) {
		if path, ok := pl.local[src]; ok {
			d.Images[src] = cdn[path]
			return cdn[path], nil
		}
		if u, ok := pl.sent[src]; ok {
			d.Images[src] = u
			return u, nil
		}
		return src, nil // a CDN URL, checked already
	})
	if err != nil {
		return nil, d, err
	}
	report("sending the article (" + call + ")")
	return content(d, text, pl.schedule), d, nil
}

// content is the add-content / update-content body: every field, always,
// so that an update resets nothing.
func content(d persist.Draft, text string, schedule bool) gjw.Content {
	premium := 0
	if d.Premium {
		premium = 1
	}
	c := gjw.Content{
		"type":               "News",
		"mode":               "ready",
		"lang":               strings.TrimSpace(d.Lang),
		"category_id":        strings.TrimSpace(d.Category),
		"title":              strings.TrimSpace(d.Title),
		"description":        strings.TrimSpace(d.Description),
		"visibility":         d.Visibility,
		"poster_url":         d.PosterURL,
		"poster_hd_url":      d.PosterHDURL,
		"meta":               map[string]any{"text": text},
		"keywords":           cleanList(d.Keywords),
		"hashtags":           NormalizeHashtags(d.Hashtags),
		"premium":            premium,
		"use_schedule":       schedule,
		"made_for_kids":      d.MadeForKids,
		"user_made_for_kids": d.MadeForKids,
		"protected_type":     "",
		"slug":               "",
		"deleteTranslations": []string{},
	}
	if schedule {
		c["time_scheduled"] = d.Schedule.UnixMilli()
	}
	return c
}

// cleanList trims items and drops empty ones; the result is never nil.
func cleanList(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Publish uploads the draft's poster and images and creates the article
// with add-content. With d.Schedule set (it must be in the future) the
// article is scheduled. The returned draft carries the content ID, the
// poster URLs and PublishedAt (now, or the schedule) and has been saved
// (see SaveDraft) if it has an ID.
func (p *Publisher) Publish(ctx context.Context, d persist.Draft) (persist.Draft, error) {
	d = WithDefaults(d)
	if d.ContentID != "" {
		return d, fmt.Errorf("%q is already published at %s: update it instead", d.Title, NewsURL(d.ContentID))
	}
	pl, err := p.check(d, false)
	if err != nil {
		return d, err
	}
	var id string
	d, err = p.send(ctx, pl, "add-content", func(body gjw.Content) (err error) {
		id, err = p.Client.AddContent(ctx, body)
		return err
	})
	if err != nil {
		return d, err
	}
	d.ContentID = id
	d.PublishedAt = p.now()
	if pl.schedule {
		d.PublishedAt = d.Schedule
	}
	return d, p.save(d)
}

// Update sends every field of an already published draft with
// update-content, so nothing on the platform is reset. Images are
// uploaded first as in Publish; those uploaded before are not sent again.
func (p *Publisher) Update(ctx context.Context, d persist.Draft) (persist.Draft, error) {
	d = WithDefaults(d)
	if d.ContentID == "" {
		return d, fmt.Errorf("%q is not published yet: publish it first", d.Title)
	}
	pl, err := p.check(d, true)
	if err != nil {
		return d, err
	}
	d, err = p.send(ctx, pl, "update-content", func(body gjw.Content) error {
		return p.Client.UpdateContent(ctx, d.ContentID, body)
	})
	if err != nil {
		return d, err
	}
	switch now := p.now(); {
	case pl.schedule:
		d.PublishedAt = d.Schedule
	case d.PublishedAt.After(now):
		// It was scheduled, and the update (no schedule now) made it live.
		d.PublishedAt = now
	}
	return d, p.save(d)
}

func (p *Publisher) save(d persist.Draft) error {
	var err error
	switch {
	case p.SaveDraft != nil:
		err = p.SaveDraft(d)
	case d.ID != "" && p.Store != nil:
		err = p.Store.PutDraft(d)
	}
	if err != nil {
		return fmt.Errorf("the article is on Gan Jing World at %s, but saving the draft failed: %w", NewsURL(d.ContentID), err)
	}
	return nil
}

// UploadImage uploads an image for the article body (unless the same
// picture was uploaded before) and returns the URL to put in its <img>:
// the 960 size, .webp preferred.
func (p *Publisher) UploadImage(ctx context.Context, path string) (string, error) {
	if err := gjw.ValidateImage(path); err != nil {
		return "", err
	}
	return p.uploadInline(ctx, path, false)
}

// upload is the image upload to use: once (the cache first), or again.
func (p *Publisher) upload(again bool) func(context.Context, *gjw.Client, gjw.ImageStore, string) ([]string, error) {
	if again {
		return gjw.UploadImageAgain
	}
	return gjw.UploadImageOnce
}

func (p *Publisher) uploadInline(ctx context.Context, path string, again bool) (string, error) {
	urls, err := p.upload(again)(ctx, p.Client, p.Store, path)
	if err != nil {
		return "", err
	}
	u := inlineURL(urls)
	if u == "" {
		return "", fmt.Errorf("image %s: the image CDN returned no usable size; try another picture", path)
	}
	return u, nil
}

// inlineOrder is the size used in article bodies (960), then the poster
// fallback orders.
var inlineOrder = []string{"960", "672", "480", "580", "360", "240", "140", "origin", "1920", "1280"}

func inlineURL(urls []string) string {
	for _, size := range inlineOrder {
		if u := gjw.PickSize(urls, size); u != "" {
			return u
		}
	}
	return ""
}
