package client

import (
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"unicode"

	"github.com/emersion/go-message/charset"

	"securemail/compose"
)

// SenderWarning returns a sentence for the reader's security banner when
// a sender address in from (a From header value) has a domain that
// imitates an internal domain, a contact's domain or a recent
// recipient's domain, or when its display name or quoted local part
// shows another address. Otherwise it returns "". Phishing mail that
// imitates a clinic's own domain or a colleague is the case it is for.
// Each address of a From field with several gets its own sentences.
func (c *Client) SenderWarning(from string) (string, error) {
	s, err := c.current()
	if err != nil {
		return "", err
	}
	addrs := parseFrom(from)
	env := &compose.Env{
		Policy:   composePolicy(c.policy.Settings()),
		History:  s.history,
		Contacts: contactBook{s: s},
	}
	var warnings []string
	for _, addr := range addrs {
		if shown := shownAddress(addr); shown != "" {
			warnings = append(warnings, fmt.Sprintf("The sender shows the address %s, but the message comes from %s. "+
				"Check the sender before you act on this message or reply.", shown, addr.Address))
		}
		warning, err := compose.SenderLookalike(addr.Address, env)
		if err != nil {
			return "", fmt.Errorf("client: failed to compare the sender's domain with known domains: %w", err)
		}
		if warning != "" {
			warnings = append(warnings, warning)
		}
	}
	return strings.Join(warnings, " "), nil
}

// parseFrom parses a From field value. QUIRK: RFC 5322 requires quotes
// around a display name with "@", but mail is sent with a bare one, as
// in `rosa@clinic.test <x@evil.example>`, and readers show it. Such a
// value is read as the phrase before the last angle address.
func parseFrom(from string) []*mail.Address {
	if addrs, err := fromParser.ParseList(from); err == nil {
		return addrs
	}
	lt := strings.LastIndexByte(from, '<')
	gt := strings.LastIndexByte(from, '>')
	if lt < 0 || gt < lt {
		return nil
	}
	addr, err := fromParser.Parse(from[lt : gt+1])
	if err != nil {
		return nil
	}
	name := strings.Trim(strings.TrimSpace(from[:lt]), `"`)
	if decoded, err := fromParser.WordDecoder.DecodeHeader(name); err == nil {
		name = decoded
	}
	addr.Name = name
	return []*mail.Address{addr}
}

// fromParser decodes display names in every charset that the message
// list and reader decode (go-message's charset package), not only the
// UTF-8, ISO-8859-1 and US-ASCII that net/mail decodes by itself. A name
// the reader shows must be a name the warning checks.
var fromParser = &mail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader}}

// shownAddress returns an address that the display name or the local
// part of addr shows to the reader and that is not addr's own address,
// or "". Such a sender reads as a colleague while the mail comes from
// elsewhere.
func shownAddress(addr *mail.Address) string {
	at := strings.LastIndexByte(addr.Address, '@')
	if at < 0 {
		return ""
	}
	local := addr.Address[:at]
	for _, text := range []string{addr.Name, local} {
		for _, word := range strings.FieldsFunc(text, isAddressDelimiter) {
			inner := strings.IndexByte(word, '@')
			if inner <= 0 || inner == len(word)-1 {
				continue
			}
			if !strings.EqualFold(word, addr.Address) {
				return word
			}
		}
	}
	return ""
}

// isAddressDelimiter reports whether r separates an address from the
// words around it in a display name.
func isAddressDelimiter(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune(`"'()<>[],;:`, r)
}
