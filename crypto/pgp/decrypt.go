package pgp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"securemail/crypto"
)

// decryptMessage decrypts an OpenPGP message (armored or binary) and
// checks the signature inside it, if any. It returns the plaintext only
// when the whole message decrypted and passed its integrity check.
func decryptMessage(data []byte, keys KeyFinder, now time.Time) ([]byte, crypto.PartStatus, error) {
	var status crypto.PartStatus
	binary, err := readArmoredOrBinary(data, "PGP MESSAGE")
	if err != nil {
		return nil, status, err
	}

	algorithm, err := encryptionFormat(binary)
	if err != nil {
		return nil, status, err
	}

	config := packetConfig(now)
	md, err := openpgp.ReadMessage(bytes.NewReader(binary), finderKeyRing{finder: keys}, nil, config)
	if err != nil {
		return nil, status, classifyDecryptError(err)
	}
	if !md.IsEncrypted || md.IsSymmetricallyEncrypted && md.DecryptedWith.PrivateKey == nil {
		return nil, status, fmt.Errorf("pgp: message is not encrypted to a public key: %w", ErrMalformed)
	}

	// The plaintext is read to the end before anything is returned,
	// because the integrity check (MDC or AEAD tag) only completes at the
	// end of the data.
	plaintext, err := io.ReadAll(io.LimitReader(md.UnverifiedBody, MaxPlaintextSize+1))
	if err != nil {
		wipeBytes(plaintext)
		return nil, status, classifyDecryptError(err)
	}
	if len(plaintext) > MaxPlaintextSize {
		wipeBytes(plaintext)
		return nil, status, fmt.Errorf("pgp: decrypted message over %d bytes: %w", MaxPlaintextSize, ErrTooLarge)
	}

	status.Encryption = crypto.Encryption{
		Scheme:             crypto.SchemeOpenPGP,
		Algorithm:          algorithm,
		IntegrityProtected: true,
	}
	status.Signature = messageSignature(md, now)
	return plaintext, status, nil
}

// encryptionFormat scans the packets in front of the encrypted data and
// names its format. It rejects data without integrity protection before
// any decryption happens.
func encryptionFormat(binary []byte) (string, error) {
	packets := packet.NewReader(bytes.NewReader(binary))
	for {
		p, err := packets.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", fmt.Errorf("pgp: message has no encrypted data: %w", ErrMalformed)
			}
			return "", fmt.Errorf("pgp: read message packets: %w: %w", ErrMalformed, err)
		}
		switch p := p.(type) {
		case *packet.SymmetricallyEncrypted:
			if !p.IntegrityProtected {
				return "", fmt.Errorf("pgp: message uses Symmetrically Encrypted Data without MDC; ask the sender to use current OpenPGP software: %w", ErrNoIntegrity)
			}
			if p.Version == 2 {
				return "OpenPGP SEIPD v2 (AEAD)", nil
			}
			return "OpenPGP SEIPD v1 (MDC)", nil
		case *packet.AEADEncrypted:
			return "OpenPGP AEAD Encrypted Data (draft v5)", nil
		case *packet.EncryptedKey, *packet.SymmetricKeyEncrypted:
			continue
		default:
			return "", fmt.Errorf("pgp: message is not encrypted (found %T first): %w", p, ErrMalformed)
		}
	}
}

// classifyDecryptError maps go-crypto errors to this package's typed
// errors, keeping the original for the message.
func classifyDecryptError(err error) error {
	var unsupported pgperrors.UnsupportedError
	switch {
	case errors.Is(err, pgperrors.ErrKeyIncorrect):
		return fmt.Errorf("pgp: decrypt: import or unlock the secret key the message was encrypted to: %w", ErrNoKey)
	case errors.Is(err, pgperrors.ErrMessageTooLarge):
		return fmt.Errorf("pgp: decrypt: decompressed data over %d bytes: %w", MaxPlaintextSize, ErrTooLarge)
	case errors.As(err, &unsupported) && string(unsupported) == "message is not integrity protected":
		return fmt.Errorf("pgp: decrypt: %w", ErrNoIntegrity)
	default:
		return fmt.Errorf("pgp: decrypt: %w: %w", ErrDecryptionFailed, err)
	}
}

// messageSignature returns the status of the signature inside a decrypted
// or signed message whose body has been read to the end.
func messageSignature(md *openpgp.MessageDetails, now time.Time) crypto.Signature {
	sig := crypto.Signature{State: crypto.NotSigned, Scheme: crypto.SchemeOpenPGP}
	if !md.IsSigned {
		sig.Scheme = crypto.SchemeNone
		return sig
	}
	if md.SignedBy == nil {
		sig.State = crypto.UnknownKey
		return sig
	}

	signer := md.SignedBy.Entity
	sig.State = signatureState(md.SignatureError)
	if md.Signature == nil && sig.State == crypto.GoodSignature {
		sig.State = crypto.BadSignature
	}
	if md.Signature != nil {
		sig.SignedAt = md.Signature.CreationTime
	}
	describeSigner(&sig, signer)
	return sig
}

// signatureState maps a go-crypto verification error to a state. Expired
// and revoked keys are only reported after the signature itself verified,
// because go-crypto checks the key's validity after the cryptography.
func signatureState(err error) crypto.SignatureState {
	var unsupported pgperrors.UnsupportedError
	var weak pgperrors.WeakAlgorithmError
	switch {
	case err == nil:
		return crypto.GoodSignature
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		return crypto.UnknownKey
	case errors.Is(err, pgperrors.ErrKeyExpired):
		return crypto.ExpiredKey
	case errors.Is(err, pgperrors.ErrKeyRevoked):
		return crypto.RevokedKey
	case errors.As(err, &unsupported), errors.As(err, &weak):
		return crypto.UnsupportedAlgorithm
	default:
		return crypto.BadSignature
	}
}

// describeSigner fills in the signer's primary user ID and primary key
// fingerprint from the key that verified the signature.
func describeSigner(sig *crypto.Signature, e *openpgp.Entity) {
	if e == nil {
		return
	}
	k, err := newKey(e)
	if err != nil {
		return
	}
	sig.Fingerprint = k.Fingerprint()
	sig.Signer = k.PrimaryUserID()
}

// wipeBytes overwrites b with zeros, for plaintext that must not be
// returned.
func wipeBytes(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
