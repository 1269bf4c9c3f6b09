package main

// gjw account add|list|remove|default, and the GJW sign-in shared with
// gjw login. Secrets are read from flags and handed to the account
// Manager; they are never printed, not even in errors.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gjw-uploader/gjw-uploader/core/account"
	"github.com/gjw-uploader/gjw-uploader/core/dest"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

const accountUsage = `gjw account manages the accounts gjw publishes to.

  gjw account add gjw    --access-token A --refresh-token R --channel C [--expires-in S] [--name N]
  gjw account add gcore  --api-key KEY                                  [--name N]
  gjw account add jw     --site-id SITE --api-secret SECRET             [--name N]
  gjw account add wangsu --access-key AK --secret-key SK                [--name N]
                         (every add: [--no-check] stores without asking the platform first)
  gjw account list [--json]          name, platform, default flag, where secrets live
  gjw account remove NAME            forget the account and wipe its secrets
  gjw account default NAME[,NAME]    the destinations used when none is named

NAME defaults to the platform's name; a second account of one platform
needs --name. The first account added is the default destination. Adding
asks the platform once whether the credentials work (nothing is created
there); refused ones are not stored, and the error names the flag at fault.
`

func cmdAccount(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(a.stdout, accountUsage)
		return nil
	}
	switch args[0] {
	case "add":
		return cmdAccountAdd(ctx, a, args[1:])
	case "list":
		return cmdAccountList(a, args[1:])
	case "remove", "rm":
		return cmdAccountRemove(a, args[1:])
	case "default":
		return cmdAccountDefault(a, args[1:])
	}
	return usageError{fmt.Sprintf("unknown account command %q; run gjw account help", args[0])}
}

// gjwSignIn is the flags of a GJW account (gjw login, gjw account add gjw).
type gjwSignIn struct {
	access, refresh, channel, name *string
	expiresIn                      *int64
	noCheck                        *bool
}

func gjwFlags(fs *flag.FlagSet) gjwSignIn {
	return gjwSignIn{
		access:    fs.String("access-token", "", "access token from a browser session"),
		refresh:   fs.String("refresh-token", "", "refresh token from a browser session"),
		channel:   fs.String("channel", "", "channel id (user_id2)"),
		expiresIn: fs.Int64("expires-in", 0, "seconds until the access token expires (0: unknown)"),
		name:      fs.String("name", "", "account name (default gjw)"),
		noCheck:   noCheckFlag(fs),
	}
}

func noCheckFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("no-check", false, "store the credentials without asking the platform whether they work (offline)")
}

// add checks the flags (command names the command in errors), asks the
// platform whether the session works (unless --no-check) and stores the
// account through the Manager.
func (s gjwSignIn) add(ctx context.Context, a *app, command string) (account.Account, error) {
	for _, f := range []struct{ flag, v string }{{"--access-token", *s.access}, {"--refresh-token", *s.refresh}, {"--channel", *s.channel}} {
		if strings.TrimSpace(f.v) == "" {
			return account.Account{}, usageError{fmt.Sprintf("%s needs %s", command, f.flag)}
		}
	}
	if *s.expiresIn < 0 {
		return account.Account{}, usageError{"--expires-in is a number of seconds"}
	}
	name := strings.TrimSpace(*s.name)
	if name != "" {
		if err := account.CheckName(name); err != nil {
			return account.Account{}, usageError{err.Error()}
		}
	}
	if err := a.open(false); err != nil {
		return account.Account{}, err
	}
	cr := persist.Credentials{AccessToken: strings.TrimSpace(*s.access), RefreshToken: strings.TrimSpace(*s.refresh), ChannelID: strings.TrimSpace(*s.channel)}
	if *s.expiresIn > 0 {
		cr.ExpiresAt = time.Now().Add(time.Duration(*s.expiresIn) * time.Second)
	}
	acct := account.Account{Name: name, Platform: account.GJW, ChannelID: cr.ChannelID}
	if err := a.addAccount(ctx, acct, cr, *s.noCheck); err != nil {
		return account.Account{}, err
	}
	if acct.Name == "" {
		acct.Name = account.GJW
	}
	stored, _, err := a.accounts.Get(acct.Name)
	return stored, err
}

// addAccount stores acct with secret, after asking its platform whether
// the credentials work unless noCheck.
func (a *app) addAccount(ctx context.Context, acct account.Account, secret any, noCheck bool) error {
	if noCheck {
		return explainAdd(a.accounts.Add(acct, secret))
	}
	opts, err := a.options()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	err = a.accounts.AddChecked(ctx, acct, secret, opts)
	if ce := (*dest.CheckError)(nil); errors.As(err, &ce) {
		return explainCheck(acct.Platform, ce)
	}
	return explainAdd(err)
}

// checkFlags are the flags of the secret fields a check names.
var checkFlags = map[string]string{
	"access_token": "--access-token", "refresh_token": "--refresh-token",
	"api_key": "--api-key", "site_id": "--site-id", "api_secret": "--api-secret",
	"access_key": "--access-key", "secret_key": "--secret-key",
}

// checkFailed is a refused credential check in the command line's words;
// it unwraps to the *dest.CheckError (exit 3 unless the platform could not
// be reached).
type checkFailed struct {
	msg string
	ce  *dest.CheckError
}

func (e *checkFailed) Error() string { return e.msg }
func (e *checkFailed) Unwrap() error { return e.ce }

// explainCheck words a credential check that failed on platform.
func explainCheck(platform string, ce *dest.CheckError) error {
	var flags []string
	for _, f := range ce.Fields {
		flags = append(flags, checkFlags[f])
	}
	what := strings.Join(flags, " and ")
	title := account.Title(platform)
	var msg string
	switch ce.Problem {
	case dest.ProblemRefused:
		msg = fmt.Sprintf("%s refused %s: copy it again and run the command again", title, what)
		if platform == account.GJW {
			msg = fmt.Sprintf("%s refused %s: copy them again from a browser signed in to your channel", title, what)
		}
	case dest.ProblemUnknown:
		msg = fmt.Sprintf("%s does not know %s: check it (or that the secret is for that property)", title, what)
	default:
		msg = fmt.Sprintf("cannot reach %s (%v): check the connection and the host, or add the account with --no-check", title, ce.Err)
	}
	return &checkFailed{msg: msg + "; nothing was stored", ce: ce}
}

// explainAdd words an Add error for the command line.
func explainAdd(err error) error {
	var ee *account.ExistsError
	if errors.As(err, &ee) {
		what := account.Title(ee.Account.Platform)
		if ee.Account.ChannelID != "" {
			what += " channel " + ee.Account.ChannelID
		}
		return fmt.Errorf("account %q is already %s: add this one with --name NAME (or gjw account remove %s first)", ee.Account.Name, what, ee.Account.Name)
	}
	return err
}

// otherPlatforms are the secret flags of the platforms other than GJW.
var otherPlatforms = map[string][]struct{ flag, key, help string }{
	account.Gcore:  {{"api-key", "api_key", "Gcore API key"}},
	account.JW:     {{"site-id", "site_id", "JW Player site (property) id"}, {"api-secret", "api_secret", "JW Player API v2 secret"}},
	account.Wangsu: {{"access-key", "access_key", "Wangsu access key"}, {"secret-key", "secret_key", "Wangsu secret key"}},
}

func cmdAccountAdd(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{"account add needs a PLATFORM first: gjw, gcore, jw or wangsu"}
	}
	platform, args := strings.ToLower(args[0]), args[1:]
	fs := flag.NewFlagSet("account add "+platform, flag.ContinueOnError)
	if platform == account.GJW {
		s := gjwFlags(fs)
		if pos, err := parseFlags(fs, args); err != nil {
			return err
		} else if len(pos) > 0 {
			return usageError{"account add gjw takes flags only (see gjw account help)"}
		}
		acct, err := s.add(ctx, a, "account add gjw")
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "added %s account %q (channel %s)%s; secrets in the %s\n",
			account.Title(acct.Platform), acct.Name, acct.ChannelID, defaultNote(acct), a.accounts.SecretWhere(acct.Name))
		return nil
	}
	flags, ok := otherPlatforms[platform]
	if !ok {
		return usageError{fmt.Sprintf("unknown platform %q: one of gjw, gcore, jw, wangsu", platform)}
	}
	vals := map[string]*string{}
	for _, f := range flags {
		vals[f.key] = fs.String(f.flag, "", f.help)
	}
	name := fs.String("name", "", "account name (default "+platform+")")
	noCheck := noCheckFlag(fs)
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{"account add " + platform + " takes flags only (see gjw account help)"}
	}
	if !account.Available(platform) {
		return fmt.Errorf("%s accounts are not available yet: only Gan Jing World (gjw), Gcore (gcore) and JW Player (jw) accounts can be added for now", account.Title(platform))
	}
	secret := map[string]string{}
	for _, f := range flags {
		if strings.TrimSpace(*vals[f.key]) == "" {
			return usageError{fmt.Sprintf("account add %s needs --%s", platform, f.flag)}
		}
		secret[f.key] = *vals[f.key]
	}
	if err := a.open(false); err != nil {
		return err
	}
	acct := account.Account{Name: strings.TrimSpace(*name), Platform: platform}
	if err := a.addAccount(ctx, acct, secret, *noCheck); err != nil {
		return err
	}
	if acct.Name == "" {
		acct.Name = platform
	}
	acct, _, _ = a.accounts.Get(acct.Name)
	fmt.Fprintf(a.stdout, "added %s account %q%s; secrets in the %s\n", account.Title(platform), acct.Name, defaultNote(acct), a.accounts.SecretWhere(acct.Name))
	return nil
}

func defaultNote(acct account.Account) string {
	if acct.Default {
		return ", a default destination"
	}
	return ""
}

// accountRow is what gjw account list --json prints per account; never a
// secret.
type accountRow struct {
	Name      string    `json:"name"`
	Platform  string    `json:"platform"`
	Default   bool      `json:"default"`
	ChannelID string    `json:"channel_id,omitempty"`
	SignedIn  bool      `json:"signed_in"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	Secrets   string    `json:"secrets"` // where they live; "" when there are none
}

func (a *app) accountRows() ([]accountRow, error) {
	accts, err := a.accounts.List()
	if err != nil {
		return nil, err
	}
	rows := make([]accountRow, 0, len(accts))
	for _, acct := range accts {
		r := accountRow{Name: acct.Name, Platform: acct.Platform, Default: acct.Default, ChannelID: acct.ChannelID, Secrets: a.accounts.SecretWhere(acct.Name)}
		if acct.Platform == account.GJW {
			cr, ok, err := a.accounts.GJWCredentials(acct.Name).Credentials()
			if err != nil {
				return nil, err
			}
			r.SignedIn, r.ExpiresAt = ok && cr.AccessToken != "", cr.ExpiresAt
		} else {
			r.SignedIn = r.Secrets != ""
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func cmdAccountList(a *app, args []string) error {
	fs := flag.NewFlagSet("account list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print as JSON")
	if pos, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{"account list takes no arguments"}
	}
	if err := a.open(false); err != nil {
		return err
	}
	rows, err := a.accountRows()
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(rows) == 0 {
		fmt.Fprintf(a.stdout, "no accounts: add one with gjw account add gjw (secrets go to the %s)\n", a.accounts.SecretsWhere())
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPLATFORM\tDEFAULT\tSTATE\tSECRETS")
	for _, r := range rows {
		def := ""
		if r.Default {
			def = "yes"
		}
		state := "no secrets: add it again"
		if r.SignedIn {
			state = "ready"
		}
		if r.Platform == account.GJW {
			state = "channel " + r.ChannelID + ", " + map[bool]string{true: "signed in", false: "signed out"}[r.SignedIn]
			if r.SignedIn && !r.ExpiresAt.IsZero() {
				state += ", expires " + r.ExpiresAt.Local().Format("2006-01-02 15:04")
			}
		}
		where := r.Secrets
		if where == "" {
			where = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, account.Title(r.Platform), def, state, where)
	}
	return tw.Flush()
}

func cmdAccountRemove(a *app, args []string) error {
	fs := flag.NewFlagSet("account remove", flag.ContinueOnError)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"account remove needs one NAME (see gjw account list)"}
	}
	if err := a.open(false); err != nil {
		return err
	}
	if err := a.accounts.Remove(pos[0]); err != nil {
		if errors.Is(err, account.ErrNotFound) {
			return fmt.Errorf("%v; see gjw account list", err)
		}
		return err
	}
	fmt.Fprintf(a.stdout, "removed account %q; its secrets are wiped\n", pos[0])
	return nil
}

func cmdAccountDefault(a *app, args []string) error {
	fs := flag.NewFlagSet("account default", flag.ContinueOnError)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	var names []string
	for _, p := range pos {
		for _, n := range strings.Split(p, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 {
		return usageError{"account default needs NAME[,NAME] (see gjw account list)"}
	}
	if err := a.open(false); err != nil {
		return err
	}
	if err := a.accounts.SetDefaults(names); err != nil {
		if errors.Is(err, account.ErrNotFound) {
			return fmt.Errorf("%v; see gjw account list", err)
		}
		return err
	}
	fmt.Fprintf(a.stdout, "default destinations: %s\n", strings.Join(names, ", "))
	return nil
}
