package pgp

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the user plus system CPU time of this process
// (syscall.RUSAGE_SELF) or of its waited-for children
// (syscall.RUSAGE_CHILDREN). On a loaded machine it compares the work of
// two programs better than wall time does.
func cpuTime(b *testing.B, rusageTarget int) time.Duration {
	b.Helper()
	var usage syscall.Rusage
	if err := syscall.Getrusage(rusageTarget, &usage); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}

// reportCPU adds the CPU milliseconds per operation since start.
func reportCPU(b *testing.B, rusageTarget int, start time.Duration) {
	b.ReportMetric(float64(cpuTime(b, rusageTarget)-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// benchEntity returns a MIME entity of about size bytes: a base64
// attachment of random data, the usual shape of a large message.
func benchEntity(b *testing.B, size int) []byte {
	b.Helper()
	raw := make([]byte, size*3/4)
	if _, err := rand.Read(raw); err != nil {
		b.Fatal(err)
	}
	encoded := base64.StdEncoding.EncodeToString(raw)
	var out bytes.Buffer
	out.WriteString("Content-Type: application/octet-stream; name=\"scan.bin\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n")
	for len(encoded) > 76 {
		out.WriteString(encoded[:76])
		out.WriteString("\r\n")
		encoded = encoded[76:]
	}
	out.WriteString(encoded + "\r\n")
	return out.Bytes()
}

const benchSize = 10 << 20

// The benchmarks sign with Alice's Ed25519 key and encrypt to Bob's
// RSA-3072 key, the same keys the gpg benchmarks below use.

func BenchmarkEncryptSign10MB(b *testing.B) {
	entity := benchEntity(b, benchSize)
	alice, bob := aliceSecret(b), bobSecret(b)
	recipients := []*Key{publicOf(b, bob)}
	b.SetBytes(int64(len(entity)))
	b.ResetTimer()
	start := cpuTime(b, syscall.RUSAGE_SELF)
	for b.Loop() {
		if _, err := EncryptEntity(entity, recipients, alice, testNow); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, syscall.RUSAGE_SELF, start)
}

func BenchmarkDecryptVerify10MB(b *testing.B) {
	entity := benchEntity(b, benchSize)
	alice, bob := aliceSecret(b), bobSecret(b)
	sealed, err := EncryptEntity(entity, []*Key{publicOf(b, bob)}, alice, testNow)
	if err != nil {
		b.Fatal(err)
	}
	ring := NewKeyRing(bob, publicOf(b, alice))
	b.SetBytes(int64(len(entity)))
	b.ResetTimer()
	start := cpuTime(b, syscall.RUSAGE_SELF)
	for b.Loop() {
		layer, err := OpenEntity(sealed, ring, testNow)
		if err != nil {
			b.Fatal(err)
		}
		if layer.Status.Signature.Fingerprint != alice.Fingerprint() {
			b.Fatal("signature not verified")
		}
	}
	reportCPU(b, syscall.RUSAGE_SELF, start)
}

// gpgBench prepares a GnuPG home with the benchmark keys and the input
// files, for timing gpg on the same work.
func gpgBench(b *testing.B) (home, dir string, entity []byte) {
	b.Helper()
	if _, err := exec.LookPath("gpg"); err != nil {
		b.Skipf("gpg not found: %v", err)
	}
	dir = b.TempDir()
	home, err := os.MkdirTemp("", "gpg")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		kill := exec.Command("gpgconf", "--kill", "gpg-agent")
		kill.Env = append(os.Environ(), "GNUPGHOME="+home)
		_ = kill.Run()
		os.RemoveAll(home)
	})
	for _, name := range []string{
		"alice@openpgp.example-0xf231550c4f47e38e-secret.asc",
		"bob@openpgp.example-0xfbfcc82a015e7330-secret.asc",
	} {
		runGPG(b, home, "--import", filepath.Join("testdata", "keys", name))
	}
	entity = benchEntity(b, benchSize)
	if err := os.WriteFile(filepath.Join(dir, "entity"), entity, 0o600); err != nil {
		b.Fatal(err)
	}
	return home, dir, entity
}

func runGPG(b *testing.B, home string, args ...string) {
	b.Helper()
	base := []string{"--batch", "--yes", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", "",
		"--trust-model", "always", "--quiet"}
	cmd := exec.Command("gpg", append(base, args...)...)
	cmd.Env = append(os.Environ(), "GNUPGHOME="+home)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("gpg %v: %v\n%s", args, err, out)
	}
}

// gpgEncryptArgs encrypt and sign like EncryptEntity: armored, AES-256,
// SHA-256, and no compression (EncryptEntity does not compress).
var gpgEncryptArgs = []string{"--armor", "--encrypt", "--sign", "--compress-algo", "none",
	"--cipher-algo", "AES256", "--digest-algo", "SHA256",
	"--recipient", "bob@openpgp.example", "--local-user", "alice@openpgp.example"}

func BenchmarkGPGEncryptSign10MB(b *testing.B) {
	home, dir, entity := gpgBench(b)
	in, out := filepath.Join(dir, "entity"), filepath.Join(dir, "entity.asc")
	b.SetBytes(int64(len(entity)))
	b.ResetTimer()
	start := cpuTime(b, syscall.RUSAGE_CHILDREN)
	for b.Loop() {
		runGPG(b, home, append(append([]string{}, gpgEncryptArgs...), "--output", out, in)...)
	}
	reportCPU(b, syscall.RUSAGE_CHILDREN, start)
}

func BenchmarkGPGDecryptVerify10MB(b *testing.B) {
	home, dir, entity := gpgBench(b)
	in, sealed := filepath.Join(dir, "entity"), filepath.Join(dir, "entity.asc")
	runGPG(b, home, append(append([]string{}, gpgEncryptArgs...), "--output", sealed, in)...)
	b.SetBytes(int64(len(entity)))
	b.ResetTimer()
	start := cpuTime(b, syscall.RUSAGE_CHILDREN)
	for b.Loop() {
		runGPG(b, home, "--decrypt", "--output", os.DevNull, sealed)
	}
	reportCPU(b, syscall.RUSAGE_CHILDREN, start)
}
