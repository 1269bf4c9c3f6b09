package persist

import (
	"errors"
	"testing"
	"time"
)

func TestAccountRecords(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	added := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, a := range []Account{
		{Name: "zeta", Platform: "gjw", ChannelID: "c2", AddedAt: added},
		{Name: "gjw", Platform: "gjw", Default: true, ChannelID: "c1", AddedAt: added},
	} {
		if err := d.PutAccount(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.PutSecret("gjw", Secret{Data: `{"access_token":"x"}`}); err != nil {
		t.Fatal(err)
	}
	if err := d.PutSecretStore(SecretStore{ID: "abcd"}); err != nil {
		t.Fatal(err)
	}
	d.Close()

	d, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	accts, err := d.Accounts()
	if err != nil || len(accts) != 2 || accts[0].Name != "gjw" || accts[1].Name != "zeta" {
		t.Fatalf("accounts %+v %v", accts, err)
	}
	if a := accts[0]; !a.Default || a.ChannelID != "c1" || !a.AddedAt.Equal(added) || a.Version != RecordVersion {
		t.Fatalf("account %+v", a)
	}
	if s, ok, _ := d.Secret("gjw"); !ok || s.Data != `{"access_token":"x"}` || s.Version != RecordVersion {
		t.Fatalf("secret %+v %v", s, ok)
	}
	if st, ok, _ := d.SecretStore(); !ok || st.ID != "abcd" {
		t.Fatalf("secret store %+v", st)
	}
	// DeleteAccount takes the secret along.
	if err := d.DeleteAccount("gjw"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := d.Account("gjw"); ok {
		t.Fatal("account kept")
	}
	if _, ok, _ := d.Secret("gjw"); ok {
		t.Fatal("secret kept")
	}
	if err := d.DeleteAccount("gjw"); err != nil {
		t.Fatalf("deleting a missing account: %v", err)
	}
	for _, bad := range []string{"", "a/b"} {
		if err := d.PutAccount(Account{Name: bad}); err == nil {
			t.Fatalf("name %q accepted", bad)
		}
	}
	// A record from a newer release is not misread.
	if err := d.put(accountPrefix+"new", map[string]any{"v": RecordVersion + 1, "name": "new"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Account("new"); !errors.Is(err, ErrNewerVersion) {
		t.Fatalf("newer record: %v", err)
	}
}
