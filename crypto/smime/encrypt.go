package smime

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ContentCipher is the content encryption algorithm.
type ContentCipher int

const (
	// AES256GCM produces AuthEnvelopedData (RFC 5083, 5084), whose tag
	// detects any change to the ciphertext. It is the default because
	// RFC 8551 section 2.7 requires receivers to support it.
	AES256GCM ContentCipher = iota
	// AES256CBC produces EnvelopedData for receivers that predate
	// AuthEnvelopedData. It has no integrity protection of its own.
	AES256CBC
)

func (c ContentCipher) String() string {
	if c == AES256CBC {
		return "AES-256-CBC"
	}
	return "AES-256-GCM"
}

// KeyTransport is the key transport algorithm for RSA recipients. EC
// recipients always get ECDH key agreement.
type KeyTransport int

const (
	// RSAOAEP is RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 8017,
	// parameters as RFC 4055 section 4.1). It is the default because
	// PKCS#1 v1.5 decryption is open to padding oracle attacks.
	RSAOAEP KeyTransport = iota
	// RSAPKCS1v15 is RSAES-PKCS1-v1_5, which every S/MIME receiver
	// supports (RFC 8551 section 2.3).
	RSAPKCS1v15
)

// EncryptOptions sets the algorithms of EncryptEntity. The zero value
// (and a nil pointer) means AES-256-GCM with RSA-OAEP.
type EncryptOptions struct {
	Cipher       ContentCipher
	KeyTransport KeyTransport
}

const contentKeySize = 32

// encryptData returns a DER ContentInfo holding EnvelopedData or
// AuthEnvelopedData of content for every recipient.
func encryptData(content []byte, recipients []*x509.Certificate, opts EncryptOptions) ([]byte, error) {
	if len(recipients) == 0 {
		return nil, errors.New("smime: no recipient certificates: add at least one, usually including the sender's own")
	}
	if len(recipients) > maxRecipients {
		return nil, fmt.Errorf("smime: %d recipients exceed the maximum of %d", len(recipients), maxRecipients)
	}
	key := make([]byte, contentKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	defer clear(key)

	var infos [][]byte
	hasKeyAgreement := false
	for i, cert := range recipients {
		if cert == nil {
			return nil, fmt.Errorf("smime: recipient certificate %d is nil: pass only parsed certificates", i)
		}
		info, kari, err := recipientInfo(cert, key, opts.KeyTransport)
		if err != nil {
			return nil, err
		}
		hasKeyAgreement = hasKeyAgreement || kari
		infos = append(infos, info)
	}

	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	switch opts.Cipher {
	case AES256CBC:
		iv := make([]byte, aes.BlockSize)
		if _, err := rand.Read(iv); err != nil {
			return nil, err
		}
		ciphertext := padPKCS7(content, aes.BlockSize)
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(ciphertext, ciphertext)
		version := int64(0)
		if hasKeyAgreement {
			version = 2 // RFC 5652 section 6.1: not all recipients are v0 KTRI
		}
		addEnvelope(&b, oidEnvelopedData, version, infos, func(b *cryptobyte.Builder) {
			addEncryptedContentInfo(b, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidAES256CBC)
				b.AddASN1OctetString(iv)
			}, ciphertext)
		})
	case AES256GCM:
		gcm, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		nonce := make([]byte, gcm.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			return nil, err
		}
		sealed := gcm.Seal(nil, nonce, content, nil)
		ciphertext, tag := sealed[:len(content)], sealed[len(content):]
		addEnvelope(&b, oidAuthEnvelopedData, 0, infos, func(b *cryptobyte.Builder) {
			addEncryptedContentInfo(b, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidAES256GCM)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(nonce)
					b.AddASN1Int64(int64(len(tag)))
				})
			}, ciphertext)
			b.AddASN1OctetString(tag)
		})
	default:
		return nil, fmt.Errorf("smime: unknown content cipher %d", opts.Cipher)
	}
	return b.Bytes()
}

func addEnvelope(b *cryptobyte.Builder, contentType asn1.ObjectIdentifier, version int64, infos [][]byte, rest func(*cryptobyte.Builder)) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(contentType)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(version)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					for _, info := range sortedDER(infos) {
						b.AddBytes(info)
					}
				})
				rest(b)
			})
		})
	})
}

func addEncryptedContentInfo(b *cryptobyte.Builder, algorithm func(*cryptobyte.Builder), ciphertext []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidData)
		b.AddASN1(cbasn1.SEQUENCE, algorithm)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddBytes(ciphertext)
		})
	})
}

// recipientInfo encrypts key for cert. It reports whether the result is a
// KeyAgreeRecipientInfo.
func recipientInfo(cert *x509.Certificate, key []byte, transport KeyTransport) ([]byte, bool, error) {
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		info, err := buildKeyTransRecipient(cert, pub, key, transport)
		return info, false, err
	case *ecdsa.PublicKey:
		if pub.Curve != elliptic.P256() {
			return nil, false, fmt.Errorf("smime: %s has an EC key on %s: only P-256 recipients are supported", describeCertificate(cert), pub.Curve.Params().Name)
		}
		info, err := buildKeyAgreeRecipient(cert, pub, key)
		return info, true, err
	}
	return nil, false, fmt.Errorf("smime: cannot encrypt to %s with a %s key: use an RSA or P-256 certificate", describeCertificate(cert), cert.PublicKeyAlgorithm)
}

func buildKeyTransRecipient(cert *x509.Certificate, pub *rsa.PublicKey, key []byte, transport KeyTransport) ([]byte, error) {
	var encrypted []byte
	var err error
	if transport == RSAPKCS1v15 {
		encrypted, err = rsa.EncryptPKCS1v15(rand.Reader, pub, key)
	} else {
		encrypted, err = rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, key, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("smime: encrypting the content key for %s failed: %w", describeCertificate(cert), err)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		addIssuerAndSerial(b, cert)
		if transport == RSAPKCS1v15 {
			addAlgorithm(b, oidRSAEncryption, true)
		} else {
			addOAEPAlgorithm(b)
		}
		b.AddASN1OctetString(encrypted)
	})
	return b.Bytes()
}

// addOAEPAlgorithm writes rsaOAEP with SHA-256 and MGF1-SHA-256 and the
// default (empty) label.
func addOAEPAlgorithm(b *cryptobyte.Builder) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidRSAOAEP)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				addAlgorithm(b, oidSHA256, false)
			})
			b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidMGF1)
					addAlgorithm(b, oidSHA256, false)
				})
			})
		})
	})
}

// buildKeyAgreeRecipient encrypts key for a P-256 recipient with
// ephemeral-static ECDH, the ANSI X9.63 KDF over SHA-256 and AES-256 key
// wrap (dhSinglePass-stdDH-sha256kdf-scheme, RFC 5753 section 3.1).
func buildKeyAgreeRecipient(cert *x509.Certificate, pub *ecdsa.PublicKey, key []byte) ([]byte, error) {
	recipientKey, err := pub.ECDH()
	if err != nil {
		return nil, fmt.Errorf("smime: invalid EC key in %s: %w", describeCertificate(cert), err)
	}
	ephemeral, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	shared, err := ephemeral.ECDH(recipientKey)
	if err != nil {
		return nil, fmt.Errorf("smime: key agreement with %s failed: %w", describeCertificate(cert), err)
	}
	kek, err := x963KDF(sha256Hash, shared, oidAES256Wrap, nil, 32)
	clear(shared)
	if err != nil {
		return nil, err
	}
	wrapped, err := wrapKey(kek, key)
	clear(kek)
	if err != nil {
		return nil, err
	}

	var b cryptobyte.Builder
	b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
		b.AddASN1Int64(3)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				addAlgorithm(b, oidECPublicKey, false)
				b.AddASN1BitString(ephemeral.PublicKey().Bytes())
			})
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidECDHSHA256KDF)
			addAlgorithm(b, oidAES256Wrap, false)
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				addIssuerAndSerial(b, cert)
				b.AddASN1OctetString(wrapped)
			})
		})
	})
	return b.Bytes()
}

func padPKCS7(data []byte, blockSize int) []byte {
	n := blockSize - len(data)%blockSize
	out := make([]byte, len(data)+n)
	copy(out, data)
	for i := len(data); i < len(out); i++ {
		out[i] = byte(n)
	}
	return out
}
