package cache

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// outboxMeta is the sealed part of an OutboxItem other than the two
// message bodies.
type outboxMeta struct {
	Account    string   `json:"a"`
	MessageID  string   `json:"i"`
	From       string   `json:"f"`
	Recipients []string `json:"r"`
	LastError  string   `json:"e,omitempty"`
}

func sealOutbox(keys sealer, it *OutboxItem) (meta, raw, sent []byte, err error) {
	m, err := json.Marshal(&outboxMeta{
		Account: it.Account, MessageID: it.MessageID, From: it.From,
		Recipients: it.Recipients, LastError: it.LastError,
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("cache: encode outbox item: %w", err)
	}
	row := rowKey(it.ID)
	if meta, err = keys.seal("outbox", "meta", row, m); err != nil {
		return nil, nil, nil, err
	}
	if raw, err = keys.seal("outbox", "raw", row, it.Raw); err != nil {
		return nil, nil, nil, err
	}
	if sent, err = keys.seal("outbox", "sent_copy", row, it.SentCopy); err != nil {
		return nil, nil, nil, err
	}
	return meta, raw, sent, nil
}

func writeOutbox(tx *sql.Tx, keys sealer, it *OutboxItem) error {
	meta, raw, sent, err := sealOutbox(keys, it)
	if err != nil {
		return err
	}
	res, err := tx.Exec(`UPDATE outbox SET state = ?, attempts = ?, next_attempt = ?, created = ?, meta = ?, raw = ?, sent_copy = ? WHERE id = ?`,
		int(it.State), it.Attempts, it.NextAttempt.UnixNano(), it.Created.UnixNano(), meta, raw, sent, it.ID)
	if err != nil {
		return fmt.Errorf("cache: write outbox item %d: %w", it.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("cache: outbox item %d not found: %w", it.ID, ErrNotFound)
	}
	return nil
}

// OutboxAdd stores a new outgoing message sealed and sets it.ID.
func (s *Store) OutboxAdd(it *OutboxItem) error {
	if it == nil {
		return fmt.Errorf("cache: outbox item is nil")
	}
	return s.inTx(func(tx *sql.Tx, keys sealer) error {
		res, err := tx.Exec(`INSERT INTO outbox (state, attempts, next_attempt, created, meta, raw, sent_copy) VALUES (0, 0, 0, 0, x'', x'', x'')`)
		if err != nil {
			return fmt.Errorf("cache: insert outbox item: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("cache: insert outbox item: %w", err)
		}
		it.ID = id
		return writeOutbox(tx, keys, it)
	})
}

// OutboxUpdate writes every field of it back.
func (s *Store) OutboxUpdate(it *OutboxItem) error {
	if it == nil {
		return fmt.Errorf("cache: outbox item is nil")
	}
	return s.inTx(func(tx *sql.Tx, keys sealer) error { return writeOutbox(tx, keys, it) })
}

// OutboxDelete removes the item. A missing item is not an error.
func (s *Store) OutboxDelete(id int64) error {
	return s.inTx(func(tx *sql.Tx, _ sealer) error {
		if _, err := tx.Exec(`DELETE FROM outbox WHERE id = ?`, id); err != nil {
			return fmt.Errorf("cache: delete outbox item %d: %w", id, err)
		}
		return nil
	})
}

// OutboxDeleteHeld deletes item id only while it waits for the user, in
// state Failed or Uncertain, in one statement, so an item that another
// process queued again meanwhile is kept. It returns an error wrapping
// ErrNotFound when no held item has that id.
func (s *Store) OutboxDeleteHeld(id int64) error {
	return s.inTx(func(tx *sql.Tx, _ sealer) error {
		res, err := tx.Exec(`DELETE FROM outbox WHERE id = ? AND state IN (?, ?)`, id, int(OutboxFailed), int(OutboxUncertain))
		if err != nil {
			return fmt.Errorf("cache: delete outbox item %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("cache: outbox item %d is not held for the user: %w", id, ErrNotFound)
		}
		return nil
	})
}

// OutboxDeleteQueued deletes outbox item id if it is in state
// OutboxQueued, and returns an error wrapping ErrNotFound otherwise. The
// outbox marks an item OutboxSubmitting only just before the end of DATA,
// so callers must not run it while a flush submits.
func (s *Store) OutboxDeleteQueued(id int64) error {
	return s.inTx(func(tx *sql.Tx, _ sealer) error {
		res, err := tx.Exec(`DELETE FROM outbox WHERE id = ? AND state = ?`, id, int(OutboxQueued))
		if err != nil {
			return fmt.Errorf("cache: delete outbox item %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("cache: outbox item %d is not queued: %w", id, ErrNotFound)
		}
		return nil
	})
}

// OutboxQueuedItems lists the items waiting for their first or next
// submission, due or not, oldest first.
func (s *Store) OutboxQueuedItems() ([]OutboxItem, error) {
	return s.outboxList(`state = ?`, int(OutboxQueued))
}

const outboxColumns = `id, state, attempts, next_attempt, created, meta, raw, sent_copy`

func scanOutbox(keys sealer, scan func(...any) error) (*OutboxItem, error) {
	var (
		it              OutboxItem
		state           int
		next, created   int64
		meta, raw, sent []byte
		m               outboxMeta
	)
	if err := scan(&it.ID, &state, &it.Attempts, &next, &created, &meta, &raw, &sent); err != nil {
		return nil, err
	}
	it.State = OutboxState(state)
	it.NextAttempt = time.Unix(0, next).UTC()
	it.Created = time.Unix(0, created).UTC()

	row := rowKey(it.ID)
	plain, err := keys.open("outbox", "meta", row, meta)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(plain, &m); err != nil {
		return nil, fmt.Errorf("cache: decode outbox item %d: %w", it.ID, err)
	}
	it.Account, it.MessageID, it.From, it.Recipients, it.LastError = m.Account, m.MessageID, m.From, m.Recipients, m.LastError
	if it.Raw, err = keys.open("outbox", "raw", row, raw); err != nil {
		return nil, err
	}
	if it.SentCopy, err = keys.open("outbox", "sent_copy", row, sent); err != nil {
		return nil, err
	}
	return &it, nil
}

// OutboxGet returns one item, or an error wrapping ErrNotFound.
func (s *Store) OutboxGet(id int64) (*OutboxItem, error) {
	var it *OutboxItem
	err := s.inTx(func(tx *sql.Tx, keys sealer) error {
		var err error
		it, err = scanOutbox(keys, tx.QueryRow(`SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id).Scan)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("cache: outbox item %d not found: %w", id, ErrNotFound)
		}
		return err
	})
	return it, err
}

// OutboxPending returns the items in state Queued, Submitting or
// Submitted whose next attempt is due at now, oldest first.
func (s *Store) OutboxPending(now time.Time) ([]OutboxItem, error) {
	return s.outboxList(`state IN (?, ?, ?) AND next_attempt <= ?`,
		int(OutboxQueued), int(OutboxSubmitting), int(OutboxSubmitted), now.UnixNano())
}

// OutboxHeld returns the items that wait for the user, in state Failed or
// Uncertain, oldest first.
func (s *Store) OutboxHeld() ([]OutboxItem, error) {
	return s.outboxList(`state IN (?, ?)`, int(OutboxFailed), int(OutboxUncertain))
}

func (s *Store) outboxList(where string, args ...any) ([]OutboxItem, error) {
	var out []OutboxItem
	err := s.inTx(func(tx *sql.Tx, keys sealer) error {
		rows, err := tx.Query(`SELECT `+outboxColumns+` FROM outbox WHERE `+where+` ORDER BY created, id`, args...)
		if err != nil {
			return fmt.Errorf("cache: list outbox items: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			it, err := scanOutbox(keys, rows.Scan)
			if err != nil {
				return err
			}
			out = append(out, *it)
		}
		return rows.Err()
	})
	return out, err
}

// PutDraft stores raw as a draft sealed. Id 0 creates a draft; another id
// replaces that draft. It returns the draft's id.
func (s *Store) PutDraft(id int64, raw []byte) (int64, error) {
	err := s.inTx(func(tx *sql.Tx, keys sealer) error {
		if id == 0 {
			res, err := tx.Exec(`INSERT INTO drafts (updated, raw) VALUES (0, x'')`)
			if err != nil {
				return fmt.Errorf("cache: insert draft: %w", err)
			}
			if id, err = res.LastInsertId(); err != nil {
				return fmt.Errorf("cache: insert draft: %w", err)
			}
		}
		sealed, err := keys.seal("drafts", "raw", rowKey(id), raw)
		if err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE drafts SET updated = ?, raw = ? WHERE id = ?`, time.Now().Unix(), sealed, id)
		if err != nil {
			return fmt.Errorf("cache: write draft %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("cache: draft %d not found; save it as a new draft with id 0: %w", id, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// Drafts returns the ids of all drafts, most recently saved first.
func (s *Store) Drafts() ([]int64, error) {
	var ids []int64
	err := s.inTx(func(tx *sql.Tx, _ sealer) error {
		var err error
		ids, err = selectIDs(tx, `SELECT id FROM drafts ORDER BY updated DESC, id DESC`, nil)
		return err
	})
	return ids, err
}

// Draft returns the raw draft, or an error wrapping ErrNotFound.
func (s *Store) Draft(id int64) ([]byte, error) {
	var raw []byte
	err := s.inTx(func(tx *sql.Tx, keys sealer) error {
		var sealed []byte
		err := tx.QueryRow(`SELECT raw FROM drafts WHERE id = ?`, id).Scan(&sealed)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("cache: draft %d not found: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("cache: read draft %d: %w", id, err)
		}
		raw, err = keys.open("drafts", "raw", rowKey(id), sealed)
		return err
	})
	return raw, err
}

// DeleteDraft removes the draft. A missing draft is not an error.
func (s *Store) DeleteDraft(id int64) error {
	return s.inTx(func(tx *sql.Tx, _ sealer) error {
		if _, err := tx.Exec(`DELETE FROM drafts WHERE id = ?`, id); err != nil {
			return fmt.Errorf("cache: delete draft %d: %w", id, err)
		}
		return nil
	})
}
