package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Pseudonym domains keep an address and a Message-ID with the same text
// from getting the same pseudonym.
const (
	DomainAddress   = "address"
	DomainMessageID = "message-id"
)

// Pseudonym returns the keyed pseudonym of an address or Message-ID:
// "ps1:" and the first 16 bytes of HMAC-SHA256(key, domain, 0, value) in
// hex. Addresses are lower-cased and Message-IDs lose their angle brackets
// first. The organisation resolves a pseudonym by computing it for the
// candidates it suspects, with the key from its policy.
func Pseudonym(key []byte, domain, value string) string {
	switch domain {
	case DomainAddress:
		value = strings.ToLower(strings.TrimSpace(value))
	case DomainMessageID:
		value = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(value), "<"), ">")
	}
	h := hmac.New(sha256.New, key)
	h.Write([]byte(domain))
	h.Write([]byte{0})
	h.Write([]byte(value))
	return "ps1:" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Pseudonymise returns a copy of e fit to leave the machine: every
// address and Message-ID replaced by its pseudonym, the justification
// text dropped (Justified reports whether there was one), and policy
// problems reduced to their count.
func Pseudonymise(e Event, key []byte) (Event, bool) {
	out := e
	addr := func(s string) string {
		if s == "" {
			return ""
		}
		return Pseudonym(key, DomainAddress, s)
	}
	out.Account = addr(e.Account)
	if e.MessageID != "" {
		out.MessageID = Pseudonym(key, DomainMessageID, e.MessageID)
	}
	if e.Recipients != nil {
		out.Recipients = make([]Recipient, len(e.Recipients))
		for i, r := range e.Recipients {
			out.Recipients[i] = Recipient{Address: addr(r.Address), Method: r.Method}
		}
	}
	if e.Key != nil {
		k := *e.Key
		k.Address = addr(k.Address)
		out.Key = &k
	}
	if e.Consent != nil {
		c := *e.Consent
		c.Address = addr(c.Address)
		out.Consent = &c
	}
	justified := e.Justification != ""
	out.Justification = ""
	if len(e.Problems) > 0 {
		out.Count = int64(len(e.Problems))
		out.Problems = nil
	}
	return out, justified
}
