package ui

import (
	"fmt"
	"io"
	"mime"
	"net/mail"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"securemail/compose"
)

// composeWindow writes one message. Encryption is always on: the window
// shows how each recipient will be protected, and the review before
// sending decides the method per recipient.
type composeWindow struct {
	shell   *Shell
	win     fyne.Window
	draftID int64

	to, cc, bcc *recipientField
	subject     *activityEntry
	body        *activityEntry
	attachments []compose.Attachment
	attachList  *widget.Label
	indicator   *widget.Label
	status      *widget.Label
	send        *activityButton
	// prompt is the review on screen, or nil.
	prompt *reviewPrompt
	// dirty reports changes since the last saved draft; autosave clears
	// it. Used on the UI goroutine only.
	dirty    bool
	autosave *time.Ticker

	// base carries the reply fields (In-Reply-To, References, ReplyAll)
	// of the draft the window started from.
	base compose.Draft
}

func (s *Shell) newCompose(d *compose.Draft) *composeWindow {
	c := &composeWindow{shell: s, win: s.app.NewWindow("New message")}
	if d != nil {
		c.base = *d
	}
	c.to = newRecipientField(s, c.updateIndicator)
	c.cc = newRecipientField(s, c.updateIndicator)
	c.bcc = newRecipientField(s, c.updateIndicator)
	c.subject = newActivityEntry(s)
	c.body = newActivityEntry(s)
	c.body.MultiLine = true
	c.body.Wrapping = fyne.TextWrapWord
	c.attachList = widget.NewLabel("")
	c.indicator = widget.NewLabel("")
	c.indicator.Wrapping = fyne.TextWrapWord
	c.status = widget.NewLabel("")
	c.status.Wrapping = fyne.TextWrapWord

	if d != nil {
		c.to.setAddresses(d.To)
		c.cc.setAddresses(d.Cc)
		c.bcc.setAddresses(d.Bcc)
		c.subject.SetText(d.Subject)
		c.body.SetText(d.Body)
		c.attachments = d.Attachments
		c.showAttachments()
	}

	c.send = newActivityButton(s, "Review and send", theme.MailSendIcon(), c.review)
	c.send.Importance = widget.HighImportance
	toolbar := container.NewHBox(
		c.send,
		newActivityButton(s, "Attach…", theme.ContentAddIcon(), c.attach),
		newActivityButton(s, "Save draft", theme.DocumentSaveIcon(), c.saveDraft),
	)
	header := widget.NewForm(
		widget.NewFormItem("From", widget.NewLabel(s.client.Identity())),
		widget.NewFormItem("To", c.to.root),
		widget.NewFormItem("Cc", c.cc.root),
		widget.NewFormItem("Bcc", c.bcc.root),
		widget.NewFormItem("Subject", c.subject),
	)
	security := container.NewBorder(nil, nil, widget.NewIcon(theme.VisibilityOffIcon()), nil, c.indicator)
	top := container.NewVBox(toolbar, header, security, c.attachList)
	c.win.SetContent(newActivityLayer(container.NewBorder(top, c.status, nil, nil, c.body), s.activity))
	c.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { c.review() })
	c.win.Resize(fyne.NewSize(760, 620))
	c.updateIndicator()
	for _, e := range []*activityEntry{c.subject, c.body} {
		e.OnChanged = func(string) { c.dirty = true }
	}
	s.addChild(c.win, c.startAutosave())
	c.win.Show()
	return c
}

// draft collects the window's fields.
func (c *composeWindow) draft() *compose.Draft {
	d := c.base
	d.From = mail.Address{Address: c.shell.client.Identity()}
	d.To, d.Cc, d.Bcc = c.to.addresses(), c.cc.addresses(), c.bcc.addresses()
	d.Subject = c.subject.Text
	d.Body = c.body.Text
	d.Attachments = c.attachments
	return &d
}

// updateIndicator states the protection for the recipients so far. The
// encryption is on by default and the user cannot turn it off here.
func (c *composeWindow) updateIndicator() {
	var withKey, without int
	for _, f := range []*recipientField{c.to, c.cc, c.bcc} {
		for _, ch := range f.chips {
			if ch.encryptable() {
				withKey++
			} else {
				without++
			}
		}
	}
	text := "Encrypted and signed. "
	switch {
	case withKey+without == 0:
		text += "Add recipients to see how each one is protected."
	case without == 0:
		text += "Every recipient has a usable key or certificate."
	default:
		verb := "have"
		if without == 1 {
			verb = "has"
		}
		text += fmt.Sprintf("%s %s no usable key: the review offers a password-protected copy or stops the message.",
			countText(without, "recipient"), verb)
	}
	c.indicator.SetText(text)
}

func (c *composeWindow) attach() {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		data, err := io.ReadAll(r)
		if err != nil {
			showError(c.shell, c.win, fmt.Errorf("read attachment %s: %w", r.URI().Name(), err))
			return
		}
		name := r.URI().Name()
		c.attachments = append(c.attachments, compose.Attachment{
			Name: name, ContentType: mime.TypeByExtension(filepath.Ext(name)), Data: data})
		c.showAttachments()
	}, c.win)
}

func (c *composeWindow) showAttachments() {
	var names []string
	for _, a := range c.attachments {
		names = append(names, fmt.Sprintf("%s (%s)", a.Name, byteSize(len(a.Data))))
	}
	if len(names) == 0 {
		c.attachList.SetText("")
		return
	}
	c.attachList.SetText("Attachments: " + strings.Join(names, ", "))
}

// startAutosave saves a changed draft every shell.autosaveEvery, so that
// an idle lock, which closes the window, loses at most the input of the
// last interval. It returns the function that stops it.
func (c *composeWindow) startAutosave() func() {
	if c.shell.autosaveEvery <= 0 {
		return func() {}
	}
	c.autosave = time.NewTicker(c.shell.autosaveEvery)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-c.autosave.C:
				fyne.Do(c.saveIfChanged)
			case <-done:
				return
			}
		}
	}()
	return func() {
		c.autosave.Stop()
		close(done)
	}
}

// saveIfChanged saves the draft when it changed since the last save.
func (c *composeWindow) saveIfChanged() {
	if c.dirty {
		c.saveDraft()
	}
}

// saveDraft stores the draft sealed in the vault.
func (c *composeWindow) saveDraft() {
	c.dirty = false
	d := c.draft()
	c.shell.background(func() {
		id, err := c.shell.client.SaveDraft(c.draftID, d)
		fyne.Do(func() {
			if err != nil {
				c.status.SetText(err.Error())
				return
			}
			c.draftID = id
			c.status.SetText("Draft saved encrypted.")
		})
	})
}

// review runs compose.Review and shows the prompt.
func (c *composeWindow) review() {
	d := c.draft()
	c.send.Disable()
	c.status.SetText("Checking recipients and content…")
	c.shell.background(func() {
		report, err := c.shell.client.Review(d)
		fyne.Do(func() {
			c.send.Enable()
			if err != nil {
				c.status.SetText(err.Error())
				return
			}
			c.status.SetText("")
			c.showReview(d, report)
		})
	})
}

func (c *composeWindow) showReview(d *compose.Draft, report *compose.Report) {
	var dlg dialog.Dialog
	prompt := newReviewPrompt(c.shell, report, func(a *compose.Answers) {
		dlg.Hide()
		c.prompt = nil
		if a != nil {
			c.sendReviewed(d, report, *a)
		}
	})
	c.prompt = prompt
	// A dialog sits above the window's activity layer, so it has its own:
	// reading a long review with the mouse must not lock the client.
	dlg = dialog.NewCustomWithoutButtons("Review before sending", newActivityLayer(prompt.root, c.shell.activity), c.win)
	dlg.Resize(fyne.NewSize(700, 540))
	dlg.Show()
	c.win.Canvas().Focus(prompt.cancel)
}

func (c *composeWindow) sendReviewed(d *compose.Draft, report *compose.Report, a compose.Answers) {
	c.status.SetText("Encrypting and queueing…")
	c.shell.background(func() {
		sealed, err := c.shell.client.Send(d, report, a)
		fyne.Do(func() {
			if err != nil {
				c.status.SetText(err.Error())
				return
			}
			c.shell.log.Info("message queued", "envelopes", len(sealed.Envelopes))
			if len(sealed.Passwords) > 0 {
				info := widget.NewLabel(passwordsText(sealed.Passwords))
				info.Selectable = true
				showMessage(c.shell, c.shell.win, "Passwords for the protected copies", "Done", info, fyne.Size{})
			}
			c.win.Close()
		})
	})
}

// recipientField is an address entry that turns each typed address into
// a chip showing the recipient's key status.
type recipientField struct {
	shell    *Shell
	root     *fyne.Container
	chipsBox *fyne.Container
	entry    *activityEntry
	chips    []*recipientChip
	onChange func()
}

type recipientChip struct {
	address        mail.Address
	openpgp, smime compose.KeyStatus
	button         *activityButton
}

func (ch *recipientChip) encryptable() bool {
	return ch.openpgp.State == compose.KeyUsable || ch.smime.State == compose.KeyUsable
}

func (ch *recipientChip) label() string {
	switch {
	case ch.openpgp.State == compose.KeyUsable:
		return ch.address.Address + " · OpenPGP"
	case ch.smime.State == compose.KeyUsable:
		return ch.address.Address + " · S/MIME"
	case ch.openpgp.State != compose.KeyMissing:
		return fmt.Sprintf("%s · key %s", ch.address.Address, ch.openpgp.State)
	case ch.smime.State != compose.KeyMissing:
		return fmt.Sprintf("%s · certificate %s", ch.address.Address, ch.smime.State)
	default:
		return ch.address.Address + " · no key"
	}
}

func newRecipientField(s *Shell, onChange func()) *recipientField {
	chips := container.New(layout.NewRowWrapLayout())
	f := &recipientField{shell: s, entry: newActivityEntry(s), chipsBox: chips, onChange: onChange}
	f.entry.SetPlaceHolder("name@example.org, then comma or Enter")
	f.entry.OnChanged = func(text string) {
		if strings.ContainsAny(text, ",;") {
			f.commit()
		}
	}
	f.entry.OnSubmitted = func(string) { f.commit() }
	// The chips wrap onto more rows above the entry instead of sharing
	// its row, so every address stays readable however many there are.
	f.chipsBox.Hide()
	f.root = container.NewVBox(f.chipsBox, f.entry)
	return f
}

// commit turns the entry's text into chips; text that is not an address
// stays in the entry for the user to fix.
func (f *recipientField) commit() {
	var rest []string
	for _, part := range strings.FieldsFunc(f.entry.Text, func(r rune) bool { return r == ',' || r == ';' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		a, err := mail.ParseAddress(part)
		if err != nil {
			rest = append(rest, part)
			continue
		}
		f.add(*a)
	}
	f.entry.SetText(strings.Join(rest, ", "))
}

func (f *recipientField) setAddresses(list []mail.Address) {
	for _, a := range list {
		f.add(a)
	}
}

func (f *recipientField) add(a mail.Address) {
	ch := &recipientChip{address: a}
	ch.button = newActivityButton(f.shell, a.Address+" · checking key…", theme.CancelIcon(), func() { f.remove(ch) })
	f.chips = append(f.chips, ch)
	f.chipsBox.Add(ch.button)
	f.showChips()
	f.shell.background(func() {
		pgp, smime := f.shell.client.RecipientKeys(a.Address)
		fyne.Do(func() {
			ch.openpgp, ch.smime = pgp, smime
			ch.button.SetText(ch.label())
			if ch.encryptable() {
				ch.button.Importance = widget.SuccessImportance
			} else {
				ch.button.Importance = widget.WarningImportance
			}
			ch.button.Refresh()
			// The longer label may need another row.
			f.root.Refresh()
			f.onChange()
		})
	})
	f.onChange()
}

func (f *recipientField) remove(ch *recipientChip) {
	for i, c := range f.chips {
		if c == ch {
			f.chips = append(f.chips[:i], f.chips[i+1:]...)
			break
		}
	}
	f.chipsBox.Remove(ch.button)
	f.showChips()
	f.onChange()
}

// showChips shows the chip rows only when there are chips, and lays the
// field out again because the number of rows may have changed.
func (f *recipientField) showChips() {
	if len(f.chips) == 0 {
		f.chipsBox.Hide()
	} else {
		f.chipsBox.Show()
	}
	f.root.Refresh()
}

// addresses returns the chips' addresses plus any valid address still
// typed in the entry.
func (f *recipientField) addresses() []mail.Address {
	f.commit()
	out := make([]mail.Address, 0, len(f.chips))
	for _, ch := range f.chips {
		out = append(out, ch.address)
	}
	return out
}
