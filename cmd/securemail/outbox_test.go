package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"securemail/account"
	"securemail/cache"
	"securemail/client"
	"securemail/internal/testenv"
	"securemail/policy"
)

func TestOutboxUsageErrors(t *testing.T) {
	cases := map[string][]string{
		"unknown action": {"outbox", "resend", "1"},
		"missing id":     {"outbox", "discard"},
		"id not number":  {"outbox", "send-again", "first"},
		"negative id":    {"outbox", "discard", "-3"},
		"two ids":        {"outbox", "discard", "1", "2"},
		"id for list":    {"outbox", "list", "1"},
		"unknown flag":   {"outbox", "discard", "1", "--force"},
	}
	for name, args := range cases {
		code, _, stderr := runCmd(args...)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want %d; stderr %q", name, code, exitUsage, stderr)
		}
	}
}

func TestOutboxListEmpty(t *testing.T) {
	dir := testProfile(t)
	code, stdout, stderr := runCmd("outbox", "--profile", dir, "--passphrase-env", "SM_TEST_PASSPHRASE")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "no messages need your decision") {
		t.Errorf("outbox output:\n%s", stdout)
	}
}

func TestOutboxDiscardMissing(t *testing.T) {
	dir := testProfile(t)
	code, _, stderr := runCmd("outbox", "discard", "42", "--profile", dir, "--passphrase-env", "SM_TEST_PASSPHRASE")
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	if !strings.Contains(stderr, "no message 42 in the outbox") {
		t.Errorf("stderr does not say that message 42 is not in the outbox: %q", stderr)
	}
}

func TestOutboxPassphraseRequired(t *testing.T) {
	code, _, stderr := runCmd("outbox", "--profile", t.TempDir())
	if code != exitFailure || !strings.Contains(stderr, "missing passphrase") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestSendAgainNeedsConfirmForUncertain(t *testing.T) {
	held := []client.HeldMessage{
		{ID: 3, State: client.HeldFailed},
		{ID: 4, State: client.HeldUncertain},
	}
	cases := []struct {
		name    string
		id      int64
		confirm []string
		want    bool
	}{
		{"failed", 3, nil, false},
		{"uncertain unconfirmed", 4, nil, true},
		{"uncertain other code", 4, []string{"phi"}, true},
		{"uncertain confirmed", 4, []string{"phi", confirmUncertain}, false},
		{"not held", 5, nil, false},
	}
	for _, tc := range cases {
		if got := needsUncertainConfirmation(held, tc.id, tc.confirm); got != tc.want {
			t.Errorf("%s: needsUncertainConfirmation = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// stackProfile creates a profile whose account is a user of the real
// test stack, and points the commands at it.
func stackProfile(t *testing.T, st *testenv.MailStack, address string) string {
	t.Helper()
	eff, _ := policy.Load(policy.Locations{})
	if err := eff.Set("encryption.allowedMethods", []string{"openpgp", "smime", "password-pdf"}, policy.SourceUser); err != nil {
		t.Fatal(err)
	}
	keyring := &cache.MemoryKeyring{}
	opts := func(dir string) client.Options {
		return client.WithKDF(client.Options{Dir: dir, Policy: eff, Keyring: keyring, NoDiscovery: true, TLSRoots: st.RootCAs()},
			cache.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1})
	}
	dir := t.TempDir()
	c, err := client.Create(opts(dir), []byte("cli stack passphrase"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Lock("setup done")
	u := st.User(t, address)
	err = c.AddAccount(client.Account{
		Address: u.Address,
		IMAP:    account.Endpoint{Host: st.ServerName, Port: st.Ports.IMAPS, Security: account.ImplicitTLS},
		SMTP:    account.Endpoint{Host: st.ServerName, Port: st.Ports.Submission, Security: account.StartTLS},
	}, u.Password)
	if err != nil {
		t.Fatal(err)
	}
	// Without an own key the review blocks, because the Sent copy could
	// not be encrypted.
	if _, err := c.GenerateKey("Rosa Lind", u.Address, false); err != nil {
		t.Fatal(err)
	}

	old := profileOptions
	profileOptions = opts
	t.Cleanup(func() { profileOptions = old })
	t.Setenv("SM_TEST_PASSPHRASE", "cli stack passphrase")
	return dir
}

// sendConfirmed runs send, and once more confirming every finding the
// first run listed, and returns the second run's result.
func sendConfirmed(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	code, stdout, stderr := runCmd(args...)
	if code != exitNeedsConfirmation {
		return code, stdout, stderr
	}
	confirmed := append([]string(nil), args...)
	for _, m := range regexp.MustCompile(`\(id ([^)]+)\)`).FindAllStringSubmatch(stderr, -1) {
		confirmed = append(confirmed, "--confirm", m[1])
	}
	return runCmd(confirmed...)
}

// TestOutboxThroughRealStack has Postfix reject a recipient for good,
// then lists the held message, sends it again, and discards it.
func TestOutboxThroughRealStack(t *testing.T) {
	st := testenv.Stack(t)
	dir := stackProfile(t, st, "client1@clinic.test")
	profile := []string{"--profile", dir, "--passphrase-env", "SM_TEST_PASSPHRASE"}
	body := filepath.Join(t.TempDir(), "body.txt")
	if err := os.WriteFile(body, []byte("Your appointment is confirmed.\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	// Postfix in the stack rejects domains it does not serve with a 5xx.
	code, _, stderr := sendConfirmed(t, append([]string{"send", "--to", "someone@example.org", "--subject", "Appointment", "--body-file", body}, profile...)...)
	if code != exitFailure {
		t.Fatalf("send to a rejected domain: exit %d, want %d; stderr:\n%s", code, exitFailure, stderr)
	}
	if !strings.Contains(stderr, "is held as outbox message") {
		t.Errorf("send does not say that the message is held:\n%s", stderr)
	}
	if !strings.Contains(stderr, "securemail outbox send-again") || !strings.Contains(stderr, "securemail outbox discard") {
		t.Errorf("send does not name the outbox commands for the held message:\n%s", stderr)
	}
	// sync does not retry a held message, so send must not suggest it.
	if strings.Contains(stderr, "sync") {
		t.Errorf("send suggests sync for a held message:\n%s", stderr)
	}

	code, stdout, stderr := runCmd(append([]string{"outbox"}, profile...)...)
	if code != exitOK {
		t.Fatalf("outbox: exit %d: %s", code, stderr)
	}
	m := regexp.MustCompile(`(?m)^(\d+)  failed  created `).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("outbox lists no failed message:\n%s", stdout)
	}
	id := m[1]
	if !strings.Contains(stdout, "to: someone@example.org") {
		t.Errorf("outbox does not list the recipient:\n%s", stdout)
	}
	if !regexp.MustCompile(`reason: .*rejected: SMTP error 5\d\d`).MatchString(stdout) {
		t.Errorf("outbox does not list the server's rejection as the reason:\n%s", stdout)
	}
	if strings.Contains(stdout, "appointment") || strings.Contains(stdout, "Appointment") {
		t.Errorf("outbox shows message text:\n%s", stdout)
	}

	code, _, stderr = runCmd(append([]string{"outbox", "send-again", id}, profile...)...)
	if code != exitFailure {
		t.Errorf("send-again of a rejected message: exit %d, want %d", code, exitFailure)
	}
	if !strings.Contains(stderr, "held again") {
		t.Errorf("send-again does not say the message was held again: %q", stderr)
	}

	// The account cannot be removed while its message is held.
	code, _, stderr = runCmd(append([]string{"account", "remove", "client1@clinic.test"}, profile...)...)
	if code != exitFailure {
		t.Errorf("account remove with a held message: exit %d, want %d", code, exitFailure)
	}
	if !strings.Contains(stderr, "has 1 held message;") || !strings.Contains(stderr, "securemail outbox") {
		t.Errorf("account remove does not count the held message or name securemail outbox: %q", stderr)
	}

	code, stdout, stderr = runCmd(append([]string{"outbox", "discard", id}, profile...)...)
	if code != exitOK {
		t.Fatalf("discard: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "message "+id+" discarded") {
		t.Errorf("discard output: %q", stdout)
	}
	code, stdout, _ = runCmd(append([]string{"outbox"}, profile...)...)
	if code != exitOK || !strings.Contains(stdout, "no messages need your decision") {
		t.Errorf("outbox after discard: exit %d, output:\n%s", code, stdout)
	}

	code, stdout, stderr = runCmd(append([]string{"audit", "export"}, profile...)...)
	if code != exitOK {
		t.Fatalf("audit export: exit %d: %s", code, stderr)
	}
	for _, kind := range []string{`"kind":"message.resend_requested"`, `"kind":"message.discarded"`} {
		if !strings.Contains(stdout, kind) {
			t.Errorf("audit trail lacks %s", kind)
		}
	}

	code, _, stderr = runCmd(append([]string{"account", "remove", "client1@clinic.test"}, profile...)...)
	if code != exitOK {
		t.Errorf("account remove after the discard: exit %d: %s", code, stderr)
	}
}

// TestOutboxWithdrawQueued sends while the account's server cannot be
// reached, so the message stays queued, and withdraws it. The account
// can then be removed, which a queued message prevents.
func TestOutboxWithdrawQueued(t *testing.T) {
	dir := testProfile(t)
	profile := []string{"--profile", dir, "--passphrase-env", "SM_TEST_PASSPHRASE"}
	body := filepath.Join(t.TempDir(), "body.txt")
	if err := os.WriteFile(body, []byte("The rota for March is on the ward board.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := sendConfirmed(t, append([]string{"send", "--to", "rosa@clinic.test", "--subject", "Rota", "--body-file", body}, profile...)...)
	if code != exitFailure || !strings.Contains(stderr, "queued") {
		t.Fatalf("send to an unreachable server: exit %d, want %d with the message queued; stderr:\n%s", code, exitFailure, stderr)
	}

	code, stdout, stderr := runCmd(append([]string{"outbox"}, profile...)...)
	if code != exitOK {
		t.Fatalf("outbox: exit %d: %s", code, stderr)
	}
	m := regexp.MustCompile(`(?m)^(\d+)  queued  `).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("outbox does not list the queued message:\n%s", stdout)
	}
	if code, _, stderr := runCmd(append([]string{"account", "remove", "rosa@clinic.test"}, profile...)...); code == exitOK {
		t.Fatal("account remove succeeded with a message queued")
	} else if !strings.Contains(stderr, "withdraw") {
		t.Errorf("account remove does not name withdraw as a way out: %q", stderr)
	}

	code, stdout, stderr = runCmd(append([]string{"outbox", "withdraw", m[1]}, profile...)...)
	if code != exitOK || !strings.Contains(stdout, "withdrawn") {
		t.Fatalf("outbox withdraw %s: exit %d, stdout %q, stderr %q", m[1], code, stdout, stderr)
	}
	if _, stdout, _ := runCmd(append([]string{"outbox"}, profile...)...); strings.Contains(stdout, "queued") {
		t.Errorf("outbox still lists a queued message after the withdrawal:\n%s", stdout)
	}
	if code, _, stderr := runCmd(append([]string{"account", "remove", "rosa@clinic.test"}, profile...)...); code != exitOK {
		t.Errorf("account remove after the withdrawal: exit %d: %s", code, stderr)
	}
}
