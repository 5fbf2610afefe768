package audit

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
)

// Kind names what an entry records.
type Kind string

const (
	KindVaultUnlocked    Kind = "vault.unlocked"
	KindVaultLocked      Kind = "vault.locked"
	KindUnlockFailed     Kind = "vault.unlock_failed"
	KindAccountAdded     Kind = "account.added"
	KindAccountChanged   Kind = "account.changed"
	KindAccountRemoved   Kind = "account.removed"
	KindMessageSent      Kind = "message.sent"
	KindMessageOpened    Kind = "message.opened"
	KindMessageDecrypted Kind = "message.decrypted"
	// KindMessageResendRequested records the user's request to send a
	// held outbox message again. Reason is the state it was held in.
	KindMessageResendRequested Kind = "message.resend_requested"
	// KindMessageDiscarded records that the user deleted an outbox
	// message without sending it. Reason is the state it was held in, or
	// "queued" for a message withdrawn before its submission.
	KindMessageDiscarded Kind = "message.discarded"
	// KindMessageHeld records that the outbox stopped sending a message
	// and holds it for the user: the server rejected it for good, or its
	// submission was cut off and it may have arrived.
	KindMessageHeld     Kind = "message.held"
	KindAttachmentSaved Kind = "attachment.saved"
	KindKeyGenerated    Kind = "key.generated"
	KindKeyImported     Kind = "key.imported"
	KindKeyExported     Kind = "key.exported"
	KindKeyTrusted      Kind = "key.trusted"
	KindKeyChanged      Kind = "key.changed"
	KindConsentRecorded Kind = "consent.recorded"
	KindPolicyLoaded    Kind = "policy.loaded"
	KindPolicyRejected  Kind = "policy.rejected"
	KindPolicyChanged   Kind = "policy.changed"
	KindAuditPruned     Kind = "audit.pruned"
	// KindAuditRollback records that the trail, when opened, was shorter
	// than its anchor outside the database: newest entries were removed
	// and the head record restored. Count is the anchored sequence number.
	KindAuditRollback Kind = "audit.rollback_detected"
)

var knownKinds = map[Kind]bool{
	KindVaultUnlocked: true, KindVaultLocked: true, KindUnlockFailed: true,
	KindAccountAdded: true, KindAccountChanged: true, KindAccountRemoved: true,
	KindMessageSent: true, KindMessageOpened: true, KindMessageDecrypted: true,
	KindMessageResendRequested: true, KindMessageDiscarded: true, KindMessageHeld: true,
	KindAttachmentSaved: true,
	KindKeyGenerated:    true, KindKeyImported: true, KindKeyExported: true, KindKeyTrusted: true, KindKeyChanged: true,
	KindConsentRecorded: true,
	KindPolicyLoaded:    true, KindPolicyRejected: true, KindPolicyChanged: true,
	KindAuditPruned: true, KindAuditRollback: true,
}

// ErrInvalidEvent is wrapped by every error about an event that cannot be
// recorded as given.
var ErrInvalidEvent = errors.New("invalid audit event")

// Event is one occurrence to record. The trail adds its time and sequence
// number. No field holds a subject, a body, a file name or other message
// text. Addresses and Message-IDs become pseudonyms when forwarded, and
// Justification, the only free text, stays in the local trail.
type Event struct {
	Kind Kind `json:"kind"`
	// Account is the address of the user's account involved.
	Account    string      `json:"account,omitempty"`
	MessageID  string      `json:"messageId,omitempty"`
	Recipients []Recipient `json:"recipients,omitempty"`
	Findings   []Finding   `json:"findings,omitempty"`
	// Confirmations are codes of the prompts the user confirmed, such as
	// "external-recipients" or "phi-high".
	Confirmations []string `json:"confirmations,omitempty"`
	// Justification is the text the user typed to justify sending, with
	// identifiers masked by MessageSent.
	Justification string `json:"justification,omitempty"`
	// Overrides are the policy setting paths the user overrode with a
	// confirmation or justification.
	Overrides []string `json:"overrides,omitempty"`
	Key       *KeyInfo `json:"key,omitempty"`
	// Scheme is "openpgp" or "smime" for decryption events.
	Scheme     string          `json:"scheme,omitempty"`
	Attachment *AttachmentInfo `json:"attachment,omitempty"`
	Consent    *ConsentInfo    `json:"consent,omitempty"`
	// Reason is a code such as "idle" or "wrong-passphrase".
	Reason string `json:"reason,omitempty"`
	// Settings are the names of changed account fields or policy paths.
	Settings []string `json:"settings,omitempty"`
	// Origins are policy sources (file paths or registry keys).
	Origins []string `json:"origins,omitempty"`
	// Problems are policy validation messages, which name setting paths
	// and policy values, never message content.
	Problems []string `json:"problems,omitempty"`
	Count    int64    `json:"count,omitempty"`
}

// Recipient is one recipient of a sent message and how it was protected.
type Recipient struct {
	Address string `json:"address"`
	// Method is "openpgp", "smime", "password-pdf" or "consented-plain".
	Method string `json:"method"`
}

// Finding counts the PHI findings of one kind in a sent message.
type Finding struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

// KeyInfo identifies a key or certificate.
type KeyInfo struct {
	Fingerprint string `json:"fingerprint"`
	// Address is the user ID or certificate address the key is for.
	Address string `json:"address,omitempty"`
	// Type is "openpgp" or "smime".
	Type string `json:"type"`
	// Trust is the new trust level for KindKeyTrusted, such as "verified".
	Trust string `json:"trust,omitempty"`
}

// AttachmentInfo describes a saved attachment by its file name extension
// and size only, because file names often contain patient names.
type AttachmentInfo struct {
	Extension string `json:"extension"`
	Size      int64  `json:"size"`
	// Encrypted reports that the saved file is still encrypted.
	Encrypted bool `json:"encrypted"`
}

// ConsentInfo is a patient's recorded consent to receive plain mail.
type ConsentInfo struct {
	Address string `json:"address"`
	// Scope is a code such as "plain-mail" or "plain-mail-results".
	Scope string `json:"scope"`
}

// codePattern is the form of every code field: short, lower case, no
// spaces, so that no sentence of message text fits in by mistake.
var codePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._:/-]{0,63}$`)

// settingPattern allows policy paths and account field names.
var settingPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._\[\]-]{0,127}$`)

var fingerprintPattern = regexp.MustCompile(`^[0-9A-F]{16,128}$`)

var extensionPattern = regexp.MustCompile(`^(\.[A-Za-z0-9]{1,16})?$`)

const maxJustification = 2000

// Validate checks that every field has its expected form. Its messages
// name fields, never values, because a wrong value may be message text.
func (e Event) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if !knownKinds[e.Kind] {
		add("unknown kind")
	}
	switch e.Kind {
	case KindKeyGenerated, KindKeyImported, KindKeyExported, KindKeyTrusted, KindKeyChanged:
		if e.Key == nil {
			add("key: missing")
		}
	case KindConsentRecorded:
		if e.Consent == nil {
			add("consent: missing")
		}
	case KindAttachmentSaved:
		if e.Attachment == nil {
			add("attachment: missing")
		}
	case KindMessageSent:
		if e.MessageID == "" || len(e.Recipients) == 0 {
			add("messageId and recipients: missing")
		}
	case KindMessageResendRequested, KindMessageDiscarded, KindMessageHeld:
		// The Message-ID may be missing, because a held message whose
		// Message-ID the trail rejects must still leave a record. Only a
		// discarded message can also have been queued.
		queued := e.Kind == KindMessageDiscarded && e.Reason == "queued"
		if e.Reason != "failed" && e.Reason != "uncertain" && !queued {
			add("reason: not a held state (failed or uncertain), nor queued for a discarded message")
		}
	}
	checkAddress := func(field, value string, required bool) {
		if value == "" && !required {
			return
		}
		if err := checkAddr(value); err != nil {
			add("%s: %v", field, err)
		}
	}
	checkAddress("account", e.Account, false)
	if e.MessageID != "" && !validMessageID(e.MessageID) {
		add("messageId: not a Message-ID such as <id@example.org>")
	}
	for i, r := range e.Recipients {
		checkAddress(fmt.Sprintf("recipients[%d].address", i), r.Address, true)
		if !codePattern.MatchString(r.Method) {
			add("recipients[%d].method: not a method code such as openpgp", i)
		}
	}
	for i, f := range e.Findings {
		if !codePattern.MatchString(f.Kind) || f.Count < 0 {
			add("findings[%d]: kind must be a code and count not negative", i)
		}
	}
	for _, c := range e.Confirmations {
		if !codePattern.MatchString(c) {
			add("confirmations: not a code such as phi-high")
		}
	}
	if len(e.Justification) > maxJustification {
		add("justification: longer than %d bytes", maxJustification)
	}
	for _, list := range [][]string{e.Overrides, e.Settings} {
		for _, s := range list {
			if !settingPattern.MatchString(s) {
				add("settings and overrides: not a setting path such as idleLock.minutes")
			}
		}
	}
	if e.Key != nil {
		if !fingerprintPattern.MatchString(e.Key.Fingerprint) {
			add("key.fingerprint: expected upper-case hex without spaces")
		}
		checkAddress("key.address", e.Key.Address, false)
		if !codePattern.MatchString(e.Key.Type) || (e.Key.Trust != "" && !codePattern.MatchString(e.Key.Trust)) {
			add("key: type and trust must be codes")
		}
	}
	for field, code := range map[string]string{"scheme": e.Scheme, "reason": e.Reason} {
		if code != "" && !codePattern.MatchString(code) {
			add("%s: not a code such as wrong-passphrase", field)
		}
	}
	if e.Attachment != nil && (!extensionPattern.MatchString(e.Attachment.Extension) || e.Attachment.Size < 0) {
		add("attachment: extension must be like .pdf and size not negative")
	}
	if e.Consent != nil {
		checkAddress("consent.address", e.Consent.Address, true)
		if !codePattern.MatchString(e.Consent.Scope) {
			add("consent.scope: not a code such as plain-mail")
		}
	}
	if len(problems) > 0 {
		kind := string(e.Kind)
		if !knownKinds[e.Kind] {
			// An unknown kind may be any text, so it stays out.
			kind = "of unknown kind"
		}
		return fmt.Errorf("%w %s: %s", ErrInvalidEvent, kind, strings.Join(problems, "; "))
	}
	return nil
}

// checkAddr accepts a bare addr-spec ("a@example.org"), without a display
// name, which could carry a patient's name.
func checkAddr(value string) error {
	addr, err := mail.ParseAddress(value)
	if err != nil || addr.Name != "" || addr.Address != value {
		// The value stays out of the message, which may reach a log.
		return errors.New("not a bare address such as user@example.org")
	}
	return nil
}

func validMessageID(id string) bool {
	return len(id) >= 3 && len(id) <= 998 && strings.HasPrefix(id, "<") && strings.HasSuffix(id, ">") &&
		!strings.ContainsAny(id, " \t\r\n") && strings.Contains(id, "@")
}
