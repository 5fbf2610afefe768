package cache

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrProfileInUse means another process, or another vault in this
// process, has the profile unlocked. Two writers would each extend the
// audit trail from their own head and break its chain.
var ErrProfileInUse = errors.New("cache: the profile is unlocked in another SecureMail window or command; lock or close that one first, or wait for the command to finish")

// ErrProfileLock is wrapped by the errors of taking the profile lock
// other than ErrProfileInUse, such as a lock file that cannot be opened.
var ErrProfileLock = errors.New("cache: failed to take the profile lock")

// lockFileName is the file in the profile folder that an unlocked vault
// holds an exclusive lock on. It contains nothing.
const lockFileName = "profile.lock"

// acquireProfileLock takes the exclusive lock on dir's lock file without
// waiting, and returns the open file that holds it.
func acquireProfileLock(dir string) (*os.File, error) {
	path := filepath.Join(dir, lockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%w: %w; close SecureMail and move %s away, so that a new lock file can be created",
			ErrProfileLock, err, path)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// releaseProfileLock closes f, which releases its lock. A nil f is
// allowed.
func releaseProfileLock(f *os.File) {
	if f != nil {
		f.Close()
	}
}
