package smime

import (
	"bytes"
	gocrypto "crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// signatureScheme is the signing setup for one key type: the digest and
// signature algorithm identifiers and the hash handed to crypto.Signer.
type signatureScheme struct {
	digestOID    asn1.ObjectIdentifier
	signatureOID asn1.ObjectIdentifier
	nullParams   bool
	hash         gocrypto.Hash
	// pure is true for Ed25519, which signs the message itself.
	pure bool
}

func schemeForKey(key gocrypto.Signer) (signatureScheme, error) {
	switch pub := key.Public().(type) {
	case *rsa.PublicKey:
		// rsaEncryption as the signature algorithm is what RFC 8551
		// senders and OpenSSL use; the digest algorithm names the hash.
		return signatureScheme{digestOID: oidSHA256, signatureOID: oidRSAEncryption, nullParams: true, hash: gocrypto.SHA256}, nil
	case *ecdsa.PublicKey:
		switch pub.Curve {
		case elliptic.P256():
			return signatureScheme{digestOID: oidSHA256, signatureOID: oidECDSAWithSHA256, hash: gocrypto.SHA256}, nil
		case elliptic.P384():
			return signatureScheme{digestOID: oidSHA384, signatureOID: oidECDSAWithSHA384, hash: gocrypto.SHA384}, nil
		case elliptic.P521():
			return signatureScheme{digestOID: oidSHA512, signatureOID: oidECDSAWithSHA512, hash: gocrypto.SHA512}, nil
		}
	case ed25519.PublicKey:
		// RFC 8419 section 3: SHA-512 as the message digest with Ed25519.
		return signatureScheme{digestOID: oidSHA512, signatureOID: oidEd25519, hash: gocrypto.SHA512, pure: true}, nil
	}
	return signatureScheme{}, fmt.Errorf("smime: cannot sign with a %T key: use RSA, ECDSA (P-256, P-384, P-521) or Ed25519", key.Public())
}

// signData returns a DER ContentInfo holding SignedData over content with
// one signer. With detached set the content is left out.
func signData(content []byte, id *Identity, detached bool, signingTime time.Time) ([]byte, error) {
	if id == nil || id.Certificate == nil || id.PrivateKey == nil {
		return nil, errors.New("smime: signing needs an identity with a certificate and a private key")
	}
	scheme, err := schemeForKey(id.PrivateKey)
	if err != nil {
		return nil, err
	}

	h := scheme.hash.New()
	h.Write(content)
	attrs, err := signedAttributes(h.Sum(nil), signingTime)
	if err != nil {
		return nil, err
	}

	var signature []byte
	if scheme.pure {
		signature, err = id.PrivateKey.Sign(rand.Reader, attrs, gocrypto.Hash(0))
	} else {
		ah := scheme.hash.New()
		ah.Write(attrs)
		signature, err = id.PrivateKey.Sign(rand.Reader, ah.Sum(nil), scheme.hash)
	}
	if err != nil {
		return nil, fmt.Errorf("smime: signing failed with %s: %w", describeCertificate(id.Certificate), err)
	}

	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					addAlgorithm(b, scheme.digestOID, false)
				})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidData)
					if !detached {
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							b.AddASN1OctetString(content)
						})
					}
				})
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddBytes(id.Certificate.Raw)
					for _, c := range id.Chain {
						b.AddBytes(c.Raw)
					}
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					addSignerInfo(b, id, scheme, attrs, signature)
				})
			})
		})
	})
	return b.Bytes()
}

func addSignerInfo(b *cryptobyte.Builder, id *Identity, scheme signatureScheme, attrs, signature []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		addIssuerAndSerial(b, id.Certificate)
		addAlgorithm(b, scheme.digestOID, false)
		// The signed attributes are signed as a SET and sent as [0] IMPLICIT.
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddBytes(attrs[derHeaderLength(attrs):])
		})
		addAlgorithm(b, scheme.signatureOID, scheme.nullParams)
		b.AddASN1OctetString(signature)
	})
}

// signedAttributes returns the DER SET OF the content type, signing time,
// message digest and S/MIME capabilities attributes, sorted as DER needs.
func signedAttributes(digest []byte, signingTime time.Time) ([]byte, error) {
	var encoded [][]byte
	add := func(oid asn1.ObjectIdentifier, value func(*cryptobyte.Builder)) error {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			b.AddASN1(cbasn1.SET, value)
		})
		attr, err := b.Bytes()
		encoded = append(encoded, attr)
		return err
	}
	err := errors.Join(
		add(oidAttrContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) }),
		add(oidAttrSigningTime, func(b *cryptobyte.Builder) { addTime(b, signingTime) }),
		add(oidAttrMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest) }),
		add(oidAttrSMIMECapability, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, oid := range []asn1.ObjectIdentifier{oidAES256GCM, oidAES256CBC, oidRSAOAEP} {
					addAlgorithm(b, oid, false)
				}
			})
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("smime: encoding signed attributes failed: %w", err)
	}
	slices.SortFunc(encoded, bytes.Compare)

	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, attr := range encoded {
			b.AddBytes(attr)
		}
	})
	return b.Bytes()
}

// addTime writes UTCTime for the years 1950 to 2049 and GeneralizedTime
// otherwise, as RFC 5652 section 11.3 requires for signing time.
func addTime(b *cryptobyte.Builder, t time.Time) {
	t = t.UTC().Truncate(time.Second)
	if t.Year() >= 1950 && t.Year() < 2050 {
		b.AddASN1UTCTime(t)
		return
	}
	b.AddASN1GeneralizedTime(t)
}

func addAlgorithm(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, nullParams bool) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if nullParams {
			b.AddASN1NULL()
		}
	})
}

// addIssuerAndSerial writes the IssuerAndSerialNumber that identifies
// cert.
func addIssuerAndSerial(b *cryptobyte.Builder, cert *x509.Certificate) {
	serial, err := asn1.Marshal(cert.SerialNumber)
	if err != nil {
		b.SetError(fmt.Errorf("smime: invalid serial number in %s: %w", describeCertificate(cert), err))
		return
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(cert.RawIssuer)
		b.AddBytes(serial)
	})
}

// derHeaderLength returns the length of the identifier and length octets
// of a DER element produced by this package.
func derHeaderLength(der []byte) int {
	if der[1] < 0x80 {
		return 2
	}
	return 2 + int(der[1]&0x7f)
}
