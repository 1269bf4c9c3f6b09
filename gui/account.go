package gui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/gui/internal/ask"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// accountView is the Account tab: the accounts uploads go to (platform,
// name, default flag, session state and expiry, remove), the session of
// the default Gan Jing World account (refresh, sign out), and the form that
// adds a Gan Jing World account with the browser-session tokens the upload
// guide describes. Everything goes through the account Manager; tokens are
// typed into password entries and never shown or logged. Reads come from
// the Manager's memory; writes run off the UI goroutine.
type accountView struct {
	ui *UI

	status  *widget.Label
	expiry  *widget.Label
	result  *widget.Label
	refresh *widget.Button
	signOut *widget.Button

	list  *fyne.Container // one row per account
	where *widget.Label

	name      *widget.Entry
	access    *widget.Entry
	refreshTk *widget.Entry
	channel   *widget.Entry
	expiresIn *widget.Entry
	signIn    *widget.Button
	formMsg   *widget.Label
	formTech  *technical // the technical line of a refused sign-in

	keyForms map[string]*keyForm // by platform: Gcore, JW Player, Wangsu

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

	a.list = container.NewVBox()
	a.where = widget.NewLabel("")
	a.where.Wrapping = fyne.TextWrapWord

	a.name = widget.NewEntry()
	a.name.SetPlaceHolder("optional: gjw for the first, a name of your own for another channel")
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
	a.formTech = newTechnical()

	help := widget.NewLabel("Sign in to your channel on ganjingworld.com in a browser, then copy the session's access token, " +
		"refresh token and channel id here. GJW Uploader keeps them in the system keyring (or, without one, in its " +
		"data folder) and renews the access token by itself before it expires; the refresh token lasts about three months. " +
		"Signing in again to the same channel replaces its session; another channel needs a name of its own.")
	help.Wrapping = fyne.TextWrapWord

	session := widget.NewCard("Session", "The default Gan Jing World account", container.NewVBox(
		a.status, a.expiry, container.NewHBox(a.refresh, a.signOut), a.result))
	accounts := widget.NewCard("Accounts", "Where uploads go", container.NewVBox(a.list, a.where))
	form := widget.NewForm(
		widget.NewFormItem("Account name", a.name),
		widget.NewFormItem("Access token", a.access),
		widget.NewFormItem("Refresh token", a.refreshTk),
		widget.NewFormItem("Channel ID", a.channel),
		widget.NewFormItem("Expires in (seconds)", a.expiresIn),
	)
	signInCard := widget.NewCard("Sign in", "Add a Gan Jing World account with the tokens of a browser session", container.NewVBox(
		help, form, container.NewHBox(a.signIn), a.formMsg, a.formTech.object()))
	a.keyForms = map[string]*keyForm{}
	var keyCards []fyne.CanvasObject
	for _, p := range account.Platforms {
		if p == account.GJW || !account.Available(p) {
			continue
		}
		f := newKeyForm(a, p)
		a.keyForms[p] = f
		keyCards = append(keyCards, f.card)
	}
	var soon []fyne.CanvasObject
	for _, p := range account.Platforms {
		if account.Available(p) {
			continue
		}
		b := widget.NewButton(account.Title(p)+": coming soon", nil)
		b.Disable()
		soon = append(soon, b)
	}
	others := widget.NewCard("Other platforms", "", container.NewHBox(soon...))
	a.content = container.NewVScroll(container.NewPadded(container.NewVBox(append(append([]fyne.CanvasObject{session, accounts, signInCard}, keyCards...), others)...)))
	a.refreshStatus()
	return a
}

// manager is the app's account Manager.
func (a *accountView) manager() *account.Manager { return a.ui.deps.Accounts }

// refreshStatus shows the accounts and the default GJW account's session;
// never a token. It reads the Manager's memory only.
func (a *accountView) refreshStatus() {
	m := a.manager()
	def, ok, _ := m.DefaultOf(account.GJW)
	var cr persist.Credentials
	var err error
	if ok {
		cr, ok, err = m.GJWCredentials(def.Name).Credentials()
	}
	switch {
	case err != nil:
		a.status.SetText("The session could not be read: " + err.Error())
		a.expiry.SetText("")
	case !ok:
		a.status.SetText("Not signed in")
		a.expiry.SetText("Paste the tokens below to sign in.")
	default:
		a.status.SetText("Signed in · channel " + cr.ChannelID + " · account " + def.Name)
		a.expiry.SetText(expiryText(cr.ExpiresAt))
	}
	if ok {
		a.refresh.Enable()
		a.signOut.Enable()
	} else {
		a.refresh.Disable()
		a.signOut.Disable()
	}

	accts, _ := m.List()
	rows := make([]fyne.CanvasObject, 0, len(accts))
	for _, acct := range accts {
		rows = append(rows, a.accountRow(acct))
	}
	if len(rows) == 0 {
		rows = append(rows, widget.NewLabel("No accounts yet: sign in below."))
	}
	a.list.Objects = rows
	a.list.Refresh()
	a.where.SetText("Secrets are kept in the " + m.SecretsWhere() + ".")
}

// accountRow is one account: what it is, its state, and Remove.
func (a *accountView) accountRow(acct account.Account) fyne.CanvasObject {
	parts := []string{account.Title(acct.Platform), acct.Name}
	if acct.Default {
		parts = append(parts, "default")
	}
	state := ""
	if acct.Platform == account.GJW {
		parts = append(parts, "channel "+acct.ChannelID)
		if cr, ok, _ := a.manager().GJWCredentials(acct.Name).Credentials(); ok {
			state = "Signed in · " + expiryText(cr.ExpiresAt)
		} else {
			state = "Signed out: sign in again below"
		}
	}
	title := widget.NewLabelWithStyle(strings.Join(parts, " · "), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	remove := widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() { a.confirmRemove(acct) })
	remove.Importance = widget.DangerImportance
	return container.NewBorder(nil, nil, nil, container.NewCenter(remove), container.NewVBox(title, widget.NewLabel(state)))
}

func expiryText(at time.Time) string {
	if at.IsZero() {
		return "Access token expiry: unknown (it is renewed when the platform asks)"
	}
	return "Access token expires " + formatUntil(at, time.Now()) + " (" + at.Local().Format("Mon 2 Jan 2006 15:04") + ")"
}

// focus puts the cursor in the first token field.
func (a *accountView) focus() {
	if c := a.ui.win.Canvas(); c != nil {
		c.Focus(a.access)
	}
}

// doSignIn adds (or signs in again) a GJW account through the Manager,
// off the UI goroutine, then lets waiting uploads go on.
func (a *accountView) doSignIn() {
	name := strings.TrimSpace(a.name.Text)
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
	if name != "" {
		if err := account.CheckName(name); err != nil {
			a.say(a.formMsg, widget.DangerImportance, "Account name: "+err.Error()+".")
			return
		}
	}
	if s := strings.TrimSpace(a.expiresIn.Text); s != "" {
		secs, err := strconv.ParseInt(s, 10, 64)
		if err != nil || secs <= 0 {
			a.say(a.formMsg, widget.DangerImportance, "“Expires in” is a number of seconds (for example 864000), or empty.")
			return
		}
		cr.ExpiresAt = time.Now().Add(time.Duration(secs) * time.Second)
	}
	m := a.manager()
	a.signIn.Disable()
	a.say(a.formMsg, widget.MediumImportance, "Checking the tokens with Gan Jing World…")
	a.formTech.set("")
	opts := a.ui.deps.Engine.Options()
	a.ui.goBackground(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		err := m.AddChecked(ctx, account.Account{Name: name, Platform: account.GJW, ChannelID: cr.ChannelID}, cr, opts)
		a.ui.do(func() {
			a.signIn.Enable()
			if a.refused(a.formMsg, a.formTech, account.GJW, err, nil) {
				return
			}
			switch {
			case errors.Is(err, account.ErrExists):
				a.say(a.formMsg, widget.DangerImportance, strings.TrimSuffix(err.Error(), ": give the new account another name")+
					": type a name for this one in “Account name”.")
				return
			case err != nil:
				a.say(a.formMsg, widget.DangerImportance, "Could not save the session: "+err.Error())
				return
			}
			for _, e := range []*widget.Entry{a.access, a.refreshTk, a.expiresIn, a.name} {
				e.SetText("")
			}
			a.say(a.formMsg, widget.SuccessImportance, "Signed in. Waiting uploads continue now.")
			a.say(a.result, widget.MediumImportance, "")
			a.refreshStatus()
			a.ui.signedIn()
		})
	})
}

// keyForm adds an account of a platform whose secrets are keys (Gcore,
// JW Player, Wangsu): a name and one password field per secret.
type keyForm struct {
	a        *accountView
	platform string
	name     *widget.Entry
	fields   map[string]*widget.Entry // by secret field ("api_key")
	add      *widget.Button
	msg      *widget.Label
	tech     *technical
	card     *widget.Card
}

// fieldLabels are the words shown for secret fields.
var fieldLabels = map[string]string{
	"api_key": "API key", "site_id": "Site ID", "api_secret": "API secret",
	"access_key": "Access key", "secret_key": "Secret key",
}

func newKeyForm(a *accountView, platform string) *keyForm {
	f := &keyForm{a: a, platform: platform, name: widget.NewEntry(), fields: map[string]*widget.Entry{}}
	f.name.SetPlaceHolder(platform)
	items := []*widget.FormItem{widget.NewFormItem("Account name", f.name)}
	for _, k := range account.SecretFields(platform) {
		e := widget.NewPasswordEntry()
		if k == "site_id" { // not a secret: shown
			e = widget.NewEntry()
		}
		f.fields[k] = e
		items = append(items, widget.NewFormItem(fieldLabels[k], e))
	}
	f.add = widget.NewButton("Add "+account.Title(platform)+" account", f.submit)
	f.msg = widget.NewLabel("")
	f.msg.Wrapping = fyne.TextWrapWord
	f.tech = newTechnical()
	f.card = widget.NewCard(account.Title(platform), "Add an account with its API credentials",
		container.NewVBox(widget.NewForm(items...), container.NewHBox(f.add), f.msg, f.tech.object()))
	return f
}

// submit checks the keys with the platform (one cheap authorized call),
// then stores the account; refused keys are not stored, and the keys are
// never shown again.
func (f *keyForm) submit() {
	name := strings.TrimSpace(f.name.Text)
	secret := map[string]string{}
	for _, k := range account.SecretFields(f.platform) {
		v := strings.TrimSpace(f.fields[k].Text)
		if v == "" {
			f.a.say(f.msg, widget.DangerImportance, "Paste the "+fieldLabels[k]+" to add the account.")
			return
		}
		secret[k] = v
	}
	if name != "" {
		if err := account.CheckName(name); err != nil {
			f.a.say(f.msg, widget.DangerImportance, "Account name: "+err.Error()+".")
			return
		}
	}
	m := f.a.manager()
	f.add.Disable()
	f.a.say(f.msg, widget.MediumImportance, "Checking the keys with "+account.Title(f.platform)+"…")
	f.tech.set("")
	opts := f.a.ui.deps.Engine.Options()
	f.a.ui.goBackground(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		err := m.AddChecked(ctx, account.Account{Name: name, Platform: f.platform}, secret, opts)
		f.a.ui.do(func() {
			f.add.Enable()
			if f.a.refused(f.msg, f.tech, f.platform, err, secret) {
				return
			}
			if err != nil {
				f.a.say(f.msg, widget.DangerImportance, "Could not add the account: "+err.Error())
				return
			}
			f.name.SetText("")
			for _, e := range f.fields {
				e.SetText("")
			}
			f.a.say(f.msg, widget.SuccessImportance, "Added. Its keys are stored and will not be shown again.")
			f.a.refreshStatus()
		})
	})
}

// SignIn adds a Gan Jing World session through m: the default GJW
// account's when it is for the same channel (signing in again), else a new
// account named gjw (cmd/gjw-uploader uses it for the demo account).
func SignIn(m *account.Manager, cr persist.Credentials) error {
	if cr.AccessToken == "" || cr.RefreshToken == "" || cr.ChannelID == "" {
		return errors.New("access token, refresh token and channel id are all needed")
	}
	acct := account.Account{Platform: account.GJW, ChannelID: cr.ChannelID}
	if def, ok, _ := m.DefaultOf(account.GJW); ok && def.ChannelID == cr.ChannelID {
		acct.Name = def.Name
	}
	return m.Add(acct, cr)
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

// confirmSignOut removes the default GJW account, after asking.
func (a *accountView) confirmSignOut() {
	def, ok, _ := a.manager().DefaultOf(account.GJW)
	if !ok {
		return
	}
	ask.Confirm(a.ui.win, "Sign out?", "GJW Uploader forgets the session of account "+def.Name+
		". Its queued uploads wait until you sign in again.", "Sign out", "Stay signed in",
		ask.Then(func() { a.remove(def.Name, "Signed out; the session was removed from this computer.") }))
}

// confirmRemove removes one account, after asking.
func (a *accountView) confirmRemove(acct account.Account) {
	ask.Confirm(a.ui.win, "Remove "+acct.Name+"?", fmt.Sprintf("GJW Uploader forgets the %s account %s and wipes its secrets "+
		"from this computer. Its uploads stop and wait until you add it again.", account.Title(acct.Platform), acct.Name),
		"Remove account", "Keep it",
		ask.Then(func() { a.remove(acct.Name, "Removed "+acct.Name+"; its secrets were wiped from this computer.") }))
}

// remove wipes an account off the UI goroutine.
func (a *accountView) remove(name, done string) {
	m := a.manager()
	a.ui.goBackground(func(context.Context) {
		err := m.Remove(name)
		a.ui.do(func() {
			a.refreshStatus()
			a.ui.uploads.refreshShown()
			if err != nil {
				a.say(a.result, widget.DangerImportance, "Could not remove "+name+": "+err.Error())
				return
			}
			a.say(a.result, widget.MediumImportance, done)
		})
	})
}

// refused shows a failed credential check on msg, in the creator's words,
// with the platform's answer under Details; false when err is not one.
func (a *accountView) refused(msg *widget.Label, tech *technical, platform string, err error, given map[string]string) bool {
	var ce *dest.CheckError
	if !errors.As(err, &ce) {
		return false
	}
	a.say(msg, widget.DangerImportance, checkWords(platform, ce, given))
	tech.set(err.Error())
	return true
}

func (a *accountView) say(l *widget.Label, imp widget.Importance, msg string) {
	l.Importance = imp
	l.SetText(msg)
}
