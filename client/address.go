package client

import (
	"net/mail"
	"strings"
)

// addrSpec returns the lower-case addr-spec of s, which may carry a
// display name, or "" when s is not an address.
func addrSpec(s string) string {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return ""
	}
	return strings.ToLower(a.Address)
}
