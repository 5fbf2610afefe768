package smime

import (
	gocrypto "crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
)

type envelopedData struct {
	Version              int
	OriginatorInfo       asn1.RawValue `asn1:"optional,tag:0"`
	RecipientInfos       asn1.RawValue
	EncryptedContentInfo encryptedContentInfo
	UnprotectedAttrs     asn1.RawValue `asn1:"optional,tag:1"`
}

type authEnvelopedData struct {
	Version                  int
	OriginatorInfo           asn1.RawValue `asn1:"optional,tag:0"`
	RecipientInfos           asn1.RawValue
	AuthEncryptedContentInfo encryptedContentInfo
	AuthAttrs                asn1.RawValue `asn1:"optional,tag:1"`
	MAC                      []byte
	UnauthAttrs              asn1.RawValue `asn1:"optional,tag:2"`
}

type encryptedContentInfo struct {
	ContentType                asn1.ObjectIdentifier
	ContentEncryptionAlgorithm pkix.AlgorithmIdentifier
	EncryptedContent           asn1.RawValue `asn1:"optional,tag:0"`
}

type keyTransRecipientInfo struct {
	Version                int
	RID                    asn1.RawValue
	KeyEncryptionAlgorithm pkix.AlgorithmIdentifier
	EncryptedKey           []byte
}

// decryptedContent is the plaintext of an enveloped message and how it
// was protected.
type decryptedContent struct {
	plaintext          []byte
	algorithm          string
	integrityProtected bool
}

// contentAlgorithm describes a supported content encryption algorithm.
type contentAlgorithm struct {
	name     string
	keySize  int
	gcm      bool
	newBlock func([]byte) (cipher.Block, error)
}

func lookupContentAlgorithm(oid asn1.ObjectIdentifier) (contentAlgorithm, bool) {
	switch {
	case oid.Equal(oidAES128CBC):
		return contentAlgorithm{"AES-128-CBC", 16, false, aes.NewCipher}, true
	case oid.Equal(oidAES192CBC):
		return contentAlgorithm{"AES-192-CBC", 24, false, aes.NewCipher}, true
	case oid.Equal(oidAES256CBC):
		return contentAlgorithm{"AES-256-CBC", 32, false, aes.NewCipher}, true
	case oid.Equal(oidAES128GCM):
		return contentAlgorithm{"AES-128-GCM", 16, true, aes.NewCipher}, true
	case oid.Equal(oidAES192GCM):
		return contentAlgorithm{"AES-192-GCM", 24, true, aes.NewCipher}, true
	case oid.Equal(oidAES256GCM):
		return contentAlgorithm{"AES-256-GCM", 32, true, aes.NewCipher}, true
	case oid.Equal(oidDESEDE3CBC):
		// Read-only support for mail from older clients: RFC 8551
		// section 2.7 lets receivers accept TripleDES, and the status
		// names it so the user sees the weak cipher. We never send it.
		return contentAlgorithm{"3DES-CBC", 24, false, des.NewTripleDESCipher}, true
	}
	return contentAlgorithm{}, false
}

// decryptEnveloped opens EnvelopedData (authenticated false) or
// AuthEnvelopedData (authenticated true) given as the DER content of a
// ContentInfo.
func decryptEnveloped(der []byte, authenticated bool, ids []*Identity) (*decryptedContent, error) {
	var recipientInfos asn1.RawValue
	var eci encryptedContentInfo
	var mac, aad []byte
	if authenticated {
		var aed authEnvelopedData
		if _, err := asn1.Unmarshal(der, &aed); err != nil {
			return nil, fmt.Errorf("%w: invalid AuthEnvelopedData: %w", ErrMalformed, err)
		}
		recipientInfos, eci, mac = aed.RecipientInfos, aed.AuthEncryptedContentInfo, aed.MAC
		if len(aed.AuthAttrs.FullBytes) > 0 {
			// RFC 5083 section 2.2: the authenticated attributes enter
			// GCM as the DER of a SET OF.
			aad = append([]byte{0x31}, aed.AuthAttrs.FullBytes[1:]...)
		}
	} else {
		var ed envelopedData
		if _, err := asn1.Unmarshal(der, &ed); err != nil {
			return nil, fmt.Errorf("%w: invalid EnvelopedData: %w", ErrMalformed, err)
		}
		recipientInfos, eci = ed.RecipientInfos, ed.EncryptedContentInfo
	}

	alg, ok := lookupContentAlgorithm(eci.ContentEncryptionAlgorithm.Algorithm)
	if !ok {
		return nil, fmt.Errorf("%w: content encryption %s", ErrUnsupportedAlgorithm, describeOID(eci.ContentEncryptionAlgorithm.Algorithm))
	}
	if alg.gcm != authenticated {
		return nil, fmt.Errorf("%w: %s is not allowed in this content type", ErrMalformed, alg.name)
	}
	ciphertext, err := encryptedContentBytes(eci.EncryptedContent)
	if err != nil {
		return nil, err
	}

	key, err := findContentKey(recipientInfos, ids, alg.keySize)
	if err != nil {
		return nil, err
	}
	defer clear(key)

	var plaintext []byte
	if alg.gcm {
		plaintext, err = openGCM(key, eci.ContentEncryptionAlgorithm.Parameters.FullBytes, ciphertext, mac, aad)
	} else {
		plaintext, err = decryptCBC(alg.newBlock, key, eci.ContentEncryptionAlgorithm.Parameters.FullBytes, ciphertext)
	}
	if err != nil {
		return nil, err
	}
	return &decryptedContent{plaintext: plaintext, algorithm: alg.name, integrityProtected: alg.gcm}, nil
}

// encryptedContentBytes returns the ciphertext of the [0] IMPLICIT OCTET
// STRING, which BER encoders may split into segments.
func encryptedContentBytes(raw asn1.RawValue) ([]byte, error) {
	if len(raw.FullBytes) == 0 {
		return nil, fmt.Errorf("%w: encrypted content is missing (detached content is not supported)", ErrMalformed)
	}
	if !raw.IsCompound {
		return raw.Bytes, nil
	}
	joined, err := joinOctetStringSegments(raw.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return joined, nil
}

// findContentKey tries every identity on every recipient info. Failures
// to decrypt the key are reported only when no recipient info worked.
func findContentKey(raw asn1.RawValue, ids []*Identity, keySize int) ([]byte, error) {
	infos, err := parseElements(raw.Bytes, maxRecipients, "recipient infos")
	if err != nil {
		return nil, err
	}
	var unsupported []string
	var failure error
	for _, info := range infos {
		for _, id := range ids {
			if id == nil || id.Certificate == nil || id.PrivateKey == nil {
				continue
			}
			key, matched, err := openRecipient(info, id, keySize)
			if !matched {
				continue
			}
			if err == nil {
				return key, nil
			}
			failure = err
		}
		if name := unsupportedRecipientType(info); name != "" {
			unsupported = append(unsupported, name)
		}
	}
	switch {
	case failure != nil:
		return nil, failure
	case len(unsupported) > 0:
		return nil, fmt.Errorf("%w: recipient types %s; open the message with software that supports them", ErrUnsupportedAlgorithm, strings.Join(unsupported, ", "))
	}
	return nil, fmt.Errorf("%w: import the certificate and key the message was encrypted to", ErrNotRecipient)
}

// unsupportedRecipientType names recipient info choices that are never
// opened here, or returns "".
func unsupportedRecipientType(info asn1.RawValue) string {
	if info.Class != asn1.ClassContextSpecific {
		return ""
	}
	switch info.Tag {
	case 1:
		return "key agreement with a non-P-256 key"
	case 2:
		return "KEK (KEKRecipientInfo)"
	case 3:
		return "password (PasswordRecipientInfo)"
	case 4:
		return "other (OtherRecipientInfo)"
	}
	return ""
}

func openRecipient(info asn1.RawValue, id *Identity, keySize int) ([]byte, bool, error) {
	switch {
	case info.Class == asn1.ClassUniversal && info.Tag == asn1.TagSequence:
		return openKeyTransRecipient(info.FullBytes, id, keySize)
	case info.Class == asn1.ClassContextSpecific && info.Tag == 1:
		key, matched, err := openKeyAgreeRecipient(info.FullBytes, id)
		if err == nil && matched && len(key) != keySize {
			return nil, true, fmt.Errorf("%w: content key has the wrong length", ErrDecryptionFailed)
		}
		return key, matched, err
	}
	return nil, false, nil
}

func openKeyTransRecipient(der []byte, id *Identity, keySize int) ([]byte, bool, error) {
	var ktri keyTransRecipientInfo
	if _, err := asn1.Unmarshal(der, &ktri); err != nil {
		return nil, false, fmt.Errorf("%w: invalid KeyTransRecipientInfo: %w", ErrMalformed, err)
	}
	if !matchesRecipientID(ktri.RID, id.Certificate) {
		return nil, false, nil
	}
	priv, ok := id.PrivateKey.(*rsa.PrivateKey)
	if !ok {
		return nil, true, fmt.Errorf("%w: key transport needs an RSA private key", ErrDecryptionFailed)
	}

	alg := ktri.KeyEncryptionAlgorithm
	switch {
	case alg.Algorithm.Equal(oidRSAEncryption):
		// A random key on padding failure keeps the result of the
		// PKCS#1 v1.5 check secret (Bleichenbacher); the content
		// decryption then fails like any wrong key.
		key := make([]byte, keySize)
		if _, err := rand.Read(key); err != nil {
			return nil, true, err
		}
		if err := rsa.DecryptPKCS1v15SessionKey(nil, priv, ktri.EncryptedKey, key); err != nil {
			return nil, true, fmt.Errorf("%w: %w", ErrDecryptionFailed, err)
		}
		return key, true, nil
	case alg.Algorithm.Equal(oidRSAOAEP):
		hash, mgfHash, err := parseOAEPParameters(alg.Parameters.FullBytes)
		if err != nil {
			return nil, true, err
		}
		key, err := priv.Decrypt(nil, ktri.EncryptedKey, &rsa.OAEPOptions{Hash: hash, MGFHash: mgfHash})
		if err != nil || len(key) != keySize {
			return nil, true, fmt.Errorf("%w: RSA-OAEP key decryption failed", ErrDecryptionFailed)
		}
		return key, true, nil
	}
	return nil, true, fmt.Errorf("%w: key transport %s", ErrUnsupportedAlgorithm, describeOID(alg.Algorithm))
}

// parseOAEPParameters reads RSAES-OAEP-params (RFC 4055 section 4.1) and
// returns the hash and the MGF1 hash. Absent fields mean SHA-1, which is
// safe in OAEP.
func parseOAEPParameters(der []byte) (hash, mgfHash gocrypto.Hash, err error) {
	var raw struct {
		Hash    pkix.AlgorithmIdentifier `asn1:"explicit,optional,tag:0"`
		MGF     pkix.AlgorithmIdentifier `asn1:"explicit,optional,tag:1"`
		PSource pkix.AlgorithmIdentifier `asn1:"explicit,optional,tag:2"`
	}
	if len(der) > 0 && der[0] != 0x05 {
		if _, err := asn1.Unmarshal(der, &raw); err != nil {
			return 0, 0, fmt.Errorf("%w: invalid RSA-OAEP parameters: %w", ErrMalformed, err)
		}
	}

	hash, err = oaepHash(raw.Hash.Algorithm)
	if err != nil {
		return 0, 0, err
	}
	mgfHash = gocrypto.SHA1
	if len(raw.MGF.Algorithm) > 0 {
		if !raw.MGF.Algorithm.Equal(oidMGF1) {
			return 0, 0, fmt.Errorf("%w: RSA-OAEP mask generation %s", ErrUnsupportedAlgorithm, describeOID(raw.MGF.Algorithm))
		}
		var mgfAlg pkix.AlgorithmIdentifier
		if _, err := asn1.Unmarshal(raw.MGF.Parameters.FullBytes, &mgfAlg); err != nil {
			return 0, 0, fmt.Errorf("%w: invalid RSA-OAEP MGF1 parameters: %w", ErrMalformed, err)
		}
		if mgfHash, err = oaepHash(mgfAlg.Algorithm); err != nil {
			return 0, 0, err
		}
	}
	if len(raw.PSource.Algorithm) > 0 && len(raw.PSource.Parameters.Bytes) > 0 {
		return 0, 0, fmt.Errorf("%w: RSA-OAEP with a label", ErrUnsupportedAlgorithm)
	}
	return hash, mgfHash, nil
}

// oaepHash maps a hash identifier in OAEP parameters; absent means SHA-1.
func oaepHash(oid asn1.ObjectIdentifier) (gocrypto.Hash, error) {
	if len(oid) == 0 || oid.Equal(oidSHA1) {
		return gocrypto.SHA1, nil
	}
	if h, ok := hashForDigestOID(oid); ok {
		return h, nil
	}
	return 0, fmt.Errorf("%w: RSA-OAEP hash %s", ErrUnsupportedAlgorithm, describeOID(oid))
}

func decryptCBC(newBlock func([]byte) (cipher.Block, error), key, params, ciphertext []byte) ([]byte, error) {
	block, err := newBlock(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecryptionFailed, err)
	}
	size := block.BlockSize()
	var iv []byte
	if _, err := asn1.Unmarshal(params, &iv); err != nil || len(iv) != size {
		return nil, fmt.Errorf("%w: invalid CBC initialization vector", ErrMalformed)
	}
	if len(ciphertext) == 0 || len(ciphertext)%size != 0 {
		return nil, fmt.Errorf("%w: CBC ciphertext is not a whole number of blocks", ErrMalformed)
	}
	plaintext := make([]byte, len(ciphertext))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plaintext, ciphertext)
	return unpadPKCS7(plaintext, size)
}

// unpadPKCS7 checks and removes the padding in constant time, and
// returns one error for every failure.
func unpadPKCS7(data []byte, blockSize int) ([]byte, error) {
	n := int(data[len(data)-1])
	good := subtle.ConstantTimeLessOrEq(1, n) & subtle.ConstantTimeLessOrEq(n, blockSize)
	for i := 1; i <= blockSize; i++ {
		inPad := subtle.ConstantTimeLessOrEq(i, n)
		match := subtle.ConstantTimeByteEq(data[len(data)-i], byte(n))
		good &= (inPad & match) | (1 ^ inPad)
	}
	if good != 1 {
		return nil, fmt.Errorf("%w: wrong key or corrupted ciphertext", ErrDecryptionFailed)
	}
	return data[:len(data)-n], nil
}

// openGCM verifies the tag and only then returns the plaintext, because
// cipher.AEAD.Open checks the tag before it decrypts.
func openGCM(key, params, ciphertext, tag, aad []byte) ([]byte, error) {
	var p struct {
		Nonce  []byte
		ICVLen int `asn1:"optional,default:12"`
	}
	if _, err := asn1.Unmarshal(params, &p); err != nil {
		return nil, fmt.Errorf("%w: invalid GCM parameters: %w", ErrMalformed, err)
	}
	if p.ICVLen < 12 || p.ICVLen > 16 || len(tag) != p.ICVLen || len(p.Nonce) == 0 || len(p.Nonce) > 64 {
		return nil, fmt.Errorf("%w: invalid GCM nonce or tag length", ErrMalformed)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecryptionFailed, err)
	}
	gcm, err := newGCM(block, len(p.Nonce), p.ICVLen)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupportedAlgorithm, err)
	}
	sealed := make([]byte, 0, len(ciphertext)+len(tag))
	sealed = append(append(sealed, ciphertext...), tag...)
	plaintext, err := gcm.Open(sealed[:0], p.Nonce, sealed, aad)
	if err != nil {
		return nil, fmt.Errorf("%w: authentication tag did not verify, so the message was changed or the key is wrong", ErrDecryptionFailed)
	}
	return plaintext, nil
}

func newGCM(block cipher.Block, nonceSize, tagSize int) (cipher.AEAD, error) {
	switch {
	case nonceSize == 12 && tagSize == 16:
		return cipher.NewGCM(block)
	case tagSize == 16:
		return cipher.NewGCMWithNonceSize(block, nonceSize)
	case nonceSize == 12:
		return cipher.NewGCMWithTagSize(block, tagSize)
	}
	return nil, errors.New("GCM with both a non-standard nonce and tag size")
}

// describeOID names well-known unsupported algorithms in errors.
func describeOID(oid asn1.ObjectIdentifier) string {
	if oid.Equal(oidChaCha20Poly1305) {
		return "ChaCha20-Poly1305"
	}
	return oid.String()
}
