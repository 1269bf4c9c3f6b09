package gui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// accountView signs in with the browser-session tokens the upload guide
// describes, shows when the session expires, refreshes it and signs out.
// Tokens are typed into password entries and never shown or logged.
type accountView struct {
	ui *UI

	status  *widget.Label
	expiry  *widget.Label
	result  *widget.Label
	refresh *widget.Button
	signOut *widget.Button

	access    *widget.Entry
	refreshTk *widget.Entry
	channel   *widget.Entry
	expiresIn *widget.Entry
	signIn    *widget.Button
	formMsg   *widget.Label

	content fyne.CanvasObject
}

func newAccountView(ui *UI) *accountView {
	a := &accountView{ui: ui}
	a.status = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	a.expiry = widget.NewLabel("")
	a.result = widget.NewLabel("")
	a.result.Wrapping = fyne.TextWrapWord
	a.refresh = widget.NewButtonWithIcon("Refresh now", theme.ViewRefreshIcon(), a.doRefresh)
	a.signOut = widget.NewButtonWithIcon("Sign out", theme.LogoutIcon(), a.confirmSignOut)
	a.signOut.Importance = widget.DangerImportance

	a.access = widget.NewPasswordEntry()
	a.access.SetPlaceHolder("access token")
	a.refreshTk = widget.NewPasswordEntry()
	a.refreshTk.SetPlaceHolder("refresh token")
	a.channel = widget.NewEntry()
	a.channel.SetPlaceHolder("channel id")
	a.expiresIn = widget.NewEntry()
	a.expiresIn.SetPlaceHolder("optional, e.g. 864000")
	a.signIn = widget.NewButtonWithIcon("Sign in", theme.LoginIcon(), a.doSignIn)
	a.signIn.Importance = widget.HighImportance
	a.formMsg = widget.NewLabel("")
	a.formMsg.Wrapping = fyne.TextWrapWord

	help := widget.NewLabel("Sign in to your channel on ganjingworld.com in a browser, then copy the session's access token, " +
		"refresh token and channel id here. GJW Uploader keeps them in its data folder and renews the access token " +
		"by itself before it expires; the refresh token lasts about three months.")
	help.Wrapping = fyne.TextWrapWord

	session := widget.NewCard("Session", "", container.NewVBox(
		a.status, a.expiry, container.NewHBox(a.refresh, a.signOut), a.result))
	form := widget.NewForm(
		widget.NewFormItem("Access token", a.access),
		widget.NewFormItem("Refresh token", a.refreshTk),
		widget.NewFormItem("Channel ID", a.channel),
		widget.NewFormItem("Expires in (seconds)", a.expiresIn),
	)
	signInCard := widget.NewCard("Sign in", "With the tokens of a browser session", container.NewVBox(
		help, form, container.NewHBox(a.signIn), a.formMsg))
	a.content = container.NewVScroll(container.NewPadded(container.NewVBox(session, signInCard)))
	a.refreshStatus()
	return a
}

// refreshStatus shows who is signed in and until when; never a token.
func (a *accountView) refreshStatus() {
	cr, ok, err := a.ui.deps.DB.Credentials()
	switch {
	case err != nil:
		a.status.SetText("The session could not be read: " + err.Error())
		a.expiry.SetText("")
	case !ok:
		a.status.SetText("Not signed in")
		a.expiry.SetText("Paste the tokens below to sign in.")
	default:
		a.status.SetText("Signed in · channel " + cr.ChannelID)
		if cr.ExpiresAt.IsZero() {
			a.expiry.SetText("Access token expiry: unknown (it is renewed when the platform asks)")
		} else {
			a.expiry.SetText("Access token expires " + formatUntil(cr.ExpiresAt, time.Now()) +
				" (" + cr.ExpiresAt.Local().Format("Mon 2 Jan 2006 15:04") + ")")
		}
	}
	if ok {
		a.refresh.Enable()
		a.signOut.Enable()
	} else {
		a.refresh.Disable()
		a.signOut.Disable()
	}
}

// focus puts the cursor in the first sign-in field.
func (a *accountView) focus() {
	if c := a.ui.win.Canvas(); c != nil {
		c.Focus(a.access)
	}
}

// doSignIn stores the pasted session and lets waiting uploads go on.
func (a *accountView) doSignIn() {
	cr := persist.Credentials{
		AccessToken:  strings.TrimSpace(a.access.Text),
		RefreshToken: strings.TrimSpace(a.refreshTk.Text),
		ChannelID:    strings.TrimSpace(a.channel.Text),
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"access token", cr.AccessToken}, {"refresh token", cr.RefreshToken}, {"channel id", cr.ChannelID}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		a.say(a.formMsg, widget.DangerImportance, "Paste the "+strings.Join(missing, ", ")+" to sign in.")
		return
	}
	if s := strings.TrimSpace(a.expiresIn.Text); s != "" {
		secs, err := strconv.ParseInt(s, 10, 64)
		if err != nil || secs <= 0 {
			a.say(a.formMsg, widget.DangerImportance, "“Expires in” is a number of seconds (for example 864000), or empty.")
			return
		}
		cr.ExpiresAt = time.Now().Add(time.Duration(secs) * time.Second)
	}
	if err := SignIn(a.ui.deps.DB, cr); err != nil {
		a.say(a.formMsg, widget.DangerImportance, "Could not save the session: "+err.Error())
		return
	}
	for _, e := range []*widget.Entry{a.access, a.refreshTk, a.expiresIn} {
		e.SetText("")
	}
	a.say(a.formMsg, widget.SuccessImportance, "Signed in. Waiting uploads continue now.")
	a.say(a.result, widget.MediumImportance, "")
	a.refreshStatus()
	a.ui.signedIn()
}

// SignIn stores a session (cmd/gjw-uploader uses it for the demo account).
func SignIn(db *persist.DB, cr persist.Credentials) error {
	if cr.AccessToken == "" || cr.RefreshToken == "" || cr.ChannelID == "" {
		return errors.New("access token, refresh token and channel id are all needed")
	}
	return db.PutCredentials(cr)
}

// doRefresh exchanges the refresh token now, off the UI goroutine.
func (a *accountView) doRefresh() {
	a.refresh.Disable()
	a.say(a.result, widget.MediumImportance, "Refreshing…")
	client := a.ui.deps.Engine.Client()
	a.ui.goBackground(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		err := client.Refresh(ctx)
		a.ui.do(func() {
			a.refreshStatus()
			switch {
			case err == nil:
				a.say(a.result, widget.SuccessImportance, "Session refreshed.")
			case errors.Is(err, gjw.ErrSignedOut):
				a.say(a.result, widget.DangerImportance, "The session was refused: sign in again below.")
				a.ui.setSignedOut(true)
			default:
				fyne.LogError("refresh", err)
				a.say(a.result, widget.DangerImportance, "Could not refresh: "+err.Error())
			}
		})
	})
}

func (a *accountView) confirmSignOut() {
	dialog.ShowConfirm("Sign out?", "GJW Uploader forgets this session. Queued uploads wait until you sign in again.",
		func(ok bool) {
			if ok {
				a.doSignOut()
			}
		}, a.ui.win)
}

// doSignOut wipes the stored session.
func (a *accountView) doSignOut() {
	if err := a.ui.deps.DB.DeleteCredentials(); err != nil {
		a.say(a.result, widget.DangerImportance, "Could not sign out: "+err.Error())
		return
	}
	a.say(a.result, widget.MediumImportance, "Signed out; the session was removed from this computer.")
	a.refreshStatus()
}

func (a *accountView) say(l *widget.Label, imp widget.Importance, msg string) {
	l.Importance = imp
	l.SetText(msg)
}
