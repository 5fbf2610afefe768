package smime

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	mailcrypto "securemail/crypto"
)

// Purpose is the use a certificate is validated for.
type Purpose int

const (
	// PurposeSigning requires the digitalSignature or nonRepudiation key
	// usage when the certificate restricts key usage.
	PurposeSigning Purpose = iota
	// PurposeEncryption requires keyEncipherment for RSA keys and
	// keyAgreement for EC keys when the certificate restricts key usage.
	PurposeEncryption
)

// ValidationOptions sets how a certificate is validated.
type ValidationOptions struct {
	// Roots holds trust anchors added to (or, with IgnoreSystemRoots,
	// used instead of) the system roots, for example the CAs that the
	// managed policy adds. Nil adds none.
	Roots *x509.CertPool
	// IgnoreSystemRoots trusts only Roots.
	IgnoreSystemRoots bool
	// Intermediates are untrusted certificates that may complete a chain,
	// such as those carried in a signed message.
	Intermediates []*x509.Certificate
	// Now is the time of validation. The zero value means time.Now().
	Now time.Time
	// Email, when set, must be one of the certificate's addresses.
	Email string
	// ExpiryWarning is how long before NotAfter a valid certificate is
	// reported as CertificateExpiringSoon. Zero disables the warning.
	ExpiryWarning time.Duration
	Purpose       Purpose
	// CRLs are certificate revocation lists to check the certificate
	// against, for example those a signed message carries. A CRL counts
	// only when its signature verifies with the certificate's issuer.
	CRLs []*x509.RevocationList
}

// CertificateState is the outcome of validating one certificate.
type CertificateState int

const (
	CertificateValid CertificateState = iota
	// CertificateExpiringSoon is valid now but expires within the
	// ExpiryWarning window.
	CertificateExpiringSoon
	CertificateExpired
	CertificateNotYetValid
	// CertificateUntrusted has no chain to a trusted root.
	CertificateUntrusted
	// CertificateWrongUsage lacks the email protection extended key usage
	// or the key usage the purpose needs.
	CertificateWrongUsage
	// CertificateEmailMismatch does not carry the expected address.
	CertificateEmailMismatch
	// CertificateUnsupportedKey has a public key type S/MIME here cannot use.
	CertificateUnsupportedKey
	// CertificateRevoked is listed in a CRL signed by its issuer.
	CertificateRevoked
)

var certificateStateNames = [...]string{
	CertificateValid:          "valid",
	CertificateExpiringSoon:   "expiring soon",
	CertificateExpired:        "expired",
	CertificateNotYetValid:    "not yet valid",
	CertificateUntrusted:      "untrusted",
	CertificateWrongUsage:     "not for email protection",
	CertificateEmailMismatch:  "email address mismatch",
	CertificateUnsupportedKey: "unsupported key",
	CertificateRevoked:        "revoked",
}

func (s CertificateState) String() string {
	if s < 0 || int(s) >= len(certificateStateNames) {
		return "invalid certificate state"
	}
	return certificateStateNames[s]
}

// Usable reports whether a certificate in this state may be used.
func (s CertificateState) Usable() bool {
	return s == CertificateValid || s == CertificateExpiringSoon
}

// CertificateStatus is the result of ValidateCertificate.
type CertificateStatus struct {
	State CertificateState
	// Chain is the verified chain from the certificate to a root, set
	// when the chain verified.
	Chain []*x509.Certificate
	// Err explains any state other than CertificateValid and
	// CertificateExpiringSoon.
	Err error
}

// ValidateCertificate checks cert for S/MIME use: validity period, a chain
// to a trusted root with the email protection extended key usage, the key
// usage for the purpose, and the email address when one is expected.
//
// Revocation is checked only against opts.CRLs.
//
// NOTE: OCSP and fetching CRLs from distribution points are not
// implemented, so without CRLs a revoked certificate is reported as valid.
func ValidateCertificate(cert *x509.Certificate, opts ValidationOptions) CertificateStatus {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	if err := checkKeyType(cert); err != nil {
		return CertificateStatus{State: CertificateUnsupportedKey, Err: err}
	}
	if now.After(cert.NotAfter) {
		return CertificateStatus{State: CertificateExpired,
			Err: fmt.Errorf("smime: %s expired on %s", describeCertificate(cert), cert.NotAfter.UTC().Format(time.DateOnly))}
	}
	if now.Before(cert.NotBefore) {
		return CertificateStatus{State: CertificateNotYetValid,
			Err: fmt.Errorf("smime: %s is not valid before %s", describeCertificate(cert), cert.NotBefore.UTC().Format(time.DateOnly))}
	}
	if err := checkKeyUsage(cert, opts.Purpose); err != nil {
		return CertificateStatus{State: CertificateWrongUsage, Err: err}
	}
	if opts.Email != "" && !HasEmail(cert, opts.Email) {
		return CertificateStatus{State: CertificateEmailMismatch,
			Err: fmt.Errorf("smime: %s does not name the expected email address", describeCertificate(cert))}
	}

	chain, err := verifyChain(cert, opts, now)
	if err != nil {
		var usageErr x509.CertificateInvalidError
		if errors.As(err, &usageErr) && usageErr.Reason == x509.IncompatibleUsage {
			return CertificateStatus{State: CertificateWrongUsage, Err: err}
		}
		if errors.As(err, &usageErr) && usageErr.Reason == x509.Expired {
			return CertificateStatus{State: CertificateExpired, Err: err}
		}
		return CertificateStatus{State: CertificateUntrusted, Err: err}
	}

	if err := checkRevocation(cert, chain, opts.CRLs); err != nil {
		return CertificateStatus{State: CertificateRevoked, Chain: chain, Err: err}
	}

	state := CertificateValid
	if opts.ExpiryWarning > 0 && cert.NotAfter.Sub(now) < opts.ExpiryWarning {
		state = CertificateExpiringSoon
	}
	return CertificateStatus{State: state, Chain: chain}
}

// Validate checks the identity's certificate with its own chain added as
// intermediates.
func (id *Identity) Validate(opts ValidationOptions) CertificateStatus {
	opts.Intermediates = append(append([]*x509.Certificate{}, opts.Intermediates...), id.Chain...)
	return ValidateCertificate(id.Certificate, opts)
}

// verifyChain tries the system roots first (unless ignored) and then
// opts.Roots, because Go offers no way to merge the system pool with
// another pool.
func verifyChain(cert *x509.Certificate, opts ValidationOptions, now time.Time) ([]*x509.Certificate, error) {
	intermediates := x509.NewCertPool()
	for _, c := range opts.Intermediates {
		intermediates.AddCert(c)
	}
	verify := func(roots *x509.CertPool) ([]*x509.Certificate, error) {
		chains, err := cert.Verify(x509.VerifyOptions{
			Roots:         roots,
			Intermediates: intermediates,
			CurrentTime:   now,
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		})
		if err != nil {
			return nil, err
		}
		return chains[0], nil
	}

	var systemErr error
	if !opts.IgnoreSystemRoots {
		system, err := x509.SystemCertPool()
		if err == nil {
			chain, err := verify(system)
			if err == nil {
				return chain, nil
			}
			systemErr = err
		}
	}
	if opts.Roots == nil {
		if systemErr == nil {
			systemErr = errors.New("no trusted roots configured")
		}
		return nil, fmt.Errorf("smime: chain of %s did not verify: %w", describeCertificate(cert), systemErr)
	}
	chain, err := verify(opts.Roots)
	if err != nil {
		return nil, fmt.Errorf("smime: chain of %s did not verify: %w", describeCertificate(cert), err)
	}
	return chain, nil
}

// checkRevocation returns an error when a CRL signed by the certificate's
// issuer in chain lists its serial number.
func checkRevocation(cert *x509.Certificate, chain []*x509.Certificate, crls []*x509.RevocationList) error {
	if len(chain) < 2 {
		return nil
	}
	issuer := chain[1]
	for _, crl := range crls {
		if crl == nil || !bytes.Equal(crl.RawIssuer, issuer.RawSubject) || crl.CheckSignatureFrom(issuer) != nil {
			continue
		}
		for _, entry := range crl.RevokedCertificateEntries {
			if entry.SerialNumber != nil && entry.SerialNumber.Cmp(cert.SerialNumber) == 0 {
				return fmt.Errorf("smime: %s was revoked on %s", describeCertificate(cert), entry.RevocationTime.UTC().Format(time.DateOnly))
			}
		}
	}
	return nil
}

func checkKeyType(cert *x509.Certificate) error {
	switch cert.PublicKey.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
		return nil
	}
	if cert.PublicKeyAlgorithm == x509.Ed25519 {
		return nil
	}
	return fmt.Errorf("smime: %s has an unsupported %s public key", describeCertificate(cert), cert.PublicKeyAlgorithm)
}

func checkKeyUsage(cert *x509.Certificate, purpose Purpose) error {
	if cert.KeyUsage == 0 {
		return nil
	}
	var need x509.KeyUsage
	var name string
	switch {
	case purpose == PurposeSigning:
		need, name = x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment, "digitalSignature"
	case cert.PublicKeyAlgorithm == x509.ECDSA:
		need, name = x509.KeyUsageKeyAgreement, "keyAgreement"
	default:
		need, name = x509.KeyUsageKeyEncipherment, "keyEncipherment"
	}
	if cert.KeyUsage&need == 0 {
		return fmt.Errorf("smime: %s lacks the %s key usage: use a certificate issued for S/MIME", describeCertificate(cert), name)
	}
	return nil
}

// signatureStateFor maps a certificate state to the signature state shown
// for a mathematically valid signature made with that certificate.
func signatureStateFor(s CertificateState) mailcrypto.SignatureState {
	switch s {
	case CertificateValid, CertificateExpiringSoon:
		return mailcrypto.GoodSignature
	case CertificateExpired, CertificateNotYetValid:
		return mailcrypto.ExpiredKey
	case CertificateUnsupportedKey:
		return mailcrypto.UnsupportedAlgorithm
	case CertificateRevoked:
		return mailcrypto.RevokedKey
	default:
		return mailcrypto.UntrustedCertificate
	}
}
