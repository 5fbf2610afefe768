//go:build unix

package cache

import (
	"os"
	"path/filepath"
	"testing"
)

// TestAttackProfileLockThroughSymlink opens one profile through its
// folder and through a symbolic link to that folder, as two windows
// started with different --profile paths would. The second must find
// the profile in use.
func TestAttackProfileLockThroughSymlink(t *testing.T) {
	v, kr := newTestVault(t)
	link := filepath.Join(t.TempDir(), "profile-link")
	if err := os.Symlink(v.Dir(), link); err != nil {
		t.Skipf("cannot make a symbolic link here: %v", err)
	}
	other, err := Open(link, "default", testOptions(kr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Lock() })

	wantErr(t, other.Unlock([]byte("correct horse")), ErrProfileInUse)
	if !other.Locked() {
		t.Fatal("the profile opened through a symbolic link unlocked while it was in use")
	}
}

// TestAttackProfileLockNested takes the locks of a profile and of one
// nested in its folder. They are two profiles, so both locks must be
// taken, and each must still keep a second holder out.
func TestAttackProfileLockNested(t *testing.T) {
	outer := t.TempDir()
	inner := filepath.Join(outer, "nested")
	if err := os.Mkdir(inner, 0o700); err != nil {
		t.Fatal(err)
	}
	outerLock, err := acquireProfileLock(outer)
	if err != nil {
		t.Fatalf("lock the outer profile: %v", err)
	}
	defer releaseProfileLock(outerLock)
	innerLock, err := acquireProfileLock(inner)
	if err != nil {
		t.Fatalf("lock the profile nested in a locked one: %v", err)
	}
	defer releaseProfileLock(innerLock)

	for _, dir := range []string{outer, inner} {
		again, err := acquireProfileLock(dir)
		if err == nil {
			releaseProfileLock(again)
			t.Errorf("a second lock of %s was taken while the first is held", dir)
			continue
		}
		wantErr(t, err, ErrProfileInUse)
	}
}
