package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// TestConfirmCancelIsDefault opens a confirmation: Cancel has the focus,
// a key on it reaches the idle lock, Cancel does nothing, and only the
// action button confirms.
func TestConfirmCancelIsDefault(t *testing.T) {
	idle := &countingIdle{}
	s := newUnlockedShell(t, idle)
	confirmed := 0
	p := showConfirm(s, s.win, "Revoke this key?", "This cannot be undone.", "Revoke", theme.DeleteIcon(),
		func() { confirmed++ })

	if got := s.win.Canvas().Focused(); got != p.cancel {
		t.Fatalf("focused widget is %T, want the Cancel button", got)
	}
	idle.take()
	pressKey(s.win.Canvas(), fyne.KeyTab)
	if idle.take() == 0 {
		t.Error("a key on the confirmation's Cancel button was not reported to the idle lock")
	}

	test.Tap(p.cancel)
	if confirmed != 0 {
		t.Fatal("Cancel confirmed the action")
	}
	if s.win.Canvas().Overlays().Top() != nil {
		t.Error("the confirmation stayed open after Cancel")
	}

	p = showConfirm(s, s.win, "Revoke this key?", "This cannot be undone.", "Revoke", theme.DeleteIcon(),
		func() { confirmed++ })
	test.Tap(p.action)
	if confirmed != 1 {
		t.Errorf("the action button confirmed %d times, want 1", confirmed)
	}
}

func TestConfirmEscapeCancels(t *testing.T) {
	s := newUnlockedShell(t, &countingIdle{})
	c := s.win.Canvas()
	confirmed := 0

	for _, focus := range []string{"Cancel", "Revoke"} {
		p := showConfirm(s, s.win, "Revoke this key?", "This cannot be undone.", "Revoke", theme.DeleteIcon(),
			func() { confirmed++ })
		if focus == "Revoke" {
			c.Focus(p.action)
		}
		pressKey(c, fyne.KeyEscape)
		if c.Overlays().Top() != nil {
			t.Errorf("the confirmation stayed open after Escape on %s", focus)
		}
	}
	if confirmed != 0 {
		t.Errorf("Escape confirmed the action %d times", confirmed)
	}
}
