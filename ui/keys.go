package ui

import (
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"securemail/crypto"
)

// keyManager lists own and contacts' keys and certificates with their
// fingerprints, trust and expiry, and imports, exports, generates,
// verifies and revokes them.
type keyManager struct {
	shell    *Shell
	win      fyne.Window
	keys     []KeyEntry
	list     *activityList
	selected int
	status   *widget.Label
}

func (s *Shell) showKeys() {
	k := &keyManager{shell: s, win: s.app.NewWindow("Keys and certificates"), selected: -1, status: widget.NewLabel("")}
	k.status.Wrapping = fyne.TextWrapWord
	k.win.SetContent(newActivityLayer(k.build(), s.activity))
	k.win.Resize(fyne.NewSize(900, 560))
	s.addChild(k.win)
	k.win.Show()
	k.reload()
}

func (k *keyManager) build() fyne.CanvasObject {
	k.list = newActivityList(k.shell,
		func() int { return len(k.keys) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("key")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(k.keys) {
				o.(*widget.Label).SetText(KeySummary(k.keys[id]))
			}
		},
	)
	k.list.OnSelected = func(id widget.ListItemID) { k.selected = id }
	bar := container.NewHBox(
		newActivityButton(k.shell, "New key", theme.ContentAddIcon(), k.generate),
		newActivityButton(k.shell, "Import OpenPGP…", theme.DownloadIcon(), func() { k.importFile(false) }),
		newActivityButton(k.shell, "Import PKCS#12…", theme.DownloadIcon(), func() { k.importFile(true) }),
		newActivityButton(k.shell, "Export public key…", theme.UploadIcon(), k.export),
		newActivityButton(k.shell, "Verify fingerprint…", theme.ConfirmIcon(), k.verify),
		newActivityButton(k.shell, "Revoke…", theme.DeleteIcon(), k.revoke),
	)
	return container.NewBorder(bar, k.status, nil, nil, k.list)
}

// KeySummary is the one-line description of a key in the list.
func KeySummary(e KeyEntry) string {
	owner := "Contact"
	if e.Own {
		owner = "Own"
	}
	expiry := "no expiry"
	if !e.Expires.IsZero() {
		expiry = "expires " + e.Expires.Format("2006-01-02")
	}
	var state []string
	if e.Revoked {
		state = append(state, "REVOKED")
	}
	if e.Changed {
		state = append(state, "KEY CHANGED, verify before trusting")
	}
	if !e.Own {
		switch e.Trust {
		case crypto.TrustVerified:
			state = append(state, "verified")
		case crypto.TrustFirstUse:
			state = append(state, "trusted on first use, not verified")
		default:
			state = append(state, "not trusted")
		}
	}
	line := fmt.Sprintf("%s %s · %s · %s · %s", owner, e.Scheme, strings.Join(e.Addresses, ", "),
		formatFingerprint(e.Fingerprint), expiry)
	if len(state) > 0 {
		line += " · " + strings.Join(state, ", ")
	}
	return line
}

func (k *keyManager) reload() {
	k.shell.background(func() {
		keys, err := k.shell.client.Keys()
		fyne.Do(func() {
			if err != nil {
				k.status.SetText(err.Error())
				return
			}
			k.keys = keys
			k.selected = -1
			k.list.UnselectAll()
			k.list.Refresh()
		})
	})
}

func (k *keyManager) current() (KeyEntry, bool) {
	if k.selected < 0 || k.selected >= len(k.keys) {
		k.status.SetText("Select a key first.")
		return KeyEntry{}, false
	}
	return k.keys[k.selected], true
}

// run calls op off the UI goroutine, then shows done or the error and
// reloads the list.
func (k *keyManager) run(op func() error, done string) {
	k.shell.background(func() {
		err := op()
		fyne.Do(func() {
			if err != nil {
				k.status.SetText(err.Error())
				return
			}
			k.status.SetText(done)
			k.reload()
		})
	})
}

func (k *keyManager) generate() {
	name, email := newActivityEntry(k.shell), newActivityEntry(k.shell)
	email.SetText(k.shell.client.Identity())
	showForm(k.shell, k.win, "New OpenPGP key", "Create", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Name", name), widget.NewFormItem("Address", email),
	}, func(ok bool) {
		if ok {
			n, e := name.Text, email.Text
			k.run(func() error { _, err := k.shell.client.GenerateKey(n, e); return err }, "Key created.")
		}
	})
}

func (k *keyManager) importFile(pkcs12 bool) {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			k.status.SetText(fmt.Sprintf("read %s: %v", r.URI().Name(), err))
			return
		}
		title := "Key passphrase"
		if pkcs12 {
			title = "PKCS#12 password"
		}
		askSecretIn(k.shell, k.win, title, "Leave empty for a file without one.", func(pass []byte) {
			k.run(func() error {
				defer clear(pass)
				defer clear(data)
				if pkcs12 {
					_, err := k.shell.client.ImportPKCS12(data, pass)
					return err
				}
				_, err := k.shell.client.ImportOpenPGP(data, pass)
				return err
			}, "Imported.")
		})
	}, k.win)
}

func (k *keyManager) export() {
	e, ok := k.current()
	if !ok {
		return
	}
	showFileSave(k.shell, k.win, e.Fingerprint+".asc", func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		k.shell.background(func() {
			data, err := k.shell.client.ExportPublicKey(e.Fingerprint)
			if err == nil {
				_, err = w.Write(data)
			}
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			fyne.Do(func() {
				if err != nil {
					k.status.SetText(err.Error())
					return
				}
				k.status.SetText("Public key exported.")
			})
		})
	})
}

// verify compares a fingerprint the contact read out (by phone or in
// person) with the stored key, and marks the key verified on a match.
func (k *keyManager) verify() {
	e, ok := k.current()
	if !ok || len(e.Addresses) == 0 {
		return
	}
	fp := newActivityEntry(k.shell)
	fp.SetPlaceHolder("Fingerprint as the contact reads it")
	showForm(k.shell, k.win, "Verify "+e.Addresses[0], "Verify", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Stored", widget.NewLabel(formatFingerprint(e.Fingerprint))),
		widget.NewFormItem("Heard", fp),
	}, func(ok bool) {
		if ok {
			typed := strings.ToUpper(strings.Join(strings.Fields(fp.Text), ""))
			k.run(func() error { return k.shell.client.VerifyFingerprint(e.Addresses[0], typed) }, "Fingerprint matches: key verified.")
		}
	})
}

func (k *keyManager) revoke() {
	e, ok := k.current()
	if !ok {
		return
	}
	if !e.Own {
		k.status.SetText("Only your own keys can be revoked.")
		return
	}
	showConfirm(k.shell, k.win, "Revoke this key?",
		"Contacts who receive the revocation will stop encrypting to it. This cannot be undone.",
		"Revoke", theme.DeleteIcon(), func() {
			k.run(func() error { return k.shell.client.Revoke(e.Fingerprint) }, "Key revoked.")
		})
}

// askSecretIn is askSecret for a secondary window.
func askSecretIn(s *Shell, w fyne.Window, title, hint string, use func([]byte)) {
	entry := newPasswordEntry(s)
	item := widget.NewFormItem("Password", entry)
	item.HintText = hint
	showForm(s, w, title, "OK", "Cancel", []*widget.FormItem{item}, func(ok bool) {
		secret := []byte(entry.Text)
		entry.SetText("")
		if ok {
			use(secret)
		}
	})
}
