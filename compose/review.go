package compose

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"securemail/compose/lookalike"
	"securemail/crypto"
)

// Review checks a draft before it is sent and returns the whole report:
// each recipient with its risks, key status and planned method, the PHI
// findings with the policy action, and the findings that need the
// sender's confirmation. It returns an error only when a lookup in env
// fails; problems with the draft itself become findings.
func Review(d *Draft, env *Env) (*Report, error) {
	r := &Report{DraftHash: d.Hash()}

	sender, err := normalizeAddress(d.From.Address)
	if err != nil {
		return nil, fmt.Errorf("compose: invalid sender address %q: %w; fix the account's address", d.From.Address, err)
	}
	r.Sender = sender.address
	if err := checkReferences(d); err != nil {
		return nil, err
	}

	known, err := knownDomains(env)
	if err != nil {
		return nil, err
	}
	contacts, err := env.Contacts.Contacts()
	if err != nil {
		return nil, fmt.Errorf("compose: read contacts: %w", err)
	}

	recipients := collectRecipients(d)
	for i := range recipients {
		rc := &recipients[i]
		review, err := reviewRecipient(rc, known, contacts, env)
		if err != nil {
			return nil, err
		}
		if review != nil {
			r.Recipients = append(r.Recipients, *review)
		}
		for _, f := range rc.findings {
			r.addFinding(f)
		}
	}
	if len(r.Recipients) == 0 {
		r.addFinding(Finding{ID: string(KindNoRecipients), Kind: KindNoRecipients, Severity: SeverityBlocking,
			Explanation: "The message has no valid recipient. Add at least one address in To, Cc or Bcc."})
	}

	for i := range r.Recipients {
		for _, f := range recipientFindings(&r.Recipients[i]) {
			r.addFinding(f)
		}
	}
	checkReplyAll(d, r)
	checkBulkExternal(r, env.Policy)

	if err := reviewSentCopy(r, env); err != nil {
		return nil, err
	}
	if err := reviewPHI(d, r, env); err != nil {
		return nil, err
	}

	r.sortFindings()
	r.digest = r.computeDigest()
	return r, nil
}

// recipient is one recipient address as parsed from the draft, with the
// findings that belong to the address itself.
type recipient struct {
	mail.Address
	field    string
	parsed   parsedAddress
	valid    bool
	findings []Finding
}

// collectRecipients returns the recipients of d in the order To, Cc, Bcc.
// An address listed more than once keeps its first and most visible
// field. Invalid addresses are returned with a blocking finding.
func collectRecipients(d *Draft) []recipient {
	var out []recipient
	seen := map[string]bool{}
	for _, list := range []struct {
		field string
		addrs []mail.Address
	}{{"To", d.To}, {"Cc", d.Cc}, {"Bcc", d.Bcc}} {
		for _, a := range list.addrs {
			p, err := normalizeAddress(a.Address)
			if err != nil {
				out = append(out, recipient{Address: a, field: list.field, findings: []Finding{{
					ID:       "invalid:" + a.Address,
					Kind:     KindInvalidAddress,
					Severity: SeverityBlocking,
					Explanation: fmt.Sprintf("%q in %s is not a valid address (%v). Correct or remove it.",
						a.Address, list.field, err),
				}}})
				continue
			}
			if seen[p.address] {
				continue
			}
			seen[p.address] = true
			out = append(out, recipient{Address: a, field: list.field, parsed: p, valid: true})
		}
	}
	return out
}

// reviewRecipient gathers the facts about one valid recipient and plans
// its method. It returns nil for an invalid one.
func reviewRecipient(rc *recipient, known []lookalike.Domain, contacts []Contact, env *Env) (*RecipientReview, error) {
	if !rc.valid {
		return nil, nil
	}
	p := rc.parsed
	review := &RecipientReview{
		Address:  p.address,
		Name:     rc.Name,
		Field:    rc.field,
		Domain:   p.domain.Unicode,
		Internal: env.Policy.isInternal(p.domain.ASCII),
	}

	count, err := env.History.SentCount(p.address)
	if err != nil {
		return nil, fmt.Errorf("compose: read the sending history of %s: %w", p.address, err)
	}
	review.FirstContact = count == 0

	if review.OpenPGP, err = env.Keys.OpenPGP(p.address); err != nil {
		return nil, fmt.Errorf("compose: look up the OpenPGP key of %s: %w", p.address, err)
	}
	if review.SMIME, err = env.Keys.SMIME(p.address); err != nil {
		return nil, fmt.Errorf("compose: look up the S/MIME certificate of %s: %w", p.address, err)
	}
	if err := planMethod(review, env); err != nil {
		return nil, err
	}

	if f, ok := lookalikeFinding(review, p.domain, known, env.Policy.LookalikeWarnOnly); ok {
		review.appendTo(&rc.findings, f)
	}
	if f, ok := displayNameFinding(review, contacts); ok {
		review.appendTo(&rc.findings, f)
	}
	return review, nil
}

func (rr *RecipientReview) appendTo(findings *[]Finding, f Finding) {
	f.Recipient = rr.Address
	*findings = append(*findings, f)
}

// reviewSentCopy chooses the scheme of the sender's encrypted copy in Sent.
func reviewSentCopy(r *Report, env *Env) error {
	pgp, err := env.Keys.OpenPGP(r.Sender)
	if err != nil {
		return fmt.Errorf("compose: look up the sender's OpenPGP key: %w", err)
	}
	if pgp.State == KeyUsable {
		r.SentCopy = crypto.SchemeOpenPGP
		return nil
	}
	smime, err := env.Keys.SMIME(r.Sender)
	if err != nil {
		return fmt.Errorf("compose: look up the sender's S/MIME certificate: %w", err)
	}
	if smime.State == KeyUsable {
		r.SentCopy = crypto.SchemeSMIME
		return nil
	}
	r.addFinding(Finding{
		ID:       string(KindNoSentCopyKey),
		Kind:     KindNoSentCopyKey,
		Severity: SeverityBlocking,
		Explanation: "Your account has no usable OpenPGP key or S/MIME certificate, so the copy kept in Sent " +
			"cannot be encrypted. Create or import a key for the sending address in the Keys and certificates " +
			"window, or with securemail keys generate or keys import.",
	})
	return nil
}

// now returns the environment's current time.
func (env *Env) now() time.Time {
	if env.Now != nil {
		return env.Now()
	}
	return time.Now()
}

// parsedAddress is a recipient address split and normalized.
type parsedAddress struct {
	address string // local part and ASCII domain, lower case
	domain  lookalike.Domain
}

// normalizeAddress lower-cases an address and converts its domain to the
// ASCII form used over SMTP.
func normalizeAddress(address string) (parsedAddress, error) {
	at := strings.LastIndexByte(address, '@')
	if at <= 0 || at == len(address)-1 {
		return parsedAddress{}, fmt.Errorf("missing local part or domain")
	}
	if _, err := mail.ParseAddress(address); err != nil {
		return parsedAddress{}, err
	}
	domain, err := lookalike.Parse(address[at+1:])
	if err != nil {
		return parsedAddress{}, err
	}
	return parsedAddress{
		address: strings.ToLower(address[:at]) + "@" + domain.ASCII,
		domain:  domain,
	}, nil
}

// ValidMessageID reports whether id, given without angle brackets, can
// be written as a msg-id (RFC 5322 section 3.6.4). It accepts a left and
// a right part around one "@" made of printable ASCII other than the
// specials <>"\(),;: and short enough for one header line.
func ValidMessageID(id string) bool {
	left, right, ok := strings.Cut(id, "@")
	if !ok || left == "" || right == "" || strings.Contains(right, "@") || len(id) > 900 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`<>"\(),;:`, c) >= 0 {
			return false
		}
	}
	return true
}

// checkReferences rejects an In-Reply-To or References value that is not
// a Message-ID, such as one with a line break copied from a hostile
// message, before it reaches a header.
func checkReferences(d *Draft) error {
	if d.InReplyTo != "" && !ValidMessageID(d.InReplyTo) {
		return fmt.Errorf("compose: In-Reply-To %q is not a valid Message-ID; write the reply again or start a new message", d.InReplyTo)
	}
	for _, id := range d.References {
		if !ValidMessageID(id) {
			return fmt.Errorf("compose: References entry %q is not a valid Message-ID; write the reply again or start a new message", id)
		}
	}
	return nil
}
