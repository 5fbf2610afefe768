package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestFirstRunShortPassphraseOneMessage(t *testing.T) {
	c := newFakeClient()
	c.created, c.locked = false, true
	s, _ := newTestShell(t, c, Options{})

	fields := entries(s.win)
	test.Type(fields[0], "short")
	test.Type(fields[1], "short")
	test.Tap(findButton(t, s.win, "Create vault"))

	if c.Created() {
		t.Fatal("vault created with a short passphrase")
	}
	shown := screenText(s.win)
	if n := strings.Count(shown, "at least"); n != 1 {
		t.Errorf("the length rule appears %d times on screen, want once:\n%s", n, shown)
	}
	if !strings.Contains(shown, "Too short: 5 of at least") {
		t.Error("the hint no longer names the length")
	}

	fields[0].SetText("")
	fields[1].SetText("")
	test.Type(fields[0], "four unrelated words here")
	test.Type(fields[1], "four unrelated words there")
	test.Tap(findButton(t, s.win, "Create vault"))
	if c.Created() {
		t.Fatal("vault created with passphrases that differ")
	}
	if !strings.Contains(screenText(s.win), "The passphrases differ. Type the same passphrase twice.") {
		t.Error("no message for passphrases that differ")
	}
}
