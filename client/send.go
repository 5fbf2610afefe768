package client

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"time"

	"securemail/audit"
	"securemail/cache"
	"securemail/compose"
	"securemail/crypto"
	"securemail/crypto/discovery"
	"securemail/crypto/pgp"
	"securemail/crypto/smime"
	"securemail/phi"
	"securemail/policy"
)

// Review runs the recipient review and the PHI review of draft under the
// policy. Recipients without a known key are looked up first in the key
// discovery sources the policy allows.
func (c *Client) Review(draft *compose.Draft) (*compose.Report, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	c.discoverRecipients(s, draft)
	env, err := c.composeEnv(s, draft)
	if err != nil {
		return nil, err
	}
	return compose.Review(draft, env)
}

// Send seals draft under the review and the sender's confirmations, queues every envelope in the
// outbox of the sender's account, and records the sending in the audit
// trail. It does not submit; FlushOutbox does. The returned Sealed holds
// the passwords of password-protected copies, which the caller shows to
// the sender and must never log or store.
func (c *Client) Send(accountID string, draft *compose.Draft, report *compose.Report, answers compose.Answers) (*compose.Sealed, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	if _, err := loadAccount(s, accountID); err != nil {
		return nil, fmt.Errorf("client: account %q: %w", accountID, err)
	}
	env, err := c.composeEnv(s, draft)
	if err != nil {
		return nil, err
	}
	sealed, err := compose.Seal(draft, report, answers, env)
	if err != nil {
		return nil, err
	}

	now := c.opts.Now()
	for i, e := range sealed.Envelopes {
		it := &cache.OutboxItem{
			Account:    accountID,
			MessageID:  messageIDOf(e.Raw),
			From:       draft.From.Address,
			Recipients: e.Recipients,
			Raw:        e.Raw,
			State:      cache.OutboxQueued,
			Created:    now,
		}
		if it.MessageID == "" {
			it.MessageID = sealed.MessageID
		}
		// One Sent copy per message, filed after the first envelope.
		if i == 0 {
			it.SentCopy = sealed.SentCopy
		}
		if err := s.store.OutboxAdd(it); err != nil {
			return nil, fmt.Errorf("client: queueing envelope %d of %d: %w", i+1, len(sealed.Envelopes), err)
		}
	}
	for _, r := range report.Recipients {
		if r.Method != compose.MethodNone {
			s.history.note(r.Address, now)
		}
	}
	sent := auditSent(accountID, sealed)
	// The organisation's record-number patterns mask the justification
	// before the trail's built-in detectors do.
	// Without a scanner (the policy is validated, so this is not
	// expected) the built-in masking still applies.
	if scanner, err := justificationScanner(c.policy.Settings()); err == nil {
		sent.Justification = audit.MaskJustificationWith(scanner, sent.Justification)
	}
	c.record(audit.MessageSent(sent))
	return sealed, nil
}

func messageIDOf(raw []byte) string {
	return headerField(raw, "Message-Id")
}

func auditSent(accountID string, sealed *compose.Sealed) audit.Sent {
	a := sealed.Audit
	sent := audit.Sent{
		Account:       accountID,
		MessageID:     "<" + strings.Trim(sealed.MessageID, "<>") + ">",
		Justification: a.Justification,
	}
	// Finding IDs name the recipient ("lookalike:ann@lab.test"); the
	// trail records the kind, and the recipients list holds the address.
	seen := map[string]bool{}
	for _, id := range a.Confirmed {
		kind, _, _ := strings.Cut(id, ":")
		if !seen[kind] {
			seen[kind] = true
			sent.Confirmations = append(sent.Confirmations, kind)
		}
	}
	for _, r := range a.Recipients {
		sent.Recipients = append(sent.Recipients, audit.Recipient{Address: r.Address, Method: methodName(r.Method)})
	}
	kinds := make([]string, 0, len(a.PHIKinds))
	for k := range a.PHIKinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		sent.Findings = append(sent.Findings, audit.Finding{Kind: k, Count: a.PHIKinds[k]})
	}
	return sent
}

func methodName(m compose.Method) string {
	switch m {
	case compose.MethodOpenPGP:
		return policy.MethodOpenPGP
	case compose.MethodSMIME:
		return policy.MethodSMIME
	case compose.MethodPasswordPDF:
		return policy.MethodPasswordPDF
	case compose.MethodPlain:
		return policy.MethodConsentedPlain
	}
	return "none"
}

// composeEnv builds what compose.Review and compose.Seal read for draft.
func (c *Client) composeEnv(s *session, draft *compose.Draft) (*compose.Env, error) {
	settings := c.policy.Settings()
	scanner, err := phi.NewScanner(ScanConfig(settings))
	if err != nil {
		return nil, fmt.Errorf("client: the policy's PHI settings are invalid: %w", err)
	}
	var autocrypt string
	if slices.Contains(settings.KeyDiscovery.Sources, "autocrypt") {
		autocrypt = c.autocryptHeader(s, draft.From.Address)
	}
	return &compose.Env{
		Autocrypt: autocrypt,
		Policy:    composePolicy(settings),
		Scanner:   phiScanner{scanner: scanner},
		Keys:      keyDirectory{c: c, s: s},
		Protector: protector{c: c, s: s},
		Consents:  consentRegistry{s: s},
		History:   s.history,
		Contacts:  contactBook{s: s},
		Now:       c.opts.Now,
	}, nil
}

// autocryptHeader returns the Autocrypt header value advertising the
// sender's own OpenPGP key, or "" when the sender has none.
func (c *Client) autocryptHeader(s *session, from string) string {
	key, err := s.signingKey(from, c.opts.Now())
	if err != nil || key == nil {
		return ""
	}
	pub, err := key.ToPublic()
	if err != nil {
		return ""
	}
	raw, err := pub.Serialize()
	if err != nil {
		return ""
	}
	value, err := discovery.FormatAutocrypt(from, discovery.Mutual, raw)
	if err != nil {
		return ""
	}
	return value
}

func composePolicy(s policy.Settings) compose.Policy {
	p := compose.DefaultPolicy()
	p.InternalDomains = s.InternalDomains
	p.OpenPGPDisabled = !slices.Contains(s.Encryption.AllowedMethods, policy.MethodOpenPGP)
	p.SMIMEDisabled = !slices.Contains(s.Encryption.AllowedMethods, policy.MethodSMIME)
	p.PasswordPDF = slices.Contains(s.Encryption.AllowedMethods, policy.MethodPasswordPDF)
	p.ConsentedPlain = slices.Contains(s.Encryption.AllowedMethods, policy.MethodConsentedPlain)
	p.LookalikeWarnOnly = s.RecipientReview.Lookalike == "warn"
	p.BulkExternalThreshold = s.RecipientReview.ManyExternalThreshold
	high := phiAction(s.PHI.Actions.High)
	p.PHIActions = map[compose.Sensitivity]compose.PHIAction{
		compose.SensitivityNone:     compose.ActionAllow,
		compose.SensitivityLow:      phiAction(s.PHI.Actions.Low),
		compose.SensitivityModerate: phiAction(s.PHI.Actions.Moderate),
		compose.SensitivityHigh:     high,
		// The policy has no level above high; special categories get at
		// least a justification.
		compose.SensitivitySpecial: max(high, compose.ActionJustify),
	}
	return p
}

// phiAction maps a policy action name; an unknown name blocks.
func phiAction(name string) compose.PHIAction {
	switch name {
	case "allow":
		return compose.ActionAllow
	case "warn":
		return compose.ActionWarn
	case "justify":
		return compose.ActionJustify
	}
	return compose.ActionBlock
}

// ScanConfig maps the policy's PHI settings to the scanner's. Its action
// per level comes from composePolicy, so `securemail scan` and the send
// review agree, also on the special categories (the scanner's restricted
// level).
func ScanConfig(s policy.Settings) phi.Config {
	d := s.PHI.Detectors
	review := composePolicy(s).PHIActions
	return phi.Config{
		MRNPatterns: s.PHI.MRNPatterns,
		Actions: map[phi.Level]phi.Action{
			phi.LevelNone:       scanAction(review[compose.SensitivityNone]),
			phi.LevelLow:        scanAction(review[compose.SensitivityLow]),
			phi.LevelModerate:   scanAction(review[compose.SensitivityModerate]),
			phi.LevelHigh:       scanAction(review[compose.SensitivityHigh]),
			phi.LevelRestricted: scanAction(review[compose.SensitivitySpecial]),
		},
		DisableIdentifiers: !d.Identifiers,
		DisableClinical:    !d.Clinical,
		DisableSensitive:   !d.Sensitive,
		SkipAttachments:    !d.Attachments,
	}
}

// justificationScanner returns a scanner with the policy's identifier
// detectors and record-number patterns only.
func justificationScanner(s policy.Settings) (*phi.Scanner, error) {
	cfg := ScanConfig(s)
	cfg.DisableClinical, cfg.DisableSensitive, cfg.SkipAttachments = true, true, true
	cfg.DisableIdentifiers = false
	return phi.NewScanner(cfg)
}

// scanAction returns the scanner's action for a review action.
func scanAction(a compose.PHIAction) phi.Action {
	switch a {
	case compose.ActionAllow:
		return phi.ActionAllow
	case compose.ActionWarn:
		return phi.ActionWarn
	case compose.ActionJustify:
		return phi.ActionJustify
	}
	return phi.ActionBlock
}

// phiScanner adapts phi.Scanner to compose.PHIScanner.
type phiScanner struct {
	scanner *phi.Scanner
}

func (p phiScanner) Scan(doc compose.PHIDocument) (compose.PHIReport, error) {
	d := phi.Document{Subject: doc.Subject, Body: doc.Body}
	for _, a := range doc.Attachments {
		d.Attachments = append(d.Attachments, phi.Attachment{Name: a.Name, ContentType: a.ContentType, Data: a.Data})
	}
	r := p.scanner.Scan(d)
	out := compose.PHIReport{Level: sensitivity(r.Level)}
	for _, f := range r.Findings {
		kind := string(f.Kind)
		if f.Category.Special() {
			// The review names special categories ("mental-health"), which
			// carry their own legal rules, rather than the matched term.
			kind = string(f.Category)
		}
		out.Findings = append(out.Findings, compose.PHIFinding{
			Kind:       kind,
			Location:   location(f.Field),
			Attachment: f.Attachment,
			Offset:     f.Start,
			Excerpt:    f.Excerpt,
		})
	}
	return out, nil
}

func sensitivity(l phi.Level) compose.Sensitivity {
	switch l {
	case phi.LevelNone:
		return compose.SensitivityNone
	case phi.LevelLow:
		return compose.SensitivityLow
	case phi.LevelModerate:
		return compose.SensitivityModerate
	case phi.LevelHigh:
		return compose.SensitivityHigh
	}
	return compose.SensitivitySpecial
}

func location(f phi.Field) compose.PHILocation {
	switch f {
	case phi.FieldSubject:
		return compose.InSubject
	case phi.FieldBody:
		return compose.InBody
	}
	return compose.InAttachment
}

// keyDirectory reports recipients' key status from the trust bindings.
type keyDirectory struct {
	c *Client
	s *session
}

func (k keyDirectory) OpenPGP(address string) (compose.KeyStatus, error) {
	b, err := k.s.trust.Lookup(crypto.SchemeOpenPGP, address)
	if errors.Is(err, fs.ErrNotExist) {
		return compose.KeyStatus{State: compose.KeyMissing}, nil
	}
	if err != nil {
		return compose.KeyStatus{}, err
	}
	now := k.c.opts.Now()
	st := compose.KeyStatus{Fingerprint: b.Fingerprint}
	key, err := pgp.ReadKey(b.Public)
	switch {
	case err != nil:
		st.State, st.Detail = compose.KeyInvalid, "the stored key cannot be read"
	case key.Revoked(now):
		st.State, st.Detail = compose.KeyRevoked, "the key was revoked by its owner"
	case key.Expired(now):
		st.State, st.Detail = compose.KeyExpired, "the key has expired"
	case !key.CanEncrypt(now):
		st.State, st.Detail = compose.KeyInvalid, "the key has no usable encryption subkey"
	case b.Pending != nil:
		st.State, st.Detail = compose.KeyUntrusted, "this contact's key changed; compare the new fingerprint with them before sending"
	default:
		st.State = compose.KeyUsable
	}
	if err == nil {
		st.Expires = key.ExpiresAt()
	}
	return st, nil
}

func (k keyDirectory) SMIME(address string) (compose.KeyStatus, error) {
	b, err := k.s.trust.Lookup(crypto.SchemeSMIME, address)
	if errors.Is(err, fs.ErrNotExist) {
		return compose.KeyStatus{State: compose.KeyMissing}, nil
	}
	if err != nil {
		return compose.KeyStatus{}, err
	}
	st := compose.KeyStatus{Fingerprint: b.Fingerprint}
	cert, err := x509.ParseCertificate(b.Public)
	if err != nil {
		st.State, st.Detail = compose.KeyInvalid, "the stored certificate cannot be read"
		return st, nil
	}
	st.Expires = cert.NotAfter
	v := smime.ValidateCertificate(cert, smime.ValidationOptions{
		Roots: k.c.extraRoots(), Now: k.c.opts.Now(), Email: address, Purpose: smime.PurposeEncryption,
	})
	switch {
	case v.State == smime.CertificateExpired:
		st.State, st.Detail = compose.KeyExpired, "the certificate has expired"
	case !v.State.Usable():
		st.State, st.Detail = compose.KeyInvalid, v.State.String()
	case b.Pending != nil:
		st.State, st.Detail = compose.KeyUntrusted, "this contact's certificate changed; check it before sending"
	default:
		st.State = compose.KeyUsable
	}
	return st, nil
}

// protector encrypts payloads for compose with the bound keys, signing
// with the sender's own key or certificate when there is one.
type protector struct {
	c *Client
	s *session
}

func (p protector) Protect(scheme crypto.Scheme, recipients []string, payload []byte) ([]byte, error) {
	switch scheme {
	case crypto.SchemeOpenPGP:
		return p.openPGP(recipients, payload)
	case crypto.SchemeSMIME:
		return p.smime(recipients, payload)
	}
	return nil, fmt.Errorf("client: no protection for scheme %v", scheme)
}

func (p protector) openPGP(recipients []string, payload []byte) ([]byte, error) {
	now := p.c.opts.Now()
	var keys []*pgp.Key
	var signer *pgp.Key
	for _, addr := range recipients {
		if own, err := p.s.signingKey(addr, now); err == nil && own != nil {
			keys = append(keys, own)
			signer = own
			continue
		}
		b, err := p.s.trust.Lookup(crypto.SchemeOpenPGP, addr)
		if err != nil {
			return nil, fmt.Errorf("client: no OpenPGP key for %s: %w", addr, err)
		}
		k, err := pgp.ReadKey(b.Public)
		if err != nil {
			return nil, fmt.Errorf("client: OpenPGP key for %s: %w", addr, err)
		}
		keys = append(keys, k)
	}
	if signer == nil {
		if from := payloadFrom(payload); from != "" {
			signer, _ = p.s.signingKey(from, now)
		}
	}
	return pgp.EncryptEntity(payload, keys, signer, now)
}

func (p protector) smime(recipients []string, payload []byte) ([]byte, error) {
	var certs []*x509.Certificate
	for _, addr := range recipients {
		b, err := p.s.trust.Lookup(crypto.SchemeSMIME, addr)
		if err != nil {
			return nil, fmt.Errorf("client: no S/MIME certificate for %s: %w", addr, err)
		}
		cert, err := x509.ParseCertificate(b.Public)
		if err != nil {
			return nil, fmt.Errorf("client: S/MIME certificate for %s: %w", addr, err)
		}
		certs = append(certs, cert)
	}
	entity := payload
	if from := payloadFrom(payload); from != "" {
		if id, err := p.s.identityFor(from); err == nil && id != nil {
			signed, err := smime.SignEntity(payload, id, false)
			if err != nil {
				return nil, fmt.Errorf("client: signing with the S/MIME certificate of %s: %w", from, err)
			}
			entity = signed
		}
	}
	return smime.EncryptEntity(entity, certs, nil)
}

// payloadFrom returns the sender address from a protected payload's
// copied header fields.
func payloadFrom(payload []byte) string {
	return addrSpec(headerField(payload, "From"))
}

// consentRegistry keeps patients' recorded consents to plain mail.
type consentRegistry struct{ s *session }

const consentKind = "consent"

func (r consentRegistry) Consent(address string) (compose.Consent, bool, error) {
	raw, err := r.s.store.GetRecord(consentKind, strings.ToLower(address))
	if errors.Is(err, fs.ErrNotExist) {
		return compose.Consent{}, false, nil
	}
	if err != nil {
		return compose.Consent{}, false, err
	}
	var cons compose.Consent
	if err := json.Unmarshal(raw, &cons); err != nil {
		return compose.Consent{}, false, fmt.Errorf("client: consent record for %s is unreadable: %w", address, err)
	}
	return cons, true, nil
}

// RecordConsent records that the patient at address requested
// unencrypted mail after being warned of the risk. recordedBy names the staff
// member; a zero expires means no expiry.
func (c *Client) RecordConsent(accountID, address, recordedBy string, expires time.Time) error {
	s, err := c.current()
	if err != nil {
		return err
	}
	addr := addrSpec(address)
	if addr == "" {
		return fmt.Errorf("client: invalid consent address %q", address)
	}
	if strings.TrimSpace(recordedBy) == "" {
		return errors.New("client: a consent needs the name of who recorded it")
	}
	cons := compose.Consent{Address: addr, RecordedBy: recordedBy, RecordedAt: c.opts.Now(), Expires: expires}
	raw, err := json.Marshal(cons)
	if err != nil {
		return err
	}
	if err := s.store.PutRecord(consentKind, addr, raw); err != nil {
		return err
	}
	// The expiry stays in the sealed consent record; the trail records
	// what was consented to.
	c.record(audit.ConsentRecorded(accountID, addr, "plain-mail"))
	return nil
}

// Consents lists the recorded consents.
func (c *Client) Consents() ([]compose.Consent, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	keys, err := s.store.ListRecords(consentKind)
	if err != nil {
		return nil, err
	}
	var out []compose.Consent
	for _, k := range keys {
		cons, ok, err := consentRegistry{s: s}.Consent(k)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, cons)
		}
	}
	return out, nil
}

// RevokeConsent deletes the consent for address.
func (c *Client) RevokeConsent(address string) error {
	s, err := c.current()
	if err != nil {
		return err
	}
	return s.store.DeleteRecord(consentKind, strings.ToLower(address))
}
