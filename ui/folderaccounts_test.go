package ui

import (
	"testing"

	"securemail/cache"
)

func TestFolderRowsNameAccounts(t *testing.T) {
	c := newFakeClient()
	c.folders = append(c.folders,
		cache.Folder{Account: "dr.rivera@hospital.example", Name: "INBOX", Role: "inbox", Total: 1, Unread: 1},
		cache.Folder{Account: "dr.rivera@hospital.example", Name: "Sent", Role: "sent"},
	)
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	m := s.mail

	for i, f := range c.folders {
		row := m.folderList.CreateItem().(*folderRow)
		m.folderList.UpdateItem(i, row)
		if !row.account.Visible() {
			t.Errorf("row %d (%s) hides its account", i, f.Name)
		}
		if row.account.Text != f.Account {
			t.Errorf("row %d (%s) names account %q, want %q", i, f.Name, row.account.Text, f.Account)
		}
	}
}

func TestFolderRowsOneAccountUnlabeled(t *testing.T) {
	c := newFakeClient()
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	m := s.mail

	row := m.folderList.CreateItem().(*folderRow)
	m.folderList.UpdateItem(0, row)
	if row.account.Visible() {
		t.Errorf("with one account the row shows the account %q", row.account.Text)
	}
	if row.name.Text != "INBOX (2)" {
		t.Errorf("INBOX row reads %q, want %q", row.name.Text, "INBOX (2)")
	}
}
