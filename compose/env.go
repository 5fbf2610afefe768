package compose

import (
	"io"
	"time"

	"securemail/crypto"
)

// KeyState is the state of one recipient's OpenPGP key or S/MIME
// certificate, as the key store reports it.
type KeyState int

const (
	KeyMissing   KeyState = iota
	KeyUsable             // valid, not expired or revoked, and trusted
	KeyUntrusted          // valid but not trusted (unverified, or changed since first use)
	KeyExpired
	KeyRevoked
	KeyInvalid // unusable for another reason: weak algorithm, broken chain, no encryption subkey
)

func (s KeyState) String() string {
	switch s {
	case KeyUsable:
		return "usable"
	case KeyUntrusted:
		return "not trusted"
	case KeyExpired:
		return "expired"
	case KeyRevoked:
		return "revoked"
	case KeyInvalid:
		return "not usable"
	default:
		return "none"
	}
}

// KeyStatus is the key store's record of one address for one scheme.
type KeyStatus struct {
	State       KeyState
	Fingerprint string // upper-case hex, no spaces; empty when State is KeyMissing
	Expires     time.Time
	// Detail explains an unusable key in words for the sender, for
	// example "the certificate chain does not reach a trusted root".
	Detail string
}

// KeyDirectory returns the OpenPGP key and S/MIME certificate status of
// an address, including keys discovered for it. Addresses are passed in
// lower case with the domain in its ASCII (punycode) form.
type KeyDirectory interface {
	OpenPGP(address string) (KeyStatus, error)
	SMIME(address string) (KeyStatus, error)
}

// Protector encrypts a MIME entity for recipients. The entity passed in
// is the payload that crypto.ProtectHeaders makes from the complete
// message: header fields, including the protected ones, then the body.
// The result is the encrypted entity, its header fields starting with
// Content-Type, then its body: multipart/encrypted for OpenPGP
// (RFC 3156) or application/pkcs7-mime for S/MIME (RFC 8551). Compose
// puts the outer header around it with crypto.Assemble. Lines end in
// CRLF. A Protector may also sign.
type Protector interface {
	Protect(scheme crypto.Scheme, recipients []string, message []byte) ([]byte, error)
}

// Consent is a patient's recorded consent to receive unencrypted mail at
// one address after being warned of the risk.
type Consent struct {
	Address    string
	RecordedBy string
	RecordedAt time.Time
	Expires    time.Time // zero means the consent does not expire
}

// ConsentRegistry returns the recorded consent for an address. It returns
// found=false when there is none.
type ConsentRegistry interface {
	Consent(address string) (c Consent, found bool, err error)
}

// RecipientHistory is the local record of past outgoing mail.
type RecipientHistory interface {
	// SentCount returns how many messages went to address before.
	SentCount(address string) (int, error)
	// Recent returns addresses written to recently, newest first.
	Recent(limit int) ([]string, error)
}

// Contact is one entry of the address book.
type Contact struct {
	Name    string
	Address string
}

// ContactBook lists the sender's contacts.
type ContactBook interface {
	Contacts() ([]Contact, error)
}

// PHILocation is the part of a draft that contains a PHI finding.
type PHILocation int

const (
	InSubject PHILocation = iota
	InBody
	InAttachment
)

func (l PHILocation) String() string {
	switch l {
	case InSubject:
		return "subject"
	case InBody:
		return "body"
	default:
		return "attachment"
	}
}

// PHIFinding is one piece of PHI that the scanner found.
type PHIFinding struct {
	Kind     string // the detector, for example "ssn", "mrn", "icd10", "mental-health"
	Location PHILocation
	// Attachment is the index in Draft.Attachments when Location is
	// InAttachment.
	Attachment int
	Offset     int    // byte offset in the scanned text
	Excerpt    string // masked, safe to show on screen but never logged
}

// Sensitivity is the sensitivity level of the PHI in a draft, from none
// upwards.
type Sensitivity int

const (
	SensitivityNone Sensitivity = iota
	SensitivityLow
	SensitivityModerate
	SensitivityHigh    // identifiers together with clinical content
	SensitivitySpecial // special categories such as substance use disorder records
)

func (s Sensitivity) String() string {
	switch s {
	case SensitivityLow:
		return "low"
	case SensitivityModerate:
		return "moderate"
	case SensitivityHigh:
		return "high"
	case SensitivitySpecial:
		return "special category"
	default:
		return "none"
	}
}

// PHIReport is the scanner's result for one draft.
type PHIReport struct {
	Findings []PHIFinding
	Level    Sensitivity
}

// PHIDocument is the text the scanner reads.
type PHIDocument struct {
	Subject     string
	Body        string
	Attachments []Attachment
}

// PHIScanner finds PHI in the subject, body and attachments of a draft.
type PHIScanner interface {
	Scan(doc PHIDocument) (PHIReport, error)
}

// Env is everything Review and Seal read besides the draft. Scanner,
// Keys, Consents, History and Contacts are required; Protector is
// required by Seal.
type Env struct {
	Policy    Policy
	Scanner   PHIScanner
	Keys      KeyDirectory
	Protector Protector
	Consents  ConsentRegistry
	History   RecipientHistory
	Contacts  ContactBook
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Rand is the source of passwords and Message-IDs; nil means
	// crypto/rand.Reader.
	Rand io.Reader
	// Hostname is the right-hand side of generated Message-IDs; empty
	// means the sender's domain.
	Hostname string
	// Autocrypt is the folded value of the sender's Autocrypt header
	// (Autocrypt Level 1), added to every outgoing message; empty adds
	// none.
	Autocrypt string
}
