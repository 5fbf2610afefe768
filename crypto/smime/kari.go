package smime

import (
	"bytes"
	gocrypto "crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"slices"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

const sha256Hash = gocrypto.SHA256

// x963KDF derives size bytes from the shared secret z with the ANSI X9.63
// KDF, using the ECC-CMS-SharedInfo of RFC 5753 section 7.2 as the
// shared info.
func x963KDF(h gocrypto.Hash, z []byte, wrapOID asn1.ObjectIdentifier, ukm []byte, size int) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addAlgorithm(b, wrapOID, false)
		if ukm != nil {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(ukm)
			})
		}
		b.AddASN1(cbasn1.Tag(2).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(binary.BigEndian.AppendUint32(nil, uint32(size*8)))
		})
	})
	sharedInfo, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	var out []byte
	for counter := uint32(1); len(out) < size; counter++ {
		d := h.New()
		d.Write(z)
		d.Write(binary.BigEndian.AppendUint32(nil, counter))
		d.Write(sharedInfo)
		out = d.Sum(out)
	}
	return out[:size], nil
}

// sortedDER returns the elements in the order DER needs for a SET OF.
func sortedDER(elems [][]byte) [][]byte {
	out := slices.Clone(elems)
	slices.SortFunc(out, bytes.Compare)
	return out
}

type keyAgreeRecipientInfo struct {
	Version                int
	Originator             asn1.RawValue `asn1:"explicit,tag:0"`
	UKM                    []byte        `asn1:"explicit,optional,tag:1"`
	KeyEncryptionAlgorithm pkix.AlgorithmIdentifier
	RecipientEncryptedKeys []recipientEncryptedKey
}

type recipientEncryptedKey struct {
	RID          asn1.RawValue
	EncryptedKey []byte
}

type originatorPublicKey struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// kdfHashes maps the dhSinglePass-stdDH-*kdf-scheme identifiers of RFC
// 5753 to their hash. SHA-1 is accepted here because OpenSSL 3.0 uses it
// by default and a KDF does not depend on collision resistance.
var kdfHashes = []struct {
	oid  asn1.ObjectIdentifier
	hash gocrypto.Hash
}{
	{asn1.ObjectIdentifier{1, 3, 133, 16, 840, 63, 0, 2}, gocrypto.SHA1},
	{asn1.ObjectIdentifier{1, 3, 132, 1, 11, 0}, gocrypto.SHA224},
	{oidECDHSHA256KDF, gocrypto.SHA256},
	{asn1.ObjectIdentifier{1, 3, 132, 1, 11, 2}, gocrypto.SHA384},
	{asn1.ObjectIdentifier{1, 3, 132, 1, 11, 3}, gocrypto.SHA512},
}

func wrapKeySize(oid asn1.ObjectIdentifier) int {
	switch {
	case oid.Equal(oidAES128Wrap):
		return 16
	case oid.Equal(asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 25}):
		return 24
	case oid.Equal(oidAES256Wrap):
		return 32
	}
	return 0
}

// openKeyAgreeRecipient returns the content key from a
// KeyAgreeRecipientInfo when id is one of its recipients. It returns
// matched=false when id is not a recipient, and an error wrapping
// ErrUnsupportedAlgorithm for schemes other than ECDH with AES key wrap.
func openKeyAgreeRecipient(der []byte, id *Identity) (key []byte, matched bool, err error) {
	var kari keyAgreeRecipientInfo
	if _, err := asn1.UnmarshalWithParams(der, &kari, "tag:1"); err != nil {
		return nil, false, fmt.Errorf("%w: invalid KeyAgreeRecipientInfo: %w", ErrMalformed, err)
	}
	var wrapped []byte
	for _, rek := range kari.RecipientEncryptedKeys {
		rid := rek.RID
		if rid.Class == asn1.ClassContextSpecific && rid.Tag == 0 {
			// rKeyId: RecipientKeyIdentifier starts with the key identifier.
			var skid []byte
			if _, err := asn1.Unmarshal(rid.Bytes, &skid); err == nil {
				rid = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: skid}
			}
		}
		if matchesRecipientID(rid, id.Certificate) {
			wrapped = rek.EncryptedKey
			break
		}
	}
	if wrapped == nil {
		return nil, false, nil
	}

	var hash gocrypto.Hash
	for _, k := range kdfHashes {
		if kari.KeyEncryptionAlgorithm.Algorithm.Equal(k.oid) {
			hash = k.hash
		}
	}
	if hash == 0 {
		return nil, true, fmt.Errorf("%w: key agreement %s", ErrUnsupportedAlgorithm, kari.KeyEncryptionAlgorithm.Algorithm)
	}
	var wrapAlg pkix.AlgorithmIdentifier
	if _, err := asn1.Unmarshal(kari.KeyEncryptionAlgorithm.Parameters.FullBytes, &wrapAlg); err != nil {
		return nil, true, fmt.Errorf("%w: invalid key wrap algorithm: %w", ErrMalformed, err)
	}
	kekSize := wrapKeySize(wrapAlg.Algorithm)
	if kekSize == 0 {
		return nil, true, fmt.Errorf("%w: key wrap %s", ErrUnsupportedAlgorithm, wrapAlg.Algorithm)
	}

	priv, ok := id.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return nil, true, fmt.Errorf("%w: key agreement needs an EC private key", ErrDecryptionFailed)
	}
	ecdhPriv, err := priv.ECDH()
	if err != nil {
		return nil, true, fmt.Errorf("%w: %w", ErrUnsupportedAlgorithm, err)
	}
	peer, err := originatorKey(kari.Originator, ecdhPriv.Curve())
	if err != nil {
		return nil, true, err
	}
	shared, err := ecdhPriv.ECDH(peer)
	if err != nil {
		return nil, true, fmt.Errorf("%w: %w", ErrDecryptionFailed, err)
	}
	defer clear(shared)
	kek, err := x963KDF(hash, shared, wrapAlg.Algorithm, kari.UKM, kekSize)
	if err != nil {
		return nil, true, err
	}
	defer clear(kek)
	key, err = unwrapKey(kek, wrapped)
	if err != nil {
		return nil, true, fmt.Errorf("%w: %w", ErrDecryptionFailed, err)
	}
	return key, true, nil
}

// originatorKey parses the sender's ephemeral public key. Only the
// originatorKey form is used with ephemeral-static ECDH.
func originatorKey(explicit asn1.RawValue, curve ecdh.Curve) (*ecdh.PublicKey, error) {
	var raw asn1.RawValue
	if _, err := asn1.Unmarshal(explicit.Bytes, &raw); err != nil {
		return nil, fmt.Errorf("%w: invalid originator: %w", ErrMalformed, err)
	}
	if raw.Class != asn1.ClassContextSpecific || raw.Tag != 1 {
		return nil, fmt.Errorf("%w: key agreement without an originator public key", ErrUnsupportedAlgorithm)
	}
	var opk originatorPublicKey
	if _, err := asn1.UnmarshalWithParams(raw.FullBytes, &opk, "tag:1"); err != nil {
		return nil, fmt.Errorf("%w: invalid originator public key: %w", ErrMalformed, err)
	}
	if !opk.Algorithm.Algorithm.Equal(oidECPublicKey) {
		return nil, fmt.Errorf("%w: originator key %s", ErrUnsupportedAlgorithm, opk.Algorithm.Algorithm)
	}
	pub, err := curve.NewPublicKey(opk.PublicKey.RightAlign())
	if err != nil {
		return nil, fmt.Errorf("%w: invalid originator public key: %w", ErrMalformed, err)
	}
	return pub, nil
}
