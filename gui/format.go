package gui

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
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

// stepLabel is "Step 6 of 8 · uploading video".
func stepLabel(step string) string {
	if n := core.StepNumber(step); n > 0 && step != core.StepDone {
		return fmt.Sprintf("Step %d of 8 · %s", n, core.StepTitle(step))
	}
	return core.StepTitle(step)
}

// stepPrefix matches core.StepError's "step 6 (uploading video): ".
var stepPrefix = regexp.MustCompile(`^step \d+ \([^)]*\): `)

// needsSignIn reports whether a job's stored error means the session died.
func needsSignIn(jobError string) bool {
	return strings.Contains(jobError, gjw.ErrSignedOut.Error())
}

// needsPoster reports whether a job waits for a poster image.
func needsPoster(jobError string) bool { return jobError == core.ErrNeedPoster.Error() }

// explain turns a failure into one plain sentence with the next step; the
// row shows it, and the full chain goes to the log. The engine's messages
// already say what to do, so this mostly drops the step prefix (the row
// shows the step) and maps the few cases that need the app's words.
func explain(err error, stored string) string {
	msg := stored
	if err != nil {
		msg = err.Error()
	}
	switch {
	case err != nil && errors.Is(err, gjw.ErrSignedOut), needsSignIn(msg):
		return "Your Gan Jing World session has ended. Sign in again on the Account tab; this upload continues by itself."
	case err != nil && errors.Is(err, core.ErrNeedPoster), needsPoster(msg):
		return "Choose a poster image for this video to continue."
	case msg == "":
		return ""
	}
	msg = stepPrefix.ReplaceAllString(msg, "")
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}
