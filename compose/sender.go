package compose

import (
	"fmt"

	"securemail/compose/lookalike"
)

// SenderLookalike reports, for a received message, whether the domain of
// its sender address imitates an internal domain, a contact's domain or a
// recent recipient's domain, the same comparison the recipient review
// makes before sending. It returns a sentence for the reader's security
// banner, or "" when the domain imitates none or cannot be parsed.
func SenderLookalike(address string, env *Env) (string, error) {
	domain, err := lookalike.Parse(domainOf(address))
	if err != nil {
		return "", nil
	}
	known, err := knownDomains(env)
	if err != nil {
		return "", err
	}
	m, ok := lookalike.Compare(domain, known)
	if !ok {
		return "", nil
	}
	displayed := domain.Unicode
	if domain.IsIDN() {
		displayed = fmt.Sprintf("%s (written %s)", domain.Unicode, domain.ASCII)
	}
	return fmt.Sprintf("The sender's domain %s %s. Check the sender before you act on this message or reply.",
		displayed, lookalikeReason(m)), nil
}
