//go:build unix

package main

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"securemail/ui"
)

// TestAttackStartPassphraseEnvCleared starts the GUI's unlock with
// --passphrase-env. The variable must be gone afterwards, so that no
// process the GUI starts inherits the vault passphrase.
func TestAttackStartPassphraseEnvCleared(t *testing.T) {
	dir := testProfile(t)
	adapter, err := ui.NewClientAdapter(profileOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	const name = "SM_RT4_START_PASSPHRASE"
	t.Setenv(name, testPassphrase)

	pass, err := startPassphrase(adapter, &secretFlags{fd: -1, env: name})
	if err != nil {
		t.Fatal(err)
	}
	if string(pass) != testPassphrase {
		t.Fatalf("startPassphrase returned %d bytes, not the passphrase in %s", len(pass), name)
	}
	if _, ok := os.LookupEnv(name); ok {
		t.Errorf("%s is still set after the start passphrase was read", name)
	}
	out, err := exec.Command("env").Output()
	if err != nil {
		t.Skipf("cannot run env to list a child's environment: %v", err)
	}
	// The test profile's passphrase is also in SM_TEST_PASSPHRASE, so
	// the check looks for the variable's name.
	if strings.Contains(string(out), name+"=") {
		t.Errorf("a child process of the GUI inherits %s, the vault passphrase", name)
	}
}

// TestAttackStartPassphraseBadDescriptor passes a directory and an empty
// pipe as --passphrase-fd. Each must fail with an error naming the
// problem, and neither may return a passphrase.
func TestAttackStartPassphraseBadDescriptor(t *testing.T) {
	dir := testProfile(t)
	adapter, err := ui.NewClientAdapter(profileOptions(dir))
	if err != nil {
		t.Fatal(err)
	}

	folder, err := os.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer folder.Close()
	// read closes the descriptor it is given, so it gets a copy and the
	// test's own file stays valid.
	folderFD, err := syscall.Dup(int(folder.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	pass, err := startPassphrase(adapter, &secretFlags{fd: folderFD, env: ""})
	if err == nil {
		t.Errorf("a directory as --passphrase-fd gave a passphrase of %d bytes", len(pass))
	} else if !strings.Contains(err.Error(), "directory") {
		t.Errorf("error %q for a directory does not say that it is one", err)
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	defer r.Close()
	pipeFD, err := syscall.Dup(int(r.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	pass, err = startPassphrase(adapter, &secretFlags{fd: pipeFD, env: ""})
	if err == nil {
		t.Errorf("an empty pipe as --passphrase-fd gave a passphrase of %d bytes", len(pass))
	} else if !strings.Contains(err.Error(), "empty") {
		t.Errorf("error %q for an empty pipe does not say that it is empty", err)
	}
}
