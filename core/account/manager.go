package account

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/gjw-uploader/gjw-uploader/core/gjw"
	"github.com/gjw-uploader/gjw-uploader/persist"
)

// Options configure a Manager. The zero value uses the system keyring
// when one answers.
type Options struct {
	// Keyring replaces the system keyring (tests).
	Keyring Keyring
	// NoKeyring keeps every secret in the data folder. $GJW_KEYRING=off
	// does the same.
	NoKeyring bool
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Manager keeps the accounts of one data folder. Its methods are safe for
// concurrent use. Every read after Open is served from memory; every
// write is durable when the method returns.
type Manager struct {
	db      *persist.DB
	kr      Keyring // nil: secrets go to the data folder
	storeID string
	now     func() time.Time

	mu       sync.Mutex // guards the maps and serialises writes
	accounts map[string]Account
	secrets  map[string]string // name -> encoded secret, for accounts that have one
	where    map[string]string // name -> WhereKeyring or WhereData

	subMu sync.Mutex
	subs  []func(name string)
}

// Open loads the accounts of db, decides where secrets go (the keyring if
// one answers, else the data folder), and migrates a version 1 session
// into an account named "gjw". The caller keeps db and closes it.
func Open(db *persist.DB, opts Options) (*Manager, error) {
	m := &Manager{db: db, now: opts.Now, accounts: map[string]Account{}, secrets: map[string]string{}, where: map[string]string{}}
	if m.now == nil {
		m.now = time.Now
	}
	st, ok, err := db.SecretStore()
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	if !ok || st.ID == "" {
		b := make([]byte, 4)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		st = persist.SecretStore{ID: hex.EncodeToString(b)}
		if err := db.PutSecretStore(st); err != nil {
			return nil, fmt.Errorf("accounts: %w", err)
		}
	}
	m.storeID = st.ID
	if !opts.NoKeyring && !keyringOff() {
		kr := opts.Keyring
		if kr == nil {
			kr = systemKeyring{}
		}
		if probe(kr, "probe@"+m.storeID) {
			m.kr = kr
		}
	}
	accts, err := db.Accounts()
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	for _, a := range accts {
		m.accounts[a.Name] = fromRecord(a)
		if err := m.loadSecret(a.Name); err != nil {
			return nil, err
		}
	}
	if err := m.migrateV1(); err != nil {
		return nil, err
	}
	return m, nil
}

// SecretsWhere says where new secrets are kept: WhereKeyring or WhereData.
func (m *Manager) SecretsWhere() string {
	if m.kr != nil {
		return WhereKeyring
	}
	return WhereData
}

// SecretWhere says where the secrets of one account are, or "" when it has
// none (it was never signed in, or they could not be read).
func (m *Manager) SecretWhere(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.where[name]
}

// migrateV1 moves the version 1 "credentials" record into the account
// "gjw" (a default destination when new). The old record is deleted only
// once the account and its secrets are durably written, so a crash in
// between migrates again at the next Open.
func (m *Manager) migrateV1() error {
	cr, ok, err := m.db.Credentials()
	if err != nil {
		return fmt.Errorf("accounts: read the version 1 session: %w", err)
	}
	if !ok {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	name := GJW
	if a, ok := m.accounts[name]; ok && a.Platform != GJW {
		name = "gjw-v1"
	}
	a, exists := m.accounts[name]
	if !exists {
		a = Account{Name: name, Platform: GJW, Default: !m.anyDefaultLocked(), AddedAt: m.now()}
	}
	if cr.ChannelID != "" {
		a.ChannelID = cr.ChannelID
	}
	cr.Version = 0
	if err := m.putSecretLocked(name, cr); err != nil {
		return fmt.Errorf("accounts: migrate the version 1 session: %w", err)
	}
	if err := m.putAccountLocked(a); err != nil {
		return fmt.Errorf("accounts: migrate the version 1 session: %w", err)
	}
	if err := m.db.DeleteCredentials(); err != nil {
		return fmt.Errorf("accounts: migrate the version 1 session: %w", err)
	}
	return nil
}

// Add stores a new account and its secret, or signs an existing one in
// again (same name, same platform and, for GJW, same channel: its secret
// is replaced, its default flag kept). secret is a persist.Credentials for
// GJW (access and refresh tokens; ChannelID may be there or in a) and a
// map[string]string for the other platforms. a.Name defaults to the
// platform's name. The first account becomes a default destination (as
// does any account added while none is). Nothing goes over the network.
func (m *Manager) Add(a Account, secret any) error {
	a, encoded, err := m.prepare(a, secret)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.accounts[a.Name]; ok {
		if old.Platform != a.Platform || old.ChannelID != a.ChannelID {
			return &ExistsError{Account: old}
		}
		a.Default, a.AddedAt = old.Default, old.AddedAt
	} else {
		a.Default = !m.anyDefaultLocked()
		a.AddedAt = m.now()
	}
	if err := m.putEncodedLocked(a.Name, encoded); err != nil {
		return err
	}
	return m.putAccountLocked(a)
}

// prepare checks a new account and its secret (platform, name, the
// secret's fields, the name not taken by another platform or channel),
// and returns the account with its defaults and the encoded secret.
func (m *Manager) prepare(a Account, secret any) (Account, string, error) {
	if !knownPlatform(a.Platform) {
		return a, "", fmt.Errorf("unknown platform %q (one of %s)", a.Platform, strings.Join(Platforms, ", "))
	}
	if !Available(a.Platform) {
		return a, "", fmt.Errorf("%s accounts are %w", Title(a.Platform), ErrUnavailable)
	}
	if a.Name == "" {
		a.Name = a.Platform
	}
	if err := CheckName(a.Name); err != nil {
		return a, "", err
	}
	encoded, channel, err := encodeSecret(a.Platform, secret)
	if err != nil {
		return a, "", err
	}
	if a.Platform == GJW {
		if a.ChannelID == "" {
			a.ChannelID = channel
		}
		if a.ChannelID == "" {
			return a, "", errors.New("a Gan Jing World account needs its channel id")
		}
	} else {
		a.ChannelID = ""
	}
	if old, ok, _ := m.Get(a.Name); ok && (old.Platform != a.Platform || old.ChannelID != a.ChannelID) {
		return a, "", &ExistsError{Account: old}
	}
	return a, encoded, nil
}

// Remove deletes an account and wipes its secrets at once, then calls
// every OnRemove subscriber (synchronously, so the engine can stop that
// account's work before Remove returns).
func (m *Manager) Remove(name string) error {
	m.mu.Lock()
	if _, ok := m.accounts[name]; !ok {
		m.mu.Unlock()
		return fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	// From here on nobody reads the secret: the cache goes first.
	delete(m.accounts, name)
	delete(m.secrets, name)
	delete(m.where, name)
	var errs []error
	if m.kr != nil {
		if err := m.kr.Delete(KeyringService, m.keyringUser(name)); err != nil && !errors.Is(err, keyring.ErrNotFound) {
			errs = append(errs, fmt.Errorf("remove %q from the system keyring: %w", name, err))
		}
	}
	if err := m.db.DeleteAccount(name); err != nil {
		errs = append(errs, err)
	}
	m.mu.Unlock()

	m.subMu.Lock()
	subs := slices.Clone(m.subs)
	m.subMu.Unlock()
	for _, fn := range subs {
		fn(name)
	}
	return errors.Join(errs...)
}

// OnRemove subscribes fn to account removals; fn gets the account's name
// and runs on the goroutine calling Remove.
func (m *Manager) OnRemove(fn func(name string)) {
	m.subMu.Lock()
	m.subs = append(m.subs, fn)
	m.subMu.Unlock()
}

// List returns every account, sorted by name.
func (m *Manager) List() ([]Account, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	accts := slices.Collect(maps.Values(m.accounts))
	sortAccounts(accts)
	return accts, nil
}

// Get returns one account; ok is false when there is none by that name.
func (m *Manager) Get(name string) (Account, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.accounts[name]
	return a, ok, nil
}

// SetDefaults makes names (one at least, every one an account) the
// default destinations, and every other account not one.
func (m *Manager) SetDefaults(names []string) error {
	if len(names) == 0 {
		return errors.New("name one default account at least")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	want := map[string]bool{}
	for _, n := range names {
		if _, ok := m.accounts[n]; !ok {
			return fmt.Errorf("%w: %q", ErrNotFound, n)
		}
		want[n] = true
	}
	for _, name := range slices.Sorted(maps.Keys(m.accounts)) {
		a := m.accounts[name]
		if a.Default == want[name] {
			continue
		}
		a.Default = want[name]
		if err := m.putAccountLocked(a); err != nil {
			return err
		}
	}
	return nil
}

// Defaults returns the default destinations, sorted by name.
func (m *Manager) Defaults() ([]Account, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Account
	for _, a := range m.accounts {
		if a.Default {
			out = append(out, a)
		}
	}
	sortAccounts(out)
	return out, nil
}

// DefaultOf returns the account used for platform when none is named: its
// default one (the first by name if several are), or when none of its
// accounts is a default, the one added first. ok is false when the
// platform has no account.
func (m *Manager) DefaultOf(platform string) (Account, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.defaultOfLocked(platform)
	return a, ok, nil
}

func (m *Manager) defaultOfLocked(platform string) (Account, bool) {
	var best Account
	found := false
	better := func(a Account) bool {
		if !found {
			return true
		}
		if a.Default != best.Default {
			return a.Default
		}
		if a.Default {
			return a.Name < best.Name
		}
		if !a.AddedAt.Equal(best.AddedAt) {
			return a.AddedAt.Before(best.AddedAt)
		}
		return a.Name < best.Name
	}
	for _, a := range m.accounts {
		if a.Platform == platform && better(a) {
			best, found = a, true
		}
	}
	return best, found
}

func (m *Manager) anyDefaultLocked() bool {
	for _, a := range m.accounts {
		if a.Default {
			return true
		}
	}
	return false
}

// Secret returns a copy of a non-GJW account's secrets (api_key; site_id
// and api_secret; access_key and secret_key). GJW accounts' secrets go
// through GJWCredentials.
func (m *Manager) Secret(name string) (map[string]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.accounts[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	if a.Platform == GJW {
		return nil, fmt.Errorf("account %q is a Gan Jing World account: its session goes through GJWCredentials", name)
	}
	enc, ok := m.secrets[name]
	if !ok {
		return nil, fmt.Errorf("account %q has no stored secrets: add it again", name)
	}
	var s map[string]string
	if err := json.Unmarshal([]byte(enc), &s); err != nil {
		return nil, fmt.Errorf("account %q: its stored secrets are unreadable: add it again", name)
	}
	return s, nil
}

// GJWCredentials is the session store of one GJW account, for a
// gjw.Client. PutCredentials is durable when it returns, and fails (with
// gjw.ErrSignedOut) once the account has been removed, so a refresh in
// flight cannot bring a removed account's tokens back.
func (m *Manager) GJWCredentials(name string) gjw.CredentialStore { return gjwStore{m, name} }

type gjwStore struct {
	m    *Manager
	name string
}

func (s gjwStore) Credentials() (persist.Credentials, bool, error) {
	return s.m.gjwCredentials(s.name)
}

func (s gjwStore) PutCredentials(c persist.Credentials) error {
	return s.m.putGJWCredentials(s.name, c)
}

func (m *Manager) gjwCredentials(name string) (persist.Credentials, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.accounts[name]
	if !ok || a.Platform != GJW {
		return persist.Credentials{}, false, nil
	}
	enc, ok := m.secrets[name]
	if !ok {
		return persist.Credentials{}, false, nil
	}
	var cr persist.Credentials
	if err := json.Unmarshal([]byte(enc), &cr); err != nil {
		return persist.Credentials{}, false, fmt.Errorf("account %q: its stored session is unreadable: sign in again", name)
	}
	cr.ChannelID = a.ChannelID
	return cr, true, nil
}

func (m *Manager) putGJWCredentials(name string, cr persist.Credentials) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.accounts[name]
	if !ok || a.Platform != GJW {
		return fmt.Errorf("%w (account %q was removed)", gjw.ErrSignedOut, name)
	}
	cr.Version = 0
	if cr.ChannelID == "" {
		cr.ChannelID = a.ChannelID
	}
	if err := m.putSecretLocked(name, cr); err != nil {
		return err
	}
	if cr.ChannelID != a.ChannelID {
		a.ChannelID = cr.ChannelID
		return m.putAccountLocked(a)
	}
	return nil
}

// encodeSecret checks secret for platform and encodes it; for GJW it also
// returns the channel id it holds.
func encodeSecret(platform string, secret any) (string, string, error) {
	if platform == GJW {
		var cr persist.Credentials
		switch s := secret.(type) {
		case persist.Credentials:
			cr = s
		case *persist.Credentials:
			if s == nil {
				return "", "", errors.New("a Gan Jing World account needs its session")
			}
			cr = *s
		default:
			return "", "", fmt.Errorf("a Gan Jing World account's secret is a persist.Credentials, not %T", secret)
		}
		cr.Version = 0
		var missing []string
		if cr.AccessToken == "" {
			missing = append(missing, "access token")
		}
		if cr.RefreshToken == "" {
			missing = append(missing, "refresh token")
		}
		if len(missing) > 0 {
			return "", "", fmt.Errorf("a Gan Jing World account needs its %s", strings.Join(missing, " and "))
		}
		b, err := json.Marshal(cr)
		return string(b), cr.ChannelID, err
	}
	s, ok := secret.(map[string]string)
	if !ok {
		return "", "", fmt.Errorf("a %s account's secret is a map[string]string, not %T", Title(platform), secret)
	}
	clean := map[string]string{}
	for _, k := range secretKeys[platform] {
		if strings.TrimSpace(s[k]) == "" {
			return "", "", fmt.Errorf("a %s account needs its %s", Title(platform), strings.ReplaceAll(k, "_", " "))
		}
		clean[k] = strings.TrimSpace(s[k])
	}
	b, err := json.Marshal(clean)
	return string(b), "", err
}

func (m *Manager) keyringUser(name string) string { return name + "@" + m.storeID }

func (m *Manager) putSecretLocked(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return m.putEncodedLocked(name, string(b))
}

// putEncodedLocked stores an encoded secret: in the keyring when there is
// one (then any data-folder copy goes), else, or if the keyring refuses
// it, in the data folder. Errors never hold the secret.
func (m *Manager) putEncodedLocked(name, enc string) error {
	if m.kr != nil {
		if err := m.kr.Set(KeyringService, m.keyringUser(name), enc); err == nil {
			if err := m.db.DeleteSecret(name); err != nil {
				return err
			}
			m.secrets[name], m.where[name] = enc, WhereKeyring
			return nil
		}
	}
	if err := m.db.PutSecret(name, persist.Secret{Data: enc}); err != nil {
		return err
	}
	m.secrets[name], m.where[name] = enc, WhereData
	return nil
}

func (m *Manager) putAccountLocked(a Account) error {
	if err := m.db.PutAccount(toRecord(a)); err != nil {
		return err
	}
	m.accounts[a.Name] = a
	return nil
}

// loadSecret reads an account's secret into the cache: from the keyring
// first, then from the data folder. A secret found nowhere leaves the
// account signed out.
func (m *Manager) loadSecret(name string) error {
	if m.kr != nil {
		enc, err := m.kr.Get(KeyringService, m.keyringUser(name))
		if err == nil {
			m.secrets[name], m.where[name] = enc, WhereKeyring
			return nil
		}
	}
	s, ok, err := m.db.Secret(name)
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	if ok {
		m.secrets[name], m.where[name] = s.Data, WhereData
	}
	return nil
}

func fromRecord(r persist.Account) Account {
	return Account{Name: r.Name, Platform: r.Platform, Default: r.Default, ChannelID: r.ChannelID, AddedAt: r.AddedAt}
}

func toRecord(a Account) persist.Account {
	return persist.Account{Name: a.Name, Platform: a.Platform, Default: a.Default, ChannelID: a.ChannelID, AddedAt: a.AddedAt}
}
