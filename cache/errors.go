package cache

import (
	"errors"
	"fmt"
)

// Errors of the store. Callers test for them with errors.Is.
var (
	// ErrLocked is returned by every store method while the vault is
	// locked. Unlock the vault and retry.
	ErrLocked = errors.New("cache: vault is locked; unlock it with the passphrase")
	// ErrCorrupt is wrapped by CorruptError.
	ErrCorrupt = errors.New("cache: sealed value failed authentication")
	// ErrNewerSchema means the database was written by a newer SecureMail.
	ErrNewerSchema = errors.New("cache: database schema is newer than this version of SecureMail supports")
	// ErrDiskFull means a write failed because the disk or the database
	// size limit is full. The transaction was rolled back.
	ErrDiskFull = errors.New("cache: disk is full; free space and retry")
	// ErrDamaged means SQLite found the database file damaged or not a
	// database at all, for example after a disk fault or a copy cut short.
	ErrDamaged = errors.New("cache: the database file is damaged; restore the profile folder from a backup (keys, accounts and the audit trail are stored in it), or ask IT")
	// ErrInvalidQuery means a search query cannot be run as given.
	ErrInvalidQuery = errors.New("cache: invalid search query")
)

// CorruptError reports a sealed value that is truncated, altered or
// moved from another table, column or row. Nothing is returned from it.
type CorruptError struct {
	Table, Column string
	Row           []byte
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("cache: sealed value in %s.%s (row %x) is truncated, altered or moved; restore the profile from a backup or resync the account", e.Table, e.Column, e.Row)
}

// Unwrap returns ErrCorrupt.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }
