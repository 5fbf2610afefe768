package compose

import "strings"

// PHIAction is the policy response to PHI of a given sensitivity.
type PHIAction int

const (
	ActionAllow   PHIAction = iota
	ActionWarn              // the sender confirms
	ActionJustify           // the sender confirms and writes a justification
	ActionBlock             // the message cannot be sent; no answer overrides it
)

func (a PHIAction) String() string {
	switch a {
	case ActionAllow:
		return "allow"
	case ActionWarn:
		return "warn"
	case ActionJustify:
		return "justify"
	default:
		return "block"
	}
}

// Policy is the part of the managed configuration that compose reads. The
// zero value allows no password-protected copies and no plain mail, and
// it blocks lookalike domains and PHI of any sensitivity. It leaves the
// separate subject check at allow and the bulk check off, because the
// PHI summary already covers the subject. DefaultPolicy returns the
// recommended settings.
type Policy struct {
	// InternalDomains are the organisation's own domains; subdomains
	// count as internal too.
	InternalDomains []string
	// BulkExternalThreshold is the number of external addresses in To and
	// Cc from which the review suggests Bcc; 0 turns the check off.
	BulkExternalThreshold int
	// PHIActions maps each sensitivity to an action. A sensitivity
	// missing from the map blocks, except SensitivityNone, which allows.
	PHIActions map[Sensitivity]PHIAction
	// SubjectPHI is the action for PHI in the subject on its own, which
	// stays readable in plain mail and in notifications.
	SubjectPHI PHIAction
	// OpenPGPDisabled and SMIMEDisabled remove a scheme from the methods
	// a recipient may receive; the Sent copy still uses either.
	OpenPGPDisabled bool
	SMIMEDisabled   bool
	// PasswordPDF allows the password-protected PDF copy for recipients
	// without a usable key or certificate.
	PasswordPDF bool
	// ConsentedPlain allows unencrypted mail to addresses covered by a
	// recorded, unexpired patient consent.
	ConsentedPlain bool
	// LookalikeWarnOnly lets the sender confirm a lookalike domain. When
	// it is false, as in the zero value, a lookalike domain blocks.
	LookalikeWarnOnly bool
	// RecentRecipients is how many recent recipients the lookalike check
	// compares with, besides contacts and internal domains.
	RecentRecipients int
}

// DefaultPolicy returns the settings recommended when the organisation
// sets none.
func DefaultPolicy() Policy {
	return Policy{
		BulkExternalThreshold: 5,
		PHIActions: map[Sensitivity]PHIAction{
			SensitivityNone:     ActionAllow,
			SensitivityLow:      ActionWarn,
			SensitivityModerate: ActionWarn,
			SensitivityHigh:     ActionJustify,
			SensitivitySpecial:  ActionJustify,
		},
		SubjectPHI:        ActionWarn,
		PasswordPDF:       true,
		LookalikeWarnOnly: true,
		RecentRecipients:  200,
	}
}

// phiAction returns the policy action for PHI of sensitivity s.
func (p Policy) phiAction(s Sensitivity) PHIAction {
	if a, ok := p.PHIActions[s]; ok {
		return a
	}
	if s == SensitivityNone {
		return ActionAllow
	}
	return ActionBlock
}

// isInternal reports whether an ASCII domain is one of the internal
// domains or a subdomain of one.
func (p Policy) isInternal(domain string) bool {
	for _, d := range p.InternalDomains {
		d = strings.ToLower(strings.TrimSuffix(d, "."))
		if domain == d || strings.HasSuffix(domain, "."+d) {
			return true
		}
	}
	return false
}
