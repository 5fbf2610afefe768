package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTestFile writes data to a new file named name and returns its
// path.
func writeTestFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAttackSendFromNotAnAccount passes --from values that name no
// account of the profile. Each must stop with a usage error that names
// the value and lists the accounts, and queue nothing.
func TestAttackSendFromNotAnAccount(t *testing.T) {
	dir := testProfile(t)
	body := writeTestFile(t, "body.txt", []byte("See you on Monday.\n"))
	for _, from := range []string{"nobody@clinic.test", "ROSA@clinic.test.evil", "not an address", "rosa@clinic.test\r\nBcc: x@evil.test"} {
		args := append([]string{"send", "--from", from, "--to", "rosa@clinic.test", "--body-file", body}, profileArgs(dir)...)
		code, _, stderr := runCmd(args...)
		if code != exitUsage {
			t.Errorf("--from %q: exit %d, expected %d; stderr %q", from, code, exitUsage, stderr)
		}
		if !strings.Contains(stderr, "rosa@clinic.test") {
			t.Errorf("--from %q: stderr %q does not list the accounts", from, stderr)
		}
		if strings.Contains(stderr, "queued") {
			t.Errorf("--from %q: stderr %q says the message was queued", from, stderr)
		}
	}
}

// TestAttackOutboxBadIDs runs outbox commands on IDs that do not exist
// or are no IDs. Each must exit non-zero with a message that shows how
// to list the IDs.
func TestAttackOutboxBadIDs(t *testing.T) {
	dir := testProfile(t)
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"outbox", "discard", "999"}, exitFailure},
		{[]string{"outbox", "send-again", "999"}, exitFailure},
		{[]string{"outbox", "send-again", "999", "--confirm", "uncertain"}, exitFailure},
		{[]string{"outbox", "discard", "0"}, exitUsage},
		{[]string{"outbox", "discard", "99999999999999999999"}, exitUsage},
		{[]string{"outbox", "discard", "abc"}, exitUsage},
		{[]string{"outbox", "discard", "--", "-5"}, exitUsage},
		{[]string{"outbox", "discard"}, exitUsage},
		{[]string{"outbox", "discard", "1", "2"}, exitUsage},
	}
	for _, c := range cases {
		code, stdout, stderr := runCmd(append(c.args, profileArgs(dir)...)...)
		if code != c.code {
			t.Errorf("%q: exit %d, expected %d; stderr %q", c.args, code, c.code, stderr)
		}
		if stdout != "" {
			t.Errorf("%q: stdout %q, expected nothing", c.args, stdout)
		}
		if !strings.Contains(stderr, "securemail outbox") {
			t.Errorf("%q: stderr %q does not say how to list the IDs", c.args, stderr)
		}
	}

	for _, action := range []string{"discard", "send-again"} {
		_, _, stderr := runCmd(append([]string{"outbox", action, "999"}, profileArgs(dir)...)...)
		if strings.Contains(stderr, "file does not exist") {
			t.Errorf("outbox %s of a missing ID: stderr %q has fs.ErrNotExist's \"file does not exist\"", action, stderr)
		}
		if !strings.Contains(stderr, "no message 999 in the outbox") {
			t.Errorf("outbox %s of a missing ID: stderr %q does not say that no message 999 is in the outbox", action, stderr)
		}
	}
}

// TestAttackScanHostileFiles scans a folder, a file with invalid UTF-8,
// a 4 MiB line, a file over the size cap and a broken message. None may
// crash. A file that cannot be scanned gives exit status 1 with the
// reason in the output, and PHI in a damaged file is still found.
func TestAttackScanHostileFiles(t *testing.T) {
	cases := []struct {
		name, path string
		output     string
	}{
		{"folder", t.TempDir(), "is a directory"},
		{"invalid utf-8", writeTestFile(t, "bad.txt", []byte("Patient \xff\xfe SSN 512-34-5678 \xc3")), "SSN ***-**-5678"},
		{"long line", writeTestFile(t, "line.txt", []byte(strings.Repeat("x", 4<<20)+" SSN 512-34-5678")), "SSN ***-**-5678"},
		{"over the cap", writeTestFile(t, "big.txt", make([]byte, 33<<20)), "could not be scanned"},
		{"broken message", writeTestFile(t, "bad.eml", []byte("Subject: \xff\r\nContent-Type: multipart/mixed; boundary=\"\r\n\r\n--\r\nSSN 512-34-5678")), "as a message"},
		{"missing", filepath.Join(t.TempDir(), "missing.txt"), "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCmd("scan", c.path)
			if code != exitFailure {
				t.Errorf("exit %d, expected %d; stderr %q", code, exitFailure, stderr)
			}
			if !strings.Contains(stdout, c.output) {
				t.Errorf("output %.300q does not contain %q", stdout, c.output)
			}
		})
	}
}
