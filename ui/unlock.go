package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"securemail/cache"
)

// unlockScreen asks for the vault passphrase. It is built new on every
// lock, so it holds nothing from the session before.
type unlockScreen struct {
	root       fyne.CanvasObject
	passphrase *activityEntry
	unlock     *activityButton
	message    *widget.Label
}

func newUnlockScreen(s *Shell, message string) *unlockScreen {
	u := &unlockScreen{passphrase: newPasswordEntry(s), message: widget.NewLabel(message)}
	u.passphrase.SetPlaceHolder("Vault passphrase")
	u.message.Wrapping = fyne.TextWrapWord

	u.unlock = newActivityButton(s, "Unlock", nil, func() { u.submit(s) })
	u.unlock.Importance = widget.HighImportance
	u.passphrase.OnSubmitted = func(string) { u.submit(s) }

	title := widget.NewLabelWithStyle("SecureMail is locked", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	form := container.NewVBox(title, u.message, u.passphrase, u.unlock)
	u.root = container.NewCenter(container.NewGridWrap(fyne.NewSize(380, 220), form))
	return u
}

func (u *unlockScreen) submit(s *Shell) {
	pass := []byte(u.passphrase.Text)
	u.passphrase.SetText("")
	if len(pass) == 0 {
		u.message.SetText("Enter your vault passphrase.")
		return
	}
	u.unlockWith(s, pass)
}

// unlockWith unlocks the vault with pass in the background, clears pass,
// and shows the mail screen or the reason it failed.
func (u *unlockScreen) unlockWith(s *Shell, pass []byte) {
	u.begin()
	s.background(func() {
		err := s.client.Unlock(pass)
		clear(pass)
		fyne.Do(func() { u.finish(s, err) })
	})
}

// begin shows that an unlock is running.
func (u *unlockScreen) begin() {
	u.unlock.Disable()
	u.message.SetText("Unlocking…")
}

// finish shows the mail screen after an unlock, or why it failed.
func (u *unlockScreen) finish(s *Shell, err error) {
	u.unlock.Enable()
	switch {
	case err == nil:
		s.unlocked()
	case errors.Is(err, cache.ErrWrongPassphrase):
		s.log.Warn("unlock failed: wrong passphrase")
		u.message.SetText("Wrong passphrase. Try again.")
	default:
		s.log.Error("unlock failed", "error", err)
		u.message.SetText(err.Error())
	}
}
