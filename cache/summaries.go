package cache

import (
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// domainContent is the tag domain of the SHA-256 of a whole raw message.
const domainContent = "content"

// SetSummarySubject replaces the subject in the sealed summary of message
// id, for the authenticated protected subject of an encrypted message
// that the list shows in place of the outer placeholder. It also keeps
// the subject, sealed, for the account, Message-ID and exact raw content
// of the message, so storing the same message again (a resync after a
// UIDVALIDITY change, or a move to another folder) shows it too. A
// header-only message keeps nothing, because its content is not known.
// It returns an error wrapping ErrNotFound for an unknown id.
//
// Kept subjects are not deleted with their message, because a move or a
// resync deletes a message before it is stored again. Unlocking deletes
// those whose Message-ID no cached message of the account has.
func (s *Store) SetSummarySubject(id int64, subject string) error {
	return s.inTx(func(tx *sql.Tx, keys sealer) error {
		var (
			sealedSummary, sealedRaw []byte
			headerOnly               bool
			messageIDTag, accountTag int64
		)
		err := tx.QueryRow(`SELECT m.summary, b.raw, m.header_only, m.message_id_tag, f.account_tag
			FROM messages m JOIN folders f ON f.id = m.folder_id LEFT JOIN bodies b ON b.message = m.id
			WHERE m.id = ?`, id).
			Scan(&sealedSummary, &sealedRaw, &headerOnly, &messageIDTag, &accountTag)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("cache: set subject: message %d not found: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("cache: read summary of message %d: %w", id, err)
		}
		if !headerOnly {
			s.keepsSubjects.Store(true)
			raw, err := keys.open("messages", "raw", rowKey(id), sealedRaw)
			if err != nil {
				return err
			}
			digest := sha256.Sum256(raw)
			zero(raw)
			if err := putProtectedSubject(tx, keys, accountTag, messageIDTag, digest, subject); err != nil {
				return err
			}
		}
		return replaceSummarySubject(tx, keys, id, sealedSummary, subject)
	})
}

// replaceSummarySubject writes the sealed summary of message id again
// with subject in place of the one in sealed.
func replaceSummarySubject(tx *sql.Tx, keys sealer, id int64, sealed []byte, subject string) error {
	plain, err := keys.open("messages", "summary", rowKey(id), sealed)
	if err != nil {
		return err
	}
	var fields summaryFields
	err = json.Unmarshal(plain, &fields)
	zero(plain)
	if err != nil {
		return fmt.Errorf("cache: decode summary of message %d: %w", id, err)
	}
	if fields.Subject == subject {
		return nil
	}

	fields.Subject = subject
	plain, err = json.Marshal(&fields)
	if err != nil {
		return fmt.Errorf("cache: encode summary of message %d: %w", id, err)
	}
	sealed, err = keys.seal("messages", "summary", rowKey(id), plain)
	zero(plain)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE messages SET summary = ? WHERE id = ?`, sealed, id); err != nil {
		return fmt.Errorf("cache: write summary of message %d: %w", id, err)
	}
	return nil
}

// protectedSubjectRow is the associated data of a sealed protected
// subject: its primary key.
func protectedSubjectRow(accountTag, messageIDTag, contentTag int64) []byte {
	b := make([]byte, 24)
	binary.BigEndian.PutUint64(b, uint64(accountTag))
	binary.BigEndian.PutUint64(b[8:], uint64(messageIDTag))
	binary.BigEndian.PutUint64(b[16:], uint64(contentTag))
	return b
}

// putProtectedSubject stores subject for the message of that account and
// Message-ID whose raw content has the SHA-256 digest. The sealed value
// is the digest followed by the subject, so a lookup compares the whole
// digest and not only the 64-bit content tag of the key.
func putProtectedSubject(tx *sql.Tx, keys sealer, accountTag, messageIDTag int64, digest [sha256.Size]byte, subject string) error {
	contentTag := keys.tag(domainContent, digest[:])
	value := append(digest[:], subject...)
	sealed, err := keys.seal("protected_subjects", "subject", protectedSubjectRow(accountTag, messageIDTag, contentTag), value)
	zero(value)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT OR REPLACE INTO protected_subjects (account_tag, message_id_tag, content_tag, subject) VALUES (?, ?, ?, ?)`,
		accountTag, messageIDTag, contentTag, sealed)
	if err != nil {
		return fmt.Errorf("cache: write protected subject: %w", err)
	}
	return nil
}

// storedProtectedSubject returns the protected subject kept for a whole
// message of that account and Message-ID with exactly the content raw,
// and whether there is one. It hashes raw only when the Message-ID has
// a kept subject, so storing other messages costs at most one index
// lookup, and none before the first SetSummarySubject.
func (w *indexWriter) storedProtectedSubject(account string, messageIDTag int64, raw []byte) (string, bool, error) {
	if !w.store.keepsSubjects.Load() {
		return "", false, nil
	}
	accountTag := w.keys.tag(domainAccount, []byte(account))
	stmt, err := w.store.stmt(w.tx, queryProtectedSubjects)
	if err != nil {
		return "", false, err
	}
	rows, err := stmt.Query(accountTag, messageIDTag)
	if err != nil {
		return "", false, fmt.Errorf("cache: look up protected subject: %w", err)
	}
	type keptSubject struct {
		contentTag int64
		sealed     []byte
	}
	var kept []keptSubject
	for rows.Next() {
		var k keptSubject
		if err := rows.Scan(&k.contentTag, &k.sealed); err != nil {
			rows.Close()
			return "", false, fmt.Errorf("cache: look up protected subject: %w", err)
		}
		kept = append(kept, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", false, fmt.Errorf("cache: look up protected subject: %w", err)
	}
	if len(kept) == 0 {
		return "", false, nil
	}

	digest := sha256.Sum256(raw)
	contentTag := w.keys.tag(domainContent, digest[:])
	for _, k := range kept {
		if k.contentTag != contentTag {
			continue
		}
		value, err := w.keys.open("protected_subjects", "subject", protectedSubjectRow(accountTag, messageIDTag, contentTag), k.sealed)
		if err != nil {
			return "", false, err
		}
		if len(value) < sha256.Size || subtle.ConstantTimeCompare(value[:sha256.Size], digest[:]) != 1 {
			zero(value)
			return "", false, nil
		}
		subject := string(value[sha256.Size:])
		zero(value)
		return subject, true, nil
	}
	return "", false, nil
}
