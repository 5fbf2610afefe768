package cache

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// lockChildEnv names the profile folder that the child process of
// TestAttackProfileLockOtherProcess unlocks.
const lockChildEnv = "SECUREMAIL_ATTACK_LOCK_CHILD"

// lockChildPassphrase unlocks the passphrase-only vaults of the child
// process tests, which cannot share the parent's memory keyring.
const lockChildPassphrase = "child process passphrase"

// newPassphraseOnlyVault creates an unlocked passphrase-only vault, which
// another process can unlock without the parent's keyring.
func newPassphraseOnlyVault(t *testing.T) *Vault {
	t.Helper()
	opts := testOptions(newMemKeyring())
	opts.AllowPassphraseOnly = true
	v, err := Create(filepath.Join(t.TempDir(), "profile"), "default", []byte(lockChildPassphrase), ModePassphraseOnly, opts)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { v.Lock() })
	return v
}

// TestAttackLockChild runs in the child process. It unlocks the profile
// named by lockChildEnv, prints "unlocked" and keeps the vault unlocked
// until its standard input closes or it is killed.
func TestAttackLockChild(t *testing.T) {
	dir := os.Getenv(lockChildEnv)
	if dir == "" {
		t.Skip("child process of TestAttackProfileLockOtherProcess only")
	}
	opts := testOptions(newMemKeyring())
	opts.AllowPassphraseOnly = true
	v, err := Open(dir, "default", opts)
	if err != nil {
		fmt.Println("open failed:", err)
		return
	}
	if err := v.Unlock([]byte(lockChildPassphrase)); err != nil {
		fmt.Println("unlock failed:", err)
		return
	}
	fmt.Println("unlocked")
	bufio.NewReader(os.Stdin).ReadString('\n')
	v.Lock()
}

// startLockChild starts a child process that unlocks dir and waits until
// it reports the vault unlocked.
func startLockChild(t *testing.T, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestAttackLockChild$")
	cmd.Env = append(os.Environ(), lockChildEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// The pipe stays open until the child is killed, so the child
	// waits on its standard input.
	if _, err := cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "unlocked" {
		t.Fatalf("child process output %q (%v), expected \"unlocked\"", line, err)
	}
	return cmd
}

// TestAttackProfileLockOtherProcess unlocks a profile in a child
// process. The parent's unlock is rejected while the child runs and
// succeeds once the child is killed, although the lock file stays behind.
func TestAttackProfileLockOtherProcess(t *testing.T) {
	v := newPassphraseOnlyVault(t)
	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	child := startLockChild(t, v.Dir())

	err := v.Unlock([]byte(lockChildPassphrase))
	if !errors.Is(err, ErrProfileInUse) {
		t.Fatalf("unlock while a child process holds the profile = %v, expected ErrProfileInUse", err)
	}

	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	if _, err := os.Stat(filepath.Join(v.Dir(), lockFileName)); err != nil {
		t.Fatalf("lock file after the kill: %v, expected it to stay behind", err)
	}
	if err := v.Unlock([]byte(lockChildPassphrase)); err != nil {
		t.Fatalf("unlock after the holder was killed: %v, expected the stale lock file to be taken over", err)
	}
}

// TestAttackProfileLockPathForms opens an unlocked profile again through
// other spellings of its folder: a symbolic link, a trailing slash and a
// path through "..". Each must be rejected while the first vault is
// unlocked.
func TestAttackProfileLockPathForms(t *testing.T) {
	v, kr := newTestVault(t)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(v.Dir(), link); err != nil {
		t.Fatal(err)
	}
	forms := map[string]string{
		"symbolic link":  link,
		"trailing slash": v.Dir() + string(filepath.Separator),
		"dot-dot":        filepath.Join(v.Dir(), "tmp") + string(filepath.Separator) + ".." + string(filepath.Separator),
	}
	for name, dir := range forms {
		t.Run(name, func(t *testing.T) {
			other, err := Open(dir, "default", testOptions(kr))
			if err != nil {
				t.Fatalf("Open(%s): %v", dir, err)
			}
			t.Cleanup(func() { other.Lock() })
			wantErr(t, other.Unlock([]byte("correct horse")), ErrProfileInUse)
		})
	}
}

// TestAttackProfileLockFileDeleted deletes the lock file while a vault
// holds it, as a user clearing a "stale" lock file would. A second vault
// must still be rejected, because two writers would fork the audit trail.
func TestAttackProfileLockFileDeleted(t *testing.T) {
	v, kr := newTestVault(t)
	if err := os.Remove(filepath.Join(v.Dir(), lockFileName)); err != nil {
		t.Fatal(err)
	}
	other, err := Open(v.Dir(), "default", testOptions(kr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Lock() })
	err = other.Unlock([]byte("correct horse"))
	wantErr(t, err, ErrProfileInUse)
}

// TestAttackProfileLockFileDirectory replaces the lock file with a
// folder. Unlock must fail with an error that names the lock file, and
// the failure is no wrong passphrase, so it must not count as a failed
// attempt.
func TestAttackProfileLockFileDirectory(t *testing.T) {
	v, _ := newTestVault(t)
	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	lockPath := filepath.Join(v.Dir(), lockFileName)
	if err := os.Remove(lockPath); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(lockPath, 0o700); err != nil {
		t.Fatal(err)
	}
	var failedEvents int
	v.opts.OnEvent = func(e Event) {
		if e.Kind == EventUnlockFailed {
			failedEvents++
		}
	}

	err := v.Unlock([]byte("correct horse"))
	if err == nil {
		t.Fatal("unlock succeeded with a folder in place of the lock file")
	}
	if errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("unlock = %v, reported as a wrong passphrase", err)
	}
	if !errors.Is(err, ErrProfileLock) {
		t.Errorf("unlock = %v, expected ErrProfileLock", err)
	}
	if !strings.Contains(err.Error(), lockFileName) {
		t.Errorf("unlock error %q does not name %s", err, lockFileName)
	}
	if !v.Locked() {
		t.Error("vault unlocked without its lock")
	}
	if v.failures != 0 || failedEvents != 0 {
		t.Errorf("a lock file error counts as failed attempt (%d failures, %d events), "+
			"so it adds unlock delays and an unlock-failed event although the passphrase was right", v.failures, failedEvents)
	}
}

// TestAttackCreateTwiceAtOnce runs two first-run Creates on one empty
// profile folder at the same time, as a double-clicked first start
// would. At most one may succeed, and the winner's passphrase must
// unlock the profile afterwards with its data intact.
func TestAttackCreateTwiceAtOnce(t *testing.T) {
	const rounds = 8
	for round := range rounds {
		dir := filepath.Join(t.TempDir(), "profile")
		opts := testOptions(newMemKeyring())
		// A KDF that takes some milliseconds, as a real one takes a
		// second, keeps both Creates between their checks and writes.
		opts.KDF = KDFParams{Time: 1, MemoryKiB: 4 * 1024, Threads: 1}
		passphrases := [2]string{"first window", "second window"}

		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			vaults  [2]*Vault
			results [2]error
		)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				vaults[i], results[i] = Create(dir, "default", []byte(passphrases[i]), ModeDeviceSecret, opts)
			}()
		}
		close(start)
		wg.Wait()

		winner := -1
		for i, err := range results {
			if err == nil {
				if winner >= 0 {
					t.Fatalf("round %d: both Creates succeeded on one folder", round)
				}
				winner = i
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: both Creates failed: %v; %v", round, results[0], results[1])
		}

		v := vaults[winner]
		mustPut(t, v.Store(), &Message{Account: "a", Folder: "INBOX", UID: 1, Raw: []byte("Subject: x\r\n\r\ny")})
		if err := v.Lock(); err != nil {
			t.Fatal(err)
		}
		reopened, err := Open(dir, "default", opts)
		if err != nil {
			t.Fatalf("round %d: Open after both Creates: %v", round, err)
		}
		err = reopened.Unlock([]byte(passphrases[winner]))
		if err != nil {
			t.Fatalf("round %d: unlock with the winner's passphrase: %v", round, err)
		}
		reopened.Lock()
	}
}

// TestAttackChangePassphraseInUse changes the passphrase through a
// locked vault while another vault has the same profile unlocked. The
// header is a shared file, so the change must wait for the profile like
// an unlock does. Otherwise two processes that change it at once both
// report success, and one passphrase is silently lost.
func TestAttackChangePassphraseInUse(t *testing.T) {
	v, kr := newTestVault(t)
	other, err := Open(v.Dir(), "default", testOptions(kr))
	if err != nil {
		t.Fatal(err)
	}
	err = other.ChangePassphrase([]byte("correct horse"), []byte("battery staple"))
	wantErr(t, err, ErrProfileInUse)

	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	if err := other.ChangePassphrase([]byte("correct horse"), []byte("battery staple")); err != nil {
		t.Fatalf("change once the profile is free: %v", err)
	}
	if err := v.Unlock([]byte("battery staple")); err != nil {
		t.Fatalf("unlock with the new passphrase: %v", err)
	}
}

// TestAttackProfileLockFileSymlink replaces the lock file with a
// symbolic link to a file outside the profile. Two vaults must still
// exclude each other, because both lock the file the link names.
func TestAttackProfileLockFileSymlink(t *testing.T) {
	v, kr := newTestVault(t)
	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	lockPath := filepath.Join(v.Dir(), lockFileName)
	if err := os.Remove(lockPath); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "elsewhere.lock")
	if err := os.Symlink(target, lockPath); err != nil {
		t.Fatal(err)
	}

	if err := v.Unlock([]byte("correct horse")); err != nil {
		t.Fatalf("unlock with a linked lock file: %v", err)
	}
	other, err := Open(v.Dir(), "default", testOptions(kr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Lock() })
	wantErr(t, other.Unlock([]byte("correct horse")), ErrProfileInUse)
}
