package discovery

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"

	"securemail/crypto/smime"
	"securemail/internal/slapdtest"
)

// ldifPerson returns an inetOrgPerson entry below slapdtest.People with
// extra attribute lines, each "name:: base64" or "name: value".
func ldifPerson(uid, mail string, attrs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nmail: %s\n",
		uid, slapdtest.People, uid, uid, uid, mail)
	for _, a := range attrs {
		b.WriteString(a + "\n")
	}
	b.WriteString("\n")
	return b.String()
}

func binaryAttr(name string, value []byte) string {
	return name + ":: " + base64.StdEncoding.EncodeToString(value)
}

type directoryFixture struct {
	srv          *slapdtest.Server
	ana, chen    *x509.Certificate
	intermediate *x509.Certificate
}

const (
	readerDN       = "cn=reader," + slapdtest.People
	readerPassword = "reader-test-password"
)

// startDirectory runs slapd with one entry per lookup outcome.
func startDirectory(t testing.TB) *directoryFixture {
	t.Helper()
	issuer := slapdtest.NewCA(t, "hospital S/MIME CA")
	f := &directoryFixture{
		ana:          issuer.IssueSMIME(t, "ana.silva@hospital.example"),
		chen:         issuer.IssueSMIME(t, "chen.li@hospital.example"),
		intermediate: issuer.Cert,
	}
	bundle, err := pkcs7.DegenerateCertificate(append(append([]byte{}, f.chen.Raw...), f.intermediate.Raw...))
	if err != nil {
		t.Fatal(err)
	}
	other := issuer.IssueSMIME(t, "someone.else@hospital.example")

	var ldif strings.Builder
	ldif.WriteString(ldifPerson("ana", "ana.silva@hospital.example", binaryAttr("userCertificate;binary", f.ana.Raw)))
	ldif.WriteString(ldifPerson("ben", "ben.okafor@hospital.example"))
	ldif.WriteString(ldifPerson("chen", "chen.li@hospital.example", binaryAttr("userSMIMECertificate", bundle)))
	ldif.WriteString(ldifPerson("dora", "dora.ng@hospital.example", binaryAttr("userSMIMECertificate", []byte("not a CMS structure"))))
	ldif.WriteString(ldifPerson("eve", "eve.moss@hospital.example", binaryAttr("userCertificate;binary", other.Raw)))

	// Too many values: more certificates than maxLDAPValues.
	var many []string
	for range maxLDAPValues + 1 {
		many = append(many, binaryAttr("userCertificate;binary", issuer.IssueSMIME(t, "fay.hall@hospital.example").Raw))
	}
	ldif.WriteString(ldifPerson("fay", "fay.hall@hospital.example", many...))

	// Too many bytes: one value larger than maxLDAPResponseBytes.
	ldif.WriteString(ldifPerson("gus", "gus.ray@hospital.example",
		binaryAttr("userSMIMECertificate", bytes.Repeat([]byte{0x30}, maxLDAPResponseBytes+1024))))

	// Too many entries for one address.
	for i := range maxLDAPEntries + 1 {
		ldif.WriteString(ldifPerson(fmt.Sprintf("dup%d", i), "shared.desk@hospital.example"))
	}

	fmt.Fprintf(&ldif, "dn: %s\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: %s\n\n",
		readerDN, readerPassword)

	f.srv = slapdtest.Start(t, slapdtest.Options{LDIF: ldif.String()})
	return f
}

func (f *directoryFixture) client(url string) LDAP {
	return LDAP{URL: url, BaseDN: slapdtest.People, RootCAs: f.srv.CA.Pool()}
}

func lookupCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestLDAPLookupWithSlapd(t *testing.T) {
	f := startDirectory(t)

	for _, url := range []string{f.srv.LDAPSURL, f.srv.LDAPURL} {
		t.Run("userCertificate "+url[:strings.Index(url, ":")], func(t *testing.T) {
			certs, err := f.client(url).Lookup(lookupCtx(t), "Ana Silva <Ana.Silva@hospital.example>")
			if err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if len(certs) != 1 {
				t.Fatalf("got %d certificates, want 1", len(certs))
			}
			if !certs[0].Certificate.Equal(f.ana) {
				t.Errorf("got certificate %s, want ana's", certs[0].Certificate.Subject)
			}
			if certs[0].Source != "ldap" {
				t.Errorf("Source = %q, want ldap", certs[0].Source)
			}
			if want := "uid=ana," + slapdtest.People; !strings.EqualFold(certs[0].EntryDN, want) {
				t.Errorf("EntryDN = %q, want %q", certs[0].EntryDN, want)
			}
		})
	}

	t.Run("userSMIMECertificate", func(t *testing.T) {
		certs, err := f.client(f.srv.LDAPSURL).Lookup(lookupCtx(t), "chen.li@hospital.example")
		if err != nil {
			t.Fatalf("Lookup: %v", err)
		}
		if len(certs) != 1 {
			t.Fatalf("got %d certificates, want 1", len(certs))
		}
		if !certs[0].Certificate.Equal(f.chen) {
			t.Errorf("got certificate %s, want chen's", certs[0].Certificate.Subject)
		}
		if len(certs[0].Others) != 1 || !certs[0].Others[0].Equal(f.intermediate) {
			t.Errorf("Others = %d certificates, want the issuing CA", len(certs[0].Others))
		}
		if !smime.HasEmail(certs[0].Certificate, "chen.li@hospital.example") {
			t.Error("returned certificate does not name the address")
		}
	})

	errorCases := []struct {
		name    string
		address string
		want    error
	}{
		{"no entry", "nobody@hospital.example", ErrNoDirectoryEntry},
		{"entry without certificate", "ben.okafor@hospital.example", ErrNoCertificate},
		{"malformed certificate data", "dora.ng@hospital.example", ErrInvalidCertificateData},
		{"certificate for another address", "eve.moss@hospital.example", ErrNoMatchingCertificate},
		// Unescaped, this filter would be mail=*@hospital.example and
		// match every entry.
		{"filter injection", `"*"@hospital.example`, ErrNoDirectoryEntry},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			certs, err := f.client(f.srv.LDAPSURL).Lookup(lookupCtx(t), tc.address)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Lookup(%s) error = %v, want %v", tc.address, err, tc.want)
			}
			if certs != nil {
				t.Errorf("Lookup(%s) returned %d certificates with the error", tc.address, len(certs))
			}
		})
	}

	t.Run("not found errors wrap ErrNotFound", func(t *testing.T) {
		_, err := f.client(f.srv.LDAPSURL).Lookup(lookupCtx(t), "ben.okafor@hospital.example")
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("error %v does not wrap ErrNotFound", err)
		}
	})

	limitCases := []struct {
		name    string
		address string
		want    string
	}{
		{"too many values", "fay.hall@hospital.example", "more than 32 certificate values"},
		{"response too large", "gus.ray@hospital.example", "byte limit"},
		{"too many entries", "shared.desk@hospital.example", "more than 8 LDAP entries"},
	}
	for _, tc := range limitCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.client(f.srv.LDAPSURL).Lookup(lookupCtx(t), tc.address)
			if err == nil {
				t.Fatalf("Lookup(%s) succeeded, want an error about %q", tc.address, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Lookup(%s) error = %v, want it to mention %q", tc.address, err, tc.want)
			}
		})
	}

	t.Run("bind with password", func(t *testing.T) {
		for _, url := range []string{f.srv.LDAPSURL, f.srv.LDAPURL} {
			l := f.client(url)
			l.BindDN, l.BindPassword = readerDN, readerPassword
			certs, err := l.Lookup(lookupCtx(t), "ana.silva@hospital.example")
			if err != nil {
				t.Fatalf("Lookup over %s after bind: %v", url, err)
			}
			if len(certs) != 1 {
				t.Errorf("got %d certificates over %s, want 1", len(certs), url)
			}
		}
	})

	t.Run("bind with wrong password", func(t *testing.T) {
		l := f.client(f.srv.LDAPURL)
		l.BindDN, l.BindPassword = readerDN, "wrong password"
		_, err := l.Lookup(lookupCtx(t), "ana.silva@hospital.example")
		if !errors.Is(err, ErrDirectoryCredentials) {
			t.Fatalf("error = %v, want ErrDirectoryCredentials", err)
		}
	})

	t.Run("wrong CA", func(t *testing.T) {
		stranger := slapdtest.NewCA(t, "unrelated CA")
		for _, url := range []string{f.srv.LDAPSURL, f.srv.LDAPURL} {
			l := f.client(url)
			l.RootCAs = stranger.Pool()
			_, err := l.Lookup(lookupCtx(t), "ana.silva@hospital.example")
			if !errors.Is(err, ErrDirectoryTLS) {
				t.Errorf("Lookup over %s error = %v, want ErrDirectoryTLS", url, err)
			}
		}
	})

	t.Run("wrong base DN", func(t *testing.T) {
		l := f.client(f.srv.LDAPSURL)
		l.BaseDN = "ou=nowhere," + slapdtest.Suffix
		_, err := l.Lookup(lookupCtx(t), "ana.silva@hospital.example")
		if err == nil {
			t.Fatal("Lookup below a missing base DN succeeded")
		}
		if !strings.Contains(err.Error(), "base DN") {
			t.Errorf("error = %v, want one naming the base DN", err)
		}
	})
}

func TestLDAPStartTLSRejected(t *testing.T) {
	srv := slapdtest.Start(t, slapdtest.Options{
		LDIF:  ldifPerson("ana", "ana.silva@hospital.example"),
		NoTLS: true,
	})
	l := LDAP{URL: srv.LDAPURL, BaseDN: slapdtest.People, RootCAs: srv.CA.Pool(),
		BindDN: readerDN, BindPassword: readerPassword}
	_, err := l.Lookup(lookupCtx(t), "ana.silva@hospital.example")
	if !errors.Is(err, ErrDirectoryTLS) {
		t.Fatalf("error = %v, want ErrDirectoryTLS", err)
	}
}

func TestLDAPUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	l := LDAP{URL: "ldaps://" + addr, BaseDN: "dc=example"}
	_, err = l.Lookup(lookupCtx(t), "ana.silva@hospital.example")
	if !errors.Is(err, ErrDirectoryUnreachable) {
		t.Fatalf("error = %v, want ErrDirectoryUnreachable", err)
	}
}

func TestLDAPRejectsBadSettings(t *testing.T) {
	cases := []struct {
		name string
		l    LDAP
		want string
	}{
		{"plain http URL", LDAP{URL: "http://127.0.0.1:1", BaseDN: "dc=example"}, "use ldaps://"},
		{"missing host", LDAP{URL: "ldaps://", BaseDN: "dc=example"}, "missing host"},
		{"missing base DN", LDAP{URL: "ldaps://127.0.0.1:1"}, "base DN"},
		{"bind DN without password", LDAP{URL: "ldaps://127.0.0.1:1", BaseDN: "dc=example", BindDN: "cn=x,dc=example"}, "bind password"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.l.Lookup(lookupCtx(t), "ana.silva@hospital.example")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// FuzzLDAPCertificateValue feeds hostile attribute values to the parser,
// which must return an error instead of panicking.
func FuzzLDAPCertificateValue(f *testing.F) {
	f.Add([]byte("not a CMS structure"))
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0x30, 0x80})
	f.Add([]byte{0x30, 0x84, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, value []byte) {
		for _, attribute := range []string{"userSMIMECertificate", "userCertificate"} {
			certs, err := parseCertificateValue(attribute, value)
			if err == nil && len(certs) == 0 {
				t.Errorf("%s: no error and no certificates", attribute)
			}
		}
	})
}

// BenchmarkLDAPLookup measures one lookup over ldaps://, including the
// TCP connection and TLS handshake, against slapd on loopback.
func BenchmarkLDAPLookup(b *testing.B) {
	f := startDirectory(b)
	l := f.client(f.srv.LDAPSURL)
	// Without a deadline each lookup gets the default timeout.
	ctx := context.Background()
	for b.Loop() {
		if _, err := l.Lookup(ctx, "chen.li@hospital.example"); err != nil {
			b.Fatal(err)
		}
	}
}
