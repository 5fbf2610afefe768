package compose

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"net/mail"
)

// Attachment is one file attached to a draft.
type Attachment struct {
	Name        string
	ContentType string // empty means application/octet-stream
	Data        []byte
}

// Draft is a message being written.
type Draft struct {
	From        mail.Address
	To, Cc, Bcc []mail.Address
	Subject     string
	Body        string // text/plain
	Attachments []Attachment
	InReplyTo   string   // Message-ID without angle brackets
	References  []string // Message-IDs without angle brackets
	// ReplyAll marks a reply to all; OriginalRecipients are then the
	// addresses of the message replied to (its From, To and Cc).
	ReplyAll           bool
	OriginalRecipients []string
}

// Hash returns a SHA-256 digest of every field of the draft. Review puts
// it in the report so that Seal can reject a draft changed after review.
func (d *Draft) Hash() [32]byte {
	h := sha256.New()
	writeString(h, d.From.Name)
	writeString(h, d.From.Address)
	for _, list := range [][]mail.Address{d.To, d.Cc, d.Bcc} {
		writeInt(h, len(list))
		for _, a := range list {
			writeString(h, a.Name)
			writeString(h, a.Address)
		}
	}
	writeString(h, d.Subject)
	writeString(h, d.Body)
	writeInt(h, len(d.Attachments))
	for _, a := range d.Attachments {
		writeString(h, a.Name)
		writeString(h, a.ContentType)
		writeString(h, string(a.Data))
	}
	writeString(h, d.InReplyTo)
	writeStrings(h, d.References)
	if d.ReplyAll {
		writeInt(h, 1)
	} else {
		writeInt(h, 0)
	}
	writeStrings(h, d.OriginalRecipients)

	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// Each field is written with its length first, so that moving bytes
// from one field to the next changes the hash.
func writeString(h hash.Hash, s string) {
	writeInt(h, len(s))
	h.Write([]byte(s))
}

func writeStrings(h hash.Hash, list []string) {
	writeInt(h, len(list))
	for _, s := range list {
		writeString(h, s)
	}
}

func writeInt(h hash.Hash, n int) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	h.Write(b[:])
}
