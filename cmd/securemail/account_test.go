package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"securemail/cache"
	"securemail/client"
	"securemail/internal/testenv"
	"securemail/policy"
)

// profileArgs are the flags that open the test profile in dir.
func profileArgs(dir string) []string {
	return []string{"--profile", dir, "--passphrase-env", "SM_TEST_PASSPHRASE"}
}

func TestProfileCreate(t *testing.T) {
	useTestOptions(t, nil)
	dir := filepath.Join(t.TempDir(), "new")

	code, stdout, stderr := runCmd(append([]string{"profile", "create"}, profileArgs(dir)...)...)
	if code != exitOK {
		t.Fatalf("profile create: exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, "profile created in "+dir) {
		t.Errorf("profile create output %q does not name %s", stdout, dir)
	}
	code, stdout, stderr = runCmd(append([]string{"account", "list"}, profileArgs(dir)...)...)
	if code != exitOK || !strings.Contains(stdout, "no accounts") {
		t.Errorf("account list on a new profile: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	code, _, stderr = runCmd(append([]string{"profile", "create"}, profileArgs(dir)...)...)
	if code != exitFailure || !strings.Contains(stderr, "already has a vault") {
		t.Errorf("second profile create: exit %d, stderr %q", code, stderr)
	}
}

func TestProfileCreateShortPassphrase(t *testing.T) {
	useTestOptions(t, nil)
	t.Setenv("SM_SHORT", "too short")
	dir := filepath.Join(t.TempDir(), "new")
	code, _, stderr := runCmd("profile", "create", "--profile", dir, "--passphrase-env", "SM_SHORT")
	if code != exitFailure || !strings.Contains(stderr, "use at least 12") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runCmd("account", "list", "--profile", dir, "--passphrase-env", "SM_SHORT")
	if code != exitFailure || !strings.Contains(stderr, "securemail profile create") {
		t.Errorf("a rejected passphrase left a profile, or the no-vault message lacks the command: exit %d, stderr %q", code, stderr)
	}
}

func TestNoVaultNamesProfileCreate(t *testing.T) {
	useTestOptions(t, nil)
	dir := t.TempDir()
	t.Setenv("SM_PASSWORD", "mail password")
	code, _, stderr := runCmd(append([]string{"account", "add", "--address", "a@clinic.test", "--password-env", "SM_PASSWORD",
		"--imap", "127.0.0.1:9", "--smtp", "127.0.0.1:9"}, profileArgs(dir)...)...)
	want := "create one with securemail profile create --profile " + dir
	if code != exitFailure || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q; expected it to contain %q", code, stderr, want)
	}
}

func TestAccountListAndRemove(t *testing.T) {
	dir := testProfile(t)
	code, stdout, stderr := runCmd(append([]string{"account", "list"}, profileArgs(dir)...)...)
	if code != exitOK {
		t.Fatalf("account list: exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"rosa@clinic.test", "IMAP 127.0.0.1:9", "SMTP 127.0.0.1:9"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("account list output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "mail password") {
		t.Errorf("account list prints the password:\n%s", stdout)
	}

	code, _, stderr = runCmd(append([]string{"account", "remove", "nobody@clinic.test"}, profileArgs(dir)...)...)
	if code != exitUsage || !strings.Contains(stderr, "no such account") {
		t.Errorf("remove of an unknown ID: exit %d, stderr %q", code, stderr)
	}
	code, stdout, stderr = runCmd(append([]string{"account", "remove", "rosa@clinic.test"}, profileArgs(dir)...)...)
	if code != exitOK || !strings.Contains(stdout, "removed") {
		t.Fatalf("account remove: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	_, stdout, _ = runCmd(append([]string{"account", "list"}, profileArgs(dir)...)...)
	if !strings.Contains(stdout, "no accounts") {
		t.Errorf("account list after remove:\n%s", stdout)
	}
	_, stdout, _ = runCmd(append([]string{"audit", "export"}, profileArgs(dir)...)...)
	if !strings.Contains(stdout, `"account.removed"`) {
		t.Errorf("the audit trail has no account.removed entry:\n%s", stdout)
	}
}

func TestAccountAddBadServer(t *testing.T) {
	dir := testProfile(t)
	t.Setenv("SM_PASSWORD", "mail password")
	add := func(extra ...string) (int, string) {
		args := append([]string{"account", "add", "--address", "new@clinic.test", "--password-env", "SM_PASSWORD"}, extra...)
		code, _, stderr := runCmd(append(args, profileArgs(dir)...)...)
		return code, stderr
	}

	// No test server listens on port 9 (discard) of 127.0.0.1.
	code, stderr := add("--imap", "127.0.0.1:9", "--smtp", "127.0.0.1:9")
	if code != exitFailure {
		t.Errorf("closed port: exit %d, expected %d", code, exitFailure)
	}
	if !strings.Contains(stderr, "IMAP server 127.0.0.1:9 failed") {
		t.Errorf("closed port: stderr %q does not name the IMAP server", stderr)
	}
	if !strings.Contains(stderr, "--no-check") {
		t.Errorf("closed port: stderr %q does not name --no-check", stderr)
	}
	code, stderr = add("--imap", "127.0.0.1:notaport", "--smtp", "127.0.0.1:9")
	if code != exitUsage || !strings.Contains(stderr, `invalid server "127.0.0.1:notaport"`) {
		t.Errorf("invalid host:port: exit %d, stderr %q", code, stderr)
	}
	_, stdout, _ := runCmd(append([]string{"account", "list"}, profileArgs(dir)...)...)
	if strings.Contains(stdout, "new@clinic.test") {
		t.Errorf("an account that failed its check was saved:\n%s", stdout)
	}

	code, stderr = add("--imap", "127.0.0.1:9", "--smtp", "127.0.0.1:9", "--no-check")
	if code != exitOK {
		t.Errorf("--no-check: exit %d, stderr %q", code, stderr)
	}
	_, stdout, _ = runCmd(append([]string{"account", "list"}, profileArgs(dir)...)...)
	if !strings.Contains(stdout, "new@clinic.test") {
		t.Errorf("the account added with --no-check is not listed:\n%s", stdout)
	}

	args := []string{"account", "add", "--address", "new@clinic.test", "--password-env", "SM_PASSWORD",
		"--imap", "127.0.0.1:10", "--smtp", "127.0.0.1:10", "--no-check"}
	code, stdout, stderr = runCmd(append(args, profileArgs(dir)...)...)
	if code != exitOK || !strings.Contains(stdout, "account new@clinic.test updated (IMAP 127.0.0.1:10") {
		t.Errorf("adding the same address again: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestHeadlessSetup runs the steps a deployment script takes, against
// the mail test stack: profile create, account add with its login check,
// keys generate, sync and send.
func TestHeadlessSetup(t *testing.T) {
	stack := testenv.Stack(t)
	useTestOptions(t, stack.RootCAs())
	user := stack.User(t, "spare5@clinic.test")
	dir := filepath.Join(t.TempDir(), "profile")
	imap := fmt.Sprintf("%s:%d", stack.Host, stack.Ports.IMAPS)
	smtp := fmt.Sprintf("%s:%d", stack.Host, stack.Ports.Submissions)

	if code, _, stderr := runCmd(append([]string{"profile", "create"}, profileArgs(dir)...)...); code != exitOK {
		t.Fatalf("profile create: exit %d, stderr %q", code, stderr)
	}
	t.Setenv("SM_PASSWORD", user.Password)
	code, stdout, stderr := runCmd(append([]string{"account", "add", "--address", user.Address, "--password-env", "SM_PASSWORD",
		"--imap", imap, "--smtp", smtp}, profileArgs(dir)...)...)
	if code != exitOK || !strings.Contains(stdout, "account "+user.Address+" added") {
		t.Fatalf("account add with the right password: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = runCmd(append([]string{"keys", "generate", "--name", "Spare Five"}, profileArgs(dir)...)...)
	if code != exitOK || !strings.Contains(stdout, "generated for "+user.Address) {
		t.Fatalf("keys generate: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, _, stderr := runCmd(append([]string{"sync"}, profileArgs(dir)...)...); code != exitOK {
		t.Errorf("sync: exit %d, stderr %q", code, stderr)
	}
	body := filepath.Join(t.TempDir(), "body.txt")
	if err := os.WriteFile(body, []byte("Set-up check.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCmd(append([]string{"send", "--to", user.Address, "--subject", "Set-up check", "--body-file", body},
		profileArgs(dir)...)...)
	if code != exitOK || !strings.Contains(stdout, "sent ") {
		t.Errorf("send to the own address: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	// The wrong password runs last, because Dovecot may slow down the
	// logins from an address after a failed one.
	t.Setenv("SM_PASSWORD", "not the password")
	code, _, stderr = runCmd(append([]string{"account", "add", "--address", "spare6@clinic.test", "--password-env", "SM_PASSWORD",
		"--imap", imap, "--smtp", smtp}, profileArgs(dir)...)...)
	if code != exitFailure {
		t.Errorf("account add with a wrong password: exit %d, expected %d", code, exitFailure)
	}
	if !strings.Contains(stderr, "the account was not saved") || !strings.Contains(stderr, "check the username and password") {
		t.Errorf("account add with a wrong password: stderr %q does not say that the login failed", stderr)
	}
	_, stdout, _ = runCmd(append([]string{"account", "list"}, profileArgs(dir)...)...)
	if strings.Contains(stdout, "spare6@clinic.test") {
		t.Errorf("the account with the wrong password was saved:\n%s", stdout)
	}
}

// TestProfileCreateOSKeyring creates a profile whose device secret is in
// the Secret Service, as on a clinician's machine, and opens it again.
func TestProfileCreateOSKeyring(t *testing.T) {
	testenv.Keyring(t)
	eff, _ := policy.Load(policy.Locations{})
	name := "cli-test-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	old := profileOptions
	profileOptions = func(dir string) client.Options {
		return client.WithKDF(client.Options{Dir: dir, Name: name, Policy: eff, NoDiscovery: true},
			cache.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1})
	}
	t.Cleanup(func() { profileOptions = old })
	t.Setenv("SM_TEST_PASSPHRASE", testPassphrase)
	dir := filepath.Join(t.TempDir(), "profile")

	if code, _, stderr := runCmd(append([]string{"profile", "create"}, profileArgs(dir)...)...); code != exitOK {
		t.Fatalf("profile create: exit %d, stderr %q", code, stderr)
	}
	t.Cleanup(func() {
		c, err := client.Open(profileOptions(dir))
		if err == nil {
			err = c.Destroy()
		}
		if err != nil {
			t.Errorf("removing the test profile and its keyring entry: %v", err)
		}
	})

	code, stdout, stderr := runCmd(append([]string{"account", "list"}, profileArgs(dir)...)...)
	if code != exitOK || !strings.Contains(stdout, "no accounts") {
		t.Errorf("account list on the new profile: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	c, err := client.Open(profileOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	if mode := c.VaultMode(); mode != cache.ModeDeviceSecret {
		t.Errorf("vault mode %v, expected the device-secret mode of the GUI's first run", mode)
	}
}
