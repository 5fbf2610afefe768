package phi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decodes legacy charsets such as ISO-8859-1
	"github.com/emersion/go-message/mail"

	"securemail/phi/extract"
)

// maxMessageParts caps the MIME parts read from one message.
const maxMessageParts = 500

// DocumentFromMessage parses an RFC 5322 message into a Document. Inline
// text/plain parts form the body, and inline text/html parts add their
// text to it. Every other part, including an encrypted body, becomes an
// attachment, so that a part the scanner cannot read is reported as
// unscanned.
func DocumentFromMessage(raw []byte) (Document, error) {
	var doc Document
	entity, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) {
		return doc, fmt.Errorf("phi: invalid message header: %w", err)
	}
	r := mail.NewReader(entity)
	if subject, err := r.Header.Subject(); err == nil {
		doc.Subject = subject
	} else {
		// QUIRK: keep the raw subject when its encoded words are invalid
		// (RFC 2047), since it must still be scanned.
		doc.Subject = r.Header.Get("Subject")
	}

	var body bytes.Buffer
	for parts := 0; ; parts++ {
		if parts == maxMessageParts {
			return doc, fmt.Errorf("phi: message has more than %d MIME parts: scan it in pieces", maxMessageParts)
		}
		part, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !message.IsUnknownCharset(err) {
			return doc, fmt.Errorf("phi: invalid MIME structure in part %d: %w", parts+1, err)
		}
		contentType, name := partType(part.Header)
		data, err := io.ReadAll(part.Body)
		if err != nil {
			decodeErr := fmt.Errorf("cannot decode MIME part %d: %w", parts+1, err)
			doc.Attachments = append(doc.Attachments, Attachment{Name: name, ContentType: contentType, DecodeErr: decodeErr})
			continue
		}
		_, isInline := part.Header.(*mail.InlineHeader)
		switch {
		case isInline && contentType == "text/plain":
			body.Write(data)
			body.WriteByte('\n')
		case isInline && contentType == "text/html":
			text, err := extract.Text("", contentType, data, extract.Limits{})
			if err != nil {
				doc.Attachments = append(doc.Attachments, Attachment{Name: name, ContentType: contentType, Data: data})
				continue
			}
			body.WriteString(text)
			body.WriteByte('\n')
		default:
			doc.Attachments = append(doc.Attachments, Attachment{Name: name, ContentType: contentType, Data: data})
		}
	}
	doc.Body = body.String()
	return doc, nil
}

// partType returns the media type of a part and its file name, if any.
func partType(h mail.PartHeader) (string, string) {
	var contentType, name string
	switch h := h.(type) {
	case *mail.InlineHeader:
		contentType, _, _ = h.ContentType()
	case *mail.AttachmentHeader:
		contentType, _, _ = h.ContentType()
		name, _ = h.Filename()
	}
	if contentType == "" {
		contentType = "text/plain"
	}
	if name == "" {
		if exts, _ := mime.ExtensionsByType(contentType); len(exts) > 0 {
			name = "part" + exts[0]
		}
	}
	return contentType, name
}
