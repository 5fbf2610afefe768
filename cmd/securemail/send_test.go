package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeBody writes text to a body file and returns its path.
func writeBody(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "body.txt")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSendFromSeveralAccounts(t *testing.T) {
	dir := testProfile(t)
	t.Setenv("SM_PASSWORD", "mail password")
	code, _, stderr := runCmd(append([]string{"account", "add", "--address", "desk@clinic.test", "--password-env", "SM_PASSWORD",
		"--imap", "127.0.0.1:9", "--smtp", "127.0.0.1:9", "--no-check"}, profileArgs(dir)...)...)
	if code != exitOK {
		t.Fatalf("account add: exit %d, stderr %q", code, stderr)
	}
	body := writeBody(t, "Room 4 is free at noon.\n")
	send := func(extra ...string) (int, string, string) {
		args := append([]string{"send", "--to", "rosa@clinic.test", "--subject", "Room", "--body-file", body}, extra...)
		return runCmd(append(args, profileArgs(dir)...)...)
	}

	code, _, stderr = send()
	if code != exitUsage {
		t.Errorf("send without --from: exit %d, expected %d", code, exitUsage)
	}
	for _, want := range []string{"--from", "desk@clinic.test", "rosa@clinic.test"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("send without --from: stderr %q lacks %q", stderr, want)
		}
	}

	code, _, stderr = send("--from", "nobody@clinic.test")
	if code != exitUsage || !strings.Contains(stderr, `no account with the address "nobody@clinic.test"`) {
		t.Errorf("send --from an unknown address: exit %d, stderr %q", code, stderr)
	}

	// rosa sorts after desk, so this send proves that --from chose it.
	// Nothing listens on the account's servers, so submitting fails
	// after the message is queued and recorded.
	code, _, stderr = send("--from", "rosa@clinic.test")
	if code != exitFailure || !strings.Contains(stderr, "the message is queued, but submitting it failed") {
		t.Fatalf("send --from rosa@clinic.test: exit %d, stderr %q", code, stderr)
	}
	_, stdout, _ := runCmd(append([]string{"audit", "export"}, profileArgs(dir)...)...)
	if !strings.Contains(stdout, `"kind":"message.sent","account":"rosa@clinic.test"`) {
		t.Errorf("the audit trail has no message.sent from rosa@clinic.test:\n%s", stdout)
	}
}

func TestSendJustificationWithoutConfirm(t *testing.T) {
	dir := testProfile(t)
	body := writeBody(t, "Please call the patient at 555-867-5309 or write to pat.doe@example.com.\n")
	code, _, stderr := runCmd(append([]string{"send", "--to", "rosa@clinic.test", "--subject", "Call back", "--body-file", body,
		"--justification", "care coordination"}, profileArgs(dir)...)...)
	if code != exitNeedsConfirmation {
		t.Fatalf("exit %d, expected %d; stderr:\n%s", code, exitNeedsConfirmation, stderr)
	}
	if !strings.Contains(stderr, "missing: --confirm phi") {
		t.Errorf("stderr does not say that --confirm phi is missing:\n%s", stderr)
	}
	if strings.Contains(stderr, "missing: --justification") {
		t.Errorf("stderr asks for the justification that was given:\n%s", stderr)
	}
}

func TestSendUnknownConfirmID(t *testing.T) {
	dir := testProfile(t)
	body := writeBody(t, "Please call the patient at 555-867-5309.\n")
	code, _, stderr := runCmd(append([]string{"send", "--to", "rosa@clinic.test", "--subject", "Call back", "--body-file", body,
		"--confirm", "first-contact:bob@clinic.test"}, profileArgs(dir)...)...)
	if code != exitUsage {
		t.Errorf("exit %d, expected %d; stderr:\n%s", code, exitUsage, stderr)
	}
	if !strings.Contains(stderr, `unknown --confirm ID "first-contact:bob@clinic.test"`) {
		t.Errorf("stderr does not name the unknown ID:\n%s", stderr)
	}
	if !strings.Contains(stderr, "asks for phi") {
		t.Errorf("stderr does not list the valid IDs:\n%s", stderr)
	}
}

func TestJustificationMRNNotExported(t *testing.T) {
	dir := testProfile(t)
	body := writeBody(t, "Please book a follow-up for MRN: 4477120.\n")
	args := append([]string{"send", "--to", "rosa@clinic.test", "--subject", "Follow-up", "--body-file", body,
		"--justification", "MRN: 4477120 needs a follow-up this week"}, profileArgs(dir)...)
	// Nothing listens on the account's servers, so submitting fails
	// after the message is queued and recorded.
	code, _, stderr := sendConfirmed(t, args...)
	if code != exitFailure || !strings.Contains(stderr, "the message is queued") {
		t.Fatalf("send: exit %d, stderr %q", code, stderr)
	}

	for _, format := range []string{"jsonl", "csv"} {
		code, stdout, stderr := runCmd(append([]string{"audit", "export", "--format", format}, profileArgs(dir)...)...)
		if code != exitOK {
			t.Fatalf("audit export --format %s: exit %d, stderr %q", format, code, stderr)
		}
		if !strings.Contains(stdout, "message.sent") {
			t.Fatalf("audit export --format %s has no message.sent entry:\n%s", format, stdout)
		}
		if strings.Contains(stdout, "4477120") {
			t.Errorf("audit export --format %s contains the MRN from the justification:\n%s", format, stdout)
		}
		if !strings.Contains(stdout, "needs a follow-up this week") {
			t.Errorf("audit export --format %s lost the justification's words:\n%s", format, stdout)
		}
	}
}
