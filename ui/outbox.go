package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// HeldMessage is an outbox message that waits for the user to send it
// again or discard it. It carries no message text.
type HeldMessage struct {
	ID         int64
	Account    string
	Recipients []string
	Created    time.Time
	// Uncertain reports that the submission was cut off after the server
	// received the whole message, so it may have arrived. Otherwise the
	// server rejected it for good.
	Uncertain bool
	// Queued reports a message that waits for its submission, which the
	// next sync attempts. It can be withdrawn, not sent again.
	Queued bool
	// Reason is the last error, such as the server's reply.
	Reason string
}

// Outbox lists the outbox messages held for the user and acts on one.
type Outbox interface {
	HeldMessages() ([]HeldMessage, error)
	// SendAgain queues a held message for a new submission, which the
	// next sync sends. It records the request in the audit trail.
	SendAgain(id int64) error
	// DiscardHeld deletes a held message unsent and records that in the
	// audit trail.
	DiscardHeld(id int64) error
	// QueuedMessages lists the messages that wait for their submission,
	// with Queued set.
	QueuedMessages() ([]HeldMessage, error)
	// Withdraw deletes a queued message before its submission and
	// records that in the audit trail.
	Withdraw(id int64) error
}

// outboxView lists the held messages and then the queued ones. It sends
// a held one again or discards it, and withdraws a queued one, after a
// confirmation whose default button is Cancel.
type outboxView struct {
	shell *Shell
	win   fyne.Window
	held  []HeldMessage
	// selected is the ID of the selected message, or 0.
	selected int64

	list      *activityList
	detail    *widget.Label
	status    *widget.Label
	sendAgain *activityButton
	discard   *activityButton
	// prompt is the open confirmation, or nil.
	prompt *heldPrompt
}

// showOutbox opens the Outbox window, or brings the open one forward.
func (s *Shell) showOutbox() {
	if s.outbox != nil {
		s.outbox.win.RequestFocus()
		s.outbox.load()
		return
	}
	w := s.app.NewWindow("Outbox")
	v := newOutboxView(s, w)
	w.SetContent(newActivityLayer(v.root(), s.activity))
	w.Resize(fyne.NewSize(820, 520))
	s.outbox = v
	s.addChild(w, func() { s.outbox = nil })
	w.Show()
	v.load()
}

func newOutboxView(s *Shell, w fyne.Window) *outboxView {
	v := &outboxView{shell: s, win: w, detail: widget.NewLabel(""), status: widget.NewLabel("")}
	v.detail.Wrapping = fyne.TextWrapWord
	v.status.Wrapping = fyne.TextWrapWord
	v.list = newActivityList(s,
		func() int { return len(v.held) },
		func() fyne.CanvasObject { return widget.NewLabel("held message") },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(v.held) {
				o.(*widget.Label).SetText(HeldLine(v.held[id]))
			}
		},
	)
	v.list.OnSelected = v.selectRow
	v.list.OnUnselected = func(widget.ListItemID) { v.selectRow(-1) }
	v.sendAgain = newActivityButton(s, "Send again", theme.MailSendIcon(), func() { v.confirm(true) })
	v.discard = newActivityButton(s, "Discard", theme.DeleteIcon(), func() { v.confirm(false) })
	v.selectRow(-1)
	return v
}

func (v *outboxView) root() fyne.CanvasObject {
	note := widget.NewLabel("These messages were not sent. Held ones wait for your decision: " +
		"select one to see why, then send it again or discard it. Queued ones go out with the next sync " +
		"and can be withdrawn until then.")
	note.Wrapping = fyne.TextWrapWord
	buttons := container.NewHBox(layout.NewSpacer(), v.sendAgain, v.discard)
	return container.NewBorder(note, container.NewVBox(v.detail, buttons, v.status), nil, nil, v.list)
}

// HeldLine is the list line of one held message: its state, when it was
// written and to whom.
func HeldLine(h HeldMessage) string {
	state := "Rejected"
	switch {
	case h.Queued:
		state = "Waiting to send"
	case h.Uncertain:
		state = "May have arrived"
	}
	return fmt.Sprintf("%s · %s · to %s", state, h.Created.Local().Format("2006-01-02 15:04"), strings.Join(h.Recipients, ", "))
}

// load reads the held and the queued messages off the UI goroutine.
func (v *outboxView) load() {
	v.shell.background(func() {
		held, err := v.shell.client.HeldMessages()
		if err == nil {
			var queued []HeldMessage
			queued, err = v.shell.client.QueuedMessages()
			held = append(held, queued...)
		}
		fyne.Do(func() {
			if err != nil {
				v.status.SetText(err.Error())
				return
			}
			v.held = held
			v.list.UnselectAll()
			v.selectRow(-1)
			v.list.Refresh()
			if len(held) == 0 {
				v.status.SetText("No messages wait in the outbox.")
			}
		})
	})
}

// selectRow shows the reason of row id and enables the buttons, or
// clears both when id is -1.
func (v *outboxView) selectRow(id widget.ListItemID) {
	if id < 0 || id >= len(v.held) {
		v.selected = 0
		v.detail.SetText("")
		v.sendAgain.Disable()
		v.discard.Disable()
		return
	}
	h := v.held[id]
	v.selected = h.ID
	v.detail.SetText(fmt.Sprintf("From %s to %s.\n%s", h.Account, strings.Join(h.Recipients, ", "), heldExplanation(h)))
	v.discard.Enable()
	if h.Queued {
		v.sendAgain.Disable()
		v.discard.SetText("Withdraw")
		return
	}
	v.sendAgain.Enable()
	v.discard.SetText("Discard")
}

// heldExplanation returns what happened to h and what to check before
// deciding.
func heldExplanation(h HeldMessage) string {
	if h.Queued {
		text := "This message has not been sent yet. It goes out with the next sync; withdraw it if it should not."
		if h.Reason != "" {
			text += " The last attempt failed: " + h.Reason
		}
		return text
	}
	if h.Uncertain {
		return "The connection broke after the server received this message, and it was not found in Sent or Inbox " +
			"afterwards, so it may already have arrived. Ask a recipient before you send it again."
	}
	return "The server rejected this message, so it was not delivered: " + h.Reason
}

// selectedMessage returns the selected held message.
func (v *outboxView) selectedMessage() (HeldMessage, bool) {
	for _, h := range v.held {
		if h.ID == v.selected {
			return h, true
		}
	}
	return HeldMessage{}, false
}

// confirm opens the confirmation for sending the selected message again
// (resend true) or discarding it.
func (v *outboxView) confirm(resend bool) {
	h, ok := v.selectedMessage()
	if !ok {
		return
	}
	var dlg dialog.Dialog
	v.prompt = newHeldPrompt(v.shell, h, resend, func(confirmed bool) {
		dlg.Hide()
		v.prompt = nil
		if !confirmed {
			return
		}
		if resend {
			v.resend(h.ID)
		} else {
			v.drop(h)
		}
	})
	dlg = dialog.NewCustomWithoutButtons(v.prompt.title, newActivityLayer(v.prompt.root, v.shell.activity), v.win)
	dlg.Resize(fyne.NewSize(560, 300))
	dlg.Show()
	v.win.Canvas().Focus(v.prompt.cancel)
}

// resend queues message id again and starts a sync, which submits it.
func (v *outboxView) resend(id int64) {
	v.status.SetText("Queueing the message again…")
	v.shell.background(func() {
		err := v.shell.client.SendAgain(id)
		if err != nil {
			v.shell.log.Error("sending a held message again failed", "outbox_id", id, "error", err)
		}
		fyne.Do(func() {
			if err != nil {
				v.status.SetText(err.Error())
				return
			}
			v.status.SetText("The message is queued again and goes out with the next sync.")
			v.shell.startSync()
			v.load()
		})
	})
}

// drop discards held message h, or withdraws it when it is queued.
func (v *outboxView) drop(h HeldMessage) {
	v.shell.background(func() {
		var err error
		if h.Queued {
			err = v.shell.client.Withdraw(h.ID)
		} else {
			err = v.shell.client.DiscardHeld(h.ID)
		}
		if err != nil {
			v.shell.log.Error("discarding an outbox message failed", "outbox_id", h.ID, "error", err)
		}
		fyne.Do(func() {
			if err != nil {
				v.status.SetText(err.Error())
				return
			}
			if h.Queued {
				v.status.SetText("The message was withdrawn and will not be sent.")
			} else {
				v.status.SetText("The message was discarded.")
			}
			v.load()
			v.shell.refreshHeldNotice()
		})
	})
}

// heldPrompt confirms sending a held message again or discarding it.
// Cancel is the default button.
type heldPrompt struct {
	title  string
	root   fyne.CanvasObject
	action *activityButton
	cancel *activityButton
}

func newHeldPrompt(s *Shell, h HeldMessage, resend bool, onDone func(confirmed bool)) *heldPrompt {
	p := &heldPrompt{}
	var text, label string
	var icon fyne.Resource
	switch {
	case resend && h.Uncertain:
		p.title, label, icon = "Send this message again?", "Send again", theme.MailSendIcon()
		text = "This message may already have arrived. The connection broke after the server received it, " +
			"and it was not found in Sent or Inbox afterwards. If you send it again, " + recipientsText(h) +
			" may receive it twice.\n\nAsk a recipient whether it arrived before you send it again."
	case resend:
		p.title, label, icon = "Send this message again?", "Send again", theme.MailSendIcon()
		text = "The server rejected this message, so it was not delivered: " + h.Reason +
			"\n\nSend it again only after the cause is fixed, or the server will reject it again."
	case h.Queued:
		p.title, label, icon = "Withdraw this message?", "Withdraw", theme.DeleteIcon()
		text = "The message to " + recipientsText(h) + " has not been sent yet. Withdrawing deletes it from the outbox, " +
			"so it is never sent. This cannot be undone."
	default:
		p.title, label, icon = "Discard this message?", "Discard", theme.DeleteIcon()
		text = "The message to " + recipientsText(h) + " is deleted from the outbox without being sent. This cannot be undone."
		if h.Uncertain {
			text += "\n\nIt may already have arrived, because the connection broke after the server received it."
		}
	}
	body := widget.NewLabel(text)
	body.Wrapping = fyne.TextWrapWord

	p.cancel = newActivityButton(s, "Cancel", theme.CancelIcon(), func() { onDone(false) })
	p.cancel.Importance = widget.HighImportance
	p.action = newActivityButton(s, label, icon, func() { onDone(true) })
	p.action.Importance = widget.LowImportance
	p.cancel.onEscape = func() { onDone(false) }
	p.action.onEscape = p.cancel.onEscape
	buttons := container.NewHBox(layout.NewSpacer(), p.action, p.cancel)
	p.root = container.NewBorder(nil, buttons, nil, nil, body)
	return p
}

// recipientsText names the recipients of h, or their number when there
// are more than three.
func recipientsText(h HeldMessage) string {
	if len(h.Recipients) > 3 {
		return fmt.Sprintf("%d recipients", len(h.Recipients))
	}
	return strings.Join(h.Recipients, ", ")
}
