package compose

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strings"

	"securemail/compose/pdfseal"
	"securemail/crypto"
)

// Errors that Seal wraps when it rejects a message.
var (
	ErrBlocked              = errors.New("compose: a blocking finding stops this message")
	ErrNotConfirmed         = errors.New("compose: a finding that needs confirmation is not confirmed")
	ErrJustificationMissing = errors.New("compose: the policy requires a justification for the PHI in this message")
	ErrDraftChanged         = errors.New("compose: the draft changed after the review; review it again")
	ErrReviewStale          = errors.New("compose: keys, consents or policy changed after the review; review it again")
)

// Answers are the sender's replies to a review.
type Answers struct {
	// Confirmed lists the IDs of the findings the sender confirmed.
	Confirmed     []string
	Justification string
}

// Envelope is one message to submit: the SMTP recipients and the exact
// bytes of the message.
type Envelope struct {
	Method     Method
	Recipients []string
	Raw        []byte
}

// PDFPassword is the password of one recipient's protected PDF. The UI
// shows it to the sender; it is never in any email.
type PDFPassword struct {
	Recipient string
	Password  string
}

// Sealed is the result of Seal.
type Sealed struct {
	MessageID string
	Envelopes []Envelope
	// SentCopy is the message encrypted to the sender's own key, with
	// the Bcc field, for the Sent folder.
	SentCopy  []byte
	Passwords []PDFPassword
	Audit     AuditSummary
}

// Seal builds the messages that leave for a reviewed draft. It rejects
// the draft when a blocking finding exists, a confirmation or the
// justification is missing, the draft changed since the review, or a new
// review would differ. Each method group gets its own message: OpenPGP
// recipients together, S/MIME recipients together, each PDF recipient
// alone, consented plain recipients together, and every Bcc recipient
// alone so that nobody learns who else received it in Bcc.
func Seal(d *Draft, report *Report, answers Answers, env *Env) (*Sealed, error) {
	if d.Hash() != report.DraftHash {
		return nil, ErrDraftChanged
	}
	// The caller's report may have been edited after Review: its exported
	// fields are not covered by the digest stored in it. Everything below
	// is decided from a fresh review, and the caller's report only has to
	// match it.
	fresh, err := Review(d, env)
	if err != nil {
		return nil, err
	}
	if fresh.digest != report.digest || report.computeDigest() != report.digest {
		return nil, ErrReviewStale
	}
	report = fresh
	if err := checkAnswers(d, report, answers); err != nil {
		return nil, err
	}
	if env.Protector == nil {
		return nil, fmt.Errorf("compose: no Protector configured; the client cannot encrypt")
	}
	random := env.Rand
	if random == nil {
		random = rand.Reader
	}

	h, err := newHeader(d, report, env, random)
	if err != nil {
		return nil, err
	}
	inner, err := buildMessage(h.header(h.subject, false), d.Body, d.Attachments)
	if err != nil {
		return nil, err
	}

	s := &Sealed{MessageID: h.messageID}
	for _, g := range groupRecipients(report) {
		if err := sealGroup(s, g, h, inner, d, env, random); err != nil {
			return nil, err
		}
	}

	sentInner, err := buildMessage(h.header(h.subject, true), d.Body, d.Attachments)
	if err != nil {
		return nil, err
	}
	s.SentCopy, err = protect(env, report.SentCopy, []string{report.Sender}, sentInner)
	if err != nil {
		return nil, fmt.Errorf("compose: encrypt the Sent copy: %w", err)
	}

	s.Audit = newAuditSummary(d, report, answers, s, env.now())
	return s, nil
}

// checkAnswers rejects answers that leave the report unsatisfied.
func checkAnswers(d *Draft, report *Report, answers Answers) error {
	if d.Hash() != report.DraftHash {
		return ErrDraftChanged
	}
	var blocking []string
	for _, f := range report.Findings {
		if f.Severity == SeverityBlocking {
			blocking = append(blocking, f.ID)
		}
	}
	if len(blocking) > 0 {
		return fmt.Errorf("%w: %s; resolve it and review again", ErrBlocked, strings.Join(blocking, ", "))
	}
	var missing []string
	for _, id := range report.Confirmations() {
		if !slices.Contains(answers.Confirmed, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s", ErrNotConfirmed, strings.Join(missing, ", "))
	}
	if report.NeedsJustification && strings.TrimSpace(answers.Justification) == "" {
		return ErrJustificationMissing
	}
	return nil
}

func newHeader(d *Draft, report *Report, env *Env, random io.Reader) (*messageHeader, error) {
	host := env.Hostname
	if host == "" {
		host = domainOf(report.Sender)
	}
	id, err := newMessageID(random, host)
	if err != nil {
		return nil, err
	}
	return &messageHeader{
		from:      asciiAddresses([]mail.Address{d.From})[0],
		to:        asciiAddresses(d.To),
		cc:        asciiAddresses(d.Cc),
		bcc:       asciiAddresses(d.Bcc),
		subject:   d.Subject,
		date:      env.now(),
		messageID: id,
		inReplyTo: d.InReplyTo,
		refs:      d.References,
		autocrypt: env.Autocrypt,
	}, nil
}

// recipientGroup is the recipients that share one sealed message.
type recipientGroup struct {
	method     Method
	recipients []string
}

// groupRecipients splits the reviewed recipients into method groups.
func groupRecipients(report *Report) []recipientGroup {
	var groups []recipientGroup
	shared := map[Method]int{}
	for _, rr := range report.Recipients {
		if rr.Method == MethodNone {
			continue
		}
		if rr.Field == "Bcc" || rr.Method == MethodPasswordPDF {
			groups = append(groups, recipientGroup{rr.Method, []string{rr.Address}})
			continue
		}
		i, ok := shared[rr.Method]
		if !ok {
			i = len(groups)
			shared[rr.Method] = i
			groups = append(groups, recipientGroup{method: rr.Method})
		}
		groups[i].recipients = append(groups[i].recipients, rr.Address)
	}
	return groups
}

func sealGroup(s *Sealed, g recipientGroup, h *messageHeader, inner []byte, d *Draft, env *Env, random io.Reader) error {
	var raw []byte
	var err error
	switch g.method {
	case MethodOpenPGP:
		raw, err = protect(env, crypto.SchemeOpenPGP, g.recipients, inner)
	case MethodSMIME:
		raw, err = protect(env, crypto.SchemeSMIME, g.recipients, inner)
	case MethodPlain:
		raw = inner
	case MethodPasswordPDF:
		var password string
		raw, password, err = sealPDF(g.recipients[0], h, d, env, random)
		s.Passwords = append(s.Passwords, PDFPassword{Recipient: g.recipients[0], Password: password})
	default:
		err = fmt.Errorf("compose: no method for %s", strings.Join(g.recipients, ", "))
	}
	if err != nil {
		return err
	}
	s.Envelopes = append(s.Envelopes, Envelope{Method: g.method, Recipients: g.recipients, Raw: raw})
	return nil
}

// protect encrypts message for recipients with header protection
// (RFC 9788): the payload carries every header field, and the outer
// header obscures the subject.
func protect(env *Env, scheme crypto.Scheme, recipients []string, message []byte) ([]byte, error) {
	if scheme == crypto.SchemeNone {
		return nil, fmt.Errorf("compose: no encryption scheme for %s", strings.Join(recipients, ", "))
	}
	payload, outer, err := crypto.ProtectHeaders(message, true)
	if err != nil {
		return nil, fmt.Errorf("compose: protect the header fields: %w", err)
	}
	entity, err := env.Protector.Protect(scheme, recipients, payload)
	if err != nil {
		return nil, fmt.Errorf("compose: encrypt with %s for %s: %w", scheme, strings.Join(recipients, ", "), err)
	}
	const field = "content-type:"
	if len(entity) < len(field) || !bytes.EqualFold(entity[:len(field)], []byte(field)) {
		return nil, fmt.Errorf("compose: the %s entity does not start with a Content-Type field; fix the Protector", scheme)
	}
	return crypto.Assemble(outer, entity)
}

// sealPDF builds the email that carries a password-protected PDF for one
// recipient and returns it with the PDF's password.
func sealPDF(recipient string, h *messageHeader, d *Draft, env *Env, random io.Reader) ([]byte, string, error) {
	password, err := pdfseal.NewPassword(random)
	if err != nil {
		return nil, "", fmt.Errorf("compose: make a PDF password for %s: %w", recipient, err)
	}
	doc := pdfseal.Document{Text: documentText(h, d.Body), Created: h.date}
	for _, a := range d.Attachments {
		doc.Attachments = append(doc.Attachments, pdfseal.Attachment{Name: a.Name, Data: a.Data})
	}
	pdf, err := pdfseal.Seal(doc, password, random)
	if err != nil {
		return nil, "", fmt.Errorf("compose: make the protected PDF for %s: %w", recipient, err)
	}

	// The notice goes to this recipient alone, with a subject that
	// carries nothing from the message.
	notice := messageHeader{
		from:      h.from,
		to:        []mail.Address{{Address: recipient}},
		subject:   "Protected message from " + senderName(h.from),
		date:      h.date,
		messageID: h.messageID,
		inReplyTo: h.inReplyTo,
		refs:      h.refs,
	}
	raw, err := buildMessage(notice.header(notice.subject, false), pdfNotice(h.from),
		[]Attachment{{Name: "protected-message.pdf", ContentType: "application/pdf", Data: pdf}})
	if err != nil {
		return nil, "", err
	}
	return raw, password, nil
}

func senderName(a mail.Address) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Address
}

// asciiAddresses returns list with each domain in its ASCII (punycode)
// form, so that header fields need no SMTPUTF8 support. Addresses that
// do not parse stay as they are; the review has blocked them already.
func asciiAddresses(list []mail.Address) []mail.Address {
	out := make([]mail.Address, len(list))
	for i, a := range list {
		out[i] = a
		at := strings.LastIndexByte(a.Address, '@')
		if p, err := normalizeAddress(a.Address); err == nil && at > 0 {
			out[i].Address = a.Address[:at+1] + p.domain.ASCII
		}
	}
	return out
}
