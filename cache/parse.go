package cache

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode non-UTF-8 headers and parts
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// Limits on what one message adds to the search index, so a hostile or
// huge message cannot make storing it slow.
const (
	maxIndexedPartBytes = 256 << 10
	maxIndexedTextBytes = 1 << 20
)

// parsedMessage is the data the store reads from a raw message: the sealed
// summary fields and the text the index covers.
type parsedMessage struct {
	summary summaryFields
	date    time.Time
	// body is the text of the text/* parts and the attachment file names.
	body string
}

// summaryFields is the sealed part of a Summary.
type summaryFields struct {
	MessageID      string   `json:"i,omitempty"`
	From           string   `json:"f,omitempty"`
	To             []string `json:"t,omitempty"`
	Cc             []string `json:"c,omitempty"`
	Subject        string   `json:"s,omitempty"`
	HasAttachments bool     `json:"a,omitempty"`
}

// parseMessage reads what it can from raw. Malformed mail gives partial
// fields and never an error, because the store must keep every message
// the server has.
func parseMessage(raw []byte, headerOnly bool) parsedMessage {
	var p parsedMessage

	th, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil && th.Len() == 0 {
		return p
	}
	h := mail.Header{Header: message.Header{Header: th}}

	p.summary.Subject, _ = h.Subject()
	p.summary.MessageID, _ = h.MessageID()
	p.date, _ = h.Date()
	p.summary.From = formatFirst(&h, "From")
	p.summary.To = formatAll(&h, "To")
	p.summary.Cc = formatAll(&h, "Cc")

	mediaType, _, _ := h.ContentType()
	p.summary.HasAttachments = mediaType == "multipart/mixed"

	if !headerOnly {
		p.body = readText(raw)
	}
	return p
}

func formatFirst(h *mail.Header, key string) string {
	all := formatAll(h, key)
	if len(all) == 0 {
		return ""
	}
	return all[0]
}

// formatAll returns the addresses of a header field as display strings.
// QUIRK: when the field does not parse as an RFC 5322 address list, the
// decoded field text is kept, so the user still sees who sent it.
func formatAll(h *mail.Header, key string) []string {
	list, err := h.AddressList(key)
	if err != nil {
		text, _ := h.Text(key)
		if text == "" {
			return nil
		}
		return []string{text}
	}
	out := make([]string, 0, len(list))
	for _, a := range list {
		out = append(out, a.String())
	}
	return out
}

// readText collects the decoded text parts and attachment names of raw.
func readText(raw []byte) string {
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil {
		return ""
	}
	_ = err // unknown charsets and encodings still give a readable entity

	var b strings.Builder
	e.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil || b.Len() >= maxIndexedTextBytes {
			return nil
		}
		if _, params, err := part.Header.ContentDisposition(); err == nil && params["filename"] != "" {
			b.WriteString(params["filename"])
			b.WriteByte('\n')
		} else if _, params, err := part.Header.ContentType(); err == nil && params["name"] != "" {
			b.WriteString(params["name"])
			b.WriteByte('\n')
		}
		mediaType, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if mediaType == "" {
			mediaType = "text/plain"
		}
		if !strings.HasPrefix(mediaType, "text/") {
			return nil
		}
		data, _ := io.ReadAll(io.LimitReader(part.Body, maxIndexedPartBytes))
		if mediaType == "text/html" {
			data = stripTags(data)
		}
		b.Write(data)
		b.WriteByte('\n')
		return nil
	})
	return b.String()
}

// stripTags drops everything between < and > so markup names are not
// indexed as words. It is enough for an index, not for display.
func stripTags(html []byte) []byte {
	out := make([]byte, 0, len(html))
	inTag := false
	for _, c := range html {
		switch {
		case c == '<':
			inTag = true
		case c == '>':
			inTag = false
			out = append(out, ' ')
		case !inTag:
			out = append(out, c)
		}
	}
	return out
}
