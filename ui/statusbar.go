package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"securemail/account"
)

// statusBar shows sync progress and the last error at the bottom of the
// main window. Its methods run on the UI goroutine.
type statusBar struct {
	root     fyne.CanvasObject
	label    *widget.Label
	progress *widget.ProgressBar
}

func newStatusBar() *statusBar {
	b := &statusBar{label: widget.NewLabel("Ready"), progress: widget.NewProgressBar()}
	b.label.Truncation = fyne.TextTruncateEllipsis
	b.progress.Hide()
	b.root = container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(180, 30), b.progress), b.label)
	return b
}

func (b *statusBar) setText(text string) {
	b.label.Importance = widget.MediumImportance
	b.label.SetText(text)
}

// showError shows err in the status bar. Errors from the packages name
// the failing value and the next step but never message content.
func (b *statusBar) showError(err error) {
	b.label.Importance = widget.DangerImportance
	b.label.SetText(err.Error())
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
	b.setText(fmt.Sprintf("Sync complete: %d new messages", newMessages))
}
