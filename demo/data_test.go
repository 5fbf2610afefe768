package demo

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/gopenpgp/v2/crypto"
)

// armoredBody returns the OpenPGP armored block inside a PGP/MIME message.
func armoredBody(t *testing.T, raw []byte) string {
	t.Helper()
	start := bytes.Index(raw, []byte("-----BEGIN PGP MESSAGE-----"))
	end := bytes.Index(raw, []byte("-----END PGP MESSAGE-----"))
	if start < 0 || end < 0 {
		t.Fatalf("no armored OpenPGP message in the seed")
	}
	return strings.ReplaceAll(string(raw[start:end+len("-----END PGP MESSAGE-----")]), "\r\n", "\n")
}

func TestDemoLabResultsDecrypt(t *testing.T) {
	d, err := LoadDirectory()
	if err != nil {
		t.Fatalf("load directory: %v", err)
	}
	secret, err := ReadFile(d.Owner.OpenPGPSecretKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := crypto.NewKeyFromArmored(string(secret))
	if err != nil {
		t.Fatalf("parse the owner's demo secret key: %v", err)
	}
	ring, err := crypto.NewKeyRing(key)
	if err != nil {
		t.Fatalf("make key ring: %v", err)
	}
	labKey, err := ReadFile("keys/results@lab.example.asc")
	if err != nil {
		t.Fatal(err)
	}
	labPublic, err := crypto.NewKeyFromArmored(string(labKey))
	if err != nil {
		t.Fatalf("parse the lab's public key: %v", err)
	}
	verifier, err := crypto.NewKeyRing(labPublic)
	if err != nil {
		t.Fatalf("make verifier key ring: %v", err)
	}

	raw, err := ReadFile("mail/01-lab-results.eml")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := crypto.NewPGPMessageFromArmored(armoredBody(t, raw))
	if err != nil {
		t.Fatalf("parse encrypted body: %v", err)
	}
	plain, err := ring.Decrypt(msg, verifier, crypto.GetUnixTime())
	if err != nil {
		t.Fatalf("decrypt and verify the lab result: %v", err)
	}
	if !strings.Contains(plain.GetString(), "HbA1c") {
		t.Errorf("decrypted lab result lacks the HbA1c line:\n%s", plain.GetString())
	}
}

func TestDemoReferralVerifiesWithOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("openssl not found: %v", err)
		}
		t.Skipf("openssl not found: %v", err)
	}
	dir := t.TempDir()
	for name, file := range map[string]string{"mail.eml": "mail/04-referral-signed.eml", "ca.pem": "keys/demo-ca.pem"} {
		data, err := ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(openssl, "cms", "-verify", "-in", filepath.Join(dir, "mail.eml"),
		"-CAfile", filepath.Join(dir, "ca.pem"), "-out", os.DevNull).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl cms -verify of the referral failed: %v\n%s", err, out)
	}
}
