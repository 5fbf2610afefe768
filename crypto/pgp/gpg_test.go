package pgp

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"securemail/crypto"
)

// gpgHome is a private GnuPG home for one test, driven in batch mode.
type gpgHome struct {
	t    *testing.T
	dir  string
	pass string
}

// newGPG returns a fresh GnuPG home, or skips the test when gpg is
// missing (and fails it when CI is set). The home lives directly under
// the system temporary directory because gpg-agent's socket path must stay
// under 108 bytes, which t.TempDir() paths can exceed.
func newGPG(t *testing.T) *gpgHome {
	t.Helper()
	if _, err := exec.LookPath("gpg"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("gpg not found, and CI requires the interop tests: %v", err)
		}
		t.Skipf("gpg not found, skipping the interop test: %v", err)
	}
	dir, err := os.MkdirTemp("", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		kill := exec.Command("gpgconf", "--kill", "gpg-agent")
		kill.Env = append(os.Environ(), "GNUPGHOME="+dir)
		_ = kill.Run()
		os.RemoveAll(dir)
	})
	return &gpgHome{t: t, dir: dir, pass: "interop passphrase"}
}

// run runs gpg with stdin and returns its standard output and the
// status lines (--status-fd) it wrote.
func (g *gpgHome) run(stdin []byte, args ...string) (stdout []byte, status string) {
	g.t.Helper()
	statusFile := filepath.Join(g.dir, "status.txt")
	base := []string{"--batch", "--yes", "--no-tty", "--pinentry-mode", "loopback",
		"--passphrase", g.pass, "--trust-model", "always", "--status-file", statusFile}
	cmd := exec.Command("gpg", append(base, args...)...)
	cmd.Env = append(os.Environ(), "GNUPGHOME="+g.dir)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errOut
	runErr := cmd.Run()
	statusBytes, _ := os.ReadFile(statusFile)
	if runErr != nil {
		g.t.Fatalf("gpg %s: %v\n%s\nstatus:\n%s", strings.Join(args, " "), runErr, errOut.String(), statusBytes)
	}
	return out.Bytes(), string(statusBytes)
}

// importKey gives gpg our key: the secret part locked with g.pass when
// there is one.
func (g *gpgHome) importKey(k *Key) {
	g.t.Helper()
	var armored string
	var err error
	if k.IsPrivate() {
		armored, err = k.ArmorSecret([]byte(g.pass))
	} else {
		armored, err = k.ArmorPublic()
	}
	if err != nil {
		g.t.Fatalf("export %s: %v", k.Fingerprint(), err)
	}
	g.run([]byte(armored), "--import")
}

// payloadOf returns the armored message in a multipart/encrypted entity.
func payloadOf(t *testing.T, entity []byte) []byte {
	t.Helper()
	p, err := parsePart(entity)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := splitMultipart(p.body, p.params["boundary"])
	if err != nil || len(parts) != 2 {
		t.Fatalf("split multipart/encrypted: %v (%d parts)", err, len(parts))
	}
	payload, err := parsePart(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return payload.body
}

// interopPair is a recipient and a signer of one key algorithm.
type interopPair struct {
	recipient, signer *Key
}

// interopKeys returns key pairs for each algorithm: freshly generated
// Curve25519 keys, and the RSA sample keys of Bob (RSA-3072) and rpgp's
// v4 RSA-4096 key. Importing keys into gpg, instead of generating them there,
// keeps the tests fast: gpg's own key generation took 10 to 20 s here.
func interopKeys(t *testing.T) map[string]interopPair {
	t.Helper()
	recipient, err := GenerateKey("Rita Recipient", "rita@clinic.example", &KeyOptions{Now: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := GenerateKey("Sam Signer", "sam@clinic.example", &KeyOptions{Now: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]interopPair{
		"curve25519": {recipient: recipient, signer: signer},
		"rsa":        {recipient: bobSecret(t), signer: readTestKey(t, "../rpgp/rfc9580/v4-rsa/tsk.asc")},
	}
}

// TestGPGInterop runs each direction against gpg 2.2 with one GnuPG home
// per key algorithm, so gpg-agent starts only twice.
func TestGPGInterop(t *testing.T) {
	for name, keys := range interopKeys(t) {
		t.Run(name, func(t *testing.T) {
			gpg := newGPG(t)
			gpg.importKey(keys.recipient)
			gpg.importKey(keys.signer)

			t.Run("gpg decrypts ours", func(t *testing.T) { gpgDecryptsOurs(t, gpg, keys) })
			t.Run("gpg verifies ours", func(t *testing.T) { gpgVerifiesOurs(t, gpg, keys) })
			t.Run("we open gpg's", func(t *testing.T) { weOpenGPGs(t, gpg, keys) })
			t.Run("we verify gpg's", func(t *testing.T) { weVerifyGPGs(t, gpg, keys) })
		})
	}
}

func gpgDecryptsOurs(t *testing.T, gpg *gpgHome, keys interopPair) {
	sealed, err := EncryptEntity([]byte(sampleEntity), []*Key{publicOf(t, keys.recipient)}, keys.signer, time.Now())
	if err != nil {
		t.Fatalf("EncryptEntity: %v", err)
	}
	plaintext, status := gpg.run(payloadOf(t, sealed), "--decrypt")
	if string(plaintext) != sampleEntity {
		t.Errorf("gpg plaintext = %q, want %q", plaintext, sampleEntity)
	}
	if !strings.Contains(status, "DECRYPTION_OKAY") {
		t.Errorf("no DECRYPTION_OKAY in gpg status:\n%s", status)
	}
	if !strings.Contains(status, "GOODSIG") {
		t.Errorf("no GOODSIG in gpg status:\n%s", status)
	}
	if !strings.Contains(status, "VALIDSIG "+keys.signer.Fingerprint()) {
		t.Errorf("gpg status lacks VALIDSIG %s:\n%s", keys.signer.Fingerprint(), status)
	}
}

func gpgVerifiesOurs(t *testing.T, gpg *gpgHome, keys interopPair) {
	signed, err := SignEntity([]byte(sampleEntity), keys.signer, time.Now())
	if err != nil {
		t.Fatalf("SignEntity: %v", err)
	}
	p, err := parsePart(signed)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := splitMultipart(p.body, p.params["boundary"])
	if err != nil || len(parts) != 2 {
		t.Fatalf("split multipart/signed: %v", err)
	}
	sigPart, err := parsePart(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	dataFile := filepath.Join(gpg.dir, "signed.txt")
	sigFile := filepath.Join(gpg.dir, "signed.txt.asc")
	if err := os.WriteFile(dataFile, parts[0], 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sigFile, sigPart.body, 0o600); err != nil {
		t.Fatal(err)
	}
	_, status := gpg.run(nil, "--verify", sigFile, dataFile)
	if !strings.Contains(status, "VALIDSIG "+keys.signer.Fingerprint()) {
		t.Errorf("gpg status lacks VALIDSIG %s:\n%s", keys.signer.Fingerprint(), status)
	}
}

func weOpenGPGs(t *testing.T, gpg *gpgHome, keys interopPair) {
	sender, recipient := keys.signer, keys.recipient
	armored, _ := gpg.run([]byte(sampleEntity), "--armor", "--encrypt", "--sign",
		"--recipient", recipient.Fingerprint(), "--local-user", sender.Fingerprint())
	entity := wrapPGPMIME(t, dearmor(t, armored))
	senderRing := NewKeyRing(publicOf(t, sender))
	layer, err := OpenEntity(entity, NewKeyRing(recipient, publicOf(t, sender)), time.Now())
	if err != nil {
		t.Fatalf("OpenEntity: %v", err)
	}
	if string(layer.Entity) != sampleEntity {
		t.Errorf("plaintext = %q, want %q", layer.Entity, sampleEntity)
	}
	if !layer.Status.Encryption.IntegrityProtected {
		t.Error("gpg message not marked integrity-protected")
	}
	sig := layer.Status.Signature
	if sig.State != crypto.GoodSignature {
		t.Errorf("signature state = %v, want good signature", sig.State)
	}
	if sig.Fingerprint != sender.Fingerprint() {
		t.Errorf("signer fingerprint = %s, want %s", sig.Fingerprint, sender.Fingerprint())
	}
	for _, address := range sender.Emails() {
		if !SignerMatchesAddress(sig, senderRing, address) {
			t.Errorf("signer does not match %s", address)
		}
	}
}

func weVerifyGPGs(t *testing.T, gpg *gpgHome, keys interopPair) {
	sender := keys.signer
	signature, _ := gpg.run([]byte(sampleEntity), "--armor", "--detach-sign", "--local-user", sender.Fingerprint())
	ring := NewKeyRing(publicOf(t, sender))

	sig := VerifyDetached([]byte(sampleEntity), signature, ring, time.Now())
	if sig.State != crypto.GoodSignature {
		t.Errorf("signature state = %v, want good signature", sig.State)
	}
	if sig.Fingerprint != sender.Fingerprint() {
		t.Errorf("signer fingerprint = %s, want %s", sig.Fingerprint, sender.Fingerprint())
	}
	altered := strings.Replace(sampleEntity, "Tuesday", "Wednesday", 1)
	if got := VerifyDetached([]byte(altered), signature, ring, time.Now()).State; got != crypto.BadSignature {
		t.Errorf("altered text: state = %v, want bad signature", got)
	}
}

// dearmor returns the packets of an armored OpenPGP message.
func dearmor(t *testing.T, armored []byte) []byte {
	t.Helper()
	body, err := readArmoredOrBinary(armored, "PGP MESSAGE")
	if err != nil {
		t.Fatalf("dearmor: %v", err)
	}
	return body
}
