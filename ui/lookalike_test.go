package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

func TestLookalikeSenderWarned(t *testing.T) {
	c := newFakeClient()
	c.lookalikes = map[string]string{"c1inic.example": "clinic.example"}
	phishing := plainMessage("Your mailbox is full. Log in here to keep your mail.")
	phishing.Header.Set("From", "Clinic IT <it@c1inic.example>")
	c.messages[1] = phishing
	colleague := plainMessage("The rota is attached.")
	colleague.Header.Set("From", "Priya <priya@clinic.example>")
	c.messages[2] = colleague
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)

	s.mail.messageList.Select(0)
	banner := dangerText(s.mail.view)
	if !strings.Contains(banner, "The sender's domain c1inic.example looks like clinic.example but is a different domain.") {
		t.Errorf("no lookalike warning in the banner:\n%s", banner)
	}

	s.mail.messageList.Select(1)
	if banner := dangerText(s.mail.view); strings.Contains(banner, "looks like") {
		t.Errorf("lookalike warning for a sender from a trusted domain:\n%s", banner)
	}
}

// dangerText returns the text of the danger lines in the message view,
// one a line.
func dangerText(v *messageView) string {
	var out strings.Builder
	walk(v.root, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Importance == widget.DangerImportance {
			out.WriteString(l.Text + "\n")
		}
	})
	return out.String()
}
