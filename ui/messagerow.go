package ui

import (
	"net/mail"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// newMessageRow makes a message list row: an encryption marker, the
// sender, the subject filling the remaining width, and the date.
func newMessageRow() fyne.CanvasObject {
	lock := widget.NewIcon(theme.VisibilityOffIcon())
	from := widget.NewLabel("Sender name placeholder")
	from.Truncation = fyne.TextTruncateEllipsis
	date := widget.NewLabel("2006-01-02 15:04")
	subject := widget.NewLabel("Subject")
	subject.Truncation = fyne.TextTruncateEllipsis
	left := container.NewGridWrap(fyne.NewSize(220, from.MinSize().Height), from)
	return container.NewBorder(nil, nil, container.NewHBox(lock, left), date, subject)
}

// messageRowParts returns the widgets of a row made by newMessageRow.
func messageRowParts(row fyne.CanvasObject) (lock *widget.Icon, from, date, subject *widget.Label) {
	border := row.(*fyne.Container)
	// Border layout keeps the centre object first, then the edges in the
	// order they were passed.
	subject = border.Objects[0].(*widget.Label)
	left := border.Objects[1].(*fyne.Container)
	date = border.Objects[2].(*widget.Label)
	lock = left.Objects[0].(*widget.Icon)
	from = left.Objects[1].(*fyne.Container).Objects[0].(*widget.Label)
	return lock, from, date, subject
}

func (w *MainWindow) updateMessageRow(id widget.ListItemID, row fyne.CanvasObject) {
	if id >= len(w.messages) {
		return
	}
	m := w.messages[id]
	lock, from, date, subject := messageRowParts(row)
	// Fyne's theme has no lock icon, so the crossed-out eye marks a
	// message that arrived encrypted.
	if m.Encrypted {
		lock.SetResource(theme.VisibilityOffIcon())
	} else {
		lock.SetResource(nil)
	}
	from.SetText(displayName(m.From))
	subject.SetText(m.Subject)
	subject.TextStyle.Bold = isUnread(m)
	subject.Refresh()
	date.SetText(m.Date.Local().Format("2006-01-02 15:04"))
}

// displayName returns the display name of an RFC 5322 address, or the
// address itself when it has no name or does not parse.
func displayName(address string) string {
	parsed, err := mail.ParseAddress(address)
	if err != nil {
		return address
	}
	if parsed.Name != "" {
		return parsed.Name
	}
	return parsed.Address
}
