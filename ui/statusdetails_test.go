package ui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestStatusErrorDetailsShowWholeError(t *testing.T) {
	c := newFakeClient()
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	status := s.mail.status

	if status.details.Visible() {
		t.Error("Details button visible without an error")
	}
	err := errors.Join(
		errors.New(`account spare1@clinic.test: account: IMAP login as "spare1@clinic.test" failed: imap: NO [AUTHENTICATIONFAILED] Authentication failed.: check the username and password`),
		errors.New("account spare2@clinic.test: account: dial 127.0.0.1:1: connection refused"),
	)
	status.showError(err)
	if !status.details.Visible() {
		t.Fatal("Details button hidden while an error is shown")
	}
	if strings.Contains(status.label.Text, "\n") {
		t.Errorf("status label has more than one line: %q", status.label.Text)
	}

	test.Tap(status.details)
	overlay := s.win.Canvas().Overlays().Top()
	if overlay == nil {
		t.Fatal("tapping Details opened no dialog")
	}
	shown := test.RenderObjectToMarkup(overlay)
	for _, want := range []string{"check the username and password", "connection refused"} {
		if !strings.Contains(shown, want) {
			t.Errorf("error details lack %q", want)
		}
	}

	status.setText("Sync complete: 1 new message")
	if status.details.Visible() {
		t.Error("Details button still visible after the error was replaced")
	}
}
