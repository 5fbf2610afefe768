package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrongPassphraseAudited(t *testing.T) {
	dir := testProfile(t)
	t.Setenv("SM_WRONG", "not the passphrase")
	code, _, stderr := runCmd("sync", "--profile", dir, "--passphrase-env", "SM_WRONG")
	if code != exitFailure || !strings.Contains(stderr, "wrong vault passphrase") {
		t.Fatalf("sync with a wrong passphrase: exit %d, stderr %q", code, stderr)
	}

	code, stdout, stderr := runCmd(append([]string{"audit", "export"}, profileArgs(dir)...)...)
	if code != exitOK {
		t.Fatalf("audit export: exit %d, stderr %q", code, stderr)
	}
	if n := strings.Count(stdout, `"kind":"vault.unlock_failed","reason":"wrong-passphrase"`); n != 1 {
		t.Errorf("the audit trail has %d wrong-passphrase entries, expected 1:\n%s", n, stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "unlock-failures")); !os.IsNotExist(err) {
		t.Errorf("the stored failures were not removed after they were recorded: %v", err)
	}

	// A second unlock must not record the same failure again.
	_, stdout, _ = runCmd(append([]string{"audit", "export"}, profileArgs(dir)...)...)
	if n := strings.Count(stdout, `"kind":"vault.unlock_failed"`); n != 1 {
		t.Errorf("after a second unlock the trail has %d unlock_failed entries, expected 1", n)
	}
	code, _, stderr = runCmd(append([]string{"audit", "verify"}, profileArgs(dir)...)...)
	if code != exitOK {
		t.Errorf("audit verify: exit %d, stderr %q", code, stderr)
	}
}

func TestEditedUnlockFailuresRecorded(t *testing.T) {
	dir := testProfile(t)
	// The file stores only codes, so a line that is no code means that
	// someone edited it. The trail records that, without the line's text.
	if err := os.WriteFile(filepath.Join(dir, "unlock-failures"), []byte("wrong-passphrase\nSecret Text\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stdout, stderr := runCmd(append([]string{"audit", "export"}, profileArgs(dir)...)...)
	if !strings.Contains(stdout, `"reason":"wrong-passphrase"`) {
		t.Errorf("the stored failure was not recorded:\n%s%s", stdout, stderr)
	}
	if !strings.Contains(stdout, `"reason":"unknown-record"`) {
		t.Errorf("the edited line was not recorded as unknown-record:\n%s", stdout)
	}
	if strings.Contains(stdout, "Secret Text") {
		t.Errorf("the text of the edited line reached the trail:\n%s", stdout)
	}
}
