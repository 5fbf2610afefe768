package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestOpenMessageMarksRead(t *testing.T) {
	c := newFakeClient()
	c.messages[1] = encryptedSignedMessage("Potassium 6.1 mmol/L.")
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	m := s.mail

	m.messageList.Select(0)

	if !slices.Equal(c.markedRead, []int64{1}) {
		t.Errorf("MarkRead calls %v, want [1]", c.markedRead)
	}
	if got := m.folders[0].Unread; got != 1 {
		t.Errorf("INBOX unread count %d after opening a message, want 1", got)
	}
	if got := folderRowText(t, m, 0); got != "INBOX (1)" {
		t.Errorf("INBOX row reads %q, want %q", got, "INBOX (1)")
	}
	row, loaded := m.summaryAt(0)
	if !loaded || !hasFlag(row.Flags, seenFlag) {
		t.Errorf("opened row: loaded %v, flags %v, want \\Seen", loaded, row.Flags)
	}
	if other, _ := m.summaryAt(1); hasFlag(other.Flags, seenFlag) {
		t.Error("a message that was not opened shows as read")
	}
}

func TestOpenMessageFailureKeepsUnread(t *testing.T) {
	c := newFakeClient()
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)

	// The fake has no message 3, so opening it fails.
	s.mail.messageList.Select(2)

	if len(c.markedRead) != 0 {
		t.Errorf("MarkRead calls %v after a failed open, want none", c.markedRead)
	}
	if got := s.mail.folders[0].Unread; got != 2 {
		t.Errorf("INBOX unread count %d after a failed open, want 2", got)
	}
}

func TestMarkReadErrorShown(t *testing.T) {
	c := newFakeClient()
	c.messages[1] = encryptedSignedMessage("Potassium 6.1 mmol/L.")
	c.markReadErr = errors.New("client: mark message 1 read on the server: connection refused")
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)

	s.mail.messageList.Select(0)

	if got := s.mail.status.label.Text; !strings.Contains(got, "connection refused") {
		t.Errorf("status bar reads %q, want the MarkRead error", got)
	}
	if !strings.Contains(screenText(s.win), "Potassium 6.1") {
		t.Error("the message is no longer shown after MarkRead failed")
	}
}

// folderRowText returns the text of folder row i as the list draws it.
func folderRowText(t *testing.T, m *mailScreen, i int) string {
	t.Helper()
	row := m.folderList.CreateItem()
	m.folderList.UpdateItem(i, row)
	return row.(*folderRow).name.Text
}

func TestReopenDuringMarkReadCountsOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		// openFirst runs the first open before the second one starts.
		openFirst bool
	}{
		{"second open after the first", true},
		{"both opens before either ends", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newFakeClient()
			c.messages[1] = encryptedSignedMessage("Potassium 6.1 mmol/L.")
			s, _ := newTestShell(t, c, Options{})
			unlockShell(t, s, c.passphrase)
			m := s.mail
			var queue []func()
			s.background = func(f func()) { queue = append(queue, f) }
			runNext := func() {
				f := queue[0]
				queue = queue[1:]
				f()
			}

			m.openRow(0)
			if tc.openFirst {
				runNext()
			}
			m.openRow(0)
			for len(queue) > 0 {
				runNext()
			}

			if got := m.folders[0].Unread; got != 1 {
				t.Errorf("INBOX unread count %d after opening one message twice, want 1", got)
			}
			if !slices.Equal(c.markedRead, []int64{1}) {
				t.Errorf("MarkRead calls %v, want [1]", c.markedRead)
			}
		})
	}
}
