package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"securemail/crypto/pgp"
)

func TestFlagsAfterArguments(t *testing.T) {
	dir := testProfile(t)
	key, err := pgp.GenerateKey("Lab Desk", "desk@lab.test", nil)
	if err != nil {
		t.Fatal(err)
	}
	public, err := key.ArmorPublic()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "desk.asc")
	if err := os.WriteFile(keyFile, []byte(public), 0o600); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := runCmd("keys", "import", keyFile, "--profile", dir, "--passphrase-env", "SM_TEST_PASSPHRASE")
	if code != exitOK {
		t.Fatalf("keys import FILE --profile ...: exit %d, stderr %q", code, stderr)
	}
	if !strings.HasPrefix(stdout, "1 key imported\n") || !strings.Contains(stdout, "compare the fingerprint") {
		t.Errorf("keys import output %q, expected \"1 key imported\" and the contact key to compare", stdout)
	}

	note := filepath.Join(t.TempDir(), "note.txt")
	if err := os.WriteFile(note, []byte("Patient SSN 123-45-6789, diagnosis E11.9 type 2 diabetes.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCmd("scan", note, "--json")
	if code != exitFailure {
		t.Errorf("scan FILE --json: exit %d, expected %d; stderr %q", code, exitFailure, stderr)
	}
	if !strings.HasPrefix(strings.TrimSpace(stdout), "[") {
		t.Errorf("scan FILE --json did not write JSON:\n%s", stdout)
	}

	code, _, stderr = runCmd("--", "scan")
	if code != exitUsage {
		t.Errorf("a leading --: exit %d, stderr %q", code, stderr)
	}
}

func TestUnexpectedArgument(t *testing.T) {
	dir := testProfile(t)
	cases := [][]string{
		{"sync", "extra"},
		{"keys", "list", "extra"},
		{"keys", "export", "ABCD", "extra"},
		{"audit", "verify", "extra"},
		{"outbox", "discard", "1", "extra"},
		{"account", "list", "extra"},
		{"send", "extra", "--to", "a@clinic.test"},
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, _, stderr := runCmd(append(args, "--profile", dir, "--passphrase-env", "SM_TEST_PASSPHRASE")...)
			if code != exitUsage {
				t.Errorf("exit %d, expected %d", code, exitUsage)
			}
			if !strings.Contains(stderr, `unexpected argument "extra"`) {
				t.Errorf("stderr %q does not name the unexpected argument", stderr)
			}
		})
	}

	code, _, stderr := runCmd("policy", "validate", "a.json", "b.json")
	if code != exitUsage || !strings.Contains(stderr, `unexpected argument "b.json"`) {
		t.Errorf("policy validate with two files: exit %d, stderr %q", code, stderr)
	}
}

func TestParseArgsDoubleDash(t *testing.T) {
	fs := newFlagSet("test", os.Stderr)
	verbose := fs.Bool("v", false, "")
	got, st := parseArgs(fs, []string{"a", "-v", "--", "-b", "c"})
	if st >= 0 {
		t.Fatalf("parseArgs failed with status %d", st)
	}
	if !*verbose {
		t.Error("the flag between the arguments was not parsed")
	}
	if strings.Join(got, " ") != "a -b c" {
		t.Errorf("positional arguments %q, expected [a -b c]", got)
	}
}

func TestKeysExportSpacedFingerprint(t *testing.T) {
	dir := testProfile(t)
	code, stdout, stderr := runCmd("keys", "list", "--profile", dir, "--passphrase-env", "SM_TEST_PASSPHRASE")
	if code != exitOK {
		t.Fatalf("keys list: exit %d, stderr %q", code, stderr)
	}
	// keys list prints the fingerprint as ten groups of four hex digits.
	fields := strings.Fields(stdout)
	var groups []string
	for _, f := range fields {
		if len(f) == 4 && strings.Trim(f, "0123456789ABCDEF") == "" {
			groups = append(groups, f)
		} else if len(groups) < 10 {
			groups = nil
		}
	}
	if len(groups) < 10 {
		t.Fatalf("keys list printed no spaced fingerprint:\n%s", stdout)
	}
	spaced := strings.Join(groups[:10], " ")

	code, stdout, stderr = runCmd("keys", "export", spaced, "--profile", dir, "--passphrase-env", "SM_TEST_PASSPHRASE")
	if code != exitOK {
		t.Fatalf("keys export %q: exit %d, stderr %q", spaced, code, stderr)
	}
	if !strings.Contains(stdout, "BEGIN PGP PUBLIC KEY BLOCK") {
		t.Errorf("keys export wrote no public key:\n%s", stdout)
	}
}

func TestKeysImportProtectedKey(t *testing.T) {
	dir := testProfile(t)
	key, err := pgp.GenerateKey("Rosa Lind", "rosa.home@clinic.test", nil)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := key.ArmorSecret([]byte("key passphrase"))
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "secret.asc")
	if err := os.WriteFile(keyFile, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}

	code, _, stderr := runCmd("keys", "import", keyFile, "--profile", dir, "--passphrase-env", "SM_TEST_PASSPHRASE")
	if code != exitUsage {
		t.Errorf("import without --key-passphrase-env: exit %d, expected %d", code, exitUsage)
	}
	if !strings.Contains(stderr, "protected by a passphrase") || !strings.Contains(stderr, "--key-passphrase-env") {
		t.Errorf("stderr %q does not say that the key needs --key-passphrase-env", stderr)
	}

	t.Setenv("SM_KEY_PASSPHRASE", "key passphrase")
	code, stdout, stderr := runCmd("keys", "import", keyFile, "--key-passphrase-env", "SM_KEY_PASSPHRASE",
		"--profile", dir, "--passphrase-env", "SM_TEST_PASSPHRASE")
	if code != exitOK || !strings.HasPrefix(stdout, "1 key imported\n") {
		t.Errorf("import with --key-passphrase-env: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "rosa.home@clinic.test") || !strings.Contains(stdout, "(your own key)") {
		t.Errorf("import output does not name the key's user ID and kind: %q", stdout)
	}
}

func TestKeysListEmpty(t *testing.T) {
	useTestOptions(t, nil)
	dir := filepath.Join(t.TempDir(), "empty")
	if code, _, stderr := runCmd(append([]string{"profile", "create"}, profileArgs(dir)...)...); code != exitOK {
		t.Fatalf("profile create: exit %d, stderr %q", code, stderr)
	}
	code, stdout, stderr := runCmd(append([]string{"keys", "list"}, profileArgs(dir)...)...)
	if code != exitOK {
		t.Fatalf("keys list: exit %d, stderr %q", code, stderr)
	}
	if strings.TrimSpace(stdout) != "no keys in this profile" {
		t.Errorf("keys list on an empty profile printed %q", stdout)
	}
}

func TestCountNoun(t *testing.T) {
	for n, want := range map[int]string{0: "0 keys", 1: "1 key", 2: "2 keys"} {
		if got := countNoun(n, "key", "keys"); got != want {
			t.Errorf("countNoun(%d) = %q, expected %q", n, got, want)
		}
	}
}
