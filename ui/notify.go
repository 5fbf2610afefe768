package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
)

// newMailNotification is the text of the OS notification for new mail.
// It carries a count only: OS notification centres keep their history
// outside the vault, so no sender or subject may appear in it.
func newMailNotification(n int) *fyne.Notification {
	body := "1 new message"
	if n != 1 {
		body = fmt.Sprintf("%d new messages", n)
	}
	return fyne.NewNotification(Title, body)
}

func (s *Shell) notifyNewMail(n int) {
	s.app.SendNotification(newMailNotification(n))
}
