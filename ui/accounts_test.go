package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func accountsClient() *fakeClient {
	c := newFakeClient()
	c.accounts = []string{"dr.rivera@clinic.example", "research@uni.example"}
	return c
}

func TestAccountsWindowRemovesAfterConfirm(t *testing.T) {
	c := accountsClient()
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	v := s.openAccounts()

	if !v.remove.Disabled() {
		t.Error("Remove is enabled before an account is selected")
	}
	v.list.Select(1)
	test.Tap(v.remove)
	if v.prompt == nil {
		t.Fatal("Remove acted without a confirmation")
	}
	if v.prompt.cancel.Importance != widget.HighImportance {
		t.Error("Cancel is not the default button")
	}
	if !slices.Equal(c.accounts, []string{"dr.rivera@clinic.example", "research@uni.example"}) {
		t.Fatalf("accounts changed before the confirmation: %v", c.accounts)
	}
	test.Tap(v.prompt.action)
	if !slices.Equal(c.accounts, []string{"dr.rivera@clinic.example"}) {
		t.Errorf("accounts after removing research@uni.example = %v", c.accounts)
	}
	if len(v.accounts) != 1 || !strings.Contains(v.status.Text, "research@uni.example was removed") {
		t.Errorf("window after the removal lists %v and says %q", v.accounts, v.status.Text)
	}
}

func TestAccountsWindowShowsRemoveError(t *testing.T) {
	c := accountsClient()
	c.removeErr = errors.New("client: outbox not empty: research@uni.example has 1 queued message")
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	v := s.openAccounts()

	v.list.Select(1)
	test.Tap(v.remove)
	test.Tap(v.prompt.action)
	if !strings.Contains(v.status.Text, "1 queued message") {
		t.Errorf("status after a refused removal = %q, want the reason", v.status.Text)
	}
	if len(v.accounts) != 2 {
		t.Errorf("window lists %v after a refused removal, want both accounts", v.accounts)
	}
}

func TestAccountsWindowAdds(t *testing.T) {
	c := accountsClient()
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	v := s.openAccounts()

	fields := entries(v.win)
	if len(fields) < 2 {
		t.Fatalf("the add form has %d fields, want address and password first", len(fields))
	}
	test.Type(fields[0], "third@clinic.example")
	test.Type(fields[1], "mail password")
	test.Tap(findButton(t, v.win, "Add account"))
	if len(c.addedReq) != 1 || c.addedReq[0].Address != "third@clinic.example" {
		t.Fatalf("account requests = %+v, want third@clinic.example", c.addedReq)
	}
	if !strings.Contains(v.status.Text, "third@clinic.example was added") {
		t.Errorf("status after adding = %q", v.status.Text)
	}
}
