package compose

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"slices"

	"securemail/crypto"
)

// Severity orders findings on the review screen, most severe first.
type Severity int

const (
	SeverityInfo Severity = iota
	SeverityWarning
	SeverityDanger
	// SeverityBlocking findings stop the message; no answer overrides them.
	SeverityBlocking
)

func (s Severity) String() string {
	switch s {
	case SeverityWarning:
		return "warning"
	case SeverityDanger:
		return "danger"
	case SeverityBlocking:
		return "blocking"
	default:
		return "info"
	}
}

// FindingKind names the check that produced a finding.
type FindingKind string

const (
	KindNoRecipients   FindingKind = "no-recipients"
	KindInvalidAddress FindingKind = "invalid-address"
	KindNoMethod       FindingKind = "no-method"
	KindNoSentCopyKey  FindingKind = "no-sent-copy-key"
	KindLookalike      FindingKind = "lookalike-domain"
	KindDisplayName    FindingKind = "display-name"
	KindReplyAll       FindingKind = "reply-all-external"
	KindBulkExternal   FindingKind = "bulk-external"
	KindFirstContact   FindingKind = "first-contact"
	KindPasswordPDF    FindingKind = "password-pdf"
	KindConsentedPlain FindingKind = "consented-plain"
	KindKeyProblem     FindingKind = "key-problem"
	KindPHI            FindingKind = "phi"
	KindPHISubject     FindingKind = "phi-subject"
	KindPHIDetail      FindingKind = "phi-detail"
)

// Finding is one line of the review screen.
type Finding struct {
	// ID is stable for the same draft and environment; answers confirm
	// findings by ID. It holds no PHI: PHI findings are named by kind and
	// location only.
	ID        string
	Kind      FindingKind
	Severity  Severity
	Recipient string // the address concerned, or empty
	// Explanation is one or two plain sentences for the sender.
	Explanation string
	// Confirm is set when the sender must confirm the finding to send.
	Confirm bool
}

// Method is the delivery method of one recipient.
type Method int

const (
	MethodNone Method = iota // not sent, for the reason in RecipientReview.Reason
	MethodOpenPGP
	MethodSMIME
	MethodPasswordPDF
	MethodPlain // unencrypted, under a recorded patient consent
)

func (m Method) String() string {
	switch m {
	case MethodOpenPGP:
		return "OpenPGP"
	case MethodSMIME:
		return "S/MIME"
	case MethodPasswordPDF:
		return "password-protected PDF"
	case MethodPlain:
		return "unencrypted (patient consent)"
	default:
		return "not sent"
	}
}

// RecipientReview is the review result for one recipient.
type RecipientReview struct {
	Address string // lower case, domain in ASCII form
	Name    string
	Field   string // "To", "Cc" or "Bcc"
	// Domain is the domain as a person reads it (Unicode form).
	Domain       string
	Internal     bool
	FirstContact bool
	OpenPGP      KeyStatus
	SMIME        KeyStatus
	Method       Method
	Reason       string   // the reason for Method, in words
	Consent      *Consent // set when Method is MethodPlain
}

// Report is the result of Review: the recipient review, the PHI review,
// the planned method per recipient and what the sender must answer.
type Report struct {
	DraftHash  [32]byte
	Sender     string
	Recipients []RecipientReview
	// Findings are deduplicated and ordered by severity, most severe first.
	Findings []Finding
	PHI      PHIReport
	// PHIAction is the policy action for the draft's PHI as a whole.
	PHIAction PHIAction
	// SentCopy is the scheme of the encrypted copy kept in Sent, or
	// crypto.SchemeNone when the sender has no usable key.
	SentCopy crypto.Scheme
	// NeedsJustification is set when the policy requires a written
	// justification for the PHI.
	NeedsJustification bool
	// digest covers everything above that Seal relies on, so that Seal
	// can tell when the environment changed after the review.
	digest [32]byte
}

// Blocked reports whether a finding stops the message.
func (r *Report) Blocked() bool {
	for _, f := range r.Findings {
		if f.Severity == SeverityBlocking {
			return true
		}
	}
	return false
}

// Confirmations returns the IDs of the findings the sender must confirm.
func (r *Report) Confirmations() []string {
	var ids []string
	for _, f := range r.Findings {
		if f.Confirm {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

// addFinding appends f unless a finding with its ID is already there.
func (r *Report) addFinding(f Finding) {
	for _, g := range r.Findings {
		if g.ID == f.ID {
			return
		}
	}
	r.Findings = append(r.Findings, f)
}

// sortFindings orders findings by severity, then kind, then recipient.
func (r *Report) sortFindings() {
	slices.SortStableFunc(r.Findings, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.Recipient, b.Recipient),
			cmp.Compare(a.ID, b.ID),
		)
	})
}

// computeDigest hashes the findings, methods and requirements.
func (r *Report) computeDigest() [32]byte {
	h := sha256.New()
	h.Write(r.DraftHash[:])
	for _, f := range r.Findings {
		fmt.Fprintf(h, "f %q %d %t\n", f.ID, f.Severity, f.Confirm)
	}
	for _, rc := range r.Recipients {
		fmt.Fprintf(h, "r %q %q %d %q %q\n", rc.Address, rc.Field, rc.Method, rc.OpenPGP.Fingerprint, rc.SMIME.Fingerprint)
	}
	fmt.Fprintf(h, "s %d %t %d\n", r.SentCopy, r.NeedsJustification, r.PHIAction)

	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}
