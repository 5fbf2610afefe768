package compose

import (
	"encoding/hex"
	"time"

	"securemail/crypto"
)

// AuditSummary is the audit trail record of one sealed message.
// It holds no PHI: addresses, methods, finding kinds and counts, the IDs
// of confirmed findings and the justification, but no subject, body,
// attachment name or excerpt.
type AuditSummary struct {
	Time          time.Time
	MessageID     string
	DraftHash     string // hex SHA-256 of the draft
	Sender        string
	Recipients    []AuditRecipient
	FindingCounts map[FindingKind]int
	PHIKinds      map[string]int // detector kind to count
	PHILevel      Sensitivity
	PHIAction     PHIAction
	Confirmed     []string
	// Justification is the sender's text, as the policy asked for it.
	Justification string
	SentCopy      crypto.Scheme
	Attachments   int
}

// AuditRecipient is one recipient in the audit summary.
type AuditRecipient struct {
	Address      string
	Field        string
	Method       Method
	Internal     bool
	FirstContact bool
	Fingerprint  string // of the key or certificate used, if any
}

func newAuditSummary(d *Draft, report *Report, answers Answers, s *Sealed, now time.Time) AuditSummary {
	a := AuditSummary{
		Time:          now,
		MessageID:     s.MessageID,
		DraftHash:     hex.EncodeToString(report.DraftHash[:]),
		Sender:        report.Sender,
		FindingCounts: map[FindingKind]int{},
		PHIKinds:      map[string]int{},
		PHILevel:      report.PHI.Level,
		PHIAction:     report.PHIAction,
		Justification: answers.Justification,
		SentCopy:      report.SentCopy,
		Attachments:   len(d.Attachments),
	}
	for _, rr := range report.Recipients {
		ar := AuditRecipient{Address: rr.Address, Field: rr.Field, Method: rr.Method, Internal: rr.Internal, FirstContact: rr.FirstContact}
		switch rr.Method {
		case MethodOpenPGP:
			ar.Fingerprint = rr.OpenPGP.Fingerprint
		case MethodSMIME:
			ar.Fingerprint = rr.SMIME.Fingerprint
		}
		a.Recipients = append(a.Recipients, ar)
	}
	for _, f := range report.Findings {
		a.FindingCounts[f.Kind]++
	}
	for _, f := range report.PHI.Findings {
		a.PHIKinds[f.Kind]++
	}
	// Only IDs the review asked for are kept, so free text in Confirmed
	// cannot reach the audit trail.
	for _, id := range report.Confirmations() {
		for _, c := range answers.Confirmed {
			if c == id {
				a.Confirmed = append(a.Confirmed, id)
				break
			}
		}
	}
	return a
}
