package ui

import (
	"net/mail"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"securemail/compose"
)

// countingIdle is an idle lock that counts the activity reported to it.
type countingIdle struct {
	mu    sync.Mutex
	count int
}

func (c *countingIdle) Activity()      { c.mu.Lock(); c.count++; c.mu.Unlock() }
func (c *countingIdle) Unlocked()      {}
func (c *countingIdle) LockNow() error { return nil }

// take returns the count so far and starts a new one.
func (c *countingIdle) take() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.count
	c.count = 0
	return n
}

// pressKey delivers a key as Fyne's desktop driver does: to the focused
// widget, or to the canvas when no widget has the focus.
func pressKey(c fyne.Canvas, name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
	} else if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

// typeRune delivers a character in the same way as pressKey.
func typeRune(c fyne.Canvas, r rune) {
	if f := c.Focused(); f != nil {
		f.TypedRune(r)
	} else if h := c.OnTypedRune(); h != nil {
		h(r)
	}
}

func newUnlockedShell(t *testing.T, idle IdleLock) *Shell {
	t.Helper()
	c := newFakeClient()
	c.locked = false
	s, _ := newTestShell(t, c, Options{Idle: idle})
	if s.mail == nil {
		t.Fatal("the shell shows no mail screen over an unlocked client")
	}
	return s
}

func TestFocusedWidgetKeysReportActivity(t *testing.T) {
	idle := &countingIdle{}
	s := newUnlockedShell(t, idle)
	m := s.mail

	var toolbarButton *activityButton
	walk(s.win.Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*activityButton); ok && toolbarButton == nil {
			toolbarButton = b
		}
	})
	if toolbarButton == nil {
		t.Fatal("no toolbar button on the main window")
	}

	// The check and the select stand in a window of their own, as in
	// the settings and audit windows.
	check := newActivityCheck(s, "Remember", nil)
	sel := newActivitySelect(s, []string{"All kinds", "Sent"}, nil)
	other := test.NewTempWindow(t, container.NewVBox(check, sel))

	tests := []struct {
		name   string
		canvas fyne.Canvas
		widget fyne.Focusable
	}{
		{"message list", s.win.Canvas(), m.messageList},
		{"folder list", s.win.Canvas(), m.folderList},
		{"toolbar button", s.win.Canvas(), toolbarButton},
		{"search entry", s.win.Canvas(), m.search},
		{"check", other.Canvas(), check},
		{"select", other.Canvas(), sel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.canvas.Focus(tt.widget)
			if tt.canvas.Focused() != tt.widget {
				t.Fatalf("focused widget is %T, want %T", tt.canvas.Focused(), tt.widget)
			}
			idle.take()

			pressKey(tt.canvas, fyne.KeyEscape)
			if n := idle.take(); n == 0 {
				t.Error("a key on the focused widget reported no activity")
			}
			typeRune(tt.canvas, 'x')
			if n := idle.take(); n == 0 {
				t.Error("a character on the focused widget reported no activity")
			}
		})
	}
}

func TestFocusedListKeysStillMoveSelection(t *testing.T) {
	idle := &countingIdle{}
	s := newUnlockedShell(t, idle)
	c := s.win.Canvas()
	c.Focus(s.mail.messageList)

	pressKey(c, fyne.KeyDown)
	pressKey(c, fyne.KeySpace)

	if s.mail.selected != 1 {
		t.Errorf("Down then Space selected row %d, want 1", s.mail.selected)
	}
	if idle.take() == 0 {
		t.Error("keys on the focused list reported no activity")
	}
}

func TestFocusNextReportsActivity(t *testing.T) {
	idle := &countingIdle{}
	s := newUnlockedShell(t, idle)
	c := s.win.Canvas()
	c.Focus(s.mail.search)
	idle.take()

	test.FocusNext(c)

	if c.Focused() == nil || c.Focused() == fyne.Focusable(s.mail.search) {
		t.Fatalf("focus after FocusNext is %T, want the widget after the search entry", c.Focused())
	}
	if n := idle.take(); n == 0 {
		t.Errorf("moving the focus to %T reported no activity", c.Focused())
	}
}

func TestUnfocusedCanvasKeysReportActivity(t *testing.T) {
	idle := &countingIdle{}
	s := newUnlockedShell(t, idle)
	c := s.win.Canvas()
	c.Unfocus()
	idle.take()

	pressKey(c, fyne.KeyEscape)
	if n := idle.take(); n == 0 {
		t.Error("a key on the canvas without focus reported no activity")
	}
	test.TypeOnCanvas(c, "x")
	if n := idle.take(); n == 0 {
		t.Error("a character on the canvas without focus reported no activity")
	}
}

func TestActivityWidgetsAreFocusable(t *testing.T) {
	s := &Shell{}
	for _, w := range []fyne.CanvasObject{
		newActivityButton(s, "OK", nil, nil),
		newActivityCheck(s, "Remember", nil),
		newActivitySelect(s, []string{"a"}, nil),
		newActivityList(s, func() int { return 0 }, func() fyne.CanvasObject { return widget.NewLabel("") }, nil),
		newActivityEntry(s),
	} {
		if _, ok := w.(fyne.Focusable); !ok {
			t.Errorf("%T is not focusable", w)
		}
	}
}

func TestTappedRowFocusesActivityList(t *testing.T) {
	idle := &countingIdle{}
	s := newUnlockedShell(t, idle)
	c := s.win.Canvas()
	list := s.mail.messageList
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(list).Add(fyne.NewPos(40, 10))

	test.TapCanvas(c, at)

	if c.Focused() != fyne.Focusable(list) {
		t.Fatalf("focus after tapping a row is %T, want the message list wrapper", c.Focused())
	}
	if s.mail.selected != 0 {
		t.Errorf("tapping the first row selected row %d, want 0", s.mail.selected)
	}
	idle.take()
	pressKey(c, fyne.KeyDown)
	if n := idle.take(); n == 0 {
		t.Error("a key after tapping a row reported no activity")
	}
}

// TestPointerOverReviewReportsActivity moves the mouse over the send
// review, a dialog above the compose window's content, and expects the
// idle lock to hear of it.
func TestPointerOverReviewReportsActivity(t *testing.T) {
	idle := &countingIdle{}
	s := newUnlockedShell(t, idle)
	fake := s.client.(*fakeClient)
	fake.report = lookalikeReport()
	cw := s.newCompose(&compose.Draft{To: []mail.Address{{Address: "lab@lab.example"}}, Subject: "x"})
	cw.showReview(cw.draft(), fake.report)
	canvas := cw.win.Canvas()
	if canvas.Overlays().Top() == nil {
		t.Fatal("the review shows no dialog")
	}

	idle.take()
	center := fyne.NewPos(canvas.Size().Width/2, canvas.Size().Height/2)
	test.MoveMouse(canvas, center)
	test.MoveMouse(canvas, center.AddXY(5, 5))
	if idle.take() == 0 {
		t.Error("moving the mouse over the review was not reported to the idle lock")
	}
}
