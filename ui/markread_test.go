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
