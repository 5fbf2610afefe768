package client

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/mail"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"securemail/compose"
	"securemail/crypto"
	"securemail/internal/testenv"
	"securemail/policy"
)

// testCA issues S/MIME certificates for the tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Clinic Test S/MIME CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key}
}

func (ca *testCA) pem() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}))
}

// issue returns a PKCS#12 file with an RSA key and a certificate for
// address, and the certificate.
func (ca *testCA) issue(t *testing.T, address string, serial int64) ([]byte, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:   big.NewInt(serial),
		Subject:        pkix.Name{CommonName: address},
		EmailAddresses: []string{address},
		NotBefore:      time.Now().Add(-time.Hour),
		NotAfter:       time.Now().Add(24 * time.Hour),
		KeyUsage:       x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	p12, err := pkcs12.Modern.Encode(key, cert, []*x509.Certificate{ca.cert}, "p12 password")
	if err != nil {
		t.Fatal(err)
	}
	return p12, cert
}

func TestSendSMIMEThroughRealStack(t *testing.T) {
	st := testenv.Stack(t)
	const (
		senderAddr = "client1@clinic.test"
		recipAddr  = "client2@clinic.test"
		marker     = "Smime5marker"
	)
	ca := newTestCA(t)
	eff := testPolicy(t)
	if err := eff.Set("tls.extraRootCAs", []string{ca.pem()}, policy.SourceUser); err != nil {
		t.Fatal(err)
	}

	sender, _ := newProfile(t, "smime-sender", eff)
	recip, _ := newProfile(t, "smime-recipient", eff)
	for c, addr := range map[*Client]string{sender: senderAddr, recip: recipAddr} {
		c.opts.TLSRoots = st.RootCAs()
		stackAccount(t, c, st, addr)
	}
	senderP12, senderCert := ca.issue(t, senderAddr, 10)
	recipP12, recipCert := ca.issue(t, recipAddr, 11)
	if _, err := sender.ImportPKCS12(senderP12, "p12 password"); err != nil {
		t.Fatal(err)
	}
	if _, err := recip.ImportPKCS12(recipP12, "wrong"); err == nil {
		t.Fatal("PKCS#12 import accepted a wrong password")
	}
	if _, err := recip.ImportPKCS12(recipP12, "p12 password"); err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: recipCert.Raw})
	if _, err := sender.ImportCertificate(certPEM); err != nil {
		t.Fatal(err)
	}

	draft := &compose.Draft{
		From:    mail.Address{Name: "Rosa Lind", Address: senderAddr},
		To:      []mail.Address{{Address: recipAddr}},
		Subject: "Referral " + marker,
		Body:    "Please see the referral. " + marker + "\n",
	}
	report, err := sender.Review(draft)
	if err != nil {
		t.Fatal(err)
	}
	if m := report.Recipients[0].Method; m != compose.MethodSMIME {
		t.Fatalf("method = %v (%s), want S/MIME", m, report.Recipients[0].Reason)
	}
	sealed, err := sender.Send(senderAddr, draft, report, compose.Answers{Confirmed: report.Confirmations()})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range sealed.Envelopes {
		if bytes.Contains(e.Raw, []byte(marker)) {
			t.Fatal("the S/MIME envelope carries the marker in the clear")
		}
	}
	if err := sender.FlushOutbox(context.Background()); err != nil {
		t.Fatal(err)
	}

	id := waitForMessage(t, recip, recipAddr, "INBOX", messageIDFor(t, sealed, recipAddr))
	opened, err := recip.OpenMessage(id)
	if err != nil {
		t.Fatal(err)
	}
	if opened.Encryption != crypto.CoverageFull {
		t.Errorf("encryption coverage = %v, want full; problems %v", opened.Encryption, opened.Problems)
	}
	if opened.Signature != crypto.CoverageFull {
		t.Errorf("signature coverage = %v, want full; problems %v", opened.Signature, opened.Problems)
	}
	if got := opened.Header.Get("Subject"); got != draft.Subject {
		t.Errorf("subject = %q, want %q", got, draft.Subject)
	}
	leaf := opened.Root.Leaves()[0]
	if leaf.Status.Encryption.Scheme != crypto.SchemeSMIME || !leaf.Status.Encryption.IntegrityProtected {
		t.Errorf("encryption = %+v, want integrity-protected S/MIME", leaf.Status.Encryption)
	}
	if !leaf.Status.Signature.MatchesFrom {
		t.Errorf("signature %+v does not match From", leaf.Status.Signature)
	}

	// The recipient kept the sender's certificate from the signature and
	// can now encrypt back.
	reply := &compose.Draft{
		From:    mail.Address{Address: recipAddr},
		To:      []mail.Address{{Address: senderAddr}},
		Subject: "Re: referral",
		Body:    "Received.",
	}
	back, err := recip.Review(reply)
	if err != nil {
		t.Fatal(err)
	}
	if m := back.Recipients[0].Method; m != compose.MethodSMIME {
		t.Errorf("reply method = %v (%s), want S/MIME with the harvested certificate %s", m, back.Recipients[0].Reason, senderCert.Subject)
	}
}
