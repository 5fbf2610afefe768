package crypto

import "time"

// SignatureState is the outcome of checking one signature. The UI chooses
// its wording from this value alone, never from text inside the message.
type SignatureState int

const (
	NotSigned SignatureState = iota
	GoodSignature
	BadSignature
	UnknownKey
	ExpiredKey
	RevokedKey
	UntrustedCertificate
	UnsupportedAlgorithm
)

var signatureStateNames = [...]string{
	NotSigned:            "not signed",
	GoodSignature:        "good signature",
	BadSignature:         "bad signature",
	UnknownKey:           "unknown key",
	ExpiredKey:           "expired key",
	RevokedKey:           "revoked key",
	UntrustedCertificate: "untrusted certificate",
	UnsupportedAlgorithm: "unsupported algorithm",
}

func (s SignatureState) String() string {
	if s < 0 || int(s) >= len(signatureStateNames) {
		return "invalid signature state"
	}
	return signatureStateNames[s]
}

// Scheme is the cryptographic format that protected a part.
type Scheme int

const (
	SchemeNone Scheme = iota
	SchemeOpenPGP
	SchemeSMIME
)

func (s Scheme) String() string {
	switch s {
	case SchemeOpenPGP:
		return "OpenPGP"
	case SchemeSMIME:
		return "S/MIME"
	default:
		return "none"
	}
}

// Signature is the verified facts about one signature. Signer and
// Fingerprint come from the key or certificate that verified it, never
// from unauthenticated message text.
type Signature struct {
	State       SignatureState
	Scheme      Scheme
	Signer      string // primary user ID or certificate subject email
	Fingerprint string // upper-case hex, no spaces
	SignedAt    time.Time
	// MatchesFrom reports whether the signer's address equals the
	// message's From address.
	MatchesFrom bool
	// KeyChanged reports that a known correspondent's key differs from
	// the one trusted on first use.
	KeyChanged bool
}

// Encryption describes how a part reached us.
type Encryption struct {
	Scheme Scheme
	// Algorithm names the content cipher, for example "AES-256-GCM".
	Algorithm string
	// IntegrityProtected is false for unsigned CBC S/MIME, which an
	// attacker can modify without detection.
	IntegrityProtected bool
}

// PartStatus is the security status of one displayed MIME part.
type PartStatus struct {
	Encryption Encryption
	Signature  Signature
}

// Coverage summarises a whole message from the status of its displayed
// parts: a message counts as signed or encrypted only when every displayed
// part is.
type Coverage int

const (
	CoverageNone Coverage = iota
	CoveragePartial
	CoverageFull
)

func (c Coverage) String() string {
	switch c {
	case CoverageFull:
		return "full"
	case CoveragePartial:
		return "partial"
	default:
		return "none"
	}
}

// Layer is the result of opening one cryptographic layer (one decryption,
// one signature check, or a signed-and-encrypted OpenPGP message) of a
// MIME entity. Entity is the inner MIME entity, header fields and body,
// exactly as it was protected; Status says how.
type Layer struct {
	Entity []byte
	Status PartStatus
}
