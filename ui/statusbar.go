package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"securemail/account"
)

// statusBar shows sync progress, the last error and the number of
// outbox messages held for the user at the bottom of the main window.
// Its methods run on the UI goroutine.
type statusBar struct {
	root     fyne.CanvasObject
	label    *widget.Label
	progress *widget.ProgressBar
	// held opens the Outbox window, and is hidden while no message is
	// held.
	held *activityButton
	// details shows the whole error, which the label cuts off at the
	// window's width. It is visible only while an error is shown.
	details *activityButton
	// errorText is the error on screen, or "".
	errorText string
}

func newStatusBar(held, details *activityButton) *statusBar {
	b := &statusBar{label: widget.NewLabel("Ready"), progress: widget.NewProgressBar(), held: held, details: details}
	b.label.Truncation = fyne.TextTruncateEllipsis
	b.progress.Hide()
	b.held.Importance = widget.WarningImportance
	b.held.Hide()
	b.details.Hide()
	right := container.NewHBox(b.details, b.held, container.NewGridWrap(fyne.NewSize(180, 30), b.progress))
	b.root = container.NewBorder(nil, nil, nil, right, b.label)
	return b
}

// setHeld shows how many outbox messages wait for the user's decision,
// or hides the notice when none does.
func (b *statusBar) setHeld(n int) {
	switch {
	case n <= 0:
		b.held.Hide()
		return
	case n == 1:
		b.held.SetText("1 message needs your decision")
	default:
		b.held.SetText(fmt.Sprintf("%d messages need your decision", n))
	}
	b.held.Show()
}

func (b *statusBar) setText(text string) {
	b.errorText = ""
	b.details.Hide()
	b.label.Importance = widget.MediumImportance
	b.label.SetText(text)
}

// showError shows err in the status bar. Errors from the packages name
// the failing value and the next step but never message content.
func (b *statusBar) showError(err error) {
	b.errorText = err.Error()
	b.details.Show()
	b.label.Importance = widget.DangerImportance
	// errors.Join puts each error on its own line, and the label shows
	// one line, so the lines are joined for the label alone.
	b.label.SetText(strings.ReplaceAll(b.errorText, "\n", "; "))
}

// syncProgress shows one progress snapshot. The folder name is the
// user's own and stays on screen; it is never logged.
func (b *statusBar) syncProgress(p account.Progress) {
	b.progress.Show()
	if p.MessagesTotal > 0 {
		b.progress.SetValue(float64(p.Messages) / float64(p.MessagesTotal))
	}
	b.setText(fmt.Sprintf("Syncing %s: folder %d of %d, %d of %d messages",
		p.Folder, p.FoldersDone+1, max(p.FoldersTotal, 1), p.Messages, p.MessagesTotal))
}

func (b *statusBar) syncDone(newMessages int, err error) {
	b.progress.Hide()
	if err != nil {
		b.showError(err)
		return
	}
	b.setText("Sync complete: " + countText(newMessages, "new message"))
}
