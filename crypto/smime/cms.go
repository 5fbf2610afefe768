package smime

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
)

// Limits on what one CMS structure may contain. They are far above what
// mail software sends and keep a crafted message from costing much.
const (
	maxCertificates = 64
	maxSigners      = 16
	maxRecipients   = 1024
)

// ErrMalformed is wrapped by errors about CMS, MIME or PKCS#12 data that
// cannot be parsed.
var ErrMalformed = errors.New("smime: invalid or corrupted data")

// ErrUnsupportedAlgorithm is wrapped by errors about algorithms or
// structures this package does not implement, such as ChaCha20-Poly1305
// content encryption, X25519 key agreement or KEK recipients.
var ErrUnsupportedAlgorithm = errors.New("smime: unsupported algorithm")

// ErrNotRecipient is wrapped when none of the given identities is a
// recipient of an encrypted message.
var ErrNotRecipient = errors.New("smime: message is not encrypted to any of the given identities")

// ErrDecryptionFailed is wrapped when a recipient was found but the
// message did not decrypt or its authentication tag did not verify.
var ErrDecryptionFailed = errors.New("smime: decryption failed")

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,optional,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContentInfo encapsulatedContentInfo
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos      asn1.RawValue
}

type encapsulatedContentInfo struct {
	EContentType asn1.ObjectIdentifier
	EContent     asn1.RawValue `asn1:"explicit,optional,tag:0"`
}

type signerInfo struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial asn1.RawValue
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

// parseContentInfo parses a BER or DER ContentInfo and returns its type
// and the normalized DER of its content.
func parseContentInfo(data []byte) (asn1.ObjectIdentifier, []byte, error) {
	der, consumed, err := normalizeBER(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if len(trimTrailingZeros(data[consumed:])) > 0 {
		return nil, nil, fmt.Errorf("%w: trailing data after ContentInfo", ErrMalformed)
	}
	var ci contentInfo
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		return nil, nil, fmt.Errorf("%w: invalid ContentInfo: %w", ErrMalformed, err)
	}
	return ci.ContentType, ci.Content.Bytes, nil
}

// trimTrailingZeros drops zero padding that some encoders leave after the
// DER (QUIRK: older Outlook versions pad the blob with zero bytes).
func trimTrailingZeros(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}

// parseElements splits the contents of a constructed element into its
// child elements, up to max of them.
func parseElements(contents []byte, max int, elementName string) ([]asn1.RawValue, error) {
	var out []asn1.RawValue
	for len(contents) > 0 {
		if len(out) == max {
			return nil, fmt.Errorf("%w: more than %d %s", ErrMalformed, max, elementName)
		}
		var v asn1.RawValue
		var err error
		contents, err = asn1.Unmarshal(contents, &v)
		if err != nil {
			return nil, fmt.Errorf("%w: invalid %s: %w", ErrMalformed, elementName, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// parseCertificateSet returns the X.509 certificates of a CMS
// CertificateSet, skipping attribute and other certificate formats.
func parseCertificateSet(raw asn1.RawValue) ([]*x509.Certificate, error) {
	if len(raw.Bytes) == 0 {
		return nil, nil
	}
	elems, err := parseElements(raw.Bytes, maxCertificates, "certificates")
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for _, e := range elems {
		if e.Class != asn1.ClassUniversal || e.Tag != asn1.TagSequence {
			continue
		}
		cert, err := x509.ParseCertificate(e.FullBytes)
		if err != nil {
			// An unparseable certificate cannot verify anything; the
			// signer lookup then reports an unknown key.
			continue
		}
		certs = append(certs, cert)
	}
	return certs, nil
}

// parseCRLSet returns the X.509 CRLs of a CMS RevocationInfoChoices,
// skipping other formats and CRLs that do not parse.
func parseCRLSet(raw asn1.RawValue) []*x509.RevocationList {
	elems, err := parseElements(raw.Bytes, maxCertificates, "CRLs")
	if err != nil {
		return nil
	}
	var crls []*x509.RevocationList
	for _, e := range elems {
		if e.Class != asn1.ClassUniversal || e.Tag != asn1.TagSequence {
			continue
		}
		if crl, err := x509.ParseRevocationList(e.FullBytes); err == nil {
			crls = append(crls, crl)
		}
	}
	return crls
}

// matchesRecipientID reports whether an IssuerAndSerialNumber or a [0]
// SubjectKeyIdentifier names cert.
func matchesRecipientID(id asn1.RawValue, cert *x509.Certificate) bool {
	switch {
	case id.Class == asn1.ClassUniversal && id.Tag == asn1.TagSequence:
		var ias issuerAndSerial
		if _, err := asn1.Unmarshal(id.FullBytes, &ias); err != nil {
			return false
		}
		serial, err := asn1.Marshal(cert.SerialNumber)
		if err != nil {
			return false
		}
		return string(ias.Issuer.FullBytes) == string(cert.RawIssuer) && string(ias.Serial.FullBytes) == string(serial)
	case id.Class == asn1.ClassContextSpecific && id.Tag == 0:
		return len(cert.SubjectKeyId) > 0 && string(id.Bytes) == string(cert.SubjectKeyId)
	}
	return false
}
