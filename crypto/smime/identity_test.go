package smime

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"testing"
	"time"

	mailcrypto "securemail/crypto"

	"software.sslmate.com/src/go-pkcs12"
)

func TestImportPKCS12(t *testing.T) {
	pki := newTestPKI(t)
	alice := pki.issue(t, "alice@example.org", "rsa", nil)
	withChain, err := pkcs12.Modern.Encode(alice.PrivateKey, alice.Certificate, alice.Chain, "correct password")
	if err != nil {
		t.Fatal(err)
	}
	withoutChain, err := pkcs12.Modern.Encode(alice.PrivateKey, alice.Certificate, nil, "correct password")
	if err != nil {
		t.Fatal(err)
	}

	id, err := ImportPKCS12(withChain, "correct password")
	if err != nil {
		t.Fatal(err)
	}
	if !id.Certificate.Equal(alice.Certificate) || len(id.Chain) != 1 || !id.Chain[0].Equal(pki.caCert) {
		t.Errorf("with chain: got certificate and %d chain certificates", len(id.Chain))
	}

	id, err = ImportPKCS12(withoutChain, "correct password")
	if err != nil {
		t.Fatal(err)
	}
	if !id.Certificate.Equal(alice.Certificate) || len(id.Chain) != 0 {
		t.Errorf("without chain: got %d chain certificates", len(id.Chain))
	}

	_, err = ImportPKCS12(withChain, "wrong password")
	if !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: err = %v, want ErrWrongPassword", err)
	}
}

func TestImportPKCS12OwnDecoderWrongPassword(t *testing.T) {
	// The NSS file is BER, so it goes through our own decoder.
	_, err := ImportPKCS12(readTestdata(t, "thunderbird/Alice.p12"), "not nss")
	if !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("err = %v, want ErrWrongPassword", err)
	}
	_, err = ImportPKCS12(readTestdata(t, "protected-headers/bob.p12"), "")
	if !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("legacy file: err = %v, want ErrWrongPassword", err)
	}
}

func TestImportPKCS12Garbage(t *testing.T) {
	_, err := ImportPKCS12([]byte("not a PKCS#12 file"), "x")
	if err == nil || errors.Is(err, ErrWrongPassword) {
		t.Fatalf("err = %v, want an invalid file error", err)
	}
}

func TestImportPEMKeyMismatch(t *testing.T) {
	pki := newTestPKI(t)
	alice := pki.issue(t, "alice@example.org", "p256", nil)
	bob := pki.issue(t, "bob@example.org", "p256", nil)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: alice.Certificate.Raw})
	keyDER, err := x509.MarshalPKCS8PrivateKey(bob.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if _, err := ImportPEM(certPEM, keyPEM); err == nil {
		t.Fatal("a key that does not match the certificate was accepted")
	}

	aliceKey, err := x509.MarshalPKCS8PrivateKey(alice.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	id, err := ImportPEM(certPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: aliceKey}))
	if err != nil {
		t.Fatal(err)
	}
	if !id.Certificate.Equal(alice.Certificate) {
		t.Error("imported the wrong certificate")
	}
}

func TestValidateCertificate(t *testing.T) {
	pki := newTestPKI(t)
	other := newTestPKI(t)
	good := pki.issue(t, "alice@example.org", "rsa", nil)
	soon := pki.issue(t, "soon@example.org", "rsa", &certOptions{notAfter: testNow.Add(10 * 24 * time.Hour)})
	expired := pki.issue(t, "old@example.org", "rsa", &certOptions{notAfter: testNow.Add(-time.Hour)})
	serverOnly := pki.issue(t, "web@example.org", "rsa", &certOptions{extUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	signOnly := pki.issue(t, "sign@example.org", "rsa", &certOptions{keyUsage: x509.KeyUsageDigitalSignature})
	stranger := other.issue(t, "stranger@example.org", "rsa", nil)

	base := ValidationOptions{Roots: pki.roots, IgnoreSystemRoots: true, Now: testNow, ExpiryWarning: 30 * 24 * time.Hour}
	withEmail := base
	withEmail.Email = "ALICE@example.org"
	wrongEmail := base
	wrongEmail.Email = "mallory@example.org"
	encryption := base
	encryption.Purpose = PurposeEncryption

	cases := []struct {
		name string
		id   *Identity
		opts ValidationOptions
		want CertificateState
	}{
		{"valid", good, base, CertificateValid},
		{"email matches", good, withEmail, CertificateValid},
		{"email mismatch", good, wrongEmail, CertificateEmailMismatch},
		{"expiring soon", soon, base, CertificateExpiringSoon},
		{"expired", expired, base, CertificateExpired},
		{"server auth only", serverOnly, base, CertificateWrongUsage},
		{"signing key used for encryption", signOnly, encryption, CertificateWrongUsage},
		{"unknown CA", stranger, base, CertificateUntrusted},
	}
	for _, c := range cases {
		status := c.id.Validate(c.opts)
		if status.State != c.want {
			t.Errorf("%s: state = %v (%v), want %v", c.name, status.State, status.Err, c.want)
		}
		if status.State.Usable() != (c.want == CertificateValid || c.want == CertificateExpiringSoon) {
			t.Errorf("%s: Usable = %v", c.name, status.State.Usable())
		}
	}

	status := good.Validate(base)
	if len(status.Chain) != 2 || !status.Chain[1].Equal(pki.caCert) {
		t.Errorf("valid: chain has %d certificates, want leaf and CA", len(status.Chain))
	}
}

func TestFingerprintFormat(t *testing.T) {
	pki := newTestPKI(t)
	id := pki.issue(t, "alice@example.org", "p256", nil)
	fp := Fingerprint(id.Certificate)
	if len(fp) != 64 {
		t.Fatalf("fingerprint %q has %d characters, want 64", fp, len(fp))
	}
	for _, r := range fp {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'F') {
			t.Fatalf("fingerprint %q is not upper-case hex", fp)
		}
	}
}

func TestRevokedCertificate(t *testing.T) {
	pki := newTestPKI(t)
	other := newTestPKI(t)
	revoked := pki.issue(t, "revoked@example.org", "p256", nil)
	fine := pki.issue(t, "fine@example.org", "p256", nil)
	crl := pki.revoke(t, revoked.Certificate)
	// A CRL from another CA that names the same serial must not count.
	forged := other.revoke(t, fine.Certificate)

	opts := ValidationOptions{Roots: pki.roots, IgnoreSystemRoots: true, Now: testNow, CRLs: []*x509.RevocationList{crl, forged}}
	if got := revoked.Validate(opts).State; got != CertificateRevoked {
		t.Errorf("revoked: state = %v, want revoked", got)
	}
	if got := fine.Validate(opts).State; got != CertificateValid {
		t.Errorf("not revoked: state = %v, want valid", got)
	}

	signed, err := SignEntity([]byte(sampleEntity), revoked, false)
	if err != nil {
		t.Fatal(err)
	}
	openOpts := pki.openOptions()
	openOpts.CRLs = []*x509.RevocationList{crl}
	layer, err := OpenEntity(signed, nil, openOpts)
	if err != nil {
		t.Fatal(err)
	}
	if layer.Status.Signature.State != mailcrypto.RevokedKey {
		t.Errorf("signature state = %v, want revoked key", layer.Status.Signature.State)
	}
}
