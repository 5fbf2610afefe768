package compose

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

// messageHeader is the header of the logical message shared by every
// copy that leaves.
type messageHeader struct {
	from      mail.Address
	to, cc    []mail.Address
	bcc       []mail.Address // written only in the sender's Sent copy
	subject   string
	date      time.Time
	messageID string
	inReplyTo string
	refs      []string
	// autocrypt is the value of the sender's Autocrypt header, or empty.
	autocrypt string
}

// newMessageID returns a random Message-ID (without angle brackets) with
// 128 bits from rand.
func newMessageID(rand io.Reader, host string) (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", fmt.Errorf("compose: read random bytes for a Message-ID: %w", err)
	}
	return hex.EncodeToString(b) + "@" + host, nil
}

func addressPointers(list []mail.Address) []*gomail.Address {
	out := make([]*gomail.Address, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out
}

// header returns the RFC 5322 header fields of h. withBcc adds the Bcc
// field, and subject overrides h.subject.
func (h *messageHeader) header(subject string, withBcc bool) gomail.Header {
	var out gomail.Header
	out.Set("MIME-Version", "1.0")
	out.SetDate(h.date)
	out.SetAddressList("From", []*gomail.Address{&h.from})
	if len(h.to) > 0 {
		out.SetAddressList("To", addressPointers(h.to))
	}
	if len(h.cc) > 0 {
		out.SetAddressList("Cc", addressPointers(h.cc))
	}
	if withBcc && len(h.bcc) > 0 {
		out.SetAddressList("Bcc", addressPointers(h.bcc))
	}
	out.SetSubject(subject)
	out.SetMessageID(h.messageID)
	if h.inReplyTo != "" {
		out.SetMsgIDList("In-Reply-To", []string{h.inReplyTo})
	}
	if len(h.refs) > 0 {
		out.SetMsgIDList("References", h.refs)
	}
	if h.autocrypt != "" {
		// The value is already folded; SetText would encode its CRLFs.
		out.Header.AddRaw([]byte("Autocrypt: " + h.autocrypt + "\r\n"))
	}
	return out
}

// buildMessage writes a complete MIME message: header, a text/plain part
// and the attachments as a multipart/mixed body when there are any.
func buildMessage(header gomail.Header, body string, attachments []Attachment) ([]byte, error) {
	var buf bytes.Buffer
	if len(attachments) == 0 {
		header.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		w, err := gomail.CreateSingleInlineWriter(&buf, header)
		if err != nil {
			return nil, fmt.Errorf("compose: write the message header: %w", err)
		}
		if _, err := io.WriteString(w, body); err != nil {
			return nil, fmt.Errorf("compose: write the message body: %w", err)
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("compose: write the message body: %w", err)
		}
		return buf.Bytes(), nil
	}

	mw, err := gomail.CreateWriter(&buf, header)
	if err != nil {
		return nil, fmt.Errorf("compose: write the message header: %w", err)
	}
	var text gomail.InlineHeader
	text.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	tw, err := mw.CreateSingleInline(text)
	if err != nil {
		return nil, fmt.Errorf("compose: start the text part: %w", err)
	}
	if _, err := io.WriteString(tw, body); err != nil {
		return nil, fmt.Errorf("compose: write the text part: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("compose: write the text part: %w", err)
	}

	for i, a := range attachments {
		var ah gomail.AttachmentHeader
		contentType := a.ContentType
		if contentType == "" {
			contentType = "application/octet-stream"
		}
		ah.SetContentType(contentType, nil)
		ah.SetFilename(a.Name)
		aw, err := mw.CreateAttachment(ah)
		if err != nil {
			return nil, fmt.Errorf("compose: start attachment %d: %w", i+1, err)
		}
		if _, err := aw.Write(a.Data); err != nil {
			return nil, fmt.Errorf("compose: write attachment %d: %w", i+1, err)
		}
		if err := aw.Close(); err != nil {
			return nil, fmt.Errorf("compose: write attachment %d: %w", i+1, err)
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("compose: finish the message: %w", err)
	}
	return buf.Bytes(), nil
}

// documentText is the text shown in a password-protected PDF: the header
// fields a reader needs, then the body.
func documentText(h *messageHeader, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\n", h.from.String())
	if len(h.to) > 0 {
		fmt.Fprintf(&b, "To: %s\n", joinAddresses(h.to))
	}
	if len(h.cc) > 0 {
		fmt.Fprintf(&b, "Cc: %s\n", joinAddresses(h.cc))
	}
	fmt.Fprintf(&b, "Date: %s\n", h.date.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Subject: %s\n\n", h.subject)
	b.WriteString(body)
	return b.String()
}

func joinAddresses(list []mail.Address) string {
	parts := make([]string, len(list))
	for i, a := range list {
		if a.Name != "" {
			parts[i] = fmt.Sprintf("%s <%s>", a.Name, a.Address)
		} else {
			parts[i] = a.Address
		}
	}
	return strings.Join(parts, ", ")
}

// pdfNotice is the whole text of the email that carries a protected PDF.
// It states that a protected document is attached and that the password
// comes another way, and nothing about the content.
func pdfNotice(from mail.Address) string {
	sender := from.Address
	if from.Name != "" {
		sender = fmt.Sprintf("%s <%s>", from.Name, from.Address)
	}
	return fmt.Sprintf("%s has sent you a protected message.\r\n\r\n"+
		"It is in the attached PDF file, which is encrypted. Open it with any PDF reader and type the\r\n"+
		"password exactly as you were given it. The password does not come by email: the sender gives\r\n"+
		"it to you by phone, in person or by another channel.\r\n\r\n"+
		"If you did not expect this message, do not open the file; contact the sender another way.\r\n", sender)
}
