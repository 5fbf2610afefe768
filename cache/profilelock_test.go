package cache

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestProfileLockOneUnlockedVault opens the same profile twice, as a GUI
// and a command would: while one is unlocked the other cannot unlock, the
// refusal costs no attempt, and after the first locks the second unlocks.
func TestProfileLockOneUnlockedVault(t *testing.T) {
	v, kr := newTestVault(t)
	other, err := Open(v.Dir(), "default", testOptions(kr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Lock() })

	for range 5 {
		wantErr(t, other.Unlock([]byte("correct horse")), ErrProfileInUse)
	}
	if !other.Locked() {
		t.Fatal("a second vault unlocked the profile in use")
	}
	if other.failures != 0 {
		t.Errorf("refusals counted as %d failed attempts, expected 0", other.failures)
	}

	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	if err := other.Unlock([]byte("correct horse")); err != nil {
		t.Fatalf("unlock after the first vault locked: %v", err)
	}
	wantErr(t, v.Unlock([]byte("correct horse")), ErrProfileInUse)
}

// TestProfileFilesOwnerOnly checks that the database and its WAL files
// are readable by their owner only.
func TestProfileFilesOwnerOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix file modes")
	}
	v, _ := newTestVault(t)
	mustPut(t, v.Store(), &Message{Account: "a", Folder: "INBOX", UID: 1, Raw: []byte("Subject: x\r\n\r\ny")})
	for _, name := range []string{"cache.db", "cache.db-wal", "cache.db-shm", lockFileName} {
		info, err := os.Stat(filepath.Join(v.Dir(), name))
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode&0o077 != 0 {
			t.Errorf("%s has mode %v, expected no access for group and others", name, mode)
		}
	}
}
