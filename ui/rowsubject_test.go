package ui

import (
	"testing"
)

func TestOpenedRowShowsProtectedSubject(t *testing.T) {
	c := newFakeClient()
	protected := encryptedSignedMessage("Potassium 6.1 mmol/L.")
	protected.Header.Set("Subject", "=?utf-8?q?Potassium_recheck_=E2=80=93_ward_7?=")
	protected.HeaderProtected = true
	c.messages[1] = protected
	// The header of message 2 is not marked protected, so its row keeps
	// the outer subject.
	unprotected := encryptedSignedMessage("Sodium 139 mmol/L.")
	unprotected.Header.Set("Subject", "Forged subject")
	c.messages[2] = unprotected
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	m := s.mail

	m.messageList.Select(0)
	m.messageList.Select(1)

	if got, _ := m.summaryAt(0); got.Subject != "Potassium recheck – ward 7" {
		t.Errorf("opened encrypted row subject %q, want the decoded protected subject", got.Subject)
	}
	if got := messageRowTexts(m, 0)[1]; got != "Potassium recheck – ward 7" {
		t.Errorf("opened encrypted row draws subject %q", got)
	}
	if got, _ := m.summaryAt(1); got.Subject != "Result 1" {
		t.Errorf("row of a message without protected headers reads %q, want the outer %q", got.Subject, "Result 1")
	}
	if got, _ := m.summaryAt(2); got.Subject != "Result 2" {
		t.Errorf("unopened row reads %q, want %q", got.Subject, "Result 2")
	}
}

func TestSentRowsShowRecipient(t *testing.T) {
	c := newFakeClient()
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	m := s.mail

	if got := messageRowTexts(m, 0)[0]; got != "sender0@lab.example" {
		t.Errorf("INBOX row names %q, want the sender", got)
	}
	m.folderList.Select(1) // Sent
	if got := messageRowTexts(m, 0)[0]; got != "To Ward 7" {
		t.Errorf("Sent row names %q, want %q", got, "To Ward 7")
	}
}

// messageRowTexts returns the name and subject texts of message row i
// as the list draws them.
func messageRowTexts(m *mailScreen, i int) [2]string {
	row := m.messageList.CreateItem()
	m.messageList.UpdateItem(i, row)
	r := row.(*summaryRow)
	return [2]string{r.from, r.subject}
}
