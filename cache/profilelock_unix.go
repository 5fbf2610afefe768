//go:build unix

package cache

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockFile takes an exclusive flock(2) lock on f, or fails at once with
// ErrProfileInUse. The lock belongs to the open file, so it ends when f
// is closed or the process exits, also when it is killed.
func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.EWOULDBLOCK):
		return ErrProfileInUse
	default:
		return fmt.Errorf("%w: %s: %w; keep the profile folder on a local disk that supports file locks", ErrProfileLock, f.Name(), err)
	}
}

// lockFolder takes an exclusive flock(2) lock on the profile folder, or
// fails at once with ErrProfileInUse. Where the file system cannot lock
// a folder, it returns nil and the lock file alone guards the profile.
// NOTE: Linux emulates flock on NFS with write locks, which a folder
// opened for reading cannot take; that case was not tried on NFS.
func lockFolder(dir string) (*os.File, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: open the profile folder %s: %w", ErrProfileLock, dir, err)
	}
	err = syscall.Flock(int(d.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	switch {
	case err == nil:
		return d, nil
	case errors.Is(err, syscall.EWOULDBLOCK):
		d.Close()
		return nil, ErrProfileInUse
	default:
		d.Close()
		return nil, nil
	}
}
