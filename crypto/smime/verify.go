package smime

import (
	gocrypto "crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	mailcrypto "securemail/crypto"
)

// signedResult is the outcome of checking a SignedData.
type signedResult struct {
	content   []byte
	signature mailcrypto.Signature
	// signers are the certificates of signers whose signature verified
	// with a trusted chain.
	signers []*x509.Certificate
	// certificates are all certificates the message carried.
	certificates []*x509.Certificate
}

// signerOutcome is the result of checking one SignerInfo.
type signerOutcome struct {
	state    mailcrypto.SignatureState
	cert     *x509.Certificate
	signedAt time.Time
}

// severity orders signature states so that a message with several signers
// reports its weakest signature.
var severity = map[mailcrypto.SignatureState]int{
	mailcrypto.GoodSignature:        0,
	mailcrypto.UntrustedCertificate: 1,
	mailcrypto.ExpiredKey:           2,
	mailcrypto.RevokedKey:           3,
	mailcrypto.UnknownKey:           4,
	mailcrypto.UnsupportedAlgorithm: 5,
	mailcrypto.BadSignature:         6,
}

// verifySignedData checks the SignedData in der (the DER content of a
// ContentInfo). Detached content, when not nil, is what the signature
// covers; otherwise the encapsulated content is. Unparseable structures
// return an error wrapping ErrMalformed; every other outcome is a state.
func verifySignedData(der, detached []byte, opts *OpenOptions) (*signedResult, error) {
	var sd signedData
	if _, err := asn1.Unmarshal(der, &sd); err != nil {
		return nil, fmt.Errorf("%w: invalid SignedData: %w", ErrMalformed, err)
	}
	certs, err := parseCertificateSet(sd.Certificates)
	if err != nil {
		return nil, err
	}
	signerElems, err := parseElements(sd.SignerInfos.Bytes, maxSigners, "signer infos")
	if err != nil {
		return nil, err
	}

	content := detached
	if content == nil {
		if len(sd.EncapContentInfo.EContent.Bytes) == 0 {
			return nil, fmt.Errorf("%w: signed data has no content and no detached content was given", ErrMalformed)
		}
		if _, err := asn1.Unmarshal(sd.EncapContentInfo.EContent.Bytes, &content); err != nil {
			return nil, fmt.Errorf("%w: invalid encapsulated content: %w", ErrMalformed, err)
		}
	}
	res := &signedResult{content: content, certificates: certs}
	res.signature.Scheme = mailcrypto.SchemeSMIME
	if len(signerElems) == 0 {
		res.signature.State = mailcrypto.NotSigned
		return res, nil
	}

	crls := append(parseCRLSet(sd.CRLs), opts.CRLs...)
	candidates := append(append([]*x509.Certificate{}, certs...), opts.KnownCertificates...)
	var worst *signerOutcome
	for _, elem := range signerElems {
		var si signerInfo
		outcome := signerOutcome{state: mailcrypto.BadSignature}
		if _, err := asn1.Unmarshal(elem.FullBytes, &si); err == nil {
			outcome = checkSigner(&si, sd.EncapContentInfo.EContentType, content, candidates, certs, crls, opts)
		}
		if outcome.state == mailcrypto.GoodSignature {
			res.signers = append(res.signers, outcome.cert)
		}
		if worst == nil || severity[outcome.state] > severity[worst.state] {
			worst = &outcome
		}
	}

	res.signature.State = worst.state
	// The signer's identity is reported only when its certificate
	// verified the signature, because otherwise the certificate is just
	// unauthenticated message data.
	if worst.cert != nil && signatureVerified(worst.state) {
		res.signature.SignedAt = worst.signedAt
		res.signature.Fingerprint = Fingerprint(worst.cert)
		if addrs := EmailAddresses(worst.cert); len(addrs) > 0 {
			res.signature.Signer = addrs[0]
		}
		res.signature.MatchesFrom = opts.From != "" && HasEmail(worst.cert, opts.From)
	}
	return res, nil
}

// signatureVerified reports whether a state means the signature value
// verified with the signer's certificate, whatever the trust in it.
func signatureVerified(s mailcrypto.SignatureState) bool {
	switch s {
	case mailcrypto.GoodSignature, mailcrypto.UntrustedCertificate, mailcrypto.ExpiredKey, mailcrypto.RevokedKey:
		return true
	}
	return false
}

func checkSigner(si *signerInfo, contentType asn1.ObjectIdentifier, content []byte, candidates, messageCerts []*x509.Certificate, crls []*x509.RevocationList, opts *OpenOptions) signerOutcome {
	out := signerOutcome{state: mailcrypto.BadSignature}
	for _, c := range candidates {
		if matchesRecipientID(si.SID, c) {
			out.cert = c
			break
		}
	}

	digestHash, ok := hashForDigestOID(si.DigestAlgorithm.Algorithm)
	if !ok {
		out.state = mailcrypto.UnsupportedAlgorithm
		return out
	}
	if out.cert == nil {
		out.state = mailcrypto.UnknownKey
		return out
	}

	signedMessage := content
	if len(si.SignedAttrs.FullBytes) > 0 {
		h := digestHash.New()
		h.Write(content)
		signedAt, err := checkSignedAttributes(si.SignedAttrs.Bytes, contentType, h.Sum(nil))
		if err != nil {
			return out
		}
		out.signedAt = signedAt
		// The signature covers the attributes with the SET tag in place
		// of the [0] IMPLICIT tag they travel with.
		signedMessage = append([]byte{0x31}, si.SignedAttrs.FullBytes[1:]...)
	} else if !contentType.Equal(oidData) {
		// RFC 5652 section 5.3: other content types need signed attributes.
		return out
	}

	if state := verifySignature(out.cert.PublicKey, si.SignatureAlgorithm, digestHash, signedMessage, si.Signature); state != mailcrypto.GoodSignature {
		out.state = state
		return out
	}

	status := ValidateCertificate(out.cert, ValidationOptions{
		Roots:             opts.Roots,
		IgnoreSystemRoots: opts.IgnoreSystemRoots,
		Intermediates:     messageCerts,
		Now:               opts.Now,
		Purpose:           PurposeSigning,
		CRLs:              crls,
	})
	out.state = signatureStateFor(status.State)
	return out
}

// checkSignedAttributes checks that the attributes name contentType and
// carry digest, and returns the signing time when present.
func checkSignedAttributes(attrs []byte, contentType asn1.ObjectIdentifier, digest []byte) (time.Time, error) {
	elems, err := parseElements(attrs, 64, "signed attributes")
	if err != nil {
		return time.Time{}, err
	}
	var signedAt time.Time
	var sawDigest, sawType bool
	for _, e := range elems {
		var a attribute
		if _, err := asn1.Unmarshal(e.FullBytes, &a); err != nil {
			return time.Time{}, err
		}
		switch {
		case a.Type.Equal(oidAttrMessageDigest):
			var value []byte
			rest, err := asn1.Unmarshal(a.Values.Bytes, &value)
			if err != nil || len(rest) > 0 || sawDigest {
				return time.Time{}, errors.New("invalid message digest attribute")
			}
			if subtle.ConstantTimeCompare(value, digest) != 1 {
				return time.Time{}, errors.New("message digest mismatch")
			}
			sawDigest = true
		case a.Type.Equal(oidAttrContentType):
			var value asn1.ObjectIdentifier
			rest, err := asn1.Unmarshal(a.Values.Bytes, &value)
			if err != nil || len(rest) > 0 || sawType || !value.Equal(contentType) {
				return time.Time{}, errors.New("invalid content type attribute")
			}
			sawType = true
		case a.Type.Equal(oidAttrSigningTime):
			if _, err := asn1.Unmarshal(a.Values.Bytes, &signedAt); err != nil {
				signedAt = time.Time{}
			}
		}
	}
	if !sawDigest || !sawType {
		return time.Time{}, errors.New("missing message digest or content type attribute")
	}
	return signedAt, nil
}

func hashForDigestOID(oid asn1.ObjectIdentifier) (gocrypto.Hash, bool) {
	switch {
	case oid.Equal(oidSHA256):
		return gocrypto.SHA256, true
	case oid.Equal(oidSHA384):
		return gocrypto.SHA384, true
	case oid.Equal(oidSHA512):
		return gocrypto.SHA512, true
	case oid.Equal(oidSHA224):
		return gocrypto.SHA224, true
	}
	// SHA-1 and MD5 are reported as unsupported: collisions make a valid
	// signature over them meaningless (RFC 8551 section 2.1).
	return 0, false
}

// verifySignature checks a signature value and returns GoodSignature,
// BadSignature or UnsupportedAlgorithm.
func verifySignature(pub gocrypto.PublicKey, alg pkix.AlgorithmIdentifier, digestHash gocrypto.Hash, message, signature []byte) mailcrypto.SignatureState {
	digest := func(h gocrypto.Hash) []byte {
		hh := h.New()
		hh.Write(message)
		return hh.Sum(nil)
	}
	good := func(err error) mailcrypto.SignatureState {
		if err != nil {
			return mailcrypto.BadSignature
		}
		return mailcrypto.GoodSignature
	}

	switch oid := alg.Algorithm; {
	case oid.Equal(oidRSAEncryption), oid.Equal(oidSHA256WithRSA), oid.Equal(oidSHA384WithRSA), oid.Equal(oidSHA512WithRSA):
		if h := rsaSignatureHash(oid); h != 0 && h != digestHash {
			return mailcrypto.UnsupportedAlgorithm
		}
		key, ok := pub.(*rsa.PublicKey)
		if !ok {
			return mailcrypto.BadSignature
		}
		return good(rsa.VerifyPKCS1v15(key, digestHash, digest(digestHash), signature))
	case oid.Equal(oidRSAPSS):
		key, ok := pub.(*rsa.PublicKey)
		if !ok {
			return mailcrypto.BadSignature
		}
		params, err := parsePSSParameters(alg.Parameters.FullBytes)
		if err != nil {
			return mailcrypto.UnsupportedAlgorithm
		}
		pssOpts := &rsa.PSSOptions{SaltLength: params.saltLength, Hash: params.hash}
		return good(rsa.VerifyPSS(key, params.hash, digest(params.hash), signature, pssOpts))
	case oid.Equal(oidECDSAWithSHA256), oid.Equal(oidECDSAWithSHA384), oid.Equal(oidECDSAWithSHA512), oid.Equal(oidECPublicKey):
		key, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return mailcrypto.BadSignature
		}
		if !ecdsa.VerifyASN1(key, digest(digestHash), signature) {
			return mailcrypto.BadSignature
		}
		return mailcrypto.GoodSignature
	case oid.Equal(oidEd25519):
		key, ok := pub.(ed25519.PublicKey)
		if !ok {
			return mailcrypto.BadSignature
		}
		if !ed25519.Verify(key, message, signature) {
			return mailcrypto.BadSignature
		}
		return mailcrypto.GoodSignature
	}
	return mailcrypto.UnsupportedAlgorithm
}

func rsaSignatureHash(oid asn1.ObjectIdentifier) gocrypto.Hash {
	switch {
	case oid.Equal(oidSHA256WithRSA):
		return gocrypto.SHA256
	case oid.Equal(oidSHA384WithRSA):
		return gocrypto.SHA384
	case oid.Equal(oidSHA512WithRSA):
		return gocrypto.SHA512
	}
	return 0
}

type pssParameters struct {
	hash       gocrypto.Hash
	saltLength int
}

// parsePSSParameters reads RSASSA-PSS-params (RFC 4055 section 3.1). The
// SHA-1 defaults are rejected, and the MGF1 hash must equal the message
// hash.
func parsePSSParameters(der []byte) (pssParameters, error) {
	var raw struct {
		Hash         pkix.AlgorithmIdentifier `asn1:"explicit,optional,tag:0"`
		MGF          pkix.AlgorithmIdentifier `asn1:"explicit,optional,tag:1"`
		SaltLength   int                      `asn1:"explicit,optional,default:20,tag:2"`
		TrailerField int                      `asn1:"explicit,optional,default:1,tag:3"`
	}
	if _, err := asn1.Unmarshal(der, &raw); err != nil {
		return pssParameters{}, err
	}
	hash, ok := hashForDigestOID(raw.Hash.Algorithm)
	if !ok {
		return pssParameters{}, errors.New("unsupported PSS hash")
	}
	var mgfHash pkix.AlgorithmIdentifier
	if !raw.MGF.Algorithm.Equal(oidMGF1) {
		return pssParameters{}, errors.New("unsupported PSS mask generation function")
	}
	if _, err := asn1.Unmarshal(raw.MGF.Parameters.FullBytes, &mgfHash); err != nil || !mgfHash.Algorithm.Equal(raw.Hash.Algorithm) {
		return pssParameters{}, errors.New("PSS mask generation hash differs from the message hash")
	}
	if raw.TrailerField != 1 || raw.SaltLength < 0 {
		return pssParameters{}, errors.New("invalid PSS parameters")
	}
	return pssParameters{hash: hash, saltLength: raw.SaltLength}, nil
}
