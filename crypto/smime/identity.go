package smime

import (
	gocrypto "crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

// ErrWrongPassword is wrapped by ImportPKCS12 when the password does not
// open the PKCS#12 file.
var ErrWrongPassword = errors.New("smime: wrong PKCS#12 password")

// Identity is one S/MIME identity of the user: a certificate, the chain
// that issued it (leaf excluded, nearest issuer first) and the matching
// private key. The key is a crypto.Signer for signing and, for RSA and EC
// keys, also opens messages encrypted to the certificate.
type Identity struct {
	Certificate *x509.Certificate
	Chain       []*x509.Certificate
	PrivateKey  gocrypto.Signer
}

// ImportPKCS12 reads a PKCS#12 (.p12, .pfx) file holding one private key,
// its certificate and optionally the issuing chain. A wrong password
// returns an error wrapping ErrWrongPassword.
func ImportPKCS12(data []byte, password string) (*Identity, error) {
	if block, _ := pem.Decode(data); block != nil && block.Type == "PKCS12" {
		data = block.Bytes
	}
	key, cert, chain, err := pkcs12.DecodeChain(data, password)
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, fmt.Errorf("%w: check the password and import again", ErrWrongPassword)
	}
	if err != nil {
		// QUIRK: NSS and older Windows write PKCS#12 in BER, and OpenSSL
		// with -legacy writes more than two safes. go-pkcs12 v0.7.4
		// rejects both, so such files go through our own decoder.
		var certs []*x509.Certificate
		key, certs, err = decodePKCS12(data, password)
		if err != nil {
			return nil, fmt.Errorf("smime: cannot import the PKCS#12 file: %w", err)
		}
		if cert, chain, err = splitLeaf(key, certs); err != nil {
			return nil, err
		}
	}
	return NewIdentity(cert, chain, key)
}

// ImportPEM builds an identity from PEM certificates (the leaf first,
// then any chain) and a PKCS#8 "PRIVATE KEY" block. PKCS#1 "RSA PRIVATE
// KEY" and SEC 1 "EC PRIVATE KEY" blocks are accepted too. The key may
// come in keyPEM or in certPEM.
func ImportPEM(certPEM, keyPEM []byte) (*Identity, error) {
	certs, err := ParseCertificates(certPEM)
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return nil, errors.New("smime: no CERTIFICATE block in the PEM data: pass the certificate file")
	}
	// The key is looked up in keyPEM first, then in certPEM; parsing them
	// apart keeps a file without a final newline from hiding a block.
	key, err := parsePEMPrivateKey(keyPEM)
	if err != nil {
		if key, err = parsePEMPrivateKey(certPEM); err != nil {
			return nil, err
		}
	}
	return NewIdentity(certs[0], certs[1:], key)
}

// splitLeaf returns the certificate that matches key and the others.
func splitLeaf(key any, certs []*x509.Certificate) (*x509.Certificate, []*x509.Certificate, error) {
	signer, ok := key.(gocrypto.Signer)
	if !ok {
		return nil, nil, errors.New("smime: PKCS#12 file has no usable private key: export it again with the key included")
	}
	for i, c := range certs {
		if publicKeysEqual(signer.Public(), c.PublicKey) {
			chain := append(append([]*x509.Certificate{}, certs[:i]...), certs[i+1:]...)
			return c, chain, nil
		}
	}
	return nil, nil, errors.New("smime: PKCS#12 file has no certificate for its private key: export it again with the certificate")
}

// NewIdentity checks that key belongs to cert and returns the identity.
func NewIdentity(cert *x509.Certificate, chain []*x509.Certificate, key any) (*Identity, error) {
	if cert == nil {
		return nil, errors.New("smime: identity has no certificate")
	}
	signer, ok := key.(gocrypto.Signer)
	if !ok {
		return nil, fmt.Errorf("smime: unsupported private key type %T: use an RSA, ECDSA or Ed25519 key", key)
	}
	if !publicKeysEqual(signer.Public(), cert.PublicKey) {
		return nil, fmt.Errorf("smime: private key does not match the certificate of %s", describeCertificate(cert))
	}
	return &Identity{Certificate: cert, Chain: chain, PrivateKey: signer}, nil
}

func publicKeysEqual(a, b gocrypto.PublicKey) bool {
	type equaler interface{ Equal(gocrypto.PublicKey) bool }
	switch k := a.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return k.(equaler).Equal(b)
	}
	return false
}

// ParseCertificates returns every CERTIFICATE block in PEM data, or the
// single certificate when data is DER.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("smime: invalid certificate %d in the PEM data: %w", len(certs)+1, err)
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 && !strings.Contains(string(data), "-----BEGIN") {
		cert, err := x509.ParseCertificate(data)
		if err != nil {
			return nil, fmt.Errorf("smime: data is neither PEM nor a DER certificate: %w", err)
		}
		certs = append(certs, cert)
	}
	return certs, nil
}

func parsePEMPrivateKey(data []byte) (any, error) {
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("smime: no PRIVATE KEY block in the PEM data: pass the PKCS#8 key file")
		}
		var key any
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("smime: encrypted PEM private keys are not supported: import a PKCS#12 file instead")
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("smime: invalid %s block: %w", block.Type, err)
		}
		return key, nil
	}
}

// Fingerprint returns the SHA-256 of the certificate's DER encoding in
// upper-case hex without separators.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// EmailAddresses returns the certificate's email addresses: the
// rfc822Name entries of subjectAltName, then any emailAddress attribute
// of the subject (an older form that some CAs still issue).
func EmailAddresses(cert *x509.Certificate) []string {
	addrs := append([]string{}, cert.EmailAddresses...)
	oidEmailAttribute := []int{1, 2, 840, 113549, 1, 9, 1}
	for _, name := range cert.Subject.Names {
		if name.Type.Equal(oidEmailAttribute) {
			if s, ok := name.Value.(string); ok {
				addrs = append(addrs, s)
			}
		}
	}
	return addrs
}

// HasEmail reports whether addr is one of the certificate's addresses,
// comparing case-insensitively.
func HasEmail(cert *x509.Certificate, addr string) bool {
	for _, a := range EmailAddresses(cert) {
		if strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(addr)) {
			return true
		}
	}
	return false
}

// describeCertificate names a certificate in an error message by its
// fingerprint, because subject text comes from outside.
func describeCertificate(cert *x509.Certificate) string {
	return "certificate " + Fingerprint(cert)[:16]
}
