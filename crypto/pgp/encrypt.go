package pgp

import (
	"bytes"
	stdcrypto "crypto"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// EncryptEntity encrypts a MIME entity (header fields, blank line, body)
// to every recipient and returns a multipart/encrypted entity as defined
// by RFC 3156. With a signer, the entity is also signed inside the
// encryption (RFC 3156, the combined form). Expired, revoked or
// encryption-incapable recipient keys are rejected with ErrKeyUnusable,
// so a message is never encrypted for only some of its recipients. now
// is the time used for key validity and the signature.
//
// The returned entity uses CRLF line breaks and 7-bit text only.
func EncryptEntity(entity []byte, recipients []*Key, signer *Key, now time.Time) ([]byte, error) {
	if len(recipients) == 0 {
		return nil, fmt.Errorf("pgp: encrypt: no recipients given")
	}
	to := make([]*openpgp.Entity, 0, len(recipients))
	for _, r := range recipients {
		e, err := r.encryptionEntity(now)
		if err != nil {
			return nil, err
		}
		to = append(to, e)
	}
	var signedBy *openpgp.Entity
	if signer != nil {
		var err error
		if signedBy, err = signer.signingEntity(now); err != nil {
			return nil, err
		}
	}

	content := canonicalCRLF(entity)
	var ciphertext bytes.Buffer
	ciphertext.Grow(len(content) + len(content)/64 + 4096)
	config := packetConfig(now)
	plaintext, err := openpgp.Encrypt(&ciphertext, to, signedBy, &openpgp.FileHints{IsBinary: true}, config)
	if err != nil {
		return nil, fmt.Errorf("pgp: encrypt: %w", err)
	}
	if _, err := plaintext.Write(content); err != nil {
		return nil, fmt.Errorf("pgp: encrypt: %w", err)
	}
	if err := plaintext.Close(); err != nil {
		return nil, fmt.Errorf("pgp: encrypt: %w", err)
	}
	armored := armorEncode("PGP MESSAGE", ciphertext.Bytes())

	boundary, err := newBoundary()
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(len(armored) + 1024)
	fmt.Fprintf(&out, "Content-Type: multipart/encrypted;\r\n"+
		" protocol=\"application/pgp-encrypted\";\r\n boundary=\"%s\"\r\n\r\n", boundary)
	out.WriteString("This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n")
	fmt.Fprintf(&out, "--%s\r\n", boundary)
	out.WriteString("Content-Type: application/pgp-encrypted\r\n" +
		"Content-Description: PGP/MIME version identification\r\n\r\nVersion: 1\r\n\r\n")
	fmt.Fprintf(&out, "--%s\r\n", boundary)
	out.WriteString("Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n" +
		"Content-Description: OpenPGP encrypted message\r\n" +
		"Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n")
	out.Write(armored)
	fmt.Fprintf(&out, "--%s--\r\n", boundary)
	return out.Bytes(), nil
}

// SignEntity signs a MIME entity and returns a multipart/signed entity as
// defined by RFC 3156: the entity in canonical CRLF form as the first
// part and a detached signature over exactly those bytes as the second.
// Give it an entity whose body is 7-bit (quoted-printable or base64 where
// needed), because mail relays may rewrite 8-bit text and break the
// signature.
func SignEntity(entity []byte, signer *Key, now time.Time) ([]byte, error) {
	if signer == nil {
		return nil, fmt.Errorf("pgp: sign: no signer key given")
	}
	signedBy, err := signer.signingEntity(now)
	if err != nil {
		return nil, err
	}
	content := canonicalCRLF(entity)

	var sigPacket bytes.Buffer
	if err := openpgp.DetachSign(&sigPacket, signedBy, bytes.NewReader(content), packetConfig(now)); err != nil {
		return nil, fmt.Errorf("pgp: sign with key %s: %w", signer.Fingerprint(), err)
	}
	micalg, err := micalgOf(sigPacket.Bytes())
	if err != nil {
		return nil, err
	}
	armored := armorEncode("PGP SIGNATURE", sigPacket.Bytes())

	boundary, err := newBoundary()
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "Content-Type: multipart/signed; micalg=%s;\r\n"+
		" protocol=\"application/pgp-signature\";\r\n boundary=\"%s\"\r\n\r\n", micalg, boundary)
	out.WriteString("This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n")
	fmt.Fprintf(&out, "--%s\r\n", boundary)
	out.Write(content)
	fmt.Fprintf(&out, "\r\n--%s\r\n", boundary)
	out.WriteString("Content-Type: application/pgp-signature; name=\"signature.asc\"\r\n" +
		"Content-Description: OpenPGP digital signature\r\n" +
		"Content-Disposition: attachment; filename=\"signature.asc\"\r\n\r\n")
	out.Write(armored)
	fmt.Fprintf(&out, "--%s--\r\n", boundary)
	return out.Bytes(), nil
}

// micalgOf returns the RFC 3156 micalg value ("pgp-sha256") for the hash
// a signature packet used. go-crypto may pick another hash than the one
// configured when the signing key demands it.
func micalgOf(sigPacket []byte) (string, error) {
	p, err := packet.Read(bytes.NewReader(sigPacket))
	if err != nil {
		return "", fmt.Errorf("pgp: read own signature: %w", err)
	}
	sig, ok := p.(*packet.Signature)
	if !ok {
		return "", fmt.Errorf("pgp: own signature is a %T packet", p)
	}
	names := map[stdcrypto.Hash]string{
		stdcrypto.SHA256:   "pgp-sha256",
		stdcrypto.SHA384:   "pgp-sha384",
		stdcrypto.SHA512:   "pgp-sha512",
		stdcrypto.SHA224:   "pgp-sha224",
		stdcrypto.SHA3_256: "pgp-sha3-256",
		stdcrypto.SHA3_512: "pgp-sha3-512",
	}
	name, ok := names[sig.Hash]
	if !ok {
		return "", fmt.Errorf("pgp: signature uses hash %v, which has no micalg name", sig.Hash)
	}
	return name, nil
}

// newBoundary returns a random multipart boundary. Its "=_" cannot occur
// in quoted-printable or base64 text, and its 144 random bits make a
// collision with other text improbable.
func newBoundary() (string, error) {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("pgp: make MIME boundary: %w", err)
	}
	return "=_pgp_" + strings.ToLower(hex.EncodeToString(b[:])), nil
}
