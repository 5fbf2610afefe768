package ui

import (
	"errors"
	"testing"
)

func TestListFollowsCacheAfterSync(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"every account synced", nil},
		{"one account failed", errors.New(`account spare1@clinic.test: IMAP login failed`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newFakeClient()
			c.syncAdds = 2
			c.syncErr = tc.err
			s, _ := newTestShell(t, c, Options{})
			// Unlocking shows the folders as cached and then syncs.
			unlockShell(t, s, c.passphrase)
			m := s.mail

			if m.rowCount != 5 {
				t.Errorf("message list has %d rows after the sync, want the 5 in the cache", m.rowCount)
			}
			if got := m.folders[0].Total; got != 5 {
				t.Errorf("INBOX total %d after the sync, want 5", got)
			}
			if got := folderRowText(t, m, 0); got != "INBOX (4)" {
				t.Errorf("INBOX row reads %q, want %q", got, "INBOX (4)")
			}
			if row, loaded := m.summaryAt(4); !loaded || row.Subject != "Result 4" {
				t.Errorf("oldest row: loaded %v, subject %q, want Result 4", loaded, row.Subject)
			}
		})
	}
}
