package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// openSelect puts a select over options in a window of its own, as in
// the audit window, and records each option it reports as chosen.
func openSelect(t *testing.T, s *Shell, options []string) (*activitySelect, fyne.Canvas, *[]string) {
	t.Helper()
	var chosen []string
	sel := newActivitySelect(s, options, func(v string) { chosen = append(chosen, v) })
	w := test.NewTempWindow(t, container.NewVBox(sel))
	w.Resize(fyne.NewSize(400, 300))
	return sel, w.Canvas(), &chosen
}

func TestSelectMenuKeysReportActivity(t *testing.T) {
	idle := &countingIdle{}
	s := newUnlockedShell(t, idle)
	sel, c, chosen := openSelect(t, s, []string{"Last 7 days", "Last 30 days", "All time"})

	test.Tap(sel)
	menu, ok := c.Focused().(*activityMenu)
	if !ok {
		t.Fatalf("focused widget with the options open is %T, want *activityMenu", c.Focused())
	}
	if others := foreignFocusables(t, c); len(others) > 0 {
		t.Errorf("open options have focusable widgets that report no keys: %v", others)
	}

	idle.take()
	pressKey(c, fyne.KeyDown)
	if idle.take() == 0 {
		t.Error("Down in the open options reported no activity")
	}
	typeRune(c, 'a')
	if idle.take() == 0 {
		t.Error("a character in the open options reported no activity")
	}
	pressKey(c, fyne.KeyDown)
	pressKey(c, fyne.KeyReturn)
	if idle.take() == 0 {
		t.Error("choosing with Return reported no activity")
	}

	if sel.Selected != "Last 30 days" {
		t.Errorf("Down, Down, Return selected %q, want %q", sel.Selected, "Last 30 days")
	}
	if len(*chosen) != 1 || (*chosen)[0] != "Last 30 days" {
		t.Errorf("OnChanged received %q, want [Last 30 days]", *chosen)
	}
	if menu.popUp.Visible() || c.Overlays().Top() != nil {
		t.Error("options stayed open after Return")
	}
	if c.Focused() != fyne.Focusable(sel) {
		t.Errorf("focus after choosing is %T, want the select", c.Focused())
	}
}

func TestSelectMenuEscapeKeepsSelection(t *testing.T) {
	idle := &countingIdle{}
	s := newUnlockedShell(t, idle)
	sel, c, chosen := openSelect(t, s, []string{"All kinds", "message.sent"})
	sel.SetSelectedIndex(0)
	*chosen = nil

	// Opened from the keyboard this time.
	c.Focus(sel)
	pressKey(c, fyne.KeySpace)
	if _, ok := c.Focused().(*activityMenu); !ok {
		t.Fatalf("focused widget after Space is %T, want *activityMenu", c.Focused())
	}
	pressKey(c, fyne.KeyDown)
	idle.take()
	pressKey(c, fyne.KeyEscape)
	if idle.take() == 0 {
		t.Error("Escape in the open options reported no activity")
	}

	if c.Overlays().Top() != nil {
		t.Error("options stayed open after Escape")
	}
	if sel.Selected != "All kinds" || len(*chosen) != 0 {
		t.Errorf("after Escape the select shows %q and OnChanged received %q, want All kinds and nothing",
			sel.Selected, *chosen)
	}
}

func TestSelectMenuTapChoosesOption(t *testing.T) {
	s := newUnlockedShell(t, &countingIdle{})
	sel, c, chosen := openSelect(t, s, []string{"All kinds", "message.sent"})

	test.Tap(sel)
	// The option is the innermost tappable object that shows its text,
	// which a walk from the top visits after the menu around it.
	var target fyne.Tappable
	walk(topDialog(t, c), func(o fyne.CanvasObject) {
		if tappable, ok := o.(fyne.Tappable); ok && showsText(o, "message.sent") {
			target = tappable
		}
	})
	if target == nil {
		t.Fatal("no tappable option message.sent in the open options")
	}
	test.Tap(target)

	if sel.Selected != "message.sent" || len(*chosen) != 1 {
		t.Errorf("tapping message.sent selected %q and OnChanged received %q", sel.Selected, *chosen)
	}
	if c.Overlays().Top() != nil {
		t.Error("options stayed open after a tap on one")
	}
}

// showsText reports whether o or an object below it draws text.
func showsText(o fyne.CanvasObject, text string) bool {
	found := false
	walk(o, func(child fyne.CanvasObject) {
		if t, ok := child.(*canvas.Text); ok && t.Text == text {
			found = true
		}
	})
	return found
}

func TestSelectMenuClosesOnHideAndTapOutside(t *testing.T) {
	s := newUnlockedShell(t, &countingIdle{})
	sel, c, chosen := openSelect(t, s, []string{"a", "b"})

	test.Tap(sel)
	test.TapCanvas(c, fyne.NewPos(390, 290))
	if c.Overlays().Top() != nil {
		t.Error("options stayed open after a tap outside them")
	}
	if len(*chosen) != 0 {
		t.Errorf("a tap outside the options chose %q", *chosen)
	}

	test.Tap(sel)
	sel.Hide()
	if c.Overlays().Top() != nil {
		t.Error("options stayed open after the select was hidden")
	}
}
