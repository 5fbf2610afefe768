package client

import (
	"fmt"
	"net/mail"

	"securemail/compose"
)

// SenderWarning returns a sentence for the reader's security banner when
// the sender address in from (a From header value) has a domain that
// imitates an internal domain, a contact's domain or a recent
// recipient's domain, and "" otherwise. Phishing mail that imitates a
// clinic's own domain is the case it is for.
func (c *Client) SenderWarning(from string) (string, error) {
	s, err := c.current()
	if err != nil {
		return "", err
	}
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return "", nil
	}
	env := &compose.Env{
		Policy:   composePolicy(c.policy.Settings()),
		History:  s.history,
		Contacts: contactBook{s: s},
	}
	warning, err := compose.SenderLookalike(addr.Address, env)
	if err != nil {
		return "", fmt.Errorf("client: failed to compare the sender's domain with known domains: %w", err)
	}
	return warning, nil
}
