package ui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

func TestLookalikeSenderWarned(t *testing.T) {
	const warning = "The sender's domain c1inic.example looks like clinic.example but uses different characters."
	c := newFakeClient()
	c.senderWarnings = map[string]string{"c1inic.example": warning}
	phishing := plainMessage("Your mailbox is full. Log in here to keep your mail.")
	phishing.Header.Set("From", "Clinic IT <it@c1inic.example>")
	c.messages[1] = phishing
	colleague := plainMessage("The rota is attached.")
	colleague.Header.Set("From", "Priya <priya@clinic.example>")
	c.messages[2] = colleague
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)

	s.mail.messageList.Select(0)
	lines := bannerLines(s.mail.view, widget.DangerImportance)
	if len(lines) == 0 || lines[0] != warning {
		t.Errorf("danger lines %q, want the lookalike warning first", lines)
	}

	s.mail.messageList.Select(1)
	if lines := bannerLines(s.mail.view, widget.DangerImportance); len(lines) != 0 {
		t.Errorf("danger lines %q for a sender from a trusted domain, want none", lines)
	}
}

func TestSenderCheckFailureStillOpens(t *testing.T) {
	c := newFakeClient()
	c.senderWarningErr = errors.New("client: failed to compare the sender's domain with known domains: cache: locked")
	c.messages[1] = plainMessage("The rota is attached.")
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)

	s.mail.messageList.Select(0)
	if !strings.Contains(screenText(s.win), "The rota is attached.") {
		t.Error("the message did not open after the sender check failed")
	}
	lines := bannerLines(s.mail.view, widget.WarningImportance)
	if !strings.Contains(strings.Join(lines, "\n"), "could not be checked") {
		t.Errorf("warning lines %q, want one saying the sender was not checked", lines)
	}
}

// bannerLines returns the texts of the labels of one importance in the
// message view, in order.
func bannerLines(v *messageView, importance widget.Importance) []string {
	var lines []string
	walk(v.root, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Importance == importance {
			lines = append(lines, l.Text)
		}
	})
	return lines
}
