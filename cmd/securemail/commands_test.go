package main

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"securemail/account"
	"securemail/cache"
	"securemail/client"
	"securemail/policy"
)

// testProfile creates a profile with one account and an own key, and
// points the commands at it. The account's servers are never dialled by
// these tests.
func testProfile(t *testing.T) string {
	t.Helper()
	opts := useTestOptions(t, nil)
	dir := t.TempDir()
	c, err := client.Create(opts(dir), []byte(testPassphrase), false)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Lock("setup done")
	err = c.AddAccount(client.Account{
		Address: "rosa@clinic.test",
		IMAP:    account.Endpoint{Host: "127.0.0.1", Port: 9, Security: account.ImplicitTLS},
		SMTP:    account.Endpoint{Host: "127.0.0.1", Port: 9, Security: account.ImplicitTLS},
	}, "mail password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GenerateKey("Rosa Lind", "rosa@clinic.test", false); err != nil {
		t.Fatal(err)
	}
	return dir
}

// testPassphrase is the vault passphrase of the test profiles, which the
// commands read from the variable SM_TEST_PASSPHRASE.
const testPassphrase = "cli test passphrase"

// useTestOptions points the commands at an in-memory keyring, a cheap
// KDF and a test policy, and trusts roots for the mail servers when
// roots is not nil. It returns the options function it installed.
func useTestOptions(t *testing.T, roots *x509.CertPool) func(string) client.Options {
	t.Helper()
	eff, _ := policy.Load(policy.Locations{})
	for path, v := range map[string]any{
		"phi.actions.high":          "justify",
		"encryption.allowedMethods": []string{"openpgp", "smime", "password-pdf"},
		"internalDomains":           []string{"clinic.test"},
	} {
		if err := eff.Set(path, v, policy.SourceUser); err != nil {
			t.Fatal(err)
		}
	}
	keyring := &cache.MemoryKeyring{}
	opts := func(dir string) client.Options {
		return client.WithKDF(client.Options{Dir: dir, Policy: eff, Keyring: keyring, NoDiscovery: true, TLSRoots: roots},
			cache.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1})
	}
	old := profileOptions
	profileOptions = opts
	t.Cleanup(func() { profileOptions = old })
	t.Setenv("SM_TEST_PASSPHRASE", testPassphrase)
	return opts
}

func runCmd(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestSendStopsForConfirmation(t *testing.T) {
	dir := testProfile(t)
	body := filepath.Join(t.TempDir(), "body.txt")
	if err := os.WriteFile(body, []byte("Patient MRN: 4477120, DOB 03/14/1961, HbA1c 8.2%.\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	code, _, stderr := runCmd("send", "--profile", dir, "--passphrase-env", "SM_TEST_PASSPHRASE",
		"--to", "lab@lab.test", "--subject", "HbA1c", "--body-file", body)
	if code != exitNeedsConfirmation {
		t.Fatalf("exit status %d, want %d; stderr:\n%s", code, exitNeedsConfirmation, stderr)
	}
	if !strings.Contains(stderr, "--confirm ID") || !strings.Contains(stderr, "(id ") {
		t.Errorf("stderr does not list the findings with their IDs:\n%s", stderr)
	}
	if !strings.Contains(stderr, "--justification") {
		t.Errorf("stderr does not ask for the justification:\n%s", stderr)
	}
	for _, phi := range []string{"4477120", "03/14/1961"} {
		if strings.Contains(stderr, phi) {
			t.Errorf("stderr repeats the PHI %q", phi)
		}
	}
}

func TestSendWrongPassphrase(t *testing.T) {
	dir := testProfile(t)
	t.Setenv("SM_WRONG", "not the passphrase")
	code, _, stderr := runCmd("send", "--profile", dir, "--passphrase-env", "SM_WRONG", "--to", "a@clinic.test", "--body-file", os.DevNull)
	if code != exitFailure || !strings.Contains(stderr, "wrong vault passphrase") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestKeysList(t *testing.T) {
	dir := testProfile(t)
	code, stdout, stderr := runCmd("keys", "list", "--profile", dir, "--passphrase-env", "SM_TEST_PASSPHRASE")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "Own OpenPGP") || !strings.Contains(stdout, "rosa@clinic.test") {
		t.Errorf("keys list output:\n%s", stdout)
	}
}

func TestPassphraseRequired(t *testing.T) {
	code, _, stderr := runCmd("audit", "verify", "--profile", t.TempDir())
	if code != exitFailure || !strings.Contains(stderr, "missing passphrase: pass --passphrase-fd N or --passphrase-env NAME") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestAuditVerifyCommand(t *testing.T) {
	dir := testProfile(t)
	code, stdout, stderr := runCmd("audit", "verify", "--profile", dir, "--passphrase-env", "SM_TEST_PASSPHRASE")
	if code != exitOK || !strings.Contains(stdout, "0 problems") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestPolicyValidateCommand(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(bad, []byte(`{"schemaVersion": 1, "settings": {"idleLock": {"minutes": "ten"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd("policy", "validate", bad)
	if code != 1 {
		t.Errorf("exit %d for an invalid policy, want 1; output %q", code, stdout)
	}
	if !strings.Contains(stdout, "idleLock.minutes") || stderr != "" {
		t.Errorf("issues of an invalid policy: stdout %q, stderr %q; want them once, on stdout", stdout, stderr)
	}
	code, _, stderr = runCmd("policy", "validate", filepath.Join(t.TempDir(), "missing.json"))
	if code != 2 || !strings.Contains(stderr, "missing.json") {
		t.Errorf("exit %d, stderr %q for a missing file, want 2 and the file named", code, stderr)
	}
}

func TestScanCommand(t *testing.T) {
	file := filepath.Join(t.TempDir(), "note.txt")
	if err := os.WriteFile(file, []byte("Patient SSN 123-45-6789, diagnosis E11.9 type 2 diabetes.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd("scan", "--json", file)
	if code != exitFailure {
		t.Errorf("exit %d for a file with PHI, want 1; stderr %q", code, stderr)
	}
	if !strings.HasPrefix(strings.TrimSpace(stdout), "[") {
		t.Errorf("--json output is not a JSON array:\n%s", stdout)
	}
}

func TestUnknownCommand(t *testing.T) {
	if code, _, _ := runCmd("frobnicate"); code != exitUsage {
		t.Errorf("exit %d for an unknown command, want %d", code, exitUsage)
	}
}

func TestReadSecret(t *testing.T) {
	got, err := readSecret(strings.NewReader("s3cret phrase\nignored"), "passphrase")
	if err != nil || string(got) != "s3cret phrase" {
		t.Errorf("readSecret = %q, %v", got, err)
	}
	if _, err := readSecret(strings.NewReader("\n"), "passphrase"); err == nil {
		t.Error("empty secret accepted")
	}
	if _, err := readSecret(strings.NewReader(strings.Repeat("a", maxSecretBytes+1)), "passphrase"); err == nil {
		t.Error("oversized secret accepted")
	}
}

func TestSecretFromDescriptor(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(w, "from the pipe")
	w.Close()
	s := secretFlags{fd: int(r.Fd())}
	got, err := s.read("passphrase")
	if err != nil || string(got) != "from the pipe" {
		t.Errorf("read from fd = %q, %v", got, err)
	}
	both := secretFlags{fd: 0, env: "X"}
	if _, err := both.read("passphrase"); err == nil {
		t.Error("both sources accepted")
	}

	// A descriptor that no open file has is named, with how to open it.
	closed := secretFlags{fd: 987}
	if _, err := closed.read("passphrase"); err == nil || !strings.Contains(err.Error(), "file descriptor 987 for --passphrase-fd is not open") {
		t.Errorf("read from a descriptor that is not open: %v", err)
	}
}
