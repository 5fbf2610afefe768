package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"securemail/cache"
	"securemail/client"
)

// readOnlyKeyring returns the entries of a keyring but rejects every
// write, as an OS keyring that was locked during a session does. The
// audit trail then fails to raise its anchor on each append.
type readOnlyKeyring struct{ cache.Keyring }

func (readOnlyKeyring) Set(service, user, secret string) error { return cache.ErrKeyringLocked }

func TestAuditFailureFailsCommand(t *testing.T) {
	dir := testProfile(t)
	opts := profileOptions
	profileOptions = func(dir string) client.Options {
		o := opts(dir)
		o.Keyring = readOnlyKeyring{o.Keyring}
		return o
	}

	code, stdout, stderr := runCmd(append([]string{"account", "list"}, profileArgs(dir)...)...)
	if code != exitFailure {
		t.Errorf("account list with a failing audit trail: exit %d, expected %d", code, exitFailure)
	}
	if !strings.Contains(stdout, "rosa@clinic.test") {
		t.Errorf("account list output %q lacks the account, although the command itself worked", stdout)
	}
	if !strings.Contains(stderr, "the audit trail is missing an entry") {
		t.Errorf("stderr %q does not report the failed audit append", stderr)
	}
	if !strings.Contains(stderr, "audit anchor") {
		t.Errorf("stderr %q does not give the cause of the failed audit append", stderr)
	}
}

type fixedAuditErr struct{ err error }

func (f fixedAuditErr) AuditErr() error { return f.err }

func TestReportAuditErrKeepsStatus(t *testing.T) {
	failed := fixedAuditErr{errors.New("disk full")}
	cases := []struct {
		name   string
		source auditErrSource
		status int
		want   int
	}{
		{"no failure", fixedAuditErr{}, exitOK, exitOK},
		{"no failure after a usage error", fixedAuditErr{}, exitUsage, exitUsage},
		{"failure after success", failed, exitOK, exitFailure},
		{"failure after a usage error", failed, exitUsage, exitUsage},
		{"failure after a needed confirmation", failed, exitNeedsConfirmation, exitNeedsConfirmation},
	}
	for _, tc := range cases {
		var stderr bytes.Buffer
		if got := reportAuditErr(tc.source, &stderr, tc.status); got != tc.want {
			t.Errorf("%s: status %d, expected %d", tc.name, got, tc.want)
		}
		if printed := stderr.Len() > 0; printed != (tc.source.AuditErr() != nil) {
			t.Errorf("%s: stderr %q", tc.name, stderr.String())
		}
	}
}
