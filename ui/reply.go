package ui

import (
	"fmt"
	"net/mail"
	"strings"

	"securemail/compose"
	"securemail/crypto"
)

// ReplyKind says which draft to start from an opened message.
type ReplyKind int

const (
	Reply ReplyKind = iota
	ReplyAll
	Forward
)

// NewReplyDraft starts a reply or a forward of m from the address self.
//
// The quote holds only parts the sender of m could read. A message that
// is only partly encrypted may carry a ciphertext its sender copied from
// someone else's mail; quoting its decrypted text in the reply would hand
// that plaintext to the sender. So when m.Encryption is partial, only the
// unencrypted parts are quoted.
func NewReplyDraft(kind ReplyKind, m *crypto.Message, self string) *compose.Draft {
	d := &compose.Draft{From: mail.Address{Address: self}}
	subject := m.Header.Get("Subject")
	msgID := strings.Trim(m.Header.Get("Message-Id"), "<> ")

	switch kind {
	case Forward:
		d.Subject = prefixSubject("Fwd: ", subject)
	default:
		d.Subject = prefixSubject("Re: ", subject)
		d.To = addressList(m.Header.Get("Reply-To"))
		if len(d.To) == 0 {
			d.To = addressList(m.Header.Get("From"))
		}
		// A reference that is not a valid Message-ID, as a hostile
		// message can carry, is left out rather than failing the reply.
		if compose.ValidMessageID(msgID) {
			d.InReplyTo = msgID
			d.References = append(referenceIDs(m.Header.Get("References")), msgID)
		}
	}
	if kind == ReplyAll {
		d.ReplyAll = true
		for _, a := range append(addressList(m.Header.Get("To")), addressList(m.Header.Get("Cc"))...) {
			if !strings.EqualFold(a.Address, self) && !containsAddress(d.To, a.Address) {
				d.Cc = append(d.Cc, a)
			}
		}
		for _, a := range addressList(m.Header.Get("From")) {
			d.OriginalRecipients = append(d.OriginalRecipients, a.Address)
		}
		for _, a := range append(addressList(m.Header.Get("To")), addressList(m.Header.Get("Cc"))...) {
			d.OriginalRecipients = append(d.OriginalRecipients, a.Address)
		}
	}

	d.Body = "\n\n" + quoteIntro(kind, m) + "\n" + quoteLines(QuotableText(m))
	return d
}

// QuotableText returns the text of m that may be quoted in a reply or a
// forward, with a note where encrypted parts were left out.
func QuotableText(m *crypto.Message) string {
	if m.Encryption != crypto.CoveragePartial {
		return MessageText(m)
	}
	skipped := 0
	text := partsText(m.Root, func(p *crypto.Part) bool {
		if p.Status.Encryption.Scheme != crypto.SchemeNone {
			skipped++
			return false
		}
		return true
	})
	note := fmt.Sprintf("[%d encrypted part(s) of a partly encrypted message are not quoted.]", skipped)
	if text == "" {
		return note
	}
	return text + "\n\n" + note
}

func quoteIntro(kind ReplyKind, m *crypto.Message) string {
	if kind == Forward {
		return "-------- Forwarded message --------\nFrom: " + m.Header.Get("From") +
			"\nDate: " + m.Header.Get("Date") + "\nSubject: " + m.Header.Get("Subject") + "\n"
	}
	return "On " + m.Header.Get("Date") + ", " + m.Header.Get("From") + " wrote:"
}

func quoteLines(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return strings.Join(lines, "\n")
}

func prefixSubject(prefix, subject string) string {
	if strings.HasPrefix(strings.ToLower(subject), strings.ToLower(prefix)) {
		return subject
	}
	return prefix + subject
}

// addressList parses an address header field; an unparsable field gives
// no addresses rather than a guess.
func addressList(field string) []mail.Address {
	if strings.TrimSpace(field) == "" {
		return nil
	}
	list, err := mail.ParseAddressList(field)
	if err != nil {
		return nil
	}
	out := make([]mail.Address, 0, len(list))
	for _, a := range list {
		out = append(out, *a)
	}
	return out
}

func containsAddress(list []mail.Address, address string) bool {
	for _, a := range list {
		if strings.EqualFold(a.Address, address) {
			return true
		}
	}
	return false
}

// referenceIDs returns the valid msg-ids of a References field without
// their angle brackets. It takes only text between "<" and ">", because
// the white space between msg-ids is optional (RFC 5322 section 3.6.4)
// and words outside brackets are not msg-ids.
func referenceIDs(field string) []string {
	var ids []string
	for {
		start := strings.IndexByte(field, '<')
		if start < 0 {
			return ids
		}
		field = field[start+1:]
		end := strings.IndexByte(field, '>')
		if end < 0 {
			return ids
		}
		if id := field[:end]; compose.ValidMessageID(id) {
			ids = append(ids, id)
		}
		field = field[end+1:]
	}
}
