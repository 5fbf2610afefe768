package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// accountsView lists the mail accounts, adds one with the first-run form
// and removes the selected one after a confirmation.
type accountsView struct {
	shell    *Shell
	win      fyne.Window
	accounts []string
	selected int

	list   *activityList
	remove *activityButton
	status *widget.Label
	// prompt is the last removal confirmation opened.
	prompt *confirmPrompt
}

// openAccounts opens the Accounts window and returns its view.
func (s *Shell) openAccounts() *accountsView {
	v := &accountsView{shell: s, win: s.app.NewWindow("Mail accounts"), selected: -1, status: widget.NewLabel("")}
	v.status.Wrapping = fyne.TextWrapWord
	v.win.SetContent(newActivityLayer(v.build(), s.activity))
	v.win.Resize(fyne.NewSize(640, 560))
	s.addChild(v.win)
	v.win.Show()
	return v
}

func (v *accountsView) build() fyne.CanvasObject {
	s := v.shell
	v.accounts = s.client.Accounts()
	v.list = newActivityList(s,
		func() int { return len(v.accounts) },
		func() fyne.CanvasObject { return widget.NewLabel("account@example.org") },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(v.accounts) {
				o.(*widget.Label).SetText(v.accounts[id])
			}
		})
	v.list.OnSelected = func(id widget.ListItemID) {
		v.selected = id
		v.remove.Enable()
	}
	v.list.OnUnselected = func(widget.ListItemID) {
		v.selected = -1
		v.remove.Disable()
	}
	v.remove = newActivityButton(s, "Remove", theme.DeleteIcon(), v.confirmRemove)
	v.remove.Disable()

	add := newAccountForm(s, func(address string) {
		v.reload()
		v.status.SetText(address + " was added. Its mail arrives with the next sync.")
		s.startSync()
	})
	top := container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), v.remove), nil, nil, v.list)
	bottom := container.NewVBox(widget.NewSeparator(), widget.NewLabelWithStyle("Add an account", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), add, v.status)
	return container.NewBorder(nil, bottom, nil, nil, top)
}

func (v *accountsView) reload() {
	v.accounts = v.shell.client.Accounts()
	v.list.UnselectAll()
	v.list.Refresh()
}

// confirmRemove opens a confirmation, with Cancel as the default, and
// removes the selected account when the user confirms.
func (v *accountsView) confirmRemove() {
	if v.selected < 0 || v.selected >= len(v.accounts) {
		return
	}
	address := v.accounts[v.selected]
	text := "SecureMail forgets " + address + " and its password, and stops syncing it. " +
		"Its mail already in this profile stays here. Messages still in the outbox keep the account: " +
		"send, withdraw or discard them first."
	v.prompt = showConfirm(v.shell, v.win, "Remove this account?", text, "Remove", theme.DeleteIcon(), func() {
		v.shell.background(func() {
			err := v.shell.client.RemoveAccount(address)
			fyne.Do(func() {
				if err != nil {
					v.status.SetText(err.Error())
					return
				}
				v.reload()
				v.status.SetText(address + " was removed.")
			})
		})
	})
}
