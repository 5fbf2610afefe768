package cache

import (
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// Tag domains of records and logs.
const (
	domainKind    = "record-kind"
	domainKey     = "record-key"
	domainLogName = "log"
)

func recordTags(keys sealer, kind, key string) (int64, int64) {
	kindTag := keys.tag(domainKind, []byte(kind))
	// The key tag covers the kind too, so equal keys of two kinds differ.
	keyTag := keys.tag(domainKey, []byte(kind+"\x00"+key))
	return kindTag, keyTag
}

// PutRecord stores value sealed under kind and key, replacing an earlier
// value. Kind and key are sealed too. The store keeps only keyed hashes
// of them in the clear, for lookup.
func (s *Store) PutRecord(kind, key string, value []byte) error {
	if kind == "" {
		return fmt.Errorf("cache: record kind must not be empty")
	}
	return s.inTx(func(tx *sql.Tx, keys sealer) error {
		kindTag, keyTag := recordTags(keys, kind, key)
		var id int64
		err := tx.QueryRow(`SELECT id FROM records WHERE kind_tag = ? AND key_tag = ?`, kindTag, keyTag).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			res, err := tx.Exec(`INSERT INTO records (kind_tag, key_tag, key, value) VALUES (?, ?, x'', x'')`, kindTag, keyTag)
			if err != nil {
				return fmt.Errorf("cache: insert record: %w", err)
			}
			if id, err = res.LastInsertId(); err != nil {
				return fmt.Errorf("cache: insert record: %w", err)
			}
		} else if err != nil {
			return fmt.Errorf("cache: look up record: %w", err)
		}

		row := rowKey(id)
		sealedKey, err := keys.seal("records", "key", row, []byte(key))
		if err != nil {
			return err
		}
		sealedValue, err := keys.seal("records", "value", row, value)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE records SET key = ?, value = ? WHERE id = ?`, sealedKey, sealedValue, id); err != nil {
			return fmt.Errorf("cache: write record: %w", err)
		}
		return nil
	})
}

// GetRecord returns the value stored under kind and key, or an error
// wrapping fs.ErrNotExist when there is none.
func (s *Store) GetRecord(kind, key string) ([]byte, error) {
	var value []byte
	err := s.inTx(func(tx *sql.Tx, keys sealer) error {
		kindTag, keyTag := recordTags(keys, kind, key)
		var (
			id     int64
			sealed []byte
		)
		var sealedKey []byte
		err := tx.QueryRow(`SELECT id, key, value FROM records WHERE kind_tag = ? AND key_tag = ?`, kindTag, keyTag).Scan(&id, &sealedKey, &sealed)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("cache: record of kind %q not found: %w", kind, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("cache: read record: %w", err)
		}
		// The lookup tags are not sealed, so someone who can write the file
		// could point one key's tag at another row. The sealed key column
		// names the row's real key.
		storedKey, err := keys.open("records", "key", rowKey(id), sealedKey)
		if err != nil {
			return err
		}
		if string(storedKey) != key {
			return &CorruptError{Table: "records", Column: "key", Row: rowKey(id)}
		}
		value, err = keys.open("records", "value", rowKey(id), sealed)
		return err
	})
	return value, err
}

// ListRecords returns the keys of kind, sorted.
func (s *Store) ListRecords(kind string) ([]string, error) {
	var out []string
	err := s.inTx(func(tx *sql.Tx, keys sealer) error {
		kindTag, _ := recordTags(keys, kind, "")
		rows, err := tx.Query(`SELECT id, key FROM records WHERE kind_tag = ?`, kindTag)
		if err != nil {
			return fmt.Errorf("cache: list records: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id     int64
				sealed []byte
			)
			if err := rows.Scan(&id, &sealed); err != nil {
				return fmt.Errorf("cache: list records: %w", err)
			}
			key, err := keys.open("records", "key", rowKey(id), sealed)
			if err != nil {
				return err
			}
			out = append(out, string(key))
		}
		return rows.Err()
	})
	sort.Strings(out)
	return out, err
}

// DeleteRecord removes the record. A missing record is not an error.
func (s *Store) DeleteRecord(kind, key string) error {
	return s.inTx(func(tx *sql.Tx, keys sealer) error {
		kindTag, keyTag := recordTags(keys, kind, key)
		if _, err := tx.Exec(`DELETE FROM records WHERE kind_tag = ? AND key_tag = ?`, kindTag, keyTag); err != nil {
			return fmt.Errorf("cache: delete record: %w", err)
		}
		return nil
	})
}

// logRow is the associated-data row of a log entry: the log's tag and the
// sequence number, so an entry moved to another position fails to open.
func logRow(nameTag, seq int64) []byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(nameTag))
	binary.BigEndian.PutUint64(b[8:], uint64(seq))
	return b[:]
}

// AppendLog appends entry, sealed, to the named log and returns its
// sequence number. The first entry of a log gets 1, and each next one
// the previous plus one, also after PruneLog.
func (s *Store) AppendLog(name string, entry []byte) (int64, error) {
	var seq int64
	err := s.inTx(func(tx *sql.Tx, keys sealer) error {
		nameTag := keys.tag(domainLogName, []byte(name))
		var last sql.NullInt64
		if err := tx.QueryRow(`SELECT max(seq) FROM logs WHERE name_tag = ? AND seq > 0`, nameTag).Scan(&last); err != nil {
			return fmt.Errorf("cache: read last log sequence: %w", err)
		}
		seq = last.Int64 + 1
		if !last.Valid {
			// An empty log may have been pruned; the marker row keeps
			// its last sequence number.
			var pruned sql.NullInt64
			err := tx.QueryRow(`SELECT seq FROM logs WHERE name_tag = ? AND seq <= 0`, nameTag).Scan(&pruned)
			if err == nil {
				seq = -pruned.Int64 + 1
			} else if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("cache: read pruned log sequence: %w", err)
			}
		}
		sealed, err := keys.seal("logs", "entry", logRow(nameTag, seq), entry)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO logs (name_tag, seq, entry) VALUES (?, ?, ?)`, nameTag, seq, sealed); err != nil {
			return fmt.Errorf("cache: append log entry: %w", err)
		}
		return nil
	})
	return seq, err
}

// ReadLog calls fn for each entry of the named log with a sequence number
// of fromSeq or more, in order. An error from fn stops the read and is
// returned. Entries are read in pages, and fn runs outside any
// transaction and lock, so it may call the store.
func (s *Store) ReadLog(name string, fromSeq int64, fn func(seq int64, entry []byte) error) error {
	if fromSeq < 1 {
		fromSeq = 1
	}
	for {
		// A page that fails part-way still delivers the entries before the
		// failing one, so a reader that resumes after it loses nothing.
		page, readErr := s.readLogPage(name, fromSeq, 256)
		for _, e := range page {
			if err := fn(e.seq, e.entry); err != nil {
				return err
			}
		}
		if readErr != nil {
			return readErr
		}
		if len(page) < 256 {
			return nil
		}
		fromSeq = page[len(page)-1].seq + 1
	}
}

// logEntry is one opened log entry.
type logEntry struct {
	seq   int64
	entry []byte
}

func (s *Store) readLogPage(name string, fromSeq int64, limit int) ([]logEntry, error) {
	db, keys, done, err := s.begin()
	if err != nil {
		return nil, err
	}
	defer done()

	nameTag := keys.tag(domainLogName, []byte(name))
	rows, err := db.Query(`SELECT seq, entry FROM logs WHERE name_tag = ? AND seq >= ? ORDER BY seq LIMIT ?`, nameTag, fromSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("cache: read log: %w", err)
	}
	defer rows.Close()
	var page []logEntry
	for rows.Next() {
		var (
			seq    int64
			sealed []byte
		)
		if err := rows.Scan(&seq, &sealed); err != nil {
			return nil, fmt.Errorf("cache: read log: %w", err)
		}
		entry, err := keys.open("logs", "entry", logRow(nameTag, seq), sealed)
		if err != nil {
			return page, err
		}
		page = append(page, logEntry{seq, entry})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cache: read log: %w", err)
	}
	return page, nil
}

// PruneLog deletes the entries of the named log with a sequence number
// below beforeSeq. Numbering continues after the highest pruned entry.
func (s *Store) PruneLog(name string, beforeSeq int64) error {
	return s.inTx(func(tx *sql.Tx, keys sealer) error {
		nameTag := keys.tag(domainLogName, []byte(name))
		var last sql.NullInt64
		err := tx.QueryRow(`SELECT max(seq) FROM logs WHERE name_tag = ? AND seq > 0 AND seq < ?`, nameTag, beforeSeq).Scan(&last)
		if err != nil {
			return fmt.Errorf("cache: prune log: %w", err)
		}
		if !last.Valid {
			return nil
		}
		// A marker row with seq = -last remembers the numbering once every
		// entry is gone. Its entry is empty and carries no content.
		if _, err := tx.Exec(`DELETE FROM logs WHERE name_tag = ? AND seq <= 0`, nameTag); err != nil {
			return fmt.Errorf("cache: prune log: %w", err)
		}
		if _, err := tx.Exec(`INSERT INTO logs (name_tag, seq, entry) VALUES (?, ?, x'')`, nameTag, -last.Int64); err != nil {
			return fmt.Errorf("cache: prune log: %w", err)
		}
		if _, err := tx.Exec(`DELETE FROM logs WHERE name_tag = ? AND seq > 0 AND seq < ?`, nameTag, beforeSeq); err != nil {
			return fmt.Errorf("cache: prune log: %w", err)
		}
		return nil
	})
}
