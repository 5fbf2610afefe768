package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// awaitUnlockOf runs the unlock that Run starts for a start passphrase
// and shows its result through awaitUnlock.
func awaitUnlockOf(t *testing.T, c *fakeClient, pass string) *Shell {
	t.Helper()
	s, _ := newTestShell(t, c, Options{})
	done := make(chan error, 1)
	done <- c.Unlock([]byte(pass))
	s.awaitUnlock(done)
	return s
}

func TestAwaitUnlockShowsMail(t *testing.T) {
	c := newFakeClient()
	s := awaitUnlockOf(t, c, c.passphrase)
	if s.mail == nil {
		t.Fatal("the mail screen is not shown after the unlock with the start passphrase")
	}
}

func TestAwaitUnlockWrongPassphrase(t *testing.T) {
	c := newFakeClient()
	s := awaitUnlockOf(t, c, "not the passphrase")
	if s.mail != nil {
		t.Fatal("the mail screen is shown after a wrong start passphrase")
	}
	var message string
	walk(s.win.Content(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text == "Wrong passphrase. Try again." {
			message = l.Text
		}
	})
	if message == "" {
		t.Error("the unlock screen does not say the passphrase was wrong")
	}

	// A person can still unlock by typing it.
	unlockShell(t, s, c.passphrase)
	if s.mail == nil {
		t.Error("typing the right passphrase after a wrong start passphrase does not unlock")
	}
}
