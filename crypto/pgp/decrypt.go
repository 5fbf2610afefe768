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
	openpgpv2 "github.com/ProtonMail/go-crypto/openpgp/v2"

	"securemail/crypto"
)

// decryptMessage decrypts an OpenPGP message (armored or binary) and
// checks the signature inside it, if any. It returns the plaintext only
// when the whole message decrypted, passed its integrity check and has a
// valid packet sequence. With allowSigned, a message that is only signed
// (not encrypted) is accepted too, as inline PGP may be.
//
// It reads with go-crypto's v2 API because only that one checks the packet
// sequence: the v1 reader returns the first of two concatenated literal
// data packets and ignores the rest.
func decryptMessage(data []byte, keys KeyFinder, now time.Time, allowSigned bool) ([]byte, crypto.PartStatus, error) {
	return decryptMessageLimited(data, keys, now, allowSigned, MaxPlaintextSize)
}

// decryptMessageLimited is decryptMessage with a plaintext limit in bytes,
// so that tests can check the limit without inflating 256 MiB.
func decryptMessageLimited(data []byte, keys KeyFinder, now time.Time, allowSigned bool, maxPlaintext int64) ([]byte, crypto.PartStatus, error) {
	var status crypto.PartStatus
	binary, err := readArmoredOrBinary(data, "PGP MESSAGE")
	if err != nil {
		return nil, status, err
	}

	format, err := encryptionFormat(binary, allowSigned)
	if err != nil {
		return nil, status, err
	}
	encrypted := format != ""

	ring := &messageKeyRing{finder: keys}
	defer ring.wipe()

	config := packetConfig(now)
	config.MaxDecompressedMessageSize = &maxPlaintext
	md, err := openpgpv2.ReadMessage(bytes.NewReader(binary), ring, nil, config)
	if err != nil {
		return nil, status, classifyDecryptError(err)
	}
	if encrypted && md.DecryptedWith.PrivateKey == nil {
		return nil, status, fmt.Errorf("pgp: message is not encrypted to a public key: %w", ErrMalformed)
	}

	// The plaintext is read to the end before anything is returned,
	// because the integrity check (MDC or AEAD tag) and the packet
	// sequence check only complete at the end of the data.
	plaintext, err := readAllSized(io.LimitReader(md.UnverifiedBody, maxPlaintext+1), len(binary))
	if err != nil {
		wipeBytes(plaintext)
		return nil, status, classifyDecryptError(err)
	}
	if int64(len(plaintext)) > maxPlaintext {
		wipeBytes(plaintext)
		return nil, status, fmt.Errorf("pgp: decrypted message over %d bytes: %w", maxPlaintext, ErrTooLarge)
	}

	if encrypted {
		status.Encryption = crypto.Encryption{
			Scheme:             crypto.SchemeOpenPGP,
			Algorithm:          cipherName(md.DecryptedWithAlgorithm) + " " + format,
			IntegrityProtected: true,
		}
	}
	status.Signature = messageSignature(md, ring)
	return plaintext, status, nil
}

// encryptionFormat scans the packets in front of the encrypted data and
// names its format. It rejects data without integrity protection before
// any decryption happens. For an unencrypted message it returns "" when
// allowSigned is set and an error otherwise.
func encryptionFormat(binary []byte, allowSigned bool) (string, error) {
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
				return "", fmt.Errorf("pgp: message uses Symmetrically Encrypted Data without MDC;"+
					" ask the sender to use current OpenPGP software: %w", ErrNoIntegrity)
			}
			if p.Version == 2 {
				return "(SEIPD v2, AEAD)", nil
			}
			return "(SEIPD v1, MDC)", nil
		case *packet.AEADEncrypted:
			return "(AEAD Encrypted Data, LibrePGP)", nil
		case *packet.EncryptedKey, *packet.SymmetricKeyEncrypted:
			continue
		case *packet.OnePassSignature, *packet.Signature, *packet.Compressed, *packet.LiteralData:
			if !allowSigned {
				return "", fmt.Errorf("pgp: message is not encrypted: %w", ErrMalformed)
			}
			return "", nil
		default:
			return "", fmt.Errorf("pgp: message is not encrypted (found %T first): %w", p, ErrMalformed)
		}
	}
}

func cipherName(c packet.CipherFunction) string {
	switch c {
	case packet.CipherAES128:
		return "AES-128"
	case packet.CipherAES192:
		return "AES-192"
	case packet.CipherAES256:
		return "AES-256"
	case packet.CipherCAST5:
		return "CAST5"
	case packet.Cipher3DES:
		return "3DES"
	default:
		return fmt.Sprintf("cipher %d", c)
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
		return fmt.Errorf("pgp: decrypt: decompressed data over the size limit: %w", ErrTooLarge)
	case errors.As(err, &unsupported) && string(unsupported) == "message is not integrity protected":
		return fmt.Errorf("pgp: decrypt: %w", ErrNoIntegrity)
	default:
		return fmt.Errorf("pgp: decrypt: %w: %w", ErrDecryptionFailed, err)
	}
}

// messageSignature returns the status of the signatures inside a message
// whose body has been read to the end. A good signature from any signer
// wins. Otherwise the first signature whose key is found decides.
func messageSignature(md *openpgpv2.MessageDetails, ring *messageKeyRing) crypto.Signature {
	sig := crypto.Signature{State: crypto.NotSigned}
	// NOTE: go-crypto v1.5.2 drops signatures with an unknown hash or
	// public-key algorithm while parsing, so such a message reports
	// NotSigned here, not UnsupportedAlgorithm.
	if !md.IsSigned {
		return sig
	}
	sig.Scheme = crypto.SchemeOpenPGP
	if md.SignatureError == nil && md.SignedBy != nil && md.Signature != nil {
		sig.State = crypto.GoodSignature
		sig.SignedAt = md.Signature.CreationTime
		describeSigner(&sig, ring.original(md.SignedBy.Entity))
		return sig
	}

	sig.State = crypto.UnknownKey
	for _, candidate := range md.SignatureCandidates {
		if candidate.SignedBy == nil {
			continue
		}
		sig.State = signatureState(candidate.SignatureError)
		if sig.State == crypto.GoodSignature {
			// A candidate without error whose signature packet is
			// missing was never checked.
			sig.State = crypto.BadSignature
		}
		if candidate.CorrespondingSig != nil {
			sig.SignedAt = candidate.CorrespondingSig.CreationTime
		}
		describeSigner(&sig, ring.original(candidate.SignedBy.Entity))
		return sig
	}
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
func describeSigner(sig *crypto.Signature, k *Key) {
	if k == nil {
		return
	}
	sig.Fingerprint = k.Fingerprint()
	sig.Signer = k.PrimaryUserID()
}

// describeEntity is describeSigner for a go-crypto v1 entity.
func describeEntity(sig *crypto.Signature, e *openpgp.Entity) {
	if e == nil {
		return
	}
	k, err := newKey(e)
	if err != nil {
		return
	}
	describeSigner(sig, k)
}

// readAllSized reads r to the end into a buffer sized for expected bytes,
// which saves the copies io.ReadAll makes while growing for large messages.
func readAllSized(r io.Reader, expected int) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(expected + bytes.MinRead)
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// wipeBytes overwrites b with zeros, for plaintext that must not be
// returned.
func wipeBytes(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
