package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// showFileSave opens Fyne's save dialog in w with name as the file name,
// and makes typing in its file name field report activity to the idle
// lock. Fyne 2.7.1 builds that field as a plain *widget.Entry and focuses
// it when the dialog opens, so the field is the canvas's focused widget
// right after Show, and its OnChanged can be wrapped.
func showFileSave(s *Shell, w fyne.Window, name string, callback func(fyne.URIWriteCloser, error)) {
	save := dialog.NewFileSave(callback, w)
	save.SetFileName(name)
	save.Show()

	field, ok := w.Canvas().Focused().(*widget.Entry)
	if !ok {
		// A native dialog (macOS, Flatpak) opens outside the window, and
		// another Fyne version may focus something else.
		s.log.Warn("the save dialog's file name field was not found, so typing in it does not count as activity")
		return
	}
	changed := field.OnChanged
	field.OnChanged = func(text string) {
		s.activity()
		if changed != nil {
			changed(text)
		}
	}
}
