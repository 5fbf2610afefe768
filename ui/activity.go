package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Fyne 2.7.1 delivers a key to the focused widget alone, and to the
// canvas's OnTypedKey and OnTypedRune only when no widget has the focus.
// So each focusable widget the GUI builds is one of the types below. Each
// reports keys, and the focus it gains from Tab or a click, to the idle
// lock, and then behaves as the widget it embeds.
// Dialogs are built from these types too (showConfirm, showForm,
// showMessage, showError, the send review and the outbox prompts), and a
// select opens its options in an activityMenu.
// NOTE: widgets that Fyne 2.7.1 builds inside its file dialogs still
// report no keys: their buttons, file grid or list, places list, options
// menu and new-folder form. Only typing in the save dialog's file name
// field counts (see showFileSave). Fyne exposes no key hook for them,
// because the canvas's key handlers run only while nothing has the
// focus, and its shortcuts only for modifier combinations that the
// focused widget does not handle itself. Keys on a selectable label
// (message body, error details, the passwords of protected copies) go to
// a focusable part Fyne builds inside the label and report nothing
// either.

// activityEntry is a widget.Entry that reports key presses to the idle
// lock before handling them.
type activityEntry struct {
	widget.Entry
	onActivity func()
	onEscape   func() // set by the dialog that contains the entry
}

func (e *activityEntry) FocusGained() {
	e.onActivity()
	e.Entry.FocusGained()
}

func (e *activityEntry) TypedRune(r rune) {
	e.onActivity()
	e.Entry.TypedRune(r)
}

func (e *activityEntry) TypedKey(k *fyne.KeyEvent) {
	e.onActivity()
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}

func (e *activityEntry) TypedShortcut(sc fyne.Shortcut) {
	e.onActivity()
	e.Entry.TypedShortcut(sc)
}

// activityLayer lies over the whole window content and reports pointer
// movement to the idle lock. It only implements desktop.Hoverable, so
// taps, scrolls and drags still reach the widgets below it.
type activityLayer struct {
	widget.BaseWidget
	onActivity func()
}

func newActivityLayer(content fyne.CanvasObject, onActivity func()) fyne.CanvasObject {
	l := &activityLayer{onActivity: onActivity}
	l.ExtendBaseWidget(l)
	return container.NewStack(content, l)
}

func (l *activityLayer) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(&fyne.Container{})
}

func (l *activityLayer) MouseIn(*desktop.MouseEvent)    { l.onActivity() }
func (l *activityLayer) MouseMoved(*desktop.MouseEvent) { l.onActivity() }
func (l *activityLayer) MouseOut()                      {}

// activityButton is a widget.Button that reports keys and focus to the
// idle lock.
type activityButton struct {
	widget.Button
	onActivity func()
	onEscape   func() // set by the dialog that contains the button
}

// newActivityButton returns a button with a label, an optional icon and
// a tap handler, as widget.NewButtonWithIcon does.
func newActivityButton(s *Shell, label string, icon fyne.Resource, tapped func()) *activityButton {
	b := &activityButton{onActivity: s.activity}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

func (b *activityButton) FocusGained() {
	b.onActivity()
	b.Button.FocusGained()
}

func (b *activityButton) TypedRune(r rune) {
	b.onActivity()
	b.Button.TypedRune(r)
}

func (b *activityButton) TypedKey(k *fyne.KeyEvent) {
	b.onActivity()
	if k.Name == fyne.KeyEscape && b.onEscape != nil {
		b.onEscape()
		return
	}
	b.Button.TypedKey(k)
}

// activityCheck is a widget.Check that reports keys and focus to the
// idle lock.
type activityCheck struct {
	widget.Check
	onActivity func()
	onEscape   func() // set by the dialog that contains the check
}

func newActivityCheck(s *Shell, label string, changed func(bool)) *activityCheck {
	c := &activityCheck{onActivity: s.activity}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

func (c *activityCheck) FocusGained() {
	c.onActivity()
	c.Check.FocusGained()
}

func (c *activityCheck) TypedRune(r rune) {
	c.onActivity()
	c.Check.TypedRune(r)
}

func (c *activityCheck) TypedKey(k *fyne.KeyEvent) {
	c.onActivity()
	if k.Name == fyne.KeyEscape && c.onEscape != nil {
		c.onEscape()
		return
	}
	c.Check.TypedKey(k)
}

// activitySelect is a widget.Select that reports keys and focus to the
// idle lock.
type activitySelect struct {
	widget.Select
	onActivity func()
	menu       *activityMenu // the options last opened, see selectmenu.go
}

// newActivitySelect returns a select over options. Its placeholder is
// Fyne's default, which widget.Select fills in when the field is empty.
func newActivitySelect(s *Shell, options []string, changed func(string)) *activitySelect {
	sel := &activitySelect{onActivity: s.activity}
	sel.Options, sel.OnChanged = options, changed
	sel.ExtendBaseWidget(sel)
	return sel
}

func (s *activitySelect) FocusGained() {
	s.onActivity()
	s.Select.FocusGained()
}

func (s *activitySelect) TypedRune(r rune) {
	s.onActivity()
	s.Select.TypedRune(r)
}

func (s *activitySelect) TypedKey(k *fyne.KeyEvent) {
	s.onActivity()
	switch k.Name {
	case fyne.KeySpace, fyne.KeyUp, fyne.KeyDown:
		if c := fyne.CurrentApp().Driver().CanvasForObject(s); c != nil {
			s.showMenu(c)
		}
	default:
		s.Select.TypedKey(k)
	}
}

// activityList is a widget.List that reports keys and focus to the idle
// lock.
type activityList struct {
	widget.List
	onActivity func()
}

func newActivityList(s *Shell, length func() int, createItem func() fyne.CanvasObject,
	updateItem func(widget.ListItemID, fyne.CanvasObject)) *activityList {
	l := &activityList{onActivity: s.activity}
	l.Length, l.CreateItem, l.UpdateItem = length, createItem, updateItem
	l.ExtendBaseWidget(l)
	return l
}

func (l *activityList) FocusGained() {
	l.onActivity()
	l.List.FocusGained()
}

func (l *activityList) TypedRune(r rune) {
	l.onActivity()
	l.List.TypedRune(r)
}

func (l *activityList) TypedKey(k *fyne.KeyEvent) {
	l.onActivity()
	l.List.TypedKey(k)
}

// activityToolbarAction is a toolbar button whose button reports keys and
// focus to the idle lock. It looks as widget.ToolbarAction does.
type activityToolbarAction struct {
	button *activityButton
}

func newActivityToolbarAction(s *Shell, icon fyne.Resource, activated func()) *activityToolbarAction {
	b := newActivityButton(s, "", icon, activated)
	b.Importance = widget.LowImportance
	return &activityToolbarAction{button: b}
}

func (t *activityToolbarAction) ToolbarObject() fyne.CanvasObject { return t.button }
