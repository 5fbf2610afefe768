package compose

import (
	"fmt"
	"strings"

	"securemail/compose/lookalike"
)

// knownDomains returns the domains a recipient's domain is compared with:
// internal domains, contacts' domains and recent recipients' domains.
// NOTE: a lookalike domain that was written to once becomes a recent
// recipient and so a known domain, and is not reported again.
func knownDomains(env *Env) ([]lookalike.Domain, error) {
	var names []string
	names = append(names, env.Policy.InternalDomains...)

	contacts, err := env.Contacts.Contacts()
	if err != nil {
		return nil, fmt.Errorf("compose: read contacts: %w", err)
	}
	for _, c := range contacts {
		names = append(names, domainOf(c.Address))
	}
	if env.Policy.RecentRecipients > 0 {
		recent, err := env.History.Recent(env.Policy.RecentRecipients)
		if err != nil {
			return nil, fmt.Errorf("compose: read recent recipients: %w", err)
		}
		for _, a := range recent {
			names = append(names, domainOf(a))
		}
	}

	var known []lookalike.Domain
	seen := map[string]bool{}
	for _, n := range names {
		d, err := lookalike.Parse(n)
		if err != nil || seen[d.ASCII] {
			// A broken address-book entry must not stop the review.
			continue
		}
		seen[d.ASCII] = true
		known = append(known, d)
	}
	return known, nil
}

func domainOf(address string) string {
	at := strings.LastIndexByte(address, '@')
	if at < 0 {
		return ""
	}
	return address[at+1:]
}

// lookalikeFinding reports a recipient domain that imitates a known one.
func lookalikeFinding(rr *RecipientReview, domain lookalike.Domain, known []lookalike.Domain, warnOnly bool) (Finding, bool) {
	m, ok := lookalike.Compare(domain, known)
	if !ok {
		return Finding{}, false
	}

	displayed := domain.Unicode
	if domain.IsIDN() {
		displayed = fmt.Sprintf("%s (written %s)", domain.Unicode, domain.ASCII)
	}
	reason := lookalikeReason(m)
	f := Finding{
		ID:       "lookalike:" + rr.Address,
		Kind:     KindLookalike,
		Severity: SeverityDanger,
		Explanation: fmt.Sprintf("The domain %s of %s %s. Check the address before sending.",
			displayed, rr.Address, reason),
		Confirm: true,
	}
	if !warnOnly {
		f.Severity, f.Confirm = SeverityBlocking, false
		f.Explanation = fmt.Sprintf("The domain %s of %s %s. Your organisation blocks such addresses: "+
			"correct it, or ask IT to add the domain as a contact or internal domain.", displayed, rr.Address, reason)
	}
	return f, true
}

// lookalikeReason returns how a domain imitates the known one in m, as
// the end of a sentence that starts with the domain.
func lookalikeReason(m lookalike.Match) string {
	switch m.Class {
	case lookalike.Confusable:
		return fmt.Sprintf("looks like %s but uses different characters", m.Known.Site)
	case lookalike.OtherTLD:
		return fmt.Sprintf("has the same name as %s under another ending", m.Known.Site)
	case lookalike.Hyphenation:
		return fmt.Sprintf("differs from %s only in hyphens", m.Known.Site)
	case lookalike.ExtraWords:
		return fmt.Sprintf("contains %s with extra words, a common trick", m.Known.Site)
	case lookalike.EditDistance:
		return fmt.Sprintf("is %d letter(s) away from %s, which may be a typing error", m.Distance, m.Known.Site)
	case lookalike.MixedScript:
		return "mixes letters from different alphabets, which is used to imitate other domains"
	}
	return "resembles a known domain"
}

// displayNameFinding reports a recipient whose display name is the name
// of a contact with another address.
func displayNameFinding(rr *RecipientReview, contacts []Contact) (Finding, bool) {
	name := normalizeName(rr.Name)
	if name == "" {
		return Finding{}, false
	}
	var others []string
	for _, c := range contacts {
		if normalizeName(c.Name) != name {
			continue
		}
		if strings.EqualFold(c.Address, rr.Address) {
			return Finding{}, false
		}
		others = append(others, c.Address)
	}
	if len(others) == 0 {
		return Finding{}, false
	}
	return Finding{
		ID:       "display-name:" + rr.Address,
		Kind:     KindDisplayName,
		Severity: SeverityDanger,
		Explanation: fmt.Sprintf("The name %q belongs to your contact at %s, but this message goes to %s.",
			rr.Name, strings.Join(others, ", "), rr.Address),
		Confirm: true,
	}, true
}

// normalizeName folds case, spaces and confusable characters so that
// names that look the same compare equal.
func normalizeName(name string) string {
	return lookalike.Skeleton(strings.Join(strings.Fields(name), " "))
}

// recipientFindings returns the findings about one recipient's history,
// keys and planned method.
func recipientFindings(rr *RecipientReview) []Finding {
	var out []Finding
	if rr.FirstContact && !rr.Internal {
		out = append(out, Finding{
			ID:          "first-contact:" + rr.Address,
			Kind:        KindFirstContact,
			Severity:    SeverityWarning,
			Recipient:   rr.Address,
			Explanation: fmt.Sprintf("You have not written to %s before, and it is outside your organisation.", rr.Address),
			Confirm:     true,
		})
	}
	for _, k := range []struct {
		kind   string
		status KeyStatus
	}{{"OpenPGP key", rr.OpenPGP}, {"S/MIME certificate", rr.SMIME}} {
		if k.status.State == KeyMissing || k.status.State == KeyUsable {
			continue
		}
		text := fmt.Sprintf("The %s of %s (%s) is %s, so it is not used.", k.kind, rr.Address, k.status.Fingerprint, k.status.State)
		if k.status.Detail != "" {
			text += " " + k.status.Detail
		}
		out = append(out, Finding{
			ID:          fmt.Sprintf("key:%s:%s", k.kind, rr.Address),
			Kind:        KindKeyProblem,
			Severity:    SeverityInfo,
			Recipient:   rr.Address,
			Explanation: text,
		})
	}

	switch rr.Method {
	case MethodPasswordPDF:
		out = append(out, Finding{
			ID:        "password-pdf:" + rr.Address,
			Kind:      KindPasswordPDF,
			Severity:  SeverityWarning,
			Recipient: rr.Address,
			Explanation: fmt.Sprintf("%s has no usable key, so it receives an encrypted PDF. After sending you get its "+
				"password: give it by phone or in person, never by email.", rr.Address),
			Confirm: true,
		})
	case MethodPlain:
		out = append(out, Finding{
			ID:        "plain:" + rr.Address,
			Kind:      KindConsentedPlain,
			Severity:  SeverityWarning,
			Recipient: rr.Address,
			Explanation: fmt.Sprintf("%s receives this message unencrypted, under the patient's consent recorded by %s on %s.",
				rr.Address, rr.Consent.RecordedBy, rr.Consent.RecordedAt.Format("2006-01-02")),
			Confirm: true,
		})
	case MethodNone:
		out = append(out, Finding{
			ID:        "no-method:" + rr.Address,
			Kind:      KindNoMethod,
			Severity:  SeverityBlocking,
			Recipient: rr.Address,
			Explanation: fmt.Sprintf("This message cannot be sent to %s: %s. Import the recipient's key or certificate "+
				"(Keys and certificates window, or securemail keys import), or remove the address.", rr.Address, rr.Reason),
		})
	}
	return out
}

// checkReplyAll reports a reply to all that reaches external addresses.
func checkReplyAll(d *Draft, r *Report) {
	if !d.ReplyAll {
		return
	}
	original := map[string]bool{}
	for _, a := range d.OriginalRecipients {
		if p, err := normalizeAddress(a); err == nil {
			original[p.address] = true
		}
	}

	var external, added []string
	for _, rr := range r.Recipients {
		if rr.Internal || rr.Address == r.Sender {
			continue
		}
		external = append(external, rr.Address)
		if !original[rr.Address] {
			added = append(added, rr.Address)
		}
	}
	if len(external) == 0 {
		return
	}

	text := fmt.Sprintf("This reply to all goes to %d address(es) outside your organisation: %s.",
		len(external), strings.Join(external, ", "))
	if len(added) > 0 {
		text += fmt.Sprintf(" Not on the original message: %s.", strings.Join(added, ", "))
	}
	r.addFinding(Finding{
		ID:          string(KindReplyAll),
		Kind:        KindReplyAll,
		Severity:    SeverityWarning,
		Explanation: text,
		Confirm:     true,
	})
}

// checkBulkExternal suggests Bcc when many external addresses can see
// each other in To and Cc.
func checkBulkExternal(r *Report, p Policy) {
	if p.BulkExternalThreshold <= 0 {
		return
	}
	n := 0
	for _, rr := range r.Recipients {
		if !rr.Internal && rr.Field != "Bcc" {
			n++
		}
	}
	if n < p.BulkExternalThreshold {
		return
	}
	r.addFinding(Finding{
		ID:       string(KindBulkExternal),
		Kind:     KindBulkExternal,
		Severity: SeverityWarning,
		Explanation: fmt.Sprintf("%d external addresses in To and Cc will see each other. "+
			"Put them in Bcc unless they must know who else received this.", n),
		Confirm: true,
	})
}
