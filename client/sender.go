package client

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"

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
	if addrs, err := mail.ParseAddressList(from); err == nil {
		return addrs
	}
	lt := strings.LastIndexByte(from, '<')
	gt := strings.LastIndexByte(from, '>')
	if lt < 0 || gt < lt {
		return nil
	}
	addr, err := mail.ParseAddress(from[lt : gt+1])
	if err != nil {
		return nil
	}
	addr.Name = strings.Trim(strings.TrimSpace(from[:lt]), `"`)
	return []*mail.Address{addr}
}

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
