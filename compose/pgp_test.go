package compose

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"securemail/crypto"
	"securemail/crypto/pgp"
)

// pgpProtector adapts crypto/pgp to Protector for the tests; the
// production adapter will also sign and pick keys from the key store.
type pgpProtector struct {
	keys map[string]*pgp.Key // public keys by address
	now  func() time.Time
}

func (p *pgpProtector) Protect(scheme crypto.Scheme, recipients []string, payload []byte) ([]byte, error) {
	if scheme != crypto.SchemeOpenPGP {
		return nil, fmt.Errorf("test protector supports OpenPGP only, not %v", scheme)
	}
	var keys []*pgp.Key
	for _, r := range recipients {
		key, ok := p.keys[r]
		if !ok {
			return nil, fmt.Errorf("no key for %s", r)
		}
		keys = append(keys, key)
	}
	return pgp.EncryptEntity(payload, keys, nil, p.now())
}

// gpgHome is a GnuPG home directory with one secret key.
type gpgHome struct {
	gpg, dir, address string
}

// newGPGHome makes a GnuPG home with an Ed25519/X25519 key for address
// and stops its agent when the test ends.
func newGPGHome(t *testing.T, address string) *gpgHome {
	t.Helper()
	gpg := requireTool(t, "gpg")
	dir, err := os.MkdirTemp("", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		exec.Command("gpgconf", "--homedir", dir, "--kill", "gpg-agent").Run()
		os.RemoveAll(dir)
	})
	h := &gpgHome{gpg: gpg, dir: dir, address: address}
	h.run(t, nil, "--quick-gen-key", address, "future-default", "default", "never")
	return h
}

func (h *gpgHome) run(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(h.gpg, append([]string{"--homedir", h.dir, "--batch", "--pinentry-mode", "loopback", "--passphrase", ""}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// publicKey returns the home's public key, loaded with crypto/pgp, and
// its fingerprint.
func (h *gpgHome) publicKey(t *testing.T) (*pgp.Key, string) {
	t.Helper()
	armored := h.run(t, nil, "--armor", "--export", h.address)
	key, err := pgp.ReadKey(armored)
	if err != nil {
		t.Fatalf("load the gpg key of %s with crypto/pgp: %v", h.address, err)
	}
	return key, key.Fingerprint()
}

// decryptPGPMIME extracts the armored part of a PGP/MIME message and
// decrypts it with gpg.
func (h *gpgHome) decryptPGPMIME(t *testing.T, raw []byte) string {
	t.Helper()
	begin := bytes.Index(raw, []byte("-----BEGIN PGP MESSAGE-----"))
	end := bytes.Index(raw, []byte("-----END PGP MESSAGE-----"))
	if begin < 0 || end < begin {
		t.Fatalf("no armored OpenPGP message in:\n%s", raw)
	}
	armored := raw[begin : end+len("-----END PGP MESSAGE-----")]
	return string(h.run(t, armored, "--decrypt"))
}

// requireTool returns the path of a program, skipping the test when it
// is missing unless CI is set.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI: %v", name, err)
		}
		t.Skipf("%s not found: %v", name, err)
	}
	return path
}

// openPDF decrypts a PDF with qpdf and returns its page text from
// pdftotext, failing the test when either tool rejects the password.
func openPDF(t *testing.T, pdf []byte, password string) string {
	t.Helper()
	qpdf := requireTool(t, "qpdf")
	pdftotext := requireTool(t, "pdftotext")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(qpdf, "--password="+password, "--decrypt", in, filepath.Join(dir, "plain.pdf")).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --decrypt with the password: %v\n%s", err, out)
	}
	if out, err := exec.Command(qpdf, "--decrypt", in, filepath.Join(dir, "nopw.pdf")).CombinedOutput(); err == nil {
		t.Fatalf("qpdf --decrypt without the password succeeded:\n%s", out)
	}
	text, err := exec.Command(pdftotext, "-upw", password, in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -upw: %v", err)
	}
	return string(text)
}
