package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// confirmPrompt is a confirmation for an action that cannot be undone or
// that exposes content. Cancel is the default and focused button, Escape
// on either button cancels, and every button reports keys to the idle
// lock, unlike the buttons of dialog.ShowConfirm.
type confirmPrompt struct {
	dialog dialog.Dialog
	action *activityButton
	cancel *activityButton
}

// showConfirm opens a confirmation in w and calls onConfirm only when the
// user chooses action.
func showConfirm(s *Shell, w fyne.Window, title, text, action string, icon fyne.Resource, onConfirm func()) *confirmPrompt {
	p := &confirmPrompt{}
	body := widget.NewLabel(text)
	body.Wrapping = fyne.TextWrapWord
	p.cancel = newActivityButton(s, "Cancel", theme.CancelIcon(), func() { p.dialog.Hide() })
	p.cancel.Importance = widget.HighImportance
	p.action = newActivityButton(s, action, icon, func() {
		p.dialog.Hide()
		onConfirm()
	})
	p.action.Importance = widget.LowImportance
	p.cancel.onEscape = func() { p.dialog.Hide() }
	p.action.onEscape = p.cancel.onEscape
	buttons := container.NewHBox(layout.NewSpacer(), p.action, p.cancel)
	content := container.NewBorder(nil, buttons, nil, nil, body)
	p.dialog = dialog.NewCustomWithoutButtons(title, newActivityLayer(content, s.activity), w)
	p.dialog.Resize(fyne.NewSize(480, 220))
	p.dialog.Show()
	w.Canvas().Focus(p.cancel)
	return p
}
