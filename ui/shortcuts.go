package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// Shortcut is one keyboard shortcut of the main window.
type Shortcut struct {
	Key      fyne.KeyName
	Modifier fyne.KeyModifier
	Action   string
}

// Shortcuts follow Thunderbird's defaults, which Outlook users also
// meet in most web mail: Ctrl+N new, Ctrl+R reply, Ctrl+Shift+R reply
// all, Ctrl+L forward, Ctrl+K search, Delete, F and B for the next and
// previous message. Ctrl+Return sends from the compose window.
var Shortcuts = []Shortcut{
	{fyne.KeyN, fyne.KeyModifierShortcutDefault, "new message"},
	{fyne.KeyR, fyne.KeyModifierShortcutDefault, "reply"},
	{fyne.KeyR, fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift, "reply all"},
	{fyne.KeyL, fyne.KeyModifierShortcutDefault, "forward"},
	{fyne.KeyK, fyne.KeyModifierShortcutDefault, "search"},
	{fyne.KeyL, fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift, "lock now"},
	{fyne.KeyDown, fyne.KeyModifierAlt, "next message"},
	{fyne.KeyUp, fyne.KeyModifierAlt, "previous message"},
}

func (s *Shell) installShortcuts() {
	c := s.win.Canvas()
	for _, sc := range Shortcuts {
		action := sc.Action
		c.AddShortcut(&desktop.CustomShortcut{KeyName: sc.Key, Modifier: sc.Modifier}, func(fyne.Shortcut) {
			s.activity()
			s.runAction(action)
		})
	}
	// Single keys act only when no text field has the focus, as in
	// Thunderbird.
	c.SetOnTypedRune(func(r rune) {
		s.activity()
		switch r {
		case 'f':
			s.runAction("next message")
		case 'b':
			s.runAction("previous message")
		}
	})
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		s.activity()
		if k.Name == fyne.KeyDelete {
			s.runAction("delete")
		}
	})
}

// runAction performs a named action of the main window. Actions that
// need mail do nothing while the vault is locked.
func (s *Shell) runAction(action string) {
	if action == "lock now" {
		if s.mail != nil {
			s.LockNow()
		}
		return
	}
	m := s.mail
	if m == nil {
		return
	}
	switch action {
	case "new message":
		s.newCompose(nil)
	case "reply":
		m.reply(Reply)
	case "reply all":
		m.reply(ReplyAll)
	case "forward":
		m.reply(Forward)
	case "search":
		s.win.Canvas().Focus(m.search)
	case "delete":
		m.deleteSelected()
	case "next message":
		m.moveSelection(1)
	case "previous message":
		m.moveSelection(-1)
	}
}
