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

// profileLock is a held profile lock: the open lock file and, where
// lockFolder can take one, the open profile folder.
type profileLock struct {
	file, folder *os.File
}

// acquireProfileLock takes the exclusive lock on dir's lock file and on
// dir itself without waiting. The folder's lock covers a lock file that
// was deleted while held, after which another process could create and
// lock a new one.
func acquireProfileLock(dir string) (*profileLock, error) {
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
	folder, err := lockFolder(dir)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &profileLock{file: f, folder: folder}, nil
}

// releaseProfileLock closes the files of l, which releases their locks.
// A nil l is allowed.
func releaseProfileLock(l *profileLock) {
	if l == nil {
		return
	}
	l.file.Close()
	if l.folder != nil {
		l.folder.Close()
	}
}
