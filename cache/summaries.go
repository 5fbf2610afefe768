package cache

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// SetSummarySubject replaces the subject in the sealed summary of message
// id, for the authenticated protected subject of an encrypted message
// that the list shows in place of the outer placeholder. Storing the
// message again, as a resync does, brings back the outer subject. It
// returns an error wrapping ErrNotFound for an unknown id.
func (s *Store) SetSummarySubject(id int64, subject string) error {
	return s.inTx(func(tx *sql.Tx, keys sealer) error {
		var sealed []byte
		err := tx.QueryRow(`SELECT summary FROM messages WHERE id = ?`, id).Scan(&sealed)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("cache: set subject: message %d not found: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("cache: read summary of message %d: %w", id, err)
		}
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
	})
}
