package compose

import (
	"fmt"
	"strings"

	"securemail/compose/lookalike"
)

// SenderLookalike reports, for a received message, whether the domain of
// its sender address imitates an internal domain, a contact's domain or a
// recent recipient's domain, the same comparison the recipient review
// makes before sending. It returns a sentence for the reader's security
// banner, or "" when the domain imitates none or address has no domain.
// A domain that is no valid domain name, or one that the IDNA mapping
// changes (a zero-width space, full-width letters), gets a warning too.
func SenderLookalike(address string, env *Env) (string, error) {
	raw := domainOf(address)
	if raw == "" {
		return "", nil
	}
	domain, err := lookalike.Parse(raw)
	if err != nil {
		return fmt.Sprintf("The sender's domain %q is not a valid domain name, so it cannot be checked against known domains. "+
			"Check the sender before you act on this message or reply.", raw), nil
	}
	// The IDNA mapping drops characters such as U+200B ZERO WIDTH SPACE
	// and the soft hyphen, and folds full-width letters, so the parsed
	// domain may equal an internal one that the header only looks like.
	typed := strings.ToLower(strings.TrimSuffix(raw, "."))
	if typed != domain.ASCII && typed != domain.Unicode {
		return fmt.Sprintf("The sender's domain %q is written with invisible or unusual characters and only looks like %s. "+
			"Check the sender before you act on this message or reply.", raw, domain.Unicode), nil
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
