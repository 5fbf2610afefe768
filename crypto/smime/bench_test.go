package smime

import (
	"bytes"
	"crypto/x509"
	"math/rand/v2"
	"os/exec"
	"testing"
)

// benchEntity returns a MIME entity of about size bytes: a base64 body
// of pseudo-random data, as an attached scan or PDF would be.
func benchEntity(size int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	raw := make([]byte, size*3/4)
	for i := range raw {
		raw[i] = byte(r.Uint32())
	}
	out := []byte("Content-Type: application/pdf; name=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	return appendBase64Lines(out, raw)
}

const benchSize = 10 << 20

type benchSetup struct {
	entity []byte
	signer *Identity
	bob    *Identity
	pki    *testPKI
}

func newBenchSetup(b *testing.B) *benchSetup {
	pki := newTestPKI(b)
	return &benchSetup{
		entity: benchEntity(benchSize),
		signer: pki.issue(b, "alice@example.org", "rsa", nil),
		bob:    pki.issue(b, "bob@example.org", "rsa", nil),
		pki:    pki,
	}
}

func (s *benchSetup) signEncrypt(b *testing.B, opts *EncryptOptions) []byte {
	signed, err := SignEntity(s.entity, s.signer, false)
	if err != nil {
		b.Fatal(err)
	}
	encrypted, err := EncryptEntity(signed, []*x509.Certificate{s.bob.Certificate}, opts)
	if err != nil {
		b.Fatal(err)
	}
	return encrypted
}

func benchmarkSignEncrypt(b *testing.B, opts *EncryptOptions) {
	s := newBenchSetup(b)
	b.SetBytes(int64(len(s.entity)))
	b.ResetTimer()
	for range b.N {
		s.signEncrypt(b, opts)
	}
}

func benchmarkDecryptVerify(b *testing.B, opts *EncryptOptions) {
	s := newBenchSetup(b)
	encrypted := s.signEncrypt(b, opts)
	openOpts := s.pki.openOptions()
	b.SetBytes(int64(len(s.entity)))
	b.ResetTimer()
	for range b.N {
		decrypted, err := OpenEntity(encrypted, []*Identity{s.bob}, openOpts)
		if err != nil {
			b.Fatal(err)
		}
		verified, err := OpenEntity(decrypted.Entity, nil, openOpts)
		if err != nil {
			b.Fatal(err)
		}
		if !bytes.Equal(verified.Entity, s.entity) {
			b.Fatal("content changed")
		}
	}
}

func BenchmarkSignEncryptGCM10MB(b *testing.B) { benchmarkSignEncrypt(b, nil) }
func BenchmarkSignEncryptCBC10MB(b *testing.B) {
	benchmarkSignEncrypt(b, &EncryptOptions{Cipher: AES256CBC})
}
func BenchmarkDecryptVerifyGCM10MB(b *testing.B) { benchmarkDecryptVerify(b, nil) }
func BenchmarkDecryptVerifyCBC10MB(b *testing.B) {
	benchmarkDecryptVerify(b, &EncryptOptions{Cipher: AES256CBC})
}

// The openssl benchmarks run `openssl cms` on the same entity, keys and
// algorithms (RSA-2048, SHA-256, RSA-OAEP with SHA-256, AES-256), one
// process per step, reading and writing files in a temporary directory.

func opensslBenchSetup(b *testing.B) (*benchSetup, *opensslDir, map[string]string) {
	s := newBenchSetup(b)
	d := newOpenSSLDir(b, s.pki)
	files := map[string]string{"entity": d.writeFile(b, "entity.eml", s.entity)}
	files["signerCert"], files["signerKey"] = d.writeIdentity(b, "alice", s.signer)
	files["bobCert"], files["bobKey"] = d.writeIdentity(b, "bob", s.bob)
	return s, d, files
}

func runOpenSSL(b *testing.B, d *opensslDir, args ...string) {
	cmd := exec.Command(d.openssl, args...)
	cmd.Dir = d.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
}

func opensslSignEncrypt(b *testing.B, d *opensslDir, f map[string]string, cipher string) {
	runOpenSSL(b, d, "cms", "-sign", "-binary", "-md", "sha256", "-in", f["entity"], "-signer", f["signerCert"], "-inkey", f["signerKey"], "-out", "signed.eml")
	runOpenSSL(b, d, "cms", "-encrypt", "-binary", cipher, "-in", "signed.eml", "-recip", f["bobCert"],
		"-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256", "-out", "encrypted.eml")
}

func benchmarkOpenSSLSignEncrypt(b *testing.B, cipher string) {
	s, d, f := opensslBenchSetup(b)
	b.SetBytes(int64(len(s.entity)))
	b.ResetTimer()
	for range b.N {
		opensslSignEncrypt(b, d, f, cipher)
	}
}

func benchmarkOpenSSLDecryptVerify(b *testing.B, cipher string) {
	s, d, f := opensslBenchSetup(b)
	opensslSignEncrypt(b, d, f, cipher)
	b.SetBytes(int64(len(s.entity)))
	b.ResetTimer()
	for range b.N {
		runOpenSSL(b, d, "cms", "-decrypt", "-binary", "-in", "encrypted.eml", "-recip", f["bobCert"], "-inkey", f["bobKey"], "-out", "decrypted.eml")
		runOpenSSL(b, d, "cms", "-verify", "-binary", "-in", "decrypted.eml", "-CAfile", "ca.pem", "-attime", attime, "-out", "verified.eml")
	}
}

func BenchmarkOpenSSLSignEncryptGCM10MB(b *testing.B) { benchmarkOpenSSLSignEncrypt(b, "-aes-256-gcm") }
func BenchmarkOpenSSLSignEncryptCBC10MB(b *testing.B) { benchmarkOpenSSLSignEncrypt(b, "-aes-256-cbc") }
func BenchmarkOpenSSLDecryptVerifyGCM10MB(b *testing.B) {
	benchmarkOpenSSLDecryptVerify(b, "-aes-256-gcm")
}
func BenchmarkOpenSSLDecryptVerifyCBC10MB(b *testing.B) {
	benchmarkOpenSSLDecryptVerify(b, "-aes-256-cbc")
}
