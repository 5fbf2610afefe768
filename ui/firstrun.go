package ui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"securemail/client"
)

// minPassphraseRunes is the shortest vault passphrase accepted, the same
// rule `securemail profile create` applies.
const minPassphraseRunes = client.MinPassphraseRunes

// firstRun walks a new user through four steps: the vault passphrase,
// the mail account, an OpenPGP key, and an optional S/MIME PKCS#12 file.
type firstRun struct {
	shell *Shell
	root  *fyne.Container
	// address is the account address, used for the generated key.
	address string
}

func newFirstRun(s *Shell) *firstRun {
	f := &firstRun{shell: s, root: container.NewStack()}
	f.show(f.passphraseStep())
	return f
}

func (f *firstRun) show(step fyne.CanvasObject) {
	f.root.Objects = []fyne.CanvasObject{container.NewCenter(container.NewGridWrap(fyne.NewSize(520, 420), step))}
	f.root.Refresh()
}

func (f *firstRun) passphraseStep() fyne.CanvasObject {
	pass, confirm := newPasswordEntry(f.shell), newPasswordEntry(f.shell)
	hint := widget.NewLabel(PassphraseHint(""))
	hint.Wrapping = fyne.TextWrapWord
	pass.OnChanged = func(p string) {
		hint.Importance = widget.MediumImportance
		hint.SetText(PassphraseHint(p))
	}
	errLabel := widget.NewLabel("")
	errLabel.Importance = widget.DangerImportance

	var next *activityButton
	next = newActivityButton(f.shell, "Create vault", nil, func() {
		// The hint already names a length problem, so it turns red in
		// place of a second message with the same content.
		if passphraseTooShort(pass.Text) {
			errLabel.SetText("")
			hint.Importance = widget.DangerImportance
			hint.Refresh()
			return
		}
		if pass.Text != confirm.Text {
			errLabel.SetText("The passphrases differ. Type the same passphrase twice.")
			return
		}
		secret := []byte(pass.Text)
		pass.SetText("")
		confirm.SetText("")
		next.Disable()
		f.shell.background(func() {
			err := f.shell.client.Create(secret)
			clear(secret)
			fyne.Do(func() {
				next.Enable()
				if err != nil {
					errLabel.SetText(err.Error())
					return
				}
				f.show(f.accountStep())
			})
		})
	})
	next.Importance = widget.HighImportance
	return container.NewVBox(
		stepTitle(1, "Create your vault passphrase"),
		widget.NewLabel("It protects your mail and keys on this computer. SecureMail cannot recover it."),
		widget.NewForm(widget.NewFormItem("Passphrase", pass), widget.NewFormItem("Repeat", confirm)),
		hint, errLabel, next)
}

func passphraseTooShort(p string) bool {
	return len([]rune(p)) < minPassphraseRunes
}

// PassphraseHint rates a passphrase by length and character variety. It
// is a hint for the user, not a measure of entropy: a long phrase of
// ordinary words rates well, as it should.
func PassphraseHint(p string) string {
	n := len([]rune(p))
	if n == 0 {
		return fmt.Sprintf("Use at least %d characters; four or more unrelated words work well.", minPassphraseRunes)
	}
	classes := 0
	for _, class := range []func(rune) bool{unicode.IsLower, unicode.IsUpper, unicode.IsDigit, unicode.IsSpace, unicode.IsPunct} {
		if strings.IndexFunc(p, class) >= 0 {
			classes++
		}
	}
	switch {
	case n < minPassphraseRunes:
		return fmt.Sprintf("Too short: %d of at least %d characters.", n, minPassphraseRunes)
	case n >= 20 || (n >= 16 && classes >= 3):
		return "Strong."
	case classes >= 3:
		return "Fair: a longer passphrase would be stronger."
	default:
		return "Weak: add words, or mix letters, digits and punctuation."
	}
}

func (f *firstRun) accountStep() fyne.CanvasObject {
	return container.NewVBox(
		stepTitle(2, "Add your mail account"),
		newAccountForm(f.shell, func(address string) {
			f.address = address
			f.show(f.keyStep())
		}))
}

// newAccountForm builds the form that adds a mail account: the address,
// the password and, where the policy has no preset for the domain, the
// servers. It calls onAdded on the UI goroutine after the account's login
// worked and the account was saved.
func newAccountForm(s *Shell, onAdded func(address string)) fyne.CanvasObject {
	address, password := newActivityEntry(s), newPasswordEntry(s)
	imap, smtp := newActivityEntry(s), newActivityEntry(s)
	imap.SetPlaceHolder("imap.example.org:993")
	smtp.SetPlaceHolder("smtp.example.org:465")
	servers := widget.NewForm(widget.NewFormItem("IMAP server", imap), widget.NewFormItem("SMTP server", smtp))
	servers.Hide()
	presetLabel := widget.NewLabel("")
	presetLabel.Wrapping = fyne.TextWrapWord

	// A managed preset fills in the servers, so the user types only the
	// address and the password.
	address.OnChanged = func(a string) {
		if p, ok := s.client.Preset(a); ok {
			servers.Hide()
			presetLabel.SetText("Servers set by your organisation: " + p.Name)
			return
		}
		presetLabel.SetText("")
		if strings.Contains(a, "@") {
			servers.Show()
		}
	}
	errLabel := widget.NewLabel("")
	errLabel.Importance = widget.DangerImportance
	errLabel.Wrapping = fyne.TextWrapWord

	var add *activityButton
	add = newActivityButton(s, "Add account", nil, func() {
		req := AccountRequest{Address: strings.TrimSpace(address.Text), Password: []byte(password.Text)}
		if _, ok := s.client.Preset(req.Address); !ok {
			req.IMAP, req.SMTP = strings.TrimSpace(imap.Text), strings.TrimSpace(smtp.Text)
		}
		password.SetText("")
		add.Disable()
		errLabel.SetText("Connecting…")
		s.background(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			err := s.client.AddAccount(ctx, req)
			cancel()
			clear(req.Password)
			fyne.Do(func() {
				add.Enable()
				if err != nil {
					errLabel.SetText(err.Error())
					return
				}
				errLabel.SetText("")
				onAdded(req.Address)
			})
		})
	})
	add.Importance = widget.HighImportance
	return container.NewVBox(
		widget.NewForm(widget.NewFormItem("Address", address), widget.NewFormItem("Password", password)),
		presetLabel, servers, errLabel, add)
}

func (f *firstRun) keyStep() fyne.CanvasObject {
	name := newActivityEntry(f.shell)
	name.SetPlaceHolder("Your name as recipients should see it")
	errLabel := widget.NewLabel("")
	errLabel.Importance = widget.DangerImportance
	errLabel.Wrapping = fyne.TextWrapWord

	var generate *activityButton
	generate = newActivityButton(f.shell, "Create a new key", nil, func() {
		generate.Disable()
		errLabel.SetText("Creating the key…")
		f.shell.background(func() {
			_, err := f.shell.client.GenerateKey(strings.TrimSpace(name.Text), f.address)
			fyne.Do(func() {
				generate.Enable()
				if err != nil {
					errLabel.SetText(err.Error())
					return
				}
				f.show(f.smimeStep())
			})
		})
	})
	generate.Importance = widget.HighImportance
	importKey := newActivityButton(f.shell, "Import an existing key…", nil, func() {
		f.openFile(func(data []byte) {
			askSecret(f.shell, "Key passphrase", "The passphrase of the imported key, if it has one.", func(pass []byte) {
				f.shell.background(func() {
					_, err := f.shell.client.ImportOpenPGP(data, pass)
					clear(pass)
					clear(data)
					fyne.Do(func() {
						if err != nil {
							errLabel.SetText(err.Error())
							return
						}
						f.show(f.smimeStep())
					})
				})
			})
		})
	})
	return container.NewVBox(
		stepTitle(3, "Your OpenPGP key"),
		widget.NewLabel("Colleagues encrypt mail to you with this key, and you sign with it."),
		widget.NewForm(widget.NewFormItem("Name", name)),
		errLabel, generate, importKey)
}

func (f *firstRun) smimeStep() fyne.CanvasObject {
	errLabel := widget.NewLabel("")
	errLabel.Importance = widget.DangerImportance
	importP12 := newActivityButton(f.shell, "Import a PKCS#12 file (.p12, .pfx)…", nil, func() {
		f.openFile(func(data []byte) {
			askSecret(f.shell, "PKCS#12 password", "The password of the certificate file.", func(pass []byte) {
				f.shell.background(func() {
					_, err := f.shell.client.ImportPKCS12(data, pass)
					clear(pass)
					clear(data)
					fyne.Do(func() {
						if err != nil {
							errLabel.SetText(err.Error())
							return
						}
						f.shell.unlocked()
					})
				})
			})
		})
	})
	done := newActivityButton(f.shell, "Skip: I have no S/MIME certificate", nil, f.shell.unlocked)
	done.Importance = widget.HighImportance
	return container.NewVBox(
		stepTitle(4, "S/MIME certificate (optional)"),
		widget.NewLabel("If your organisation issued you an S/MIME certificate, import it now."),
		errLabel, importP12, done)
}

func (f *firstRun) openFile(use func([]byte)) {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			showError(f.shell, f.shell.win, fmt.Errorf("read %s: %w", r.URI().Name(), err))
			return
		}
		use(data)
	}, f.shell.win)
}

func stepTitle(n int, title string) fyne.CanvasObject {
	return widget.NewLabelWithStyle(fmt.Sprintf("Step %d of 4: %s", n, title), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// askSecret asks for a password in a dialog and passes it to use; cancel
// does not call use.
func askSecret(s *Shell, title, text string, use func([]byte)) {
	entry := newPasswordEntry(s)
	item := widget.NewFormItem("Password", entry)
	item.HintText = text
	p := showForm(s, s.win, title, "OK", "Cancel", []*widget.FormItem{item}, func(ok bool) {
		secret := []byte(entry.Text)
		entry.SetText("")
		if ok {
			use(secret)
		}
	})
	p.dialog.Resize(fyne.NewSize(400, 180))
}
