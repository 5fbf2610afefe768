package pgp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"securemail/crypto"
)

// OpenEntity opens one OpenPGP layer of a MIME entity:
//   - multipart/encrypted with protocol application/pgp-encrypted
//     (RFC 3156): decrypts it and checks the signature inside, if any;
//   - multipart/signed with protocol application/pgp-signature
//     (RFC 3156): checks the detached signature;
//   - PGP/MIME that Microsoft Exchange rewrote to multipart/mixed: repairs
//     and decrypts it.
//
// The returned Layer holds the inner entity as it was protected and its
// status. A bad or unverifiable signature is a status, not an error, so
// the caller can still show the signed content with a warning. Errors wrap
// ErrNotOpenPGP for other entities, and ErrNoKey, ErrNoIntegrity,
// ErrDecryptionFailed, ErrTooLarge or ErrMalformed when decryption fails;
// no plaintext is returned with an error. now is the time at which key
// expiry and revocation are judged.
func OpenEntity(entity []byte, keys KeyFinder, now time.Time) (*crypto.Layer, error) {
	if err := checkEntitySize(len(entity)); err != nil {
		return nil, err
	}
	p, err := parsePart(entity)
	if err != nil {
		return nil, err
	}

	switch p.mediaType {
	case "multipart/encrypted":
		if !strings.EqualFold(p.params["protocol"], "application/pgp-encrypted") {
			return nil, fmt.Errorf("pgp: multipart/encrypted with protocol %q: %w", p.params["protocol"], ErrNotOpenPGP)
		}
		return openEncrypted(p, keys, now)
	case "multipart/signed":
		if !strings.EqualFold(p.params["protocol"], "application/pgp-signature") {
			return nil, fmt.Errorf("pgp: multipart/signed with protocol %q: %w", p.params["protocol"], ErrNotOpenPGP)
		}
		return openSigned(p, keys, now)
	case "multipart/mixed":
		encrypted, ok := repairExchange(p)
		if !ok {
			return nil, fmt.Errorf("pgp: multipart/mixed entity: %w", ErrNotOpenPGP)
		}
		return decryptLayer(encrypted, keys, now)
	default:
		return nil, fmt.Errorf("pgp: %s entity: %w", p.mediaType, ErrNotOpenPGP)
	}
}

// openEncrypted decrypts a multipart/encrypted entity. Its first part is
// the version part ("Version: 1") and its second contains the message.
func openEncrypted(p *part, keys KeyFinder, now time.Time) (*crypto.Layer, error) {
	parts, err := splitMultipart(p.body, p.params["boundary"])
	if err != nil {
		return nil, err
	}
	if len(parts) != 2 {
		return nil, fmt.Errorf("pgp: multipart/encrypted has %d parts, expected 2: %w", len(parts), ErrMalformed)
	}
	control, err := parsePart(parts[0])
	if err != nil {
		return nil, err
	}
	if control.mediaType != "application/pgp-encrypted" {
		return nil, fmt.Errorf("pgp: multipart/encrypted control part is %s: %w", control.mediaType, ErrMalformed)
	}
	payload, err := parsePart(parts[1])
	if err != nil {
		return nil, err
	}
	ciphertext, err := payload.decodedBody()
	if err != nil {
		return nil, err
	}
	return decryptLayer(ciphertext, keys, now)
}

func decryptLayer(ciphertext []byte, keys KeyFinder, now time.Time) (*crypto.Layer, error) {
	plaintext, status, err := decryptMessage(ciphertext, keys, now, false)
	if err != nil {
		return nil, err
	}
	return &crypto.Layer{Entity: plaintext, Status: status}, nil
}

// openSigned verifies a multipart/signed entity. The first part is signed
// byte for byte in CRLF form, and the second contains the detached
// signature.
func openSigned(p *part, keys KeyFinder, now time.Time) (*crypto.Layer, error) {
	parts, err := splitMultipart(p.body, p.params["boundary"])
	if err != nil {
		return nil, err
	}
	if len(parts) == 1 {
		// The signature was stripped on the way. Keep the content and
		// report the claim of a signature as a bad one.
		bad := crypto.Signature{Scheme: crypto.SchemeOpenPGP, State: crypto.BadSignature}
		return &crypto.Layer{Entity: parts[0], Status: crypto.PartStatus{Signature: bad}}, nil
	}
	if len(parts) != 2 {
		return nil, fmt.Errorf("pgp: multipart/signed has %d parts, expected 2: %w", len(parts), ErrMalformed)
	}
	sigPart, err := parsePart(parts[1])
	if err != nil {
		return nil, err
	}
	if sigPart.mediaType != "application/pgp-signature" {
		return nil, fmt.Errorf("pgp: multipart/signed signature part is %s: %w", sigPart.mediaType, ErrMalformed)
	}
	signature, err := sigPart.decodedBody()
	if err != nil {
		return nil, err
	}

	status := crypto.PartStatus{Signature: VerifyDetached(parts[0], signature, keys, now)}
	return &crypto.Layer{Entity: parts[0], Status: status}, nil
}

// VerifyDetached checks a detached signature (armored or binary) over
// signed, which is taken in canonical CRLF form. The result is a status:
// a signature that cannot be parsed is a BadSignature, and one whose
// algorithm go-crypto does not support is an UnsupportedAlgorithm.
func VerifyDetached(signed, signature []byte, keys KeyFinder, now time.Time) crypto.Signature {
	result := crypto.Signature{Scheme: crypto.SchemeOpenPGP, State: crypto.BadSignature}
	sigPackets, err := readArmoredOrBinary(signature, "PGP SIGNATURE")
	if err != nil {
		return result
	}
	if onlyUnsupportedSignatures(sigPackets) {
		result.State = crypto.UnsupportedAlgorithm
		return result
	}

	config := packetConfig(now)
	sig, signer, err := openpgp.VerifyDetachedSignature(finderKeyRing{finder: keys},
		bytes.NewReader(canonicalCRLF(signed)), bytes.NewReader(sigPackets), config)
	result.State = signatureState(err)
	if result.State == crypto.UnknownKey || signer == nil {
		if result.State == crypto.GoodSignature {
			result.State = crypto.BadSignature
		}
		return result
	}
	if sig != nil {
		result.SignedAt = sig.CreationTime
	}
	describeEntity(&result, signer)
	return result
}

// maxSignaturePackets bounds how many packets onlyUnsupportedSignatures
// reads from a detached signature.
const maxSignaturePackets = 64

// onlyUnsupportedSignatures reports whether packets holds signatures but
// none that go-crypto can use, for example because of an unknown hash or
// public-key algorithm. go-crypto's reader skips such a packet, so the
// verification itself would only find no signature.
func onlyUnsupportedSignatures(packets []byte) bool {
	r := bytes.NewReader(packets)
	unsupported := false
	for range maxSignaturePackets {
		p, err := packet.Read(r)
		var unknown pgperrors.UnsupportedError
		switch {
		case errors.Is(err, io.EOF):
			return unsupported
		case errors.As(err, &unknown):
			unsupported = true
		case err != nil:
			return false
		default:
			if _, ok := p.(*packet.Signature); ok {
				return false
			}
		}
	}
	return false
}
