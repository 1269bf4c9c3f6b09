package gui

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/awake"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/core/httpx"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// formatBytes is a size for people: "812 KB", "12.3 MB", "1.20 GB".
func formatBytes(n int64) string {
	const k = 1000
	switch {
	case n < k:
		return fmt.Sprintf("%d B", n)
	case n < k*k:
		return fmt.Sprintf("%.0f KB", float64(n)/k)
	case n < k*k*k:
		return fmt.Sprintf("%.1f MB", float64(n)/(k*k))
	default:
		return fmt.Sprintf("%.2f GB", float64(n)/(k*k*k))
	}
}

// formatSpeed is a transfer rate: "2.4 MB/s".
func formatSpeed(bps float64) string {
	if bps <= 0 {
		return ""
	}
	return formatBytes(int64(bps)) + "/s"
}

// formatETA is the time left: "45 s left", "3 min left", "1 h 20 min left".
func formatETA(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Minute:
		return fmt.Sprintf("%d s left", int(d.Seconds()+0.5))
	case d < time.Hour:
		return fmt.Sprintf("%d min left", int(d.Minutes()+0.5))
	default:
		h := int(d.Hours())
		return fmt.Sprintf("%d h %d min left", h, int(d.Minutes())-60*h)
	}
}

// totalText is the line under the queue: "2 of 6 videos published ·
// 1.23 GB of 4.47 GB sent · 6.4 MB/s · 8 min left" (speed and time while
// bytes move; "" for an empty queue).
func totalText(t core.Total) string {
	if t.Files == 0 {
		return ""
	}
	noun := "videos"
	if t.Files == 1 {
		noun = "video"
	}
	parts := []string{
		fmt.Sprintf("%d of %d %s published", t.Done, t.Files, noun),
		formatBytes(t.Sent) + " of " + formatBytes(t.Bytes) + " sent",
	}
	for _, s := range []string{formatSpeed(t.Speed), formatETA(t.ETA)} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " · ")
}

// formatLength is how long a video plays: "3:12", "1:02:03".
func formatLength(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// formatUntil says when t comes: "in 9 days", "in 3 hours", "expired".
func formatUntil(t time.Time, now time.Time) string {
	d := t.Sub(now)
	switch {
	case t.IsZero():
		return "unknown"
	case d <= 0:
		return "expired"
	case d < time.Hour:
		return fmt.Sprintf("in %d minutes", int(d.Minutes()+0.5))
	case d < 48*time.Hour:
		return fmt.Sprintf("in %d hours", int(d.Hours()+0.5))
	default:
		return fmt.Sprintf("in %d days", int(d.Hours()/24+0.5))
	}
}

// stepText is a driver's step as a row shows it: "Step 6 of 8 · uploading
// video" (a step without a number is its title alone).
func stepText(st dest.Step) string {
	if st.N > 0 && st.Of > 0 {
		return fmt.Sprintf("Step %d of %d · %s", st.N, st.Of, st.Title)
	}
	return st.Title
}

// stepPrefix matches dest.StepError's "step 6 (uploading video): ".
var stepPrefix = regexp.MustCompile(`^step \d+ \([^)]*\): `)

// reasonOf is why a target stopped: its stored code, or the code the
// latest event's error carries.
func reasonOf(t persist.Target, err error) dest.Reason {
	if t.Reason != "" {
		return dest.Reason(t.Reason)
	}
	var se *dest.StopError
	if errors.As(err, &se) {
		return se.Reason
	}
	return dest.ReasonNone
}

// waitsFor reports whether target t waits for reason r.
func waitsFor(t persist.Target, r dest.Reason) bool {
	return t.State == core.StateWaiting && dest.Reason(t.Reason) == r
}

// anyFailedFor reports whether a target of j failed for reason r.
func anyFailedFor(j persist.Job, r dest.Reason) bool {
	for _, t := range j.Targets {
		if t.State == core.StateFailed && dest.Reason(t.Reason) == r {
			return true
		}
	}
	return false
}

// anyWaitsFor reports whether a target of j waits for reason r.
func anyWaitsFor(j persist.Job, r dest.Reason) bool {
	for _, t := range j.Targets {
		if waitsFor(t, r) {
			return true
		}
	}
	return false
}

// platformName is a platform as people know it.
func platformName(platform string) string { return account.Title(platform) }

// remoteID is the platform's id of what target t created there (GJW: the
// content entry, known from step 4 on), or "".
func remoteID(t persist.Target) string {
	if t.Result.ID != "" {
		return t.Result.ID
	}
	if t.Platform == gjw.Platform {
		return gjw.ContentIDOf(t.Checkpoint)
	}
	return ""
}

// hasRemote reports whether an unfinished target of j has created
// something on its platform (GJW: a content entry) that stays there if it
// is canceled.
func hasRemote(j persist.Job) bool {
	for _, t := range j.Targets {
		if t.State != core.StateDone && t.State != core.StateCanceled && remoteID(t) != "" {
			return true
		}
	}
	return false
}

// siteHosts are the hosts the window runs with (New sets them): on the
// local sandbox, links to published videos go to the sandbox's pages of
// them (gjw.Hosts.OnSite), not to the real site with a sandbox id.
var siteHosts = gjw.DefaultHosts

// targetLink is the public page of target t: the published result's URL,
// or (GJW, before the result is stored) the page its content entry gets.
func targetLink(t persist.Target) string {
	if t.Result.URL != "" {
		return siteHosts.OnSite(t.Result.URL)
	}
	if t.Platform == gjw.Platform {
		if id := gjw.ContentIDOf(t.Checkpoint); id != "" {
			return siteHosts.OnSite(core.VideoURL(id))
		}
	}
	return ""
}

// jobLink is the link of a job's first published target (of its first
// target with a link while none is published).
func jobLink(j persist.Job) string {
	for _, t := range j.Targets {
		if t.State == core.StateDone {
			if l := targetLink(t); l != "" {
				return l
			}
		}
	}
	for _, t := range j.Targets {
		if l := targetLink(t); l != "" {
			return l
		}
	}
	return ""
}

// explain is why target t stopped, in the creator's words with the next
// step (the row, the details panel and notifications show it); err is the
// latest event's error, when the app saw it happen.
func explain(err error, t persist.Target) string {
	words, _ := problem(err, t)
	return words
}

// problem is the one place where failures become words: by the target's
// reason code and the kind of the failed call (httpx.KindOf), never by
// matching message text. technical is the message itself (status, host,
// the platform's own words), shown under "Details" when it says more.
func problem(err error, t persist.Target) (words, technical string) {
	technical = t.Error
	if err != nil {
		technical = err.Error()
	}
	name := platformName(t.Platform)
	kind := httpx.KindOf(err)
	switch reason := reasonOf(t, err); {
	case reason == dest.ReasonSignedOut:
		words = "Your " + name + " session has ended. Sign in again on the Account tab; this upload continues by itself."
	case reason == dest.ReasonNeedPoster:
		words = "Choose a poster image for this video to continue."
	case reason == dest.ReasonPosterRefused:
		words = name + " refused the poster image — choose another."
	case reason == dest.ReasonAmbiguousCreate:
		words = "The connection dropped while " + name + " was creating the entry, so it was not created twice. " +
			"Look in your channel: if it is not there, Start over."
	case reason == dest.ReasonProcessingFailed:
		words = name + " could not process the video. Check that the file plays, then Start over to send it again."
	case reason == dest.ReasonFileChanged:
		words = sentence(technical) // the driver's words name the file
	case reason == dest.ReasonOffline:
		words = "Can't reach " + name + " — check your connection; it goes on by itself once it is back."
	case reason == dest.ReasonUnreachable || kind == httpx.KindUnreachable:
		words = "Can't reach " + name + " — check your connection, then Retry."
	case reason == dest.ReasonGaveUp || kind == httpx.KindBusy || kind == httpx.KindServer:
		words = name + " did not finish after several tries. Retry later: nothing already sent is lost."
	case reason == dest.ReasonRefused || kind == httpx.KindRefused:
		words = name + " refused the upload (see Details). Change what it names, then Retry or Start over."
	default:
		words = sentence(technical) // already the driver's plain words
	}
	if sentence(technical) == words {
		technical = ""
	}
	return words, technical
}

// retryWords is a running target's wait before a retry, by the kind of
// the failure: "Can't reach Gan Jing World — check your connection;
// retrying in 20 s".
func retryWords(platform string, err error, wait time.Duration) string {
	name := platformName(platform)
	in := fmt.Sprintf("retrying in %d s", int(wait.Seconds()+0.99))
	switch httpx.KindOf(err) {
	case httpx.KindUnreachable:
		return "Can't reach " + name + " — check your connection; " + in
	case httpx.KindBusy:
		return name + " is busy; " + in
	case httpx.KindServer:
		return name + " had a problem; " + in
	}
	return "Connection problem; " + in
}

// sentence is an engine message as a sentence: without dest.StepError's
// "step 6 (uploading video): " (the row shows the step), capitalised,
// ending in a full stop.
func sentence(msg string) string {
	msg = stepPrefix.ReplaceAllString(msg, "")
	if msg == "" {
		return ""
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// fieldWords name an account's fields inside a sentence.
var fieldWords = map[string]string{
	"api_key": "API key", "site_id": "site ID", "api_secret": "API secret",
	"access_key": "access key", "secret_key": "secret key",
	"access_token": "access token", "refresh_token": "refresh token",
}

// checkWords is a failed credential check in the creator's words: which
// part the platform refused or does not know, or that it could not be
// reached, and what to do. Nothing was stored.
func checkWords(platform string, ce *dest.CheckError, given map[string]string) string {
	title := account.Title(platform)
	var names []string
	for _, f := range ce.Fields {
		names = append(names, "the "+fieldWords[f])
	}
	what := strings.Join(names, " and ")
	switch ce.Problem {
	case dest.ProblemRefused:
		if platform == account.GJW {
			return title + " refused " + what + ". Copy them again from a browser signed in to your channel; nothing was saved."
		}
		return title + " refused " + what + ". Check and paste again; nothing was saved."
	case dest.ProblemUnknown:
		id := ""
		if len(ce.Fields) == 1 && given[ce.Fields[0]] != "" {
			id = " “" + given[ce.Fields[0]] + "”"
		}
		return title + " does not know " + what + id + ". Check it (and that the secret belongs to it); nothing was saved."
	}
	return "Can't reach " + title + " — check your connection, then try again. Nothing was saved."
}

// awakeText is the message bar's line when the system refused to keep the
// computer awake during uploads (err is Engine.KeepAwakeErr).
func awakeText(err error) string {
	why := "the system did not allow it"
	switch {
	case errors.Is(err, awake.ErrUnsupported):
		why = "this system does not let apps keep it awake"
	case errors.Is(err, awake.ErrNoService):
		why = "the system's power manager did not answer"
	case errors.Is(err, awake.ErrRefused):
		why = "the system's power manager did not allow it"
	}
	return "Your computer may sleep during uploads: " + why + ". Keep it awake in its power settings."
}
