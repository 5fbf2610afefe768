package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"securemail/compose"
)

// reviewPrompt shows a compose.Report before sending: the recipients
// with their method, every finding, and the PHI with masked excerpts.
// Cancel is the default button. Send stays disabled while a blocking
// finding exists, while a finding that needs a confirmation is not
// ticked, or while a required justification is empty.
type reviewPrompt struct {
	shell         *Shell
	root          fyne.CanvasObject
	report        *compose.Report
	confirms      map[string]*activityCheck
	justification *activityEntry
	send          *activityButton
	cancel        *activityButton
	// onDone receives the answers, or nil when the user cancelled.
	onDone func(*compose.Answers)
}

func newReviewPrompt(s *Shell, r *compose.Report, onDone func(*compose.Answers)) *reviewPrompt {
	p := &reviewPrompt{shell: s, report: r, confirms: map[string]*activityCheck{}, onDone: onDone}

	p.cancel = newActivityButton(s, "Cancel", theme.CancelIcon(), func() { p.onDone(nil) })
	p.cancel.Importance = widget.HighImportance
	p.send = newActivityButton(s, "Send", theme.MailSendIcon(), p.submit)
	p.send.Importance = widget.LowImportance

	sections := container.NewVBox(
		heading("Recipients"), p.recipients(),
		heading("Checks"), p.findings(),
	)
	if len(r.PHI.Findings) > 0 {
		sections.Add(heading(fmt.Sprintf("Protected health information (sensitivity: %s)", r.PHI.Level)))
		sections.Add(phiList(r.PHI))
	}
	if r.NeedsJustification {
		p.justification = newActivityEntry(s)
		p.justification.MultiLine = true
		p.justification.SetPlaceHolder("Why must this message carry this information? Your organisation requires a reason.")
		p.justification.OnChanged = func(string) { p.updateSend() }
		sections.Add(heading("Justification"))
		sections.Add(p.justification)
	}
	if r.Blocked() {
		blocked := widget.NewLabel("This message cannot be sent as it is. Change what the blocking checks name, then try again.")
		blocked.Importance = widget.DangerImportance
		blocked.Wrapping = fyne.TextWrapWord
		sections.Add(blocked)
	}
	buttons := container.NewHBox(layout.NewSpacer(), p.send, p.cancel)
	p.root = container.NewBorder(nil, buttons, nil, nil, container.NewVScroll(sections))
	p.updateSend()
	p.cancelOnEscape()
	return p
}

// cancelOnEscape makes Escape on any of the review's buttons, checks and
// entries cancel it, as Escape does in showConfirm.
func (p *reviewPrompt) cancelOnEscape() {
	cancel := func() { p.onDone(nil) }
	p.cancel.onEscape = cancel
	p.send.onEscape = cancel
	if p.justification != nil {
		p.justification.onEscape = cancel
	}
	for _, c := range p.confirms {
		c.onEscape = cancel
	}
}

func heading(text string) fyne.CanvasObject {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// recipients lists each recipient with field, domain, whether the
// address is new or external, and the delivery method with its reason.
func (p *reviewPrompt) recipients() fyne.CanvasObject {
	box := container.NewVBox()
	for _, rc := range p.report.Recipients {
		var tags []string
		if rc.Internal {
			tags = append(tags, "internal")
		} else {
			tags = append(tags, "external")
		}
		if rc.FirstContact {
			tags = append(tags, "first message to this address")
		}
		line := fmt.Sprintf("%s: %s (%s; %s)", rc.Field, rc.Address, rc.Domain, strings.Join(tags, ", "))
		method := fmt.Sprintf("Method: %s (%s).", rc.Method, rc.Reason)
		if rc.Method == compose.MethodPasswordPDF {
			method += " The password is shown after sending; give it to the recipient by phone or in person."
		}
		methodLabel := widget.NewLabel(method)
		methodLabel.Wrapping = fyne.TextWrapWord
		if rc.Method == compose.MethodNone || rc.Method == compose.MethodPlain {
			methodLabel.Importance = widget.WarningImportance
		}
		lineLabel := widget.NewLabel(line)
		lineLabel.Wrapping = fyne.TextWrapWord
		box.Add(lineLabel)
		box.Add(methodLabel)
	}
	return box
}

func (p *reviewPrompt) findings() fyne.CanvasObject {
	box := container.NewVBox()
	if len(p.report.Findings) == 0 {
		box.Add(widget.NewLabel("No problems found."))
	}
	for _, f := range p.report.Findings {
		text := fmt.Sprintf("[%s] %s", f.Severity, f.Explanation)
		switch {
		case f.Severity == compose.SeverityBlocking:
			l := widget.NewLabel(text + " This cannot be overridden.")
			l.Importance = widget.DangerImportance
			l.Wrapping = fyne.TextWrapWord
			box.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), nil, l))
		case f.Confirm:
			// A check's own text does not wrap, so a long explanation
			// sits in a wrapping label beside an unlabelled check. The
			// VBox keeps the check at its own height beside the first
			// line, because a stretched check ignores taps above and
			// below its box.
			c := newActivityCheck(p.shell, "", func(bool) { p.updateSend() })
			p.confirms[f.ID] = c
			l := widget.NewLabel(text)
			l.Wrapping = fyne.TextWrapWord
			box.Add(container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(theme.WarningIcon()), container.NewVBox(c)), nil, l))
		default:
			l := widget.NewLabel(text)
			l.Wrapping = fyne.TextWrapWord
			box.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil, l))
		}
	}
	return box
}

// phiList shows each PHI finding with its location and the masked excerpt
// highlighted. The excerpt is masked by the scanner and never logged.
func phiList(r compose.PHIReport) fyne.CanvasObject {
	var segs []widget.RichTextSegment
	for _, f := range r.Findings {
		where := f.Location.String()
		if f.Location == compose.InAttachment {
			where = fmt.Sprintf("attachment %d", f.Attachment+1)
		}
		segs = append(segs,
			&widget.TextSegment{Text: fmt.Sprintf("%s in %s: ", f.Kind, where), Style: widget.RichTextStyleInline},
			&widget.TextSegment{Text: f.Excerpt, Style: widget.RichTextStyle{
				Inline: true, ColorName: theme.ColorNameWarning, TextStyle: fyne.TextStyle{Monospace: true}}},
			&widget.TextSegment{Text: "", Style: widget.RichTextStyleParagraph},
		)
	}
	text := widget.NewRichText(segs...)
	text.Wrapping = fyne.TextWrapWord
	return text
}

// ready reports whether the current answers allow sending.
func (p *reviewPrompt) ready() bool {
	if p.report.Blocked() {
		return false
	}
	for _, c := range p.confirms {
		if !c.Checked {
			return false
		}
	}
	if p.justification != nil && strings.TrimSpace(p.justification.Text) == "" {
		return false
	}
	return true
}

func (p *reviewPrompt) updateSend() {
	if p.ready() {
		p.send.Enable()
	} else {
		p.send.Disable()
	}
}

func (p *reviewPrompt) submit() {
	if !p.ready() {
		return
	}
	a := &compose.Answers{}
	for _, id := range p.report.Confirmations() {
		if c, ok := p.confirms[id]; ok && c.Checked {
			a.Confirmed = append(a.Confirmed, id)
		}
	}
	if p.justification != nil {
		a.Justification = strings.TrimSpace(p.justification.Text)
	}
	p.onDone(a)
}

// passwordsText lists the passwords of the password-protected copies for
// the sender to pass on by another channel.
func passwordsText(ps []compose.PDFPassword) string {
	var b strings.Builder
	b.WriteString("Each recipient below received a password-protected PDF. Give them the password by phone, text message or in person, never by email.\n\n")
	for _, p := range ps {
		fmt.Fprintf(&b, "%s: %s\n", p.Recipient, p.Password)
	}
	return b.String()
}
