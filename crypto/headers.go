package crypto

import (
	"bytes"
	"fmt"
	"mime"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// ObscuredSubject replaces the subject outside the encryption, as the
// baseline header confidentiality policy of RFC 9788 does.
const ObscuredSubject = "[...]"

// structural reports whether a header field describes the MIME entity
// itself rather than the message. Such fields are never copied between the
// inner and outer header sections.
func structural(key string) bool {
	k := strings.ToLower(key)
	return strings.HasPrefix(k, "content-") || k == "mime-version"
}

// confidentialFields are removed or obscured outside the encryption.
// Subject is replaced by ObscuredSubject; the others are dropped.
var confidentialFields = map[string]bool{
	"subject":  true,
	"keywords": true,
	"comments": true,
}

// ProtectHeaders prepares msg, a complete RFC 5322 message, for header
// protection (RFC 9788). It returns the cryptographic payload, an entity
// whose header carries a copy of every message header field, and the
// header fields to put outside. When encrypted is set, the outer subject
// is ObscuredSubject and Keywords and Comments stay inside only. The
// inner header then records each outer field in an HP-Outer field.
func ProtectHeaders(msg []byte, encrypted bool) (payload []byte, outer textproto.Header, err error) {
	h, body, err := splitEntity(msg)
	if err != nil {
		return nil, textproto.Header{}, err
	}

	var inner textproto.Header
	var hpOuter []string
	fields := h.Fields()
	for fields.Next() {
		key, value := fields.Key(), fields.Value()
		if structural(key) {
			continue
		}
		inner.Add(key, value)
		outerValue, keep := value, true
		if encrypted && confidentialFields[strings.ToLower(key)] {
			keep = strings.EqualFold(key, "subject")
			outerValue = ObscuredSubject
		}
		if keep {
			outer.Add(key, outerValue)
			hpOuter = append(hpOuter, key+": "+outerValue)
		}
	}
	if encrypted {
		for _, v := range hpOuter {
			inner.Add("HP-Outer", v)
		}
	}

	t, params := mediaType(h)
	if params == nil {
		params = map[string]string{}
	}
	if encrypted {
		params["hp"] = "cipher"
	} else {
		params["hp"] = "clear"
	}
	inner.Set("Content-Type", mime.FormatMediaType(t, params))
	for _, k := range []string{"Content-Transfer-Encoding", "Content-Disposition", "Content-ID", "Content-Description", "Content-Language"} {
		if v := h.Get(k); v != "" {
			inner.Set(k, v)
		}
	}
	outer.Set("MIME-Version", "1.0")

	var buf bytes.Buffer
	if err := textproto.WriteHeader(&buf, inner); err != nil {
		return nil, textproto.Header{}, fmt.Errorf("crypto: writing protected header: %w", err)
	}
	buf.Write(body)
	return buf.Bytes(), outer, nil
}

// Assemble writes the outer header fields followed by entity, the
// signed or encrypted entity that a scheme produced, into one message.
func Assemble(outer textproto.Header, entity []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := textproto.WriteHeader(&buf, outer); err != nil {
		return nil, fmt.Errorf("crypto: writing outer header: %w", err)
	}
	// WriteHeader ends the section with a blank line; the entity brings
	// its own Content-Type fields, so the section must continue.
	out := bytes.TrimSuffix(buf.Bytes(), []byte("\r\n"))
	return append(out, entity...), nil
}

// protectedHeaderFields are the message header fields that protected
// headers may supply for display.
var protectedHeaderFields = []string{
	"Subject", "From", "To", "Cc", "Reply-To", "Date", "Message-Id",
	"In-Reply-To", "References", "Keywords", "Comments",
}

// isProtectedPayload reports whether the entity header marks a
// cryptographic payload root carrying protected headers: RFC 9788's hp
// parameter or the older protected-headers="v1" that Thunderbird and
// K-9 Mail send.
func isProtectedPayload(params map[string]string) bool {
	return params["hp"] == "cipher" || params["hp"] == "clear" || params["protected-headers"] == "v1"
}

// isLegacyDisplay reports whether a part is a legacy display part, which
// repeats protected headers for old clients and must not be rendered.
func isLegacyDisplay(mediaType string, params map[string]string) bool {
	if mediaType != "text/plain" && mediaType != "text/rfc822-headers" {
		return false
	}
	return params["hp-legacy-display"] == "1" || params["protected-headers"] == "v1"
}

// protectedHeader collects the message header fields from a payload root.
func protectedHeader(h textproto.Header) textproto.Header {
	var out textproto.Header
	for _, k := range protectedHeaderFields {
		for _, v := range h.Values(k) {
			out.Add(k, v)
		}
	}
	return out
}
