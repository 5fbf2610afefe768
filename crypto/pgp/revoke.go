package pgp

import (
	"bytes"
	"fmt"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// RevocationReason is the reason code of a key revocation (RFC 4880).
type RevocationReason = packet.ReasonForRevocation

// Revocation reasons a user chooses from.
const (
	RevocationNoReason   RevocationReason = packet.NoReason
	RevocationSuperseded RevocationReason = packet.KeySuperseded
	RevocationCompromise RevocationReason = packet.KeyCompromised
	RevocationRetired    RevocationReason = packet.KeyRetired
)

// RevocationCertificate makes an armored revocation certificate for the
// key: a key revocation signature, made at now, that ApplyRevocation or
// gpg --import applies later. It does not revoke the key itself, so the
// certificate can be made at creation and stored for emergencies.
func (k *Key) RevocationCertificate(reason RevocationReason, text string, now time.Time) (string, error) {
	e := k.entity()
	if !k.IsPrivate() || e.PrivateKey == nil || e.PrivateKey.Dummy() {
		return "", fmt.Errorf("pgp: revoke key %s: the secret primary key is missing: %w", k.Fingerprint(), ErrKeyUnusable)
	}
	if e.PrivateKey.Encrypted {
		return "", fmt.Errorf("pgp: revoke key %s: unlock it first: %w", k.Fingerprint(), ErrKeyUnusable)
	}

	config := packetConfig(now)
	issuer := e.PrimaryKey.KeyId
	sig := &packet.Signature{
		Version:              e.PrimaryKey.Version,
		SigType:              packet.SigTypeKeyRevocation,
		PubKeyAlgo:           e.PrimaryKey.PubKeyAlgo,
		Hash:                 cryptoSHA256,
		CreationTime:         now,
		IssuerKeyId:          &issuer,
		IssuerFingerprint:    e.PrimaryKey.Fingerprint,
		RevocationReason:     &reason,
		RevocationReasonText: text,
	}
	if err := sig.RevokeKey(e.PrimaryKey, e.PrivateKey, config); err != nil {
		return "", fmt.Errorf("pgp: revoke key %s: %w", k.Fingerprint(), err)
	}

	var body bytes.Buffer
	if err := sig.Serialize(&body); err != nil {
		return "", fmt.Errorf("pgp: serialize revocation of %s: %w", k.Fingerprint(), err)
	}
	armored, err := writeArmored("PGP PUBLIC KEY BLOCK", body.Bytes())
	if err != nil {
		return "", fmt.Errorf("pgp: armor revocation of %s: %w", k.Fingerprint(), err)
	}
	return armored, nil
}

// ApplyRevocation verifies a revocation certificate (armored or binary)
// against the key and adds it, so that the key reports Revoked from the
// certificate's creation time on. A certificate for another key, or with a
// bad signature, is rejected and the key stays unchanged.
func (k *Key) ApplyRevocation(certificate []byte) error {
	// gpg prefixes the armor line of the certificates it stores with ":"
	// so that they are not imported by accident.
	certificate = bytes.Replace(certificate, []byte(":-----BEGIN PGP"), []byte("-----BEGIN PGP"), 1)
	body, err := readArmoredOrBinary(certificate, "PGP PUBLIC KEY BLOCK")
	if err != nil {
		return err
	}
	p, err := packet.Read(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("pgp: read revocation certificate: %w: %w", ErrMalformed, err)
	}
	sig, ok := p.(*packet.Signature)
	if !ok || sig.SigType != packet.SigTypeKeyRevocation {
		return fmt.Errorf("pgp: revocation certificate is invalid: it contains no key revocation signature: %w", ErrMalformed)
	}

	e := k.entity()
	if err := e.PrimaryKey.VerifyRevocationSignature(sig); err != nil {
		return fmt.Errorf("pgp: revocation certificate does not verify for key %s; check it belongs to this key: %w: %w",
			k.Fingerprint(), ErrMalformed, err)
	}
	e.Revocations = append(e.Revocations, sig)
	return nil
}
