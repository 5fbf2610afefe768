//go:build windows

package cache

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// lockFile takes an exclusive LockFileEx lock on the first byte of f, or
// fails at once with ErrProfileInUse. Windows releases the lock when the
// handle is closed or the process ends.
// NOTE: this file is built by the Windows cross build but has never run
// on Windows.
func lockFile(f *os.File) error {
	overlapped := new(windows.Overlapped)
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, overlapped)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION):
		return ErrProfileInUse
	default:
		return fmt.Errorf("%w: %s: %w; keep the profile folder on a local disk that supports file locks", ErrProfileLock, f.Name(), err)
	}
}

// lockFolder takes no lock on Windows, where a file that is open cannot
// be deleted unless it was opened for sharing deletes, which the os
// package does not do. The lock file alone guards the profile.
// NOTE: like lockFile, never run on Windows.
func lockFolder(string) (*os.File, error) { return nil, nil }
