package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// widget.Select opens its options in a widget.PopUpMenu that takes the
// focus, so keys typed while the menu is open would reach that menu and
// not the idle lock. activitySelect opens its options in an
// activityMenu in place of it.

// activityMenu is the open option list of an activitySelect. It has the
// focus while open, reports keys to the idle lock, and handles them as
// widget.PopUpMenu does in Fyne 2.7.1: Up and Down move, Enter, Return
// and Space choose, and Escape closes.
type activityMenu struct {
	widget.BaseWidget
	menu       *widget.Menu
	popUp      *widget.PopUp
	onActivity func()
}

func (m *activityMenu) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(m.menu)
}
func (m *activityMenu) FocusGained() { m.onActivity() }
func (m *activityMenu) FocusLost()   {}

func (m *activityMenu) TypedRune(rune) { m.onActivity() }

func (m *activityMenu) TypedKey(k *fyne.KeyEvent) {
	m.onActivity()
	switch k.Name {
	case fyne.KeyDown:
		m.menu.ActivateNext()
	case fyne.KeyUp:
		m.menu.ActivatePrevious()
	case fyne.KeyEnter, fyne.KeyReturn, fyne.KeySpace:
		m.menu.TriggerLast()
	case fyne.KeyEscape:
		m.menu.Dismiss()
	}
}

// Tapped opens the options as widget.Select does, but in an
// activityMenu and without its tap animation.
func (s *activitySelect) Tapped(*fyne.PointEvent) {
	if s.Disabled() {
		return
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(s)
	if c == nil {
		return
	}
	c.Focus(s)
	s.showMenu(c)
}

// showMenu opens the options below the select in c and gives them the
// focus.
func (s *activitySelect) showMenu(c fyne.Canvas) {
	items := make([]*fyne.MenuItem, len(s.Options))
	for i, option := range s.Options {
		items[i] = fyne.NewMenuItem(option, func() { s.SetSelected(option) })
	}
	m := &activityMenu{menu: widget.NewMenu(fyne.NewMenu("", items...)), onActivity: s.onActivity}
	m.ExtendBaseWidget(m)
	m.popUp = widget.NewPopUp(m, c)
	m.menu.OnDismiss = m.popUp.Hide

	// A widget.PopUp frames its content with half the inner padding on
	// each side, so the frame starts that far up and left of the point
	// below the select where the options begin.
	// NOTE: unlike widget.Select's menu, this one is as wide as its
	// longest option rather than the select, because widget.Menu lays
	// itself out at its minimum size outside a widget.PopUpMenu. It also
	// stays where it opened if the select moves while it is open.
	frame := theme.Size(theme.SizeNameInnerPadding)
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(s)
	at = at.AddXY(-frame/2, s.Size().Height-theme.InputBorderSize()-frame/2)
	m.popUp.ShowAtPosition(at)
	m.popUp.Resize(m.menu.MinSize().AddWidthHeight(frame, frame))
	s.menu = m
	c.Focus(m)
}

// Hide hides the select and its open options.
func (s *activitySelect) Hide() {
	if s.menu != nil {
		s.menu.popUp.Hide()
		s.menu = nil
	}
	s.Select.Hide()
}
