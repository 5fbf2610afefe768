package smime

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	mailcrypto "securemail/crypto"
)

// DefaultMaxEntitySize is the largest entity OpenEntity accepts unless
// OpenOptions.MaxEntitySize sets another limit. By estimate, a 25 MB
// attachment grows to about 47 MB once base64-encoded, signed (detached)
// and encrypted. Opaque signing adds another base64 layer (about 64 MB),
// so such messages need a higher limit.
const DefaultMaxEntitySize = 64 << 20

// ErrNotSMIME is wrapped when an entity is not an S/MIME layer.
var ErrNotSMIME = errors.New("smime: entity is not S/MIME signed or encrypted")

// OpenOptions sets how OpenEntity verifies signatures. A nil pointer
// trusts the system roots at the current time.
type OpenOptions struct {
	// Roots holds trust anchors added to the system roots, for example
	// the CAs that the managed policy adds.
	Roots *x509.CertPool
	// IgnoreSystemRoots trusts only Roots.
	IgnoreSystemRoots bool
	// Now is the time at which certificates are validated; zero means
	// time.Now().
	Now time.Time
	// KnownCertificates are certificates from earlier messages or
	// imports, used to find a signer whose message carries no
	// certificate. They are not trusted by being listed here.
	KnownCertificates []*x509.Certificate
	// From is the address in the message's From field; when set,
	// Signature.MatchesFrom reports whether the signer's certificate
	// names it.
	From string
	// CRLs are revocation lists checked in addition to those the
	// message carries.
	CRLs []*x509.RevocationList
	// MaxEntitySize caps the entity in bytes; zero means
	// DefaultMaxEntitySize.
	MaxEntitySize int
}

// SignEntity signs a MIME entity (header fields, blank line, body) with
// SHA-256 or better. With opaque false it returns a multipart/signed
// entity with a detached application/pkcs7-signature; with opaque true
// an application/pkcs7-mime; smime-type=signed-data entity that carries
// the content inside the signature. Line endings become CRLF first, so
// the content should already be 7-bit safe (quoted-printable or base64).
func SignEntity(entity []byte, id *Identity, opaque bool) ([]byte, error) {
	canonical := toCRLF(entity)
	der, err := signData(canonical, id, !opaque, time.Now())
	if err != nil {
		return nil, err
	}
	if opaque {
		out := []byte("Content-Type: application/pkcs7-mime; smime-type=signed-data; name=\"smime.p7m\"\r\n" +
			"Content-Transfer-Encoding: base64\r\n" +
			"Content-Disposition: attachment; filename=\"smime.p7m\"\r\n\r\n")
		return appendBase64Lines(out, der), nil
	}

	scheme, err := schemeForKey(id.PrivateKey)
	if err != nil {
		return nil, err
	}
	boundary, err := randomBoundary()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=%s;\r\n boundary=\"%s\"\r\n\r\n", micalg(scheme), boundary)
	b.WriteString("This is a cryptographically signed message in MIME format.\r\n\r\n")
	fmt.Fprintf(&b, "--%s\r\n", boundary)
	b.Write(canonical)
	fmt.Fprintf(&b, "\r\n--%s\r\n", boundary)
	b.WriteString("Content-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"Content-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n")
	out := appendBase64Lines(b.Bytes(), der)
	return fmt.Appendf(out, "--%s--\r\n", boundary), nil
}

func micalg(s signatureScheme) string {
	switch {
	case s.digestOID.Equal(oidSHA384):
		return "sha-384"
	case s.digestOID.Equal(oidSHA512):
		return "sha-512"
	}
	return "sha-256"
}

// EncryptEntity encrypts a MIME entity to every recipient certificate and
// returns an application/pkcs7-mime entity: smime-type=authEnveloped-data
// for AES-256-GCM (the default) or smime-type=enveloped-data for
// AES-256-CBC. RSA recipients get the key transport that opts selects
// (RSA-OAEP by default), and P-256 recipients get ECDH key agreement. The caller
// chooses the recipients, normally including the sender's own
// certificate so the Sent copy stays readable.
func EncryptEntity(entity []byte, recipients []*x509.Certificate, opts *EncryptOptions) ([]byte, error) {
	var o EncryptOptions
	if opts != nil {
		o = *opts
	}
	der, err := encryptData(toCRLF(entity), recipients, o)
	if err != nil {
		return nil, err
	}
	smimeType := "authEnveloped-data"
	if o.Cipher == AES256CBC {
		smimeType = "enveloped-data"
	}
	out := fmt.Appendf(nil, "Content-Type: application/pkcs7-mime; smime-type=%s; name=\"smime.p7m\"\r\n"+
		"Content-Transfer-Encoding: base64\r\n"+
		"Content-Disposition: attachment; filename=\"smime.p7m\"\r\n\r\n", smimeType)
	return appendBase64Lines(out, der), nil
}

// OpenEntity opens one S/MIME layer of a MIME entity: it decrypts
// EnvelopedData or AuthEnvelopedData with the first identity that is a
// recipient, or verifies a multipart/signed or opaque signed-data entity.
// The returned layer's Entity is the inner entity, which may be another
// layer to open.
//
// Decryption failures return an error (wrapping ErrNotRecipient,
// ErrDecryptionFailed, ErrUnsupportedAlgorithm or ErrMalformed) and no
// plaintext. AES-GCM content is returned only after its tag verified;
// AES-CBC content is returned with IntegrityProtected false. Signature
// problems are not errors: the layer carries the content with a state
// such as BadSignature or UnknownKey, and the caller decides what to
// show. Entities that are not S/MIME return an error wrapping
// ErrNotSMIME.
func OpenEntity(raw []byte, ids []*Identity, opts *OpenOptions) (*mailcrypto.Layer, error) {
	layer, _, err := openLayer(raw, ids, opts)
	return layer, err
}

// HarvestCertificates verifies a signed entity and returns the
// certificates of the signers whose signatures verified with a trusted
// chain, for the key store to keep. It returns no certificates for
// unsigned or badly signed entities.
func HarvestCertificates(raw []byte, opts *OpenOptions) ([]*x509.Certificate, error) {
	_, signed, err := openLayer(raw, nil, opts)
	if err != nil || signed == nil {
		return nil, err
	}
	return signed.signers, nil
}

func openLayer(raw []byte, ids []*Identity, opts *OpenOptions) (*mailcrypto.Layer, *signedResult, error) {
	if opts == nil {
		opts = &OpenOptions{}
	}
	maxSize := opts.MaxEntitySize
	if maxSize <= 0 {
		maxSize = DefaultMaxEntitySize
	}
	if len(raw) > maxSize {
		return nil, nil, fmt.Errorf("%w: entity of %d bytes exceeds the maximum of %d; raise OpenOptions.MaxEntitySize to open it", ErrMalformed, len(raw), maxSize)
	}
	e, err := parseEntity(raw)
	if err != nil {
		return nil, nil, err
	}

	switch {
	case e.mediaType == "multipart/signed":
		return openMultipartSigned(e, opts)
	case isPKCS7MIME(e):
		return openPKCS7MIME(e, ids, opts)
	}
	return nil, nil, fmt.Errorf("%w: media type %s", ErrNotSMIME, e.mediaType)
}

// isPKCS7MIME recognizes application/pkcs7-mime, the legacy
// application/x-pkcs7-mime, and smime.p7m attachments sent as
// application/octet-stream.
func isPKCS7MIME(e *entity) bool {
	switch e.mediaType {
	case "application/pkcs7-mime", "application/x-pkcs7-mime":
		return true
	case "application/octet-stream":
		name := e.params["name"]
		if _, params, err := parseDisposition(e); err == nil && params["filename"] != "" {
			name = params["filename"]
		}
		return strings.HasSuffix(strings.ToLower(name), ".p7m")
	}
	return false
}

func openMultipartSigned(e *entity, opts *OpenOptions) (*mailcrypto.Layer, *signedResult, error) {
	protocol := strings.ToLower(e.params["protocol"])
	if protocol != "application/pkcs7-signature" && protocol != "application/x-pkcs7-signature" {
		return nil, nil, fmt.Errorf("%w: multipart/signed with protocol %q", ErrNotSMIME, protocol)
	}
	parts, err := splitMultipart(e.body, e.params["boundary"], 2)
	if err != nil {
		return nil, nil, err
	}
	if len(parts) != 2 {
		return nil, nil, fmt.Errorf("%w: multipart/signed has %d body parts, expected 2", ErrMalformed, len(parts))
	}
	sigPart, err := parseEntity(parts[1])
	if err != nil {
		return nil, nil, err
	}
	sigDER, err := sigPart.decodedBody()
	if err != nil {
		return nil, nil, err
	}
	contentType, der, err := parseContentInfo(sigDER)
	if err != nil {
		return nil, nil, err
	}
	if !contentType.Equal(oidSignedData) {
		return nil, nil, fmt.Errorf("%w: signature part contains CMS content type %s, expected SignedData", ErrMalformed, contentType)
	}

	res, err := verifySignedData(der, parts[0], opts)
	if err != nil {
		return nil, nil, err
	}
	if res.signature.State == mailcrypto.BadSignature && bytes.Contains(parts[0], []byte("\n")) {
		// QUIRK: mail stores often turn CRLF into LF. The signature
		// covers the CRLF form (RFC 8551 section 3.1.1), so check that.
		if retry, err := verifySignedData(der, toCRLF(parts[0]), opts); err == nil {
			res = retry
		}
	}
	layer := &mailcrypto.Layer{Entity: parts[0]}
	layer.Status.Signature = res.signature
	return layer, res, nil
}

func openPKCS7MIME(e *entity, ids []*Identity, opts *OpenOptions) (*mailcrypto.Layer, *signedResult, error) {
	body, err := e.decodedBody()
	if err != nil {
		return nil, nil, err
	}
	contentType, der, err := parseContentInfo(body)
	if err != nil {
		return nil, nil, err
	}

	// The CMS content type decides, because the smime-type parameter is
	// optional and sometimes wrong in legacy x-pkcs7-mime entities.
	switch {
	case contentType.Equal(oidSignedData):
		res, err := verifySignedData(der, nil, opts)
		if err != nil {
			return nil, nil, err
		}
		layer := &mailcrypto.Layer{Entity: res.content}
		layer.Status.Signature = res.signature
		return layer, res, nil
	case contentType.Equal(oidEnvelopedData), contentType.Equal(oidAuthEnvelopedData):
		dec, err := decryptEnveloped(der, contentType.Equal(oidAuthEnvelopedData), ids)
		if err != nil {
			return nil, nil, err
		}
		layer := &mailcrypto.Layer{Entity: dec.plaintext}
		layer.Status.Encryption = mailcrypto.Encryption{
			Scheme:             mailcrypto.SchemeSMIME,
			Algorithm:          dec.algorithm,
			IntegrityProtected: dec.integrityProtected,
		}
		return layer, nil, nil
	case contentType.Equal(oidCompressedData):
		return nil, nil, fmt.Errorf("%w: CMS CompressedData", ErrUnsupportedAlgorithm)
	}
	return nil, nil, fmt.Errorf("%w: CMS content type %s", ErrUnsupportedAlgorithm, contentType)
}

func parseDisposition(e *entity) (string, map[string]string, error) {
	cd := e.header.Get("Content-Disposition")
	if cd == "" {
		return "", nil, errors.New("no Content-Disposition")
	}
	return parseMediaTypeLenient(cd)
}
