package smime

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	mailcrypto "securemail/crypto"
)

// requireOpenSSL returns the path of openssl, skipping the test when it
// is missing (failing under CI, where the real peer must be present).
func requireOpenSSL(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("openssl not found but CI is set: install openssl 3.0: %v", err)
		}
		t.Skipf("openssl not found, skipping interoperability test: %v", err)
	}
	return path
}

// opensslDir writes the CA and the identities' certificates and PKCS#8
// keys into a temporary directory for openssl to read.
type opensslDir struct {
	dir     string
	openssl string
}

func newOpenSSLDir(t testing.TB, pki *testPKI) *opensslDir {
	t.Helper()
	d := &opensslDir{dir: t.TempDir(), openssl: requireOpenSSL(t)}
	d.writeCert(t, "ca.pem", pki.caCert)
	return d
}

func (d *opensslDir) path(name string) string { return filepath.Join(d.dir, name) }

func (d *opensslDir) writeCert(t testing.TB, name string, cert *x509.Certificate) string {
	t.Helper()
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	if err := os.WriteFile(d.path(name), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return d.path(name)
}

// writeIdentity stores the certificate as NAME.crt and the key as
// NAME.key and returns both paths.
func (d *opensslDir) writeIdentity(t testing.TB, name string, id *Identity) (string, string) {
	t.Helper()
	certPath := d.writeCert(t, name+".crt", id.Certificate)
	der, err := x509.MarshalPKCS8PrivateKey(id.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	keyPath := d.path(name + ".key")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath
}

func (d *opensslDir) writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(d.path(name), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return d.path(name)
}

// run executes openssl with args and returns its standard output.
func (d *opensslDir) run(t testing.TB, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(d.openssl, args...)
	cmd.Dir = d.dir
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("openssl %s failed: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// attime is testNow for openssl's -attime option.
var attime = fmt.Sprint(testNow.Unix())

func TestOpenSSLVerifiesOurSignatures(t *testing.T) {
	pki := newTestPKI(t)
	d := newOpenSSLDir(t, pki)
	// OpenSSL 3.0 has no Ed25519 in CMS ("eddsa_digest_signverify_init:
	// invalid digest"), so Ed25519 is checked against the RFC 9216
	// samples instead.
	for _, kind := range []string{"rsa", "p256", "p384"} {
		for _, opaque := range []bool{false, true} {
			id := pki.issue(t, "alice@example.org", kind, nil)
			signed, err := SignEntity([]byte(sampleEntity), id, opaque)
			if err != nil {
				t.Fatal(err)
			}
			in := d.writeFile(t, "signed.eml", signed)
			out := d.run(t, nil, "cms", "-verify", "-in", in, "-CAfile", d.path("ca.pem"),
				"-purpose", "smimesign", "-attime", attime)
			if !bytes.Equal(toCRLF(out), []byte(sampleEntity)) {
				t.Errorf("%s opaque=%v: openssl output = %q", kind, opaque, out)
			}
		}
	}
}

func TestOpenSSLDecryptsOurMessages(t *testing.T) {
	pki := newTestPKI(t)
	d := newOpenSSLDir(t, pki)
	ids := map[string]*Identity{
		"rsa":  pki.issue(t, "bob@example.org", "rsa", nil),
		"p256": pki.issue(t, "carol@example.org", "p256", nil),
	}
	options := []EncryptOptions{
		{},
		{Cipher: AES256CBC},
		{KeyTransport: RSAPKCS1v15},
		{Cipher: AES256CBC, KeyTransport: RSAPKCS1v15},
	}
	for kind, id := range ids {
		certPath, keyPath := d.writeIdentity(t, kind, id)
		for _, opts := range options {
			encrypted, err := EncryptEntity([]byte(sampleEntity), []*x509.Certificate{id.Certificate}, &opts)
			if err != nil {
				t.Fatal(err)
			}
			in := d.writeFile(t, "encrypted.eml", encrypted)
			out := d.run(t, nil, "cms", "-decrypt", "-in", in, "-recip", certPath, "-inkey", keyPath)
			if !bytes.Equal(toCRLF(out), []byte(sampleEntity)) {
				t.Errorf("%s %+v: openssl output = %q", kind, opts, out)
			}
		}
	}
}

func TestOpenOpenSSLSignatures(t *testing.T) {
	pki := newTestPKI(t)
	d := newOpenSSLDir(t, pki)
	content := d.writeFile(t, "content.eml", []byte(sampleEntity))
	cases := []struct {
		name string
		kind string
		args []string
	}{
		{"rsa detached", "rsa", nil},
		{"rsa opaque", "rsa", []string{"-nodetach"}},
		{"rsa opaque streamed BER", "rsa", []string{"-nodetach", "-stream"}},
		{"rsa pss", "rsa", []string{"-keyopt", "rsa_padding_mode:pss"}},
		{"rsa sha512", "rsa", []string{"-md", "sha512"}},
		{"p256 detached", "p256", nil},
		{"p384 opaque", "p384", []string{"-nodetach"}},
	}
	for _, c := range cases {
		id := pki.issue(t, "dave@example.org", c.kind, nil)
		certPath, keyPath := d.writeIdentity(t, "signer", id)
		args := append([]string{"cms", "-sign", "-in", content, "-signer", certPath, "-inkey", keyPath}, c.args...)
		signed := d.run(t, nil, args...)

		layer, err := OpenEntity(signed, nil, pki.openOptions())
		if err != nil {
			t.Fatalf("%s: OpenEntity: %v", c.name, err)
		}
		if got := layer.Status.Signature.State; got != mailcrypto.GoodSignature {
			t.Errorf("%s: state = %v, want good signature", c.name, got)
		}
		if !bytes.Equal(toCRLF(layer.Entity), []byte(sampleEntity)) {
			t.Errorf("%s: entity = %q", c.name, layer.Entity)
		}
	}
}

func TestOpenOpenSSLEncrypted(t *testing.T) {
	pki := newTestPKI(t)
	d := newOpenSSLDir(t, pki)
	content := d.writeFile(t, "content.eml", []byte(sampleEntity))
	rsaID := pki.issue(t, "bob@example.org", "rsa", nil)
	ecID := pki.issue(t, "carol@example.org", "p256", nil)
	rsaCert, _ := d.writeIdentity(t, "bob", rsaID)
	ecCert, _ := d.writeIdentity(t, "carol", ecID)
	cases := []struct {
		name      string
		id        *Identity
		args      []string
		algorithm string
		integrity bool
	}{
		{"cbc pkcs1", rsaID, []string{"-aes-256-cbc", "-recip", rsaCert}, "AES-256-CBC", false},
		{"aes128 cbc", rsaID, []string{"-aes-128-cbc", "-recip", rsaCert}, "AES-128-CBC", false},
		{"gcm pkcs1", rsaID, []string{"-aes-256-gcm", "-recip", rsaCert}, "AES-256-GCM", true},
		{"cbc oaep", rsaID, []string{"-aes-256-cbc", "-recip", rsaCert, "-keyopt", "rsa_padding_mode:oaep"}, "AES-256-CBC", false},
		{"gcm oaep sha256", rsaID, []string{"-aes-256-gcm", "-recip", rsaCert, "-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256"}, "AES-256-GCM", true},
		{"oaep sha256 with mgf1 sha1", rsaID, []string{"-aes-256-cbc", "-recip", rsaCert, "-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256", "-keyopt", "rsa_mgf1_md:sha1"}, "AES-256-CBC", false},
		{"ec default kdf", ecID, []string{"-aes-256-cbc", "-recip", ecCert}, "AES-256-CBC", false},
		{"ec sha256 kdf gcm", ecID, []string{"-aes-256-gcm", "-recip", ecCert, "-keyopt", "ecdh_kdf_md:sha256"}, "AES-256-GCM", true},
		{"streamed BER", rsaID, []string{"-aes-256-cbc", "-recip", rsaCert, "-stream"}, "AES-256-CBC", false},
	}
	for _, c := range cases {
		args := append([]string{"cms", "-encrypt", "-in", content}, c.args...)
		encrypted := d.run(t, nil, args...)
		layer, err := OpenEntity(encrypted, []*Identity{c.id}, nil)
		if err != nil {
			t.Fatalf("%s: OpenEntity: %v", c.name, err)
		}
		if !bytes.Equal(toCRLF(layer.Entity), []byte(sampleEntity)) {
			t.Errorf("%s: entity = %q", c.name, layer.Entity)
		}
		enc := layer.Status.Encryption
		if enc.Algorithm != c.algorithm {
			t.Errorf("%s: algorithm = %q, want %q", c.name, enc.Algorithm, c.algorithm)
		}
		if enc.IntegrityProtected != c.integrity {
			t.Errorf("%s: IntegrityProtected = %v, want %v", c.name, enc.IntegrityProtected, c.integrity)
		}
	}
}

func TestSignedThenEncryptedWithOpenSSL(t *testing.T) {
	pki := newTestPKI(t)
	d := newOpenSSLDir(t, pki)
	alice := pki.issue(t, "alice@example.org", "rsa", nil)
	bob := pki.issue(t, "bob@example.org", "p256", nil)
	aliceCert, aliceKey := d.writeIdentity(t, "alice", alice)
	bobCert, bobKey := d.writeIdentity(t, "bob", bob)

	// Ours to openssl: sign, encrypt, then openssl decrypts and verifies.
	signed, err := SignEntity([]byte(sampleEntity), alice, false)
	if err != nil {
		t.Fatal(err)
	}
	encrypted, err := EncryptEntity(signed, []*x509.Certificate{bob.Certificate}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.writeFile(t, "ours.eml", encrypted)
	d.run(t, nil, "cms", "-decrypt", "-in", "ours.eml", "-recip", bobCert, "-inkey", bobKey, "-out", "ours-decrypted.eml")
	out := d.run(t, nil, "cms", "-verify", "-in", "ours-decrypted.eml", "-CAfile", "ca.pem", "-attime", attime)
	if !bytes.Equal(toCRLF(out), []byte(sampleEntity)) {
		t.Errorf("openssl output = %q", out)
	}

	// openssl to ours: openssl signs and encrypts, we open both layers.
	d.writeFile(t, "content.eml", []byte(sampleEntity))
	d.run(t, nil, "cms", "-sign", "-in", "content.eml", "-signer", aliceCert, "-inkey", aliceKey, "-out", "theirs-signed.eml")
	theirs := d.run(t, nil, "cms", "-encrypt", "-aes-256-gcm", "-in", "theirs-signed.eml", "-recip", bobCert, "-keyopt", "ecdh_kdf_md:sha256")
	decrypted, err := OpenEntity(theirs, []*Identity{bob}, pki.openOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !decrypted.Status.Encryption.IntegrityProtected {
		t.Error("AES-256-GCM layer not reported as integrity protected")
	}
	verified, err := OpenEntity(decrypted.Entity, nil, pki.openOptions())
	if err != nil {
		t.Fatal(err)
	}
	if verified.Status.Signature.State != mailcrypto.GoodSignature {
		t.Errorf("state = %v, want good signature", verified.Status.Signature.State)
	}
	if !bytes.Equal(toCRLF(verified.Entity), []byte(sampleEntity)) {
		t.Errorf("entity = %q", verified.Entity)
	}
}
