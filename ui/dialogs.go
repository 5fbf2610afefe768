package ui

import (
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The dialogs in this file replace dialog.ShowForm, dialog.ShowError and
// dialog.ShowCustom, whose buttons report no keys to the idle lock. Each
// is a dialog.NewCustomWithoutButtons over an activity layer, with
// activity buttons, and Escape on any of its entries or buttons closes it
// as Cancel does.

// Widths of a text message, as Fyne 2.7.1 sizes its information dialog:
// wide enough for the text on one line, but no wider than
// maxMessageWidth or than maxMessageShare of the parent window.
// dialogMarginWidth is the margin Fyne 2.7.1 leaves left and right of a
// dialog's content, both sides together.
const (
	maxMessageWidth   = 600
	maxMessageShare   = 0.9
	dialogMarginWidth = 32
)

// formPrompt is a form in a dialog. The confirm button is disabled while
// an item fails validation, as in dialog.NewForm.
type formPrompt struct {
	dialog  dialog.Dialog
	form    *widget.Form
	confirm *activityButton
	cancel  *activityButton
}

// showForm opens a form dialog in w and calls callback once: with true
// when the user chooses confirm, and with false on dismiss or Escape.
// Focusable item widgets must be activity entries (newActivityEntry,
// newPasswordEntry), because Fyne delivers keys to the focused widget
// only. The first entry gets the focus, and Enter in an entry does not
// confirm the form.
func showForm(s *Shell, w fyne.Window, title, confirm, dismiss string, items []*widget.FormItem, callback func(bool)) *formPrompt {
	p := &formPrompt{}
	closed := false
	finish := func(ok bool) {
		if closed {
			return
		}
		closed = true
		p.dialog.Hide()
		callback(ok)
	}
	cancel := func() { finish(false) }

	p.cancel = newActivityButton(s, dismiss, theme.CancelIcon(), cancel)
	p.cancel.onEscape = cancel
	p.confirm = newActivityButton(s, confirm, theme.ConfirmIcon(), func() { finish(true) })
	p.confirm.Importance = widget.HighImportance
	p.confirm.onEscape = cancel

	var first fyne.Focusable
	for _, item := range items {
		if e, ok := item.Widget.(*activityEntry); ok {
			e.onEscape = cancel
			if first == nil && !e.Disabled() {
				first = e
			}
		}
	}
	p.form = widget.NewForm(items...)
	p.setSubmitState(p.form.Validate())
	p.form.SetOnValidationChanged(p.setSubmitState)

	buttons := container.NewGridWithColumns(2, p.cancel, p.confirm)
	content := container.NewBorder(nil, buttons, nil, nil, p.form)
	p.dialog = dialog.NewCustomWithoutButtons(title, newActivityLayer(content, s.activity), w)
	p.dialog.Show()
	if first == nil {
		first = p.cancel
	}
	w.Canvas().Focus(first)
	return p
}

func (p *formPrompt) setSubmitState(err error) {
	if err != nil {
		p.confirm.Disable()
		return
	}
	p.confirm.Enable()
}

// messagePrompt is a dialog that shows content until the user closes it
// with its one button or with Escape.
type messagePrompt struct {
	dialog  *dialog.CustomDialog
	dismiss *activityButton
}

// showMessage opens content in a dialog in w with a dismiss button, which
// gets the focus. A zero size leaves the dialog at its minimum size.
func showMessage(s *Shell, w fyne.Window, title, dismiss string, content fyne.CanvasObject, size fyne.Size) *messagePrompt {
	p := &messagePrompt{}
	p.dismiss = newActivityButton(s, dismiss, nil, func() { p.dialog.Hide() })
	p.dismiss.onEscape = func() { p.dialog.Hide() }

	layout := container.NewBorder(nil, container.NewCenter(p.dismiss), nil, nil, content)
	p.dialog = dialog.NewCustomWithoutButtons(title, newActivityLayer(layout, s.activity), w)
	if !size.IsZero() {
		p.dialog.Resize(size)
	}
	p.dialog.Show()
	w.Canvas().Focus(p.dismiss)
	return p
}

// showError opens err in a dialog in w, titled "Error" with an OK button
// and the first letter capitalised, as dialog.ShowError does.
func showError(s *Shell, w fyne.Window, err error) *messagePrompt {
	text := err.Error()
	if r, n := utf8.DecodeRuneInString(text); r != utf8.RuneError {
		text = string(unicode.ToUpper(r)) + text[n:]
	}
	label := widget.NewLabel(text)
	label.Alignment = fyne.TextAlignCenter
	label.Wrapping = fyne.TextWrapWord

	p := showMessage(s, w, "Error", "OK", label, fyne.Size{})
	p.dialog.SetIcon(theme.ErrorIcon())
	p.fitText(w, text)
	return p
}

// fitText sizes a text message's dialog to show text on one line where
// the limits allow, and on as many wrapped lines as it needs otherwise.
func (p *messagePrompt) fitText(w fyne.Window, text string) {
	oneLine := widget.NewLabel(text).MinSize().Width + dialogMarginWidth + 2*theme.Padding()
	width := min(oneLine, maxMessageWidth, w.Canvas().Size().Width*maxMessageShare)
	p.dialog.Resize(fyne.NewSize(width, p.dialog.MinSize().Height))
}
