package audit

import "unicode/utf8"

// The constructors build each kind of event from typed facts. None takes
// message text, so a subject or body cannot reach the trail through them.

// VaultUnlocked records an unlock. Method is a code such as "keyring" or
// "passphrase-only".
func VaultUnlocked(method string) Event {
	return Event{Kind: KindVaultUnlocked, Reason: method}
}

// VaultLocked records a lock. Reason is a code such as "idle", "user" or
// "shutdown".
func VaultLocked(reason string) Event {
	return Event{Kind: KindVaultLocked, Reason: reason}
}

// UnlockFailed records a failed unlock. Reason is a code such as
// "wrong-passphrase" or "keyring-unavailable".
func UnlockFailed(reason string) Event {
	return Event{Kind: KindUnlockFailed, Reason: reason}
}

// AccountAdded records a new account by its address.
func AccountAdded(account string) Event {
	return Event{Kind: KindAccountAdded, Account: account}
}

// AccountRemoved records that an account was deleted from the profile.
func AccountRemoved(account string) Event {
	return Event{Kind: KindAccountRemoved, Account: account}
}

// AccountChanged records which fields of an account changed, by name
// ("imap.host", "oauth"), without their values.
func AccountChanged(account string, fields []string) Event {
	return Event{Kind: KindAccountChanged, Account: account, Settings: fields}
}

// Sent is what the trail keeps about a sent message.
type Sent struct {
	Account       string
	MessageID     string
	Recipients    []Recipient
	Findings      []Finding
	Confirmations []string
	Justification string
	Overrides     []string
}

// MessageSent records a submitted message. Identifiers in the
// justification are masked with MaskJustification, and a justification
// longer than the trail keeps is shortened, so that its length cannot
// make the event invalid.
func MessageSent(s Sent) Event {
	return Event{
		Kind:          KindMessageSent,
		Account:       s.Account,
		MessageID:     s.MessageID,
		Recipients:    s.Recipients,
		Findings:      s.Findings,
		Confirmations: s.Confirmations,
		Justification: shortenJustification(MaskJustification(s.Justification)),
		Overrides:     s.Overrides,
	}
}

// MessageOpened records that the user opened a message.
func MessageOpened(account, messageID string) Event {
	return Event{Kind: KindMessageOpened, Account: account, MessageID: messageID}
}

// MessageDecrypted records a decryption. Scheme is "openpgp" or "smime".
func MessageDecrypted(account, messageID, scheme string) Event {
	return Event{Kind: KindMessageDecrypted, Account: account, MessageID: messageID, Scheme: scheme}
}

// MessageResendRequested records the user's request to send a held
// outbox message again. State is the code of the state it was held in,
// "failed" or "uncertain".
func MessageResendRequested(account, messageID, state string) Event {
	return Event{Kind: KindMessageResendRequested, Account: account, MessageID: messageID, Reason: state}
}

// MessageHeld records that the outbox moved a message to a held state
// ("failed" or "uncertain") instead of sending it.
func MessageHeld(account, messageID, state string) Event {
	return Event{Kind: KindMessageHeld, Account: account, MessageID: messageID, Reason: state}
}

// MessageDiscarded records that the user deleted an outbox message
// without sending it. State is as for MessageResendRequested, or
// "queued" for a message withdrawn before its submission.
func MessageDiscarded(account, messageID, state string) Event {
	return Event{Kind: KindMessageDiscarded, Account: account, MessageID: messageID, Reason: state}
}

// AttachmentSaved records an attachment written to disk. Extension is the
// file name extension with its dot (".pdf"); the name itself is not kept.
func AttachmentSaved(account, messageID, extension string, size int64, encrypted bool) Event {
	return Event{Kind: KindAttachmentSaved, Account: account, MessageID: messageID,
		Attachment: &AttachmentInfo{Extension: extension, Size: size, Encrypted: encrypted}}
}

// KeyEvent records a key being generated, imported, exported, trusted or
// changed. Kind must be one of the key kinds.
func KeyEvent(kind Kind, key KeyInfo) Event {
	return Event{Kind: kind, Key: &key}
}

// ConsentRecorded records a patient's consent for the given address.
func ConsentRecorded(account, address, scope string) Event {
	return Event{Kind: KindConsentRecorded, Account: account, Consent: &ConsentInfo{Address: address, Scope: scope}}
}

// PolicyLoaded records the policy sources that were applied.
func PolicyLoaded(origins []string) Event {
	return Event{Kind: KindPolicyLoaded, Origins: origins}
}

// PolicyRejected records a rejected policy source and its problems.
// FallBack reports that the built-in defaults apply, locked.
func PolicyRejected(origin string, problems []string, fallBack bool) Event {
	e := Event{Kind: KindPolicyRejected, Origins: []string{origin}, Problems: problems}
	if fallBack {
		e.Reason = "fallback-to-defaults"
	}
	return e
}

// PolicyChanged records settings changed by the user or a flag. Source is
// "user" or "flag".
func PolicyChanged(paths []string, source string) Event {
	return Event{Kind: KindPolicyChanged, Settings: paths, Reason: source}
}

// shortenedMark ends a justification that was cut to fit the trail.
const shortenedMark = " [shortened]"

// shortenJustification cuts masked text to at most maxJustification
// bytes at a rune boundary. It runs after masking, so a cut cannot leave
// part of an identifier unmasked.
func shortenJustification(masked string) string {
	if len(masked) <= maxJustification {
		return masked
	}
	cut := maxJustification - len(shortenedMark)
	for cut > 0 && !utf8.RuneStart(masked[cut]) {
		cut--
	}
	return masked[:cut] + shortenedMark
}
