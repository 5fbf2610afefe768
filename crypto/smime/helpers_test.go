package smime

import (
	gocrypto "crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testNow is the fixed time at which test certificates are valid.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

var serialCounter atomic.Int64

// rsaKeys are generated once per test binary and handed out in turn,
// because RSA key generation dominates the run time otherwise. Each
// certificate still has its own serial number, so recipients differ.
var (
	rsaKeysOnce sync.Once
	rsaKeys     []*rsa.PrivateKey
	rsaKeyNext  atomic.Int64
)

func nextRSAKey(t testing.TB) *rsa.PrivateKey {
	rsaKeysOnce.Do(func() {
		for range 6 {
			key, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			rsaKeys = append(rsaKeys, key)
		}
	})
	return rsaKeys[int(rsaKeyNext.Add(1))%len(rsaKeys)]
}

// testPKI is a CA made for one test, with helpers to issue user
// certificates.
type testPKI struct {
	caCert *x509.Certificate
	caKey  gocrypto.Signer
	roots  *x509.CertPool
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serialCounter.Add(1)),
		Subject:               pkix.Name{CommonName: "SecureMail Test CA"},
		NotBefore:             testNow.Add(-24 * time.Hour),
		NotAfter:              testNow.Add(10 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return &testPKI{caCert: cert, caKey: key, roots: roots}
}

type certOptions struct {
	notAfter time.Time
	keyUsage x509.KeyUsage
	extUsage []x509.ExtKeyUsage
}

// issue creates an identity for email with a key of the given kind:
// "rsa", "p256", "p384" or "ed25519".
func (p *testPKI) issue(t testing.TB, email, kind string, opts *certOptions) *Identity {
	t.Helper()
	var key gocrypto.Signer
	var err error
	usage := x509.KeyUsageDigitalSignature
	switch kind {
	case "rsa":
		key = nextRSAKey(t)
		usage |= x509.KeyUsageKeyEncipherment
	case "p256":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		usage |= x509.KeyUsageKeyAgreement
	case "p384":
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ed25519":
		_, key, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("unknown key kind %q", kind)
	}
	if err != nil {
		t.Fatal(err)
	}

	tmpl := &x509.Certificate{
		SerialNumber:   big.NewInt(serialCounter.Add(1)),
		Subject:        pkix.Name{CommonName: email},
		EmailAddresses: []string{email},
		NotBefore:      testNow.Add(-time.Hour),
		NotAfter:       testNow.Add(365 * 24 * time.Hour),
		KeyUsage:       usage,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}
	if opts != nil {
		if !opts.notAfter.IsZero() {
			tmpl.NotAfter = opts.notAfter
		}
		if opts.keyUsage != 0 {
			tmpl.KeyUsage = opts.keyUsage
		}
		if opts.extUsage != nil {
			tmpl.ExtKeyUsage = opts.extUsage
		}
	}

	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, key.Public(), p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	id, err := NewIdentity(cert, []*x509.Certificate{p.caCert}, key)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (p *testPKI) openOptions() *OpenOptions {
	return &OpenOptions{Roots: p.roots, IgnoreSystemRoots: true, Now: testNow}
}

const sampleEntity = "Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
	"Lab results for the patient are attached.\r\n"

func x509pool(certs []*x509.Certificate) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool
}

// revoke returns a CRL signed by the CA that lists the certificates.
func (p *testPKI) revoke(t testing.TB, certs ...*x509.Certificate) *x509.RevocationList {
	t.Helper()
	var entries []x509.RevocationListEntry
	for _, c := range certs {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: testNow.Add(-time.Hour)})
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:                    big.NewInt(serialCounter.Add(1)),
		ThisUpdate:                testNow.Add(-time.Hour),
		NextUpdate:                testNow.Add(24 * time.Hour),
		RevokedCertificateEntries: entries,
	}, p.caCert, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	return crl
}
