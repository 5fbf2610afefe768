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

// TestListFollowsCacheAfterLateCallback runs the end of the sync after
// the background work returned, as the real driver does, so that state
// the work released on return is gone when the callback runs.
func TestListFollowsCacheAfterLateCallback(t *testing.T) {
	c := newFakeClient()
	c.syncAdds = 2
	c.held = []HeldMessage{{ID: 7, Recipients: []string{"lab@lab.example"}}}
	s, _ := newTestShell(t, c, Options{})
	var late []func()
	s.deliverSyncEnd = func(f func()) { late = append(late, f) }
	unlockShell(t, s, c.passphrase)
	if len(late) != 1 {
		t.Fatalf("%d sync callbacks queued, want 1", len(late))
	}

	late[0]()

	if m := s.mail; m.rowCount != 5 {
		t.Errorf("message list has %d rows after the sync, want the 5 in the cache", m.rowCount)
	}
	if held := s.mail.status.held; !held.Visible() {
		t.Error("held-message notice hidden after a sync that left a message held")
	}
}
