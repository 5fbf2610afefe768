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
