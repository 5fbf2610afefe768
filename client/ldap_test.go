package client

import (
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/mail"
	"strings"
	"testing"

	"securemail/compose"
	"securemail/crypto"
	"securemail/crypto/smime"
	"securemail/internal/slapdtest"
	"securemail/policy"
)

const (
	ldapReaderDN       = "cn=reader," + slapdtest.People
	ldapReaderPassword = "reader-test-password"
)

func ldapEntry(uid, address string, certDER []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nmail: %s\n",
		uid, slapdtest.People, uid, uid, uid, address)
	if certDER != nil {
		fmt.Fprintf(&b, "userCertificate;binary:: %s\n", base64.StdEncoding.EncodeToString(certDER))
	}
	return b.String() + "\n"
}

type ldapFixture struct {
	client *Client
	ana    []byte // DER of the certificate the directory publishes for ana
}

// newLDAPFixture starts slapd with certificates for two clinicians, one
// issued by the CA that the policy trusts and one by a stranger, and
// returns a profile whose policy searches that directory.
func newLDAPFixture(t *testing.T, url func(*slapdtest.Server) string, bindDN string) *ldapFixture {
	t.Helper()
	// One CA issues the server certificate and ana's, so one policy root
	// covers both the TLS connection and the S/MIME chain.
	ca := slapdtest.NewCA(t, "hospital CA")
	stranger := slapdtest.NewCA(t, "unknown CA")
	ana := ca.IssueSMIME(t, "ana.silva@hospital.example")

	var ldif strings.Builder
	ldif.WriteString(ldapEntry("ana", "ana.silva@hospital.example", ana.Raw))
	ldif.WriteString(ldapEntry("ivo", "ivo.kern@hospital.example", stranger.IssueSMIME(t, "ivo.kern@hospital.example").Raw))
	fmt.Fprintf(&ldif, "dn: %s\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: %s\n\n",
		ldapReaderDN, ldapReaderPassword)
	srv := slapdtest.Start(t, slapdtest.Options{LDIF: ldif.String(), CA: ca})

	eff := testPolicy(t)
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw}))
	// Each Set is checked against the others, so the sources come last.
	sets := []struct {
		path  string
		value any
	}{
		{"keyDiscovery.ldap.url", url(srv)},
		{"keyDiscovery.ldap.baseDN", slapdtest.People},
		{"keyDiscovery.ldap.bindDN", bindDN},
		{"tls.extraRootCAs", []string{caPEM}},
		{"keyDiscovery.sources", []string{"ldap"}},
	}
	for _, set := range sets {
		if err := eff.Set(set.path, set.value, policy.SourceUser); err != nil {
			t.Fatalf("setting %s: %v", set.path, err)
		}
	}
	c, _ := newProfile(t, "ldap", eff)
	// Only the directory is a discovery source, so no lookup leaves
	// loopback.
	c.opts.NoDiscovery = false
	return &ldapFixture{client: c, ana: ana.Raw}
}

func reviewTo(t *testing.T, c *Client, address string) {
	t.Helper()
	draft := &compose.Draft{
		From:    mail.Address{Address: "rosa.lind@clinic.test"},
		To:      []mail.Address{{Address: address}},
		Subject: "Referral",
		Body:    "Please see the referral letter.\n",
	}
	if _, err := c.Review(draft); err != nil {
		t.Fatalf("Review: %v", err)
	}
}

func smimeBinding(t *testing.T, c *Client, address string) (crypto.Binding, bool) {
	t.Helper()
	s, err := c.current()
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.trust.Lookup(crypto.SchemeSMIME, address)
	if errors.Is(err, fs.ErrNotExist) {
		return crypto.Binding{}, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return b, true
}

func ldapsURL(srv *slapdtest.Server) string    { return srv.LDAPSURL }
func startTLSURL(srv *slapdtest.Server) string { return srv.LDAPURL }

func TestReviewBindsLDAPCertificate(t *testing.T) {
	f := newLDAPFixture(t, ldapsURL, "")
	reviewTo(t, f.client, "Ana.Silva@hospital.example")

	b, ok := smimeBinding(t, f.client, "ana.silva@hospital.example")
	if !ok {
		t.Fatal("no S/MIME binding for ana after the review")
	}
	if b.Source != "ldap" {
		t.Errorf("binding source = %q, want ldap", b.Source)
	}
	if string(b.Public) != string(f.ana) {
		t.Error("bound certificate is not the one the directory publishes")
	}
	cert, err := smime.ParseCertificates(b.Public)
	if err != nil {
		t.Fatal(err)
	}
	if b.Fingerprint != smime.Fingerprint(cert[0]) {
		t.Errorf("binding fingerprint = %s, want %s", b.Fingerprint, smime.Fingerprint(cert[0]))
	}
	if b.Level != crypto.TrustFirstUse {
		t.Errorf("binding level = %v, want first use", b.Level)
	}
}

func TestReviewSkipsUntrustedLDAPCertificate(t *testing.T) {
	f := newLDAPFixture(t, ldapsURL, "")
	reviewTo(t, f.client, "ivo.kern@hospital.example")
	if _, ok := smimeBinding(t, f.client, "ivo.kern@hospital.example"); ok {
		t.Error("a certificate from an untrusted CA was bound")
	}
}

func TestReviewLDAPBindPassword(t *testing.T) {
	f := newLDAPFixture(t, startTLSURL, ldapReaderDN)

	reviewTo(t, f.client, "ana.silva@hospital.example")
	if _, ok := smimeBinding(t, f.client, "ana.silva@hospital.example"); ok {
		t.Fatal("bound a certificate without a stored bind password")
	}

	if err := f.client.SetDirectoryPassword("wrong password"); err != nil {
		t.Fatal(err)
	}
	reviewTo(t, f.client, "ana.silva@hospital.example")
	if _, ok := smimeBinding(t, f.client, "ana.silva@hospital.example"); ok {
		t.Fatal("bound a certificate after a rejected bind")
	}

	if err := f.client.SetDirectoryPassword(ldapReaderPassword); err != nil {
		t.Fatal(err)
	}
	reviewTo(t, f.client, "ana.silva@hospital.example")
	b, ok := smimeBinding(t, f.client, "ana.silva@hospital.example")
	if !ok {
		t.Fatal("no S/MIME binding after a bind with the stored password")
	}
	if string(b.Public) != string(f.ana) {
		t.Error("bound certificate is not the one the directory publishes")
	}
}
