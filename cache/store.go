package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite"
)

// Store is the encrypted message store of one profile. It is safe for
// concurrent use. While the vault is locked every method returns an error
// wrapping ErrLocked; the same *Store works again after Unlock.
type Store struct {
	path string

	mu   sync.RWMutex
	db   *sql.DB
	keys sealer // nil while locked
	// stmts are the prepared preparedQueries, keyed by query text. They
	// are set with db and not changed until detach.
	stmts map[string]*sql.Stmt

	// knownWords are the word tags whose prefixes are in the prefix
	// dictionary, so storing a message skips words seen before. It holds
	// keyed hashes only and is dropped on lock.
	knownMu    sync.Mutex
	knownWords map[int64]struct{}

	// keepsSubjects is set while protected_subjects may have rows, so
	// storing a message looks up a kept subject only then. Attach reads
	// it from the table and SetSummarySubject sets it.
	keepsSubjects atomic.Bool
}

// Primary SQLite result codes that mapSQLError turns into store errors:
// SQLITE_FULL for a full disk or a database at max_page_count, and
// SQLITE_CORRUPT and SQLITE_NOTADB for a damaged file.
const (
	sqliteCorrupt = 11
	sqliteFull    = 13
	sqliteNotADB  = 26
)

// openDB opens the SQLite file in WAL mode. synchronous=NORMAL keeps the
// database consistent when the process is killed at any point, because
// every commit reaches the OS before it returns; a power loss can drop the
// last commits but never corrupts the file. temp_store=MEMORY keeps
// SQLite's sort and index temporaries out of the temp folder.
//
// The WAL is copied into the database every 64 MiB instead of SQLite's
// default 4 MiB, because each copy waits for the disk twice and a first
// sync writes hundreds of megabytes. In the sync benchmark those waits
// were a quarter of the time. journal_size_limit truncates the WAL file
// back to 64 MiB after a copy.
func openDB(path string) (*sql.DB, error) {
	// SQLite creates a missing file with mode 0644 (less the umask), and
	// its WAL and shared-memory files take the database file's mode. The
	// content is sealed and the profile folder is 0700, but a file only
	// its owner can read is what IT expects to find.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cache: open database %s: %w", path, err)
	}
	f.Close()
	q := url.Values{}
	for _, p := range []string{
		"busy_timeout(10000)",
		"journal_mode(WAL)",
		"synchronous(NORMAL)",
		"foreign_keys(1)",
		"temp_store(MEMORY)",
		"cache_size(-32768)", // 32 MiB of sealed pages
		"wal_autocheckpoint(16384)",
		"journal_size_limit(67108864)",
	} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()

	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("cache: open database %s: %w", path, err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("cache: open database %s: %w", path, mapSQLError(err))
	}
	return db, nil
}

// attach opens the database at path, runs the migrations and makes the
// store usable with keys.
func (s *Store) attach(path string, keys sealer) error {
	db, err := openDB(path)
	if err != nil {
		return err
	}
	if err := migrate(context.Background(), db, schemaVersion); err != nil {
		db.Close()
		return err
	}
	if err := checkSealedUnder(db, keys); err != nil {
		db.Close()
		return err
	}
	stmts, err := prepareStatements(db)
	if err != nil {
		db.Close()
		return err
	}

	// A kept subject outlives its message while a sync deletes and stores
	// it again, so the subjects of messages no longer in the cache go at
	// unlock, when no sync runs. A failure keeps them sealed until the
	// next unlock, so it does not stop this one.
	_, _ = db.Exec(queryDeleteOrphanSubjects)

	var keepsSubjects bool
	if err := db.QueryRow(`SELECT EXISTS (SELECT 1 FROM protected_subjects)`).Scan(&keepsSubjects); err != nil {
		closeStatements(stmts)
		db.Close()
		return fmt.Errorf("cache: read protected subjects: %w", mapSQLError(err))
	}
	s.keepsSubjects.Store(keepsSubjects)

	s.mu.Lock()
	s.path = path
	s.db = db
	s.keys = keys
	s.stmts = stmts
	s.mu.Unlock()

	// PutMessages leaves fewer than flushThreshold messages waiting for
	// their postings, but a profile written by an earlier build can have
	// many more. Flushing them now keeps every search's in-memory
	// matching short. A failure leaves searches correct but slower, and
	// the next PutMessages flushes again, so it does not stop the unlock.
	_ = s.inTx(func(tx *sql.Tx, keys sealer) error {
		return s.flushIndex(tx, keys, flushThreshold)
	})
	return nil
}

// detach closes the database and wipes the keys. It is what locking does
// to the store.
func (s *Store) detach() error {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.keys != nil {
		s.keys.wipe()
		s.keys = nil
	}
	s.forgetWords()
	closeStatements(s.stmts)
	s.stmts = nil
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	if err != nil {
		return fmt.Errorf("cache: close database %s: %w", s.path, err)
	}
	return nil
}

// begin takes the read lock that keeps the vault from locking while a
// method runs. The caller must call the returned function when done.
func (s *Store) begin() (*sql.DB, sealer, func(), error) {
	s.mu.RLock()
	if s.keys == nil || s.db == nil {
		s.mu.RUnlock()
		return nil, nil, nil, ErrLocked
	}
	return s.db, s.keys, s.mu.RUnlock, nil
}

// inTx runs fn in one transaction and maps a full disk to ErrDiskFull.
func (s *Store) inTx(fn func(tx *sql.Tx, keys sealer) error) error {
	db, keys, done, err := s.begin()
	if err != nil {
		return err
	}
	defer done()

	tx, err := db.Begin()
	if err != nil {
		return fmt.Errorf("cache: begin transaction: %w", mapSQLError(err))
	}
	if err := fn(tx, keys); err != nil {
		tx.Rollback()
		return mapSQLError(err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("cache: commit: %w", mapSQLError(err))
	}
	return nil
}

// inReadTx runs fn in one read transaction. A read transaction starts
// deferred rather than immediate, so in WAL mode it neither waits for nor
// holds up a writer: the message list stays responsive while a sync
// writes. fn must not write.
func (s *Store) inReadTx(fn func(tx *sql.Tx, keys sealer) error) error {
	db, keys, done, err := s.begin()
	if err != nil {
		return err
	}
	defer done()

	tx, err := db.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("cache: begin read transaction: %w", mapSQLError(err))
	}
	defer tx.Rollback()
	return mapSQLError(fn(tx, keys))
}

// mapSQLError wraps SQLITE_FULL in ErrDiskFull and a damaged file in
// ErrDamaged, and leaves other errors.
func mapSQLError(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff {
	case sqliteFull:
		if !errors.Is(err, ErrDiskFull) {
			return fmt.Errorf("%w: %w", ErrDiskFull, err)
		}
	case sqliteCorrupt, sqliteNotADB:
		if !errors.Is(err, ErrDamaged) {
			return fmt.Errorf("%w: %w", ErrDamaged, err)
		}
	}
	return err
}

// ErrForeignDatabase means the database was sealed under another data key:
// the vault header next to it belongs to another profile.
var ErrForeignDatabase = errors.New("cache: the database was sealed under another vault key; the vault header belongs to another profile, so restore this profile's vault.json")

// checkSealedUnder opens stored records with keys. Without this check a
// vault header copied from another profile would open the database as an
// empty profile, because lookups by tag simply find nothing. One record
// that opens is enough, so a single damaged record does not lock the
// user out; it fails with its own error when it is read.
func checkSealedUnder(db *sql.DB, keys sealer) error {
	rows, err := db.Query(`SELECT id, key FROM records ORDER BY id LIMIT 8`)
	if err != nil {
		return fmt.Errorf("cache: read records: %w", err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var (
			id     int64
			sealed []byte
		)
		if err := rows.Scan(&id, &sealed); err != nil {
			return fmt.Errorf("cache: read records: %w", err)
		}
		seen++
		if _, err := keys.open("records", "key", rowKey(id), sealed); err == nil {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("cache: read records: %w", err)
	}
	if seen == 0 {
		return nil
	}
	return ErrForeignDatabase
}
