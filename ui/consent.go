package ui

import (
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"securemail/compose"
)

// consentWindow lists patients' recorded consents to unencrypted mail
// and records new ones.
type consentWindow struct {
	shell    *Shell
	consents []compose.Consent
	list     *activityList
	address  *activityEntry
	days     *activityEntry
	status   *widget.Label
}

func (s *Shell) showConsents() {
	w := s.app.NewWindow("Patient consent")
	c := newConsentView(s)
	w.SetContent(newActivityLayer(c.root(), s.activity))
	w.Resize(fyne.NewSize(760, 520))
	s.addChild(w)
	w.Show()
	c.load()
}

func newConsentView(s *Shell) *consentWindow {
	c := &consentWindow{shell: s, address: newActivityEntry(s), days: newActivityEntry(s), status: widget.NewLabel("")}
	c.status.Wrapping = fyne.TextWrapWord
	c.address.SetPlaceHolder("patient@example.org")
	c.days.SetText("365")
	c.list = newActivityList(s,
		func() int { return len(c.consents) },
		func() fyne.CanvasObject { return widget.NewLabel("consent") },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(c.consents) {
				o.(*widget.Label).SetText(ConsentLine(c.consents[id]))
			}
		},
	)
	return c
}

func (c *consentWindow) root() fyne.CanvasObject {
	note := widget.NewLabel("Record a consent only after the patient was told that unencrypted mail can be read in transit, and asked for it anyway.")
	note.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem("Address", c.address),
		widget.NewFormItem("Valid for (days)", c.days),
	)
	record := newActivityButton(c.shell, "Record consent", nil, c.record)
	return container.NewBorder(container.NewVBox(note, form, record, c.status), nil, nil, nil, c.list)
}

// ConsentLine is the list line of one consent.
func ConsentLine(c compose.Consent) string {
	expiry := "does not expire"
	if !c.Expires.IsZero() {
		expiry = "expires " + c.Expires.Format("2006-01-02")
	}
	return fmt.Sprintf("%s · recorded %s by %s · %s", c.Address, c.RecordedAt.Format("2006-01-02"), c.RecordedBy, expiry)
}

func (c *consentWindow) load() {
	c.shell.background(func() {
		list, err := c.shell.client.Consents()
		fyne.Do(func() {
			if err != nil {
				c.status.SetText(err.Error())
				return
			}
			c.consents = list
			c.list.Refresh()
		})
	})
}

func (c *consentWindow) record() {
	a, err := mail.ParseAddress(strings.TrimSpace(c.address.Text))
	if err != nil {
		c.status.SetText(fmt.Sprintf("invalid address %q: enter one address such as patient@example.org", c.address.Text))
		return
	}
	days, err := strconv.Atoi(strings.TrimSpace(c.days.Text))
	if err != nil || days < 1 {
		c.status.SetText(fmt.Sprintf("invalid number of days %q: enter a whole number of at least 1", c.days.Text))
		return
	}
	expires := time.Now().AddDate(0, 0, days)
	c.shell.background(func() {
		err := c.shell.client.RecordConsent(a.Address, expires)
		fyne.Do(func() {
			if err != nil {
				c.status.SetText(err.Error())
				return
			}
			c.address.SetText("")
			c.status.SetText("Consent recorded.")
			c.load()
		})
	})
}
