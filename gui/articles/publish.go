package articles

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"fyne.io/fyne/v2"

	"github.com/gjw-uploader/gjw-uploader/core/article"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/ask"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// publisher publishes the drafts; its Client is set off the UI goroutine
// (see client).
func (v *View) publisher(onProgress func(article.Progress)) *article.Publisher {
	return &article.Publisher{Store: v.deps.DB, OnProgress: onProgress}
}

// rememberAccount gives the open draft the account it goes to (the one
// shown), so it is saved with it and an update goes to the same channel.
func (v *View) rememberAccount() {
	if v.current.Draft().Account == "" && v.channel.Selected != "" {
		v.edit(func(d *persist.Draft) { d.Account = v.channel.Selected })
	}
}

// client is the GJW client of account name ("" is the default one). It
// takes the engine's lock, so it is called off the UI goroutine.
func (v *View) client(name string) (*gjw.Client, error) {
	if name == "" {
		return v.deps.Engine.Client(), nil
	}
	d, err := v.deps.Engine.Driver(name)
	if err != nil {
		return nil, err
	}
	g, ok := d.(*gjw.Driver)
	if !ok {
		return nil, fmt.Errorf("account %q is not a Gan Jing World account", name)
	}
	return g.Client(), nil
}

// publish publishes the open draft now, or (scheduled) at its schedule.
func (v *View) publish(scheduled bool) {
	if v.current == nil || v.busy || !v.fieldsValid() {
		return
	}
	v.rememberAccount()
	d := v.current.Draft()
	switch {
	case scheduled && d.Schedule.IsZero():
		v.setError("Enter a schedule (a date and time such as " + scheduleExample() + ") first, or use Publish.")
		return
	case !scheduled:
		d.Schedule = time.Time{}
	}
	verb := "Publishing"
	if scheduled {
		verb = "Scheduling"
	}
	v.run(verb, func(p *article.Publisher) (persist.Draft, error) { return p.Publish(v.ctx, d) })
}

// update sends the open, published draft again with every field.
func (v *View) update() {
	if v.current == nil || v.busy || !v.fieldsValid() {
		return
	}
	v.rememberAccount()
	d := v.current.Draft()
	v.run("Updating", func(p *article.Publisher) (persist.Draft, error) { return p.Update(v.ctx, d) })
}

// fieldsValid reports whether the schedule field parses and the category
// field names a category. While the schedule does not parse, the draft
// keeps the last schedule that did, which the field no longer shows:
// sending that would publish at a time the creator has not seen, so the
// field must be fixed first.
func (v *View) fieldsValid() bool {
	if _, err := parseSchedule(v.sched.Text); err != nil {
		v.setError("Schedule: " + err.Error() + ".")
		return false
	}
	if err := v.category.Validate(); err != nil {
		v.setError("Category: " + err.Error() + ".")
		return false
	}
	return true
}

// run does one publish or update off the UI goroutine, with progress,
// and shows the link or the error.
func (v *View) run(verb string, call func(p *article.Publisher) (persist.Draft, error)) {
	s := v.current
	v.busy = true
	v.refreshActions()
	v.progress.SetValue(0)
	v.showProgress(true)
	v.setStatus(verb + "…")
	pub := v.publisher(func(p article.Progress) {
		v.do(func() {
			v.progress.SetValue(float64(p.Done) / float64(p.Total))
			v.setStatus(verb + ": " + p.Step + "…")
		})
	})
	pub.SaveDraft = s.Published // the content ID goes into the open copy and is saved at once
	acct := s.Draft().Account
	v.bg(func() {
		var d persist.Draft
		var err error
		if pub.Client, err = v.client(acct); err == nil {
			d, err = call(pub)
		}
		v.do(func() {
			v.busy = false
			if v.uploads == 0 {
				v.showProgress(false)
			}
			if i := v.index(d.ID); i >= 0 {
				v.list.RefreshItem(i)
			}
			v.refreshActions()
			switch {
			case err != nil && v.ctx.Err() != nil && errors.Is(err, v.ctx.Err()):
			case err != nil:
				v.fail(verb+" failed", err)
				v.stale = true
			case verb == "Updating":
				v.setStatus(fmt.Sprintf("Updated %q on Gan Jing World.", listTitle(d)))
			case !d.Schedule.IsZero():
				v.setStatus(fmt.Sprintf("Scheduled %q for %s.", listTitle(d), d.Schedule.Local().Format(time.RFC1123)))
			default:
				v.setStatus(fmt.Sprintf("Published %q.", listTitle(d)))
			}
		})
	})
}

// refreshActions enables the buttons that fit the open draft and shows
// its link once it is published.
func (v *View) refreshActions() {
	var d persist.Draft
	open := v.current != nil
	if open {
		d = v.current.Draft()
	}
	published := d.ContentID != ""
	enable(v.publishBtn, open && !v.busy && !published && d.Schedule.IsZero())
	enable(v.scheduleBtn, open && !v.busy && !published && !d.Schedule.IsZero())
	enable(v.updateBtn, open && !v.busy && published)
	enable(v.dupBtn, open)
	enable(v.delBtn, open && !v.busy)
	enable(v.channel, open && !v.busy && !published) // updates go to the channel it is on
	if published {
		u := v.deps.Engine.Client().Hosts.OnSite(article.NewsURL(d.ContentID)) // the sandbox's page, on the sandbox
		if v.link.Text != u {
			v.link.SetText(u)
			v.link.SetURLFromString(u)
		}
	}
	if published != v.linkRow.Visible() {
		if published {
			v.linkRow.Show()
		} else {
			v.linkRow.Hide()
		}
		v.editorBox.Refresh()
	}
}

func enable(b fyne.Disableable, on bool) {
	switch {
	case on && b.Disabled():
		b.Enable()
	case !on && !b.Disabled():
		b.Disable()
	}
}

func (v *View) copyLink() {
	if v.link.Text == "" {
		return
	}
	fyne.CurrentApp().Clipboard().SetContent(v.link.Text)
	v.setStatus("Link copied.")
}

func (v *View) openLink() {
	u, err := url.Parse(v.link.Text)
	if err != nil || v.link.Text == "" {
		return
	}
	if err := fyne.CurrentApp().OpenURL(u); err != nil {
		fyne.LogError("opening "+v.link.Text, err)
		v.setError("No web browser opened (" + ask.WhyNoBrowser(err) + "): Copy link copies the link, to paste it into one.")
	}
}
