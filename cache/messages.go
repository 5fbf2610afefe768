package cache

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"strings"
	"time"
)

// encodeFlags stores flags space-separated with a space at both ends, so
// SQL can test for one flag with instr(flags, ' \Seen '). A flag with a
// byte outside printable ASCII is dropped: IMAP flags are atoms of ASCII
// characters, and a hostile server's no-break space or U+017F would make
// SQL's ASCII-only test disagree with Go's reading of the same flags.
func encodeFlags(flags []string) string {
	kept := make([]string, 0, len(flags))
	for _, f := range flags {
		if ValidFlag(f) {
			kept = append(kept, f)
		}
	}
	if len(kept) == 0 {
		return ""
	}
	return " " + strings.Join(kept, " ") + " "
}

// ValidFlag reports whether f is a non-empty run of printable ASCII
// without spaces, the only flags the store keeps.
func ValidFlag(f string) bool {
	for i := 0; i < len(f); i++ {
		if f[i] <= ' ' || f[i] > '~' {
			return false
		}
	}
	return f != ""
}

func decodeFlags(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Fields(s)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// PutMessage stores m sealed, replacing any message with the same
// account, folder and UID, and indexes its header and text parts. It sets
// m.ID. A message that does not parse is still stored whole.
func (s *Store) PutMessage(m *Message) error {
	return s.PutMessages([]*Message{m})
}

// PutMessages stores several messages like PutMessage in one
// transaction, which is faster for a sync that fetches many at once.
// Either all are stored or, on error, none.
func (s *Store) PutMessages(ms []*Message) error {
	for i, m := range ms {
		if m == nil {
			return fmt.Errorf("cache: message %d of %d is nil", i, len(ms))
		}
	}
	ids := make([]int64, len(ms))
	var newWords map[int64]struct{}
	err := s.inTx(func(tx *sql.Tx, keys sealer) error {
		w, err := s.newIndexWriter(tx, keys)
		if err != nil {
			return err
		}
		for i, m := range ms {
			if ids[i], err = w.putMessage(m, m.preparedWith(keys)); err != nil {
				return err
			}
		}
		newWords = w.newWords
		return s.flushIndex(tx, keys, flushThreshold)
	})
	if err != nil {
		return err
	}
	s.rememberWords(newWords)
	for i, m := range ms {
		m.ID = ids[i]
		m.prepared = nil
	}
	return nil
}

// preparedMessage is the work of storing a message that needs no
// database: parsing it and computing its index tags.
type preparedMessage struct {
	keys       sealer // the keys the tags were computed with
	raw        []byte // the Raw that was parsed
	rawHash    uint64 // its hash, to notice a Raw rewritten in place
	headerOnly bool
	parsed     parsedMessage
	terms      *termSet
}

// Prepare parses m and computes its index tags, which PutMessage and
// PutMessages would otherwise do while holding the write transaction.
// Sync calls it on the goroutine that receives messages, so this work
// overlaps with the writing of the previous batch. Calling it is
// optional; a message changed or a store locked and unlocked since is
// prepared again when stored.
func (s *Store) Prepare(m *Message) error {
	_, keys, done, err := s.begin()
	if err != nil {
		return err
	}
	defer done()
	m.prepared = prepareMessage(keys, m)
	return nil
}

func prepareMessage(keys sealer, m *Message) *preparedMessage {
	p := &preparedMessage{keys: keys, raw: m.Raw, rawHash: maphash.Bytes(rawSeed, m.Raw),
		headerOnly: m.HeaderOnly, parsed: parseMessage(m.Raw, m.HeaderOnly)}
	p.terms = messageTerms(keys, &p.parsed)
	return p
}

// preparedWith returns m's preparation under keys, made now when there is
// none or when it no longer matches m or keys.
func (m *Message) preparedWith(keys sealer) *preparedMessage {
	p := m.prepared
	if p == nil || p.keys != keys || p.headerOnly != m.HeaderOnly || !sameBytes(p.raw, m.Raw) ||
		maphash.Bytes(rawSeed, m.Raw) != p.rawHash {
		p = prepareMessage(keys, m)
	}
	return p
}

// rawSeed seeds the hash that detects whether a prepared Raw was rewritten
// in place. hash/maphash is far faster than parsing. It guards against a
// caller's mistake, not an attacker, who cannot reach Raw in memory.
var rawSeed = maphash.MakeSeed()

// sameBytes reports whether a and b are the same slice of memory.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func (w *indexWriter) putMessage(m *Message, prep *preparedMessage) (int64, error) {
	keys := w.keys
	p := &prep.parsed
	terms := prep.terms
	date := m.Date
	if date.IsZero() {
		date = p.date
	}
	summary, err := json.Marshal(&p.summary)
	if err != nil {
		return 0, fmt.Errorf("cache: encode summary: %w", err)
	}
	folderID, err := w.folderID(m.Account, m.Folder)
	if err != nil {
		return 0, err
	}

	var (
		id      int64
		indexed bool
	)
	err = w.messageByUID.QueryRow(folderID, m.UID).Scan(&id, &indexed)
	exists := err == nil
	switch {
	case exists:
		// The update marks the message unindexed, so flushIndex writes
		// all its postings again and skips those already there. Only the
		// postings it no longer has are deleted here, and when sync
		// replaces a header with the whole message there are none. An
		// unindexed row can still have postings kept from an earlier
		// version, and they are all in its stored term list.
		if err := w.deleteStaleTerms(id, date.Unix(), terms); err != nil {
			return 0, err
		}
	case errors.Is(err, sql.ErrNoRows):
		// The row id is part of every sealed value's associated data, so
		// it is chosen before sealing. The write transaction holds the
		// database lock, so no other writer can take the same id.
		if err := w.nextMessageID.QueryRow().Scan(&id); err != nil {
			return 0, fmt.Errorf("cache: allocate message id: %w", err)
		}
	default:
		return 0, fmt.Errorf("cache: look up message: %w", err)
	}

	row := rowKey(id)
	sealedRaw, err := keys.seal("messages", "raw", row, m.Raw)
	if err != nil {
		return 0, err
	}
	sealedSummary, err := keys.seal("messages", "summary", row, summary)
	if err != nil {
		return 0, err
	}
	sealedTerms, err := keys.seal("messages", "terms", row, encodeTags(terms.tags))
	if err != nil {
		return 0, err
	}
	args := []any{m.UIDValidity, int64(m.ModSeq), encodeFlags(m.Flags), m.Size, date.Unix(), boolInt(m.Encrypted),
		boolInt(m.HeaderOnly), messageIDTag(keys, p.summary.MessageID), sealedSummary, sealedTerms, id, folderID, m.UID}
	if exists {
		_, err = w.updateMessage.Exec(args[:11]...)
	} else {
		_, err = w.insertMessage.Exec(args...)
	}
	if err != nil {
		return 0, fmt.Errorf("cache: write message: %w", err)
	}
	if _, err := w.putBody.Exec(id, sealedRaw); err != nil {
		return 0, fmt.Errorf("cache: write message bytes: %w", err)
	}
	// The postings wait for flushIndex. The prefix dictionary is
	// written now because only here are the words themselves known.
	if err := w.addPrefixes(terms); err != nil {
		return 0, err
	}
	return id, nil
}

func messageIDTag(keys sealer, messageID string) int64 {
	id := strings.Trim(strings.TrimSpace(messageID), "<>")
	if id == "" {
		return 0
	}
	return keys.tag(domainMessageID, []byte(id))
}

func deleteMessage(tx *sql.Tx, keys sealer, id int64) error {
	// An unindexed message can have postings kept from the version it
	// replaced, so every tag in its list is deleted.
	tags, date, _, err := loadTerms(tx, keys, id)
	if err != nil {
		return err
	}
	stmt, err := tx.Prepare(`DELETE FROM terms WHERE tag = ? AND date = ? AND message = ?`)
	if err != nil {
		return fmt.Errorf("cache: prepare index delete: %w", err)
	}
	defer stmt.Close()
	for _, t := range tags {
		if _, err := stmt.Exec(t, date, id); err != nil {
			return fmt.Errorf("cache: delete from search index: %w", err)
		}
	}
	if _, err := tx.Exec(`DELETE FROM messages WHERE id = ?`, id); err != nil {
		return fmt.Errorf("cache: delete message %d: %w", id, err)
	}
	return nil
}

// loadTerms opens the sealed tag list of message id and returns it with
// the date the index rows carry and whether the rows are written yet.
func loadTerms(tx *sql.Tx, keys sealer, id int64) (tags []int64, date int64, indexed bool, err error) {
	return scanTerms(tx.QueryRow(queryTermsByID, id), keys, id)
}

// scanTerms reads the result of queryTermsByID for message id.
func scanTerms(row *sql.Row, keys sealer, id int64) (tags []int64, date int64, indexed bool, err error) {
	var sealed []byte
	if err := row.Scan(&date, &sealed, &indexed); err != nil {
		return nil, 0, false, fmt.Errorf("cache: read index list of message %d: %w", id, err)
	}
	if sealed == nil {
		return nil, date, indexed, nil
	}
	plain, err := keys.open("messages", "terms", rowKey(id), sealed)
	if err != nil {
		return nil, 0, false, err
	}
	tags, err = decodeTags(plain)
	return tags, date, indexed, err
}

// UIDStates returns the clear sync state of every cached message of the
// folder, by ascending UID. An unknown folder has none.
func (s *Store) UIDStates(account, folder string) ([]UIDState, error) {
	var out []UIDState
	err := s.inTx(func(tx *sql.Tx, keys sealer) error {
		id, err := folderRef(tx, keys, account, folder, false)
		if err != nil || id == 0 {
			return err
		}
		rows, err := tx.Query(`SELECT uid, modseq, flags, header_only FROM messages WHERE folder_id = ? ORDER BY uid`, id)
		if err != nil {
			return fmt.Errorf("cache: list UIDs: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				st     UIDState
				modSeq int64
				flags  string
			)
			if err := rows.Scan(&st.UID, &modSeq, &flags, &st.HeaderOnly); err != nil {
				return fmt.Errorf("cache: read UID state: %w", err)
			}
			st.ModSeq = uint64(modSeq)
			st.Flags = decodeFlags(flags)
			out = append(out, st)
		}
		return rows.Err()
	})
	return out, err
}

// SetFlags replaces the flags and MODSEQ of one message. It returns an
// error wrapping ErrNotFound when the message is not cached.
func (s *Store) SetFlags(account, folder string, uid uint32, flags []string, modSeq uint64) error {
	return s.inTx(func(tx *sql.Tx, keys sealer) error {
		id, err := folderRef(tx, keys, account, folder, false)
		if err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE messages SET flags = ?, modseq = ? WHERE folder_id = ? AND uid = ?`,
			encodeFlags(flags), int64(modSeq), id, uid)
		if err != nil {
			return fmt.Errorf("cache: set flags of UID %d: %w", uid, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("cache: set flags: UID %d is not cached in that folder; resync the folder: %w", uid, ErrNotFound)
		}
		return nil
	})
}

// DeleteMessages removes the messages with the given UIDs from the
// folder. UIDs that are not cached are skipped.
func (s *Store) DeleteMessages(account, folder string, uids []uint32) error {
	return s.inTx(func(tx *sql.Tx, keys sealer) error {
		folderID, err := folderRef(tx, keys, account, folder, false)
		if err != nil || folderID == 0 {
			return err
		}
		for _, uid := range uids {
			var id int64
			err := tx.QueryRow(`SELECT id FROM messages WHERE folder_id = ? AND uid = ?`, folderID, uid).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("cache: look up UID %d: %w", uid, err)
			}
			if err := deleteMessage(tx, keys, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// Message returns the cached message with its raw bytes opened. It
// returns an error wrapping ErrNotFound for an unknown id and a
// *CorruptError when a sealed value fails authentication.
func (s *Store) Message(id int64) (*Message, error) {
	var m *Message
	err := s.inReadTx(func(tx *sql.Tx, keys sealer) error {
		var (
			folderID, modSeq, date int64
			flags                  string
			sealedRaw              []byte
			sa, sn, sr             []byte
		)
		m = &Message{ID: id}
		err := tx.QueryRow(`SELECT m.folder_id, m.uid, m.uid_validity, m.modseq, m.flags, m.size, m.date, m.encrypted, m.header_only, b.raw,
				f.account, f.name, f.role
			FROM messages m JOIN folders f ON f.id = m.folder_id LEFT JOIN bodies b ON b.message = m.id WHERE m.id = ?`, id).
			Scan(&folderID, &m.UID, &m.UIDValidity, &modSeq, &flags, &m.Size, &date, &m.Encrypted, &m.HeaderOnly, &sealedRaw, &sa, &sn, &sr)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("cache: message %d not found: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("cache: read message %d: %w", id, err)
		}
		m.ModSeq = uint64(modSeq)
		m.Flags = decodeFlags(flags)
		m.Date = time.Unix(date, 0).UTC()
		if m.Account, m.Folder, _, err = openFolderNames(keys, folderID, sa, sn, sr); err != nil {
			return err
		}
		m.Raw, err = keys.open("messages", "raw", rowKey(id), sealedRaw)
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// HasMessageID reports whether a message with that Message-ID is cached
// in any folder of account.
func (s *Store) HasMessageID(account, messageID string) (bool, error) {
	var found bool
	err := s.inReadTx(func(tx *sql.Tx, keys sealer) error {
		tag := messageIDTag(keys, messageID)
		if tag == 0 {
			return nil
		}
		var one int
		err := tx.QueryRow(`SELECT 1 FROM messages m JOIN folders f ON f.id = m.folder_id
			WHERE m.message_id_tag = ? AND f.account_tag = ? LIMIT 1`, tag, keys.tag(domainAccount, []byte(account))).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("cache: look up Message-ID: %w", err)
		}
		found = true
		return nil
	})
	return found, err
}

// IndexText adds the words of text to the search index of message id.
// The caller passes the decrypted text of an encrypted message once the
// user has opened it; the text itself is not stored.
func (s *Store) IndexText(id int64, text string) error {
	var newWords map[int64]struct{}
	err := s.inTx(func(tx *sql.Tx, keys sealer) error {
		old, date, indexed, err := loadTerms(tx, keys, id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("cache: index text: message %d not found: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		ts := newTermSet(keys, old)
		ts.addText(text)
		if len(ts.tags) == len(old) {
			return nil
		}
		sealed, err := keys.seal("messages", "terms", rowKey(id), encodeTags(ts.tags))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE messages SET terms = ? WHERE id = ?`, sealed, id); err != nil {
			return fmt.Errorf("cache: write index list: %w", err)
		}
		w, err := s.newIndexWriter(tx, keys)
		if err != nil {
			return err
		}
		if err := w.addPrefixes(ts); err != nil {
			return err
		}
		newWords = w.newWords
		if !indexed {
			return nil // flushIndex writes the whole list later
		}
		return w.insertTerms(ts.tags[len(old):], date, id)
	})
	if err == nil {
		s.rememberWords(newWords)
	}
	return err
}
