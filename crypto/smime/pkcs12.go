package smime

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"hash"
	"unicode/utf16"
)

// This file decodes PKCS#12 (RFC 7292) files that go-pkcs12 rejects:
// BER with indefinite lengths (NSS, older Windows) and files with more
// than two items in the authenticated safe (OpenSSL with -legacy).

var (
	oidPKCS12KeyBag         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidPKCS12ShroudedKeyBag = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidPKCS12CertBag        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidX509CertificateInBag = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidEncryptedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidPBES2                = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidPBEWithSHAAnd3KeyDES = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidHMACWithSHA1         = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACWithSHA256       = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACWithSHA384       = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACWithSHA512       = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidDESEDE3CBC           = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
	maxPKCS12Iterations     = 10_000_000
	maxPKCS12Bags           = 256
	errPKCS12Iterations     = fmt.Errorf("%w: PKCS#12 iteration count above %d", ErrMalformed, maxPKCS12Iterations)
)

type pfxPDU struct {
	Version  int
	AuthSafe contentInfo
	MacData  macData `asn1:"optional"`
}

type macData struct {
	Mac struct {
		Algorithm pkix.AlgorithmIdentifier
		Digest    []byte
	}
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

type safeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue `asn1:"explicit,tag:0"`
	Attributes asn1.RawValue `asn1:"optional"`
}

type encryptedPrivateKeyInfo struct {
	Algorithm     pkix.AlgorithmIdentifier
	EncryptedData []byte
}

// decodePKCS12 returns the private key and certificates of a PKCS#12 file
// after checking its MAC with password.
func decodePKCS12(data []byte, password string) (any, []*x509.Certificate, error) {
	der, _, err := normalizeBER(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	var pfx pfxPDU
	if _, err := asn1.Unmarshal(der, &pfx); err != nil {
		return nil, nil, fmt.Errorf("%w: invalid PFX: %w", ErrMalformed, err)
	}
	if pfx.Version != 3 || !pfx.AuthSafe.ContentType.Equal(oidData) {
		return nil, nil, fmt.Errorf("%w: only password-protected PKCS#12 version 3 is supported", ErrUnsupportedAlgorithm)
	}
	var authSafe []byte
	if _, err := asn1.Unmarshal(pfx.AuthSafe.Content.Bytes, &authSafe); err != nil {
		return nil, nil, fmt.Errorf("%w: invalid PKCS#12 authenticated safe: %w", ErrMalformed, err)
	}
	if err := verifyPKCS12MAC(&pfx.MacData, authSafe, password); err != nil {
		return nil, nil, err
	}

	bags, err := pkcs12Bags(authSafe, password)
	if err != nil {
		return nil, nil, err
	}
	var key any
	var certs []*x509.Certificate
	for _, bag := range bags {
		switch {
		case bag.ID.Equal(oidPKCS12CertBag):
			cert, err := certFromBag(bag.Value.Bytes)
			if err != nil {
				return nil, nil, err
			}
			certs = append(certs, cert)
		case bag.ID.Equal(oidPKCS12KeyBag):
			if key, err = x509.ParsePKCS8PrivateKey(bag.Value.Bytes); err != nil {
				return nil, nil, fmt.Errorf("%w: invalid private key in PKCS#12: %w", ErrMalformed, err)
			}
		case bag.ID.Equal(oidPKCS12ShroudedKeyBag):
			if key, err = decryptShroudedKey(bag.Value.Bytes, password); err != nil {
				return nil, nil, err
			}
		}
	}
	return key, certs, nil
}

// pkcs12Bags returns the safe bags of every item of the authenticated
// safe, decrypting encrypted items.
func pkcs12Bags(authSafe []byte, password string) ([]safeBag, error) {
	der, _, err := normalizeBER(authSafe)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	var items []contentInfo
	if _, err := asn1.Unmarshal(der, &items); err != nil {
		return nil, fmt.Errorf("%w: invalid PKCS#12 authenticated safe: %w", ErrMalformed, err)
	}
	var bags []safeBag
	for _, item := range items {
		var contents []byte
		switch {
		case item.ContentType.Equal(oidData):
			if _, err := asn1.Unmarshal(item.Content.Bytes, &contents); err != nil {
				return nil, fmt.Errorf("%w: invalid PKCS#12 data item: %w", ErrMalformed, err)
			}
		case item.ContentType.Equal(oidEncryptedData):
			var ed struct {
				Version int
				Info    encryptedContentInfo
			}
			if _, err := asn1.Unmarshal(item.Content.Bytes, &ed); err != nil {
				return nil, fmt.Errorf("%w: invalid PKCS#12 encrypted item: %w", ErrMalformed, err)
			}
			ciphertext, err := encryptedContentBytes(ed.Info.EncryptedContent)
			if err != nil {
				return nil, err
			}
			if contents, err = pbeDecrypt(ed.Info.ContentEncryptionAlgorithm, ciphertext, password); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%w: PKCS#12 item of type %s", ErrUnsupportedAlgorithm, item.ContentType)
		}
		contentsDER, _, err := normalizeBER(contents)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		var itemBags []safeBag
		if _, err := asn1.Unmarshal(contentsDER, &itemBags); err != nil {
			return nil, fmt.Errorf("%w: invalid PKCS#12 safe contents: %w", ErrMalformed, err)
		}
		bags = append(bags, itemBags...)
		if len(bags) > maxPKCS12Bags {
			return nil, fmt.Errorf("%w: more than %d PKCS#12 bags", ErrMalformed, maxPKCS12Bags)
		}
	}
	return bags, nil
}

func certFromBag(der []byte) (*x509.Certificate, error) {
	var bag struct {
		ID    asn1.ObjectIdentifier
		Value asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &bag); err != nil {
		return nil, fmt.Errorf("%w: invalid PKCS#12 certificate bag: %w", ErrMalformed, err)
	}
	if !bag.ID.Equal(oidX509CertificateInBag) {
		return nil, fmt.Errorf("%w: PKCS#12 certificate of type %s", ErrUnsupportedAlgorithm, bag.ID)
	}
	var certDER []byte
	if _, err := asn1.Unmarshal(bag.Value.Bytes, &certDER); err != nil {
		return nil, fmt.Errorf("%w: invalid PKCS#12 certificate bag: %w", ErrMalformed, err)
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, fmt.Errorf("%w: invalid certificate in PKCS#12: %w", ErrMalformed, err)
	}
	return cert, nil
}

func decryptShroudedKey(der []byte, password string) (any, error) {
	var info encryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, fmt.Errorf("%w: invalid PKCS#12 shrouded key: %w", ErrMalformed, err)
	}
	plain, err := pbeDecrypt(info.Algorithm, info.EncryptedData, password)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	key, err := x509.ParsePKCS8PrivateKey(plain)
	if err != nil {
		return nil, fmt.Errorf("%w: invalid private key in PKCS#12: %w", ErrMalformed, err)
	}
	return key, nil
}

// verifyPKCS12MAC checks the HMAC of RFC 7292 appendix B, whose key comes
// from the PKCS#12 KDF over the BMPString password.
func verifyPKCS12MAC(m *macData, authSafe []byte, password string) error {
	newHash, ok := pkcs12Hash(m.Mac.Algorithm.Algorithm)
	if !ok {
		return fmt.Errorf("%w: PKCS#12 MAC algorithm %s", ErrUnsupportedAlgorithm, m.Mac.Algorithm.Algorithm)
	}
	if m.Iterations < 1 || m.Iterations > maxPKCS12Iterations {
		return errPKCS12Iterations
	}
	key := pkcs12KDF(newHash, m.MacSalt, bmpPassword(password), m.Iterations, 3, newHash().Size())
	mac := hmac.New(newHash, key)
	mac.Write(authSafe)
	if !hmac.Equal(mac.Sum(nil), m.Mac.Digest) {
		return fmt.Errorf("%w: check the password and import again", ErrWrongPassword)
	}
	return nil
}

func pkcs12Hash(oid asn1.ObjectIdentifier) (func() hash.Hash, bool) {
	switch {
	case oid.Equal(oidSHA1):
		return sha1.New, true
	case oid.Equal(oidSHA256):
		return sha256.New, true
	case oid.Equal(oidSHA384):
		return sha512.New384, true
	case oid.Equal(oidSHA512):
		return sha512.New, true
	}
	return nil, false
}

// pbeDecrypt decrypts with PBES2 (PBKDF2 with AES-CBC or 3DES-CBC) or the
// legacy pbeWithSHAAnd3-KeyTripleDES-CBC of RFC 7292 appendix C.
func pbeDecrypt(alg pkix.AlgorithmIdentifier, ciphertext []byte, password string) ([]byte, error) {
	var block cipher.Block
	var iv []byte
	switch {
	case alg.Algorithm.Equal(oidPBEWithSHAAnd3KeyDES):
		var params struct {
			Salt       []byte
			Iterations int
		}
		if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &params); err != nil {
			return nil, fmt.Errorf("%w: invalid PKCS#12 PBE parameters: %w", ErrMalformed, err)
		}
		if params.Iterations < 1 || params.Iterations > maxPKCS12Iterations {
			return nil, errPKCS12Iterations
		}
		pw := bmpPassword(password)
		key := pkcs12KDF(sha1.New, params.Salt, pw, params.Iterations, 1, 24)
		iv = pkcs12KDF(sha1.New, params.Salt, pw, params.Iterations, 2, 8)
		var err error
		if block, err = des.NewTripleDESCipher(key); err != nil {
			return nil, err
		}
	case alg.Algorithm.Equal(oidPBES2):
		var err error
		if block, iv, err = pbes2Cipher(alg.Parameters.FullBytes, password); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: PKCS#12 encryption %s (for example RC2); re-export the file with AES", ErrUnsupportedAlgorithm, alg.Algorithm)
	}
	if len(ciphertext) == 0 || len(ciphertext)%block.BlockSize() != 0 || len(iv) != block.BlockSize() {
		return nil, fmt.Errorf("%w: invalid PKCS#12 ciphertext length", ErrMalformed)
	}
	plain := make([]byte, len(ciphertext))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, ciphertext)
	out, err := unpadPKCS7(plain, block.BlockSize())
	if err != nil {
		return nil, fmt.Errorf("%w: check the password and import again", ErrWrongPassword)
	}
	return out, nil
}

func pbes2Cipher(der []byte, password string) (cipher.Block, []byte, error) {
	var params struct {
		KDF    pkix.AlgorithmIdentifier
		Scheme pkix.AlgorithmIdentifier
	}
	if _, err := asn1.Unmarshal(der, &params); err != nil || !params.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, nil, fmt.Errorf("%w: PBES2 without PBKDF2", ErrUnsupportedAlgorithm)
	}
	var kdf struct {
		Salt       []byte
		Iterations int
		KeyLength  int                      `asn1:"optional"`
		PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(params.KDF.Parameters.FullBytes, &kdf); err != nil {
		return nil, nil, fmt.Errorf("%w: invalid PBKDF2 parameters: %w", ErrMalformed, err)
	}
	if kdf.Iterations < 1 || kdf.Iterations > maxPKCS12Iterations {
		return nil, nil, errPKCS12Iterations
	}

	var prf func() hash.Hash
	switch a := kdf.PRF.Algorithm; {
	case len(a) == 0, a.Equal(oidHMACWithSHA1):
		prf = sha1.New
	case a.Equal(oidHMACWithSHA256):
		prf = sha256.New
	case a.Equal(oidHMACWithSHA384):
		prf = sha512.New384
	case a.Equal(oidHMACWithSHA512):
		prf = sha512.New
	default:
		return nil, nil, fmt.Errorf("%w: PBKDF2 PRF %s", ErrUnsupportedAlgorithm, a)
	}

	var keySize int
	newBlock := aes.NewCipher
	switch a := params.Scheme.Algorithm; {
	case a.Equal(oidAES128CBC):
		keySize = 16
	case a.Equal(oidAES192CBC):
		keySize = 24
	case a.Equal(oidAES256CBC):
		keySize = 32
	case a.Equal(oidDESEDE3CBC):
		keySize, newBlock = 24, des.NewTripleDESCipher
	default:
		return nil, nil, fmt.Errorf("%w: PBES2 cipher %s", ErrUnsupportedAlgorithm, a)
	}

	var iv []byte
	if _, err := asn1.Unmarshal(params.Scheme.Parameters.FullBytes, &iv); err != nil {
		return nil, nil, fmt.Errorf("%w: invalid PBES2 IV: %w", ErrMalformed, err)
	}
	key, err := pbkdf2.Key(prf, password, kdf.Salt, kdf.Iterations, keySize)
	if err != nil {
		return nil, nil, err
	}
	defer clear(key)
	block, err := newBlock(key)
	return block, iv, err
}

// bmpPassword encodes a password as a zero-terminated BMPString
// (UTF-16BE), as the PKCS#12 KDF expects.
func bmpPassword(password string) []byte {
	units := utf16.Encode([]rune(password))
	out := make([]byte, 0, 2*len(units)+2)
	for _, u := range units {
		out = append(out, byte(u>>8), byte(u))
	}
	return append(out, 0, 0)
}

// pkcs12KDF derives size bytes for purpose id (1 key, 2 IV, 3 MAC) as in
// RFC 7292 appendix B.2.
func pkcs12KDF(newHash func() hash.Hash, salt, password []byte, iterations int, id byte, size int) []byte {
	h := newHash()
	v := h.BlockSize()
	fill := func(src []byte) []byte {
		if len(src) == 0 {
			return nil
		}
		out := make([]byte, v*((len(src)+v-1)/v))
		for i := range out {
			out[i] = src[i%len(src)]
		}
		return out
	}
	d := make([]byte, v)
	for i := range d {
		d[i] = id
	}
	input := append(fill(salt), fill(password)...)
	var out []byte
	for len(out) < size {
		h.Reset()
		h.Write(d)
		h.Write(input)
		a := h.Sum(nil)
		for i := 1; i < iterations; i++ {
			h.Reset()
			h.Write(a)
			a = h.Sum(a[:0])
		}
		out = append(out, a...)
		b := fill(a)[:v]
		// I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I.
		for j := 0; j < len(input); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				sum := int(input[j+k]) + int(b[k]) + carry
				input[j+k] = byte(sum)
				carry = sum >> 8
			}
		}
	}
	return out[:size]
}
