package compose

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"securemail/crypto"
	"securemail/crypto/smime"
)

// smimeProtector adapts crypto/smime to Protector for the tests, with
// its default cipher, AES-256-GCM in AuthEnvelopedData.
type smimeProtector struct {
	certs map[string]*x509.Certificate
}

func (p *smimeProtector) Protect(scheme crypto.Scheme, recipients []string, payload []byte) ([]byte, error) {
	if scheme != crypto.SchemeSMIME {
		return nil, fmt.Errorf("test protector supports S/MIME only, not %v", scheme)
	}
	var certs []*x509.Certificate
	for _, r := range recipients {
		c, ok := p.certs[r]
		if !ok {
			return nil, fmt.Errorf("no certificate for %s", r)
		}
		certs = append(certs, c)
	}
	return smime.EncryptEntity(payload, certs, nil)
}

// schemeProtector dispatches to the OpenPGP or the S/MIME test adapter.
type schemeProtector struct {
	pgp   *pgpProtector
	smime *smimeProtector
}

func (p *schemeProtector) Protect(scheme crypto.Scheme, recipients []string, payload []byte) ([]byte, error) {
	if scheme == crypto.SchemeSMIME {
		return p.smime.Protect(scheme, recipients, payload)
	}
	return p.pgp.Protect(scheme, recipients, payload)
}

// opensslIdentity is a self-signed S/MIME certificate and key made by
// openssl for one address.
type opensslIdentity struct {
	openssl, certPath, keyPath string
	cert                       *x509.Certificate
}

func newOpenSSLIdentity(t *testing.T, address string) *opensslIdentity {
	t.Helper()
	openssl := requireTool(t, "openssl")
	dir := t.TempDir()
	id := &opensslIdentity{openssl: openssl, certPath: filepath.Join(dir, "cert.pem"), keyPath: filepath.Join(dir, "key.pem")}
	out, err := exec.Command(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
		"-subj", "/CN="+address, "-addext", "subjectAltName=email:"+address,
		"-keyout", id.keyPath, "-out", id.certPath).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl req: %v\n%s", err, out)
	}
	data, err := os.ReadFile(id.certPath)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("no PEM block in %s", id.certPath)
	}
	if id.cert, err = x509.ParseCertificate(block.Bytes); err != nil {
		t.Fatal(err)
	}
	return id
}

// decrypt decrypts an S/MIME message with openssl cms.
func (id *opensslIdentity) decrypt(t *testing.T, raw []byte) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "msg.eml")
	if err := os.WriteFile(in, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(id.openssl, "cms", "-decrypt", "-in", in, "-recip", id.certPath, "-inkey", id.keyPath).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl cms -decrypt: %v\n%s", err, out)
	}
	return string(out)
}

func TestSealInteropOpenSSLCMS(t *testing.T) {
	env, _, _ := interopEnv(t, "dr.ada@mercyhealth.org", "lab@partnerlab.com")
	records := newOpenSSLIdentity(t, "records@stjude-clinic.com")
	env.Keys.(*fakeKeys).smime["records@stjude-clinic.com"] = usable("EEEE5555")
	env.Protector = &schemeProtector{
		pgp:   env.Protector.(*pgpProtector),
		smime: &smimeProtector{certs: map[string]*x509.Certificate{"records@stjude-clinic.com": records.cert}},
	}
	d := testDraft("lab@partnerlab.com", "records@stjude-clinic.com")

	r, err := Review(d, env)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Seal(d, r, confirmAll(r), env)
	if err != nil {
		t.Fatal(err)
	}
	var smimeRaw []byte
	for _, e := range s.Envelopes {
		if e.Method == MethodSMIME {
			smimeRaw = e.Raw
		}
	}
	if smimeRaw == nil {
		t.Fatalf("no S/MIME envelope among %d", len(s.Envelopes))
	}

	inner := records.decrypt(t, smimeRaw)
	for _, want := range []string{"Subject: Follow-up", "Potassium is back to normal."} {
		if !strings.Contains(inner, want) {
			t.Errorf("openssl cms output lacks %q:\n%s", want, inner)
		}
	}
}
