package cache

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"sort"
)

// ErrNotFound is wrapped by every "not found" error of the store.
var ErrNotFound = fs.ErrNotExist

// Tag domains for lookups of sealed names.
const (
	domainAccount   = "account"
	domainFolder    = "folder"
	domainMessageID = "message-id"
)

// folderRef finds the folder row of account and name. With create set it
// inserts a missing folder; otherwise it returns 0 for a missing one.
func folderRef(tx *sql.Tx, keys sealer, account, name string, create bool) (int64, error) {
	if account == "" || name == "" {
		return 0, fmt.Errorf("cache: account and folder must not be empty")
	}
	accountTag := keys.tag(domainAccount, []byte(account))
	nameTag := keys.tag(domainFolder, []byte(name))

	var id int64
	err := tx.QueryRow(`SELECT id FROM folders WHERE account_tag = ? AND name_tag = ?`, accountTag, nameTag).Scan(&id)
	switch {
	case err == nil:
		return id, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("cache: look up folder: %w", err)
	case !create:
		return 0, nil
	}

	res, err := tx.Exec(`INSERT INTO folders (account_tag, name_tag, account, name, role) VALUES (?, ?, x'', x'', x'')`, accountTag, nameTag)
	if err != nil {
		return 0, fmt.Errorf("cache: insert folder: %w", err)
	}
	if id, err = res.LastInsertId(); err != nil {
		return 0, fmt.Errorf("cache: insert folder: %w", err)
	}
	if err := sealFolderNames(tx, keys, id, account, name, ""); err != nil {
		return 0, err
	}
	return id, nil
}

func sealFolderNames(tx *sql.Tx, keys sealer, id int64, account, name, role string) error {
	row := rowKey(id)
	sa, err := keys.seal("folders", "account", row, []byte(account))
	if err != nil {
		return err
	}
	sn, err := keys.seal("folders", "name", row, []byte(name))
	if err != nil {
		return err
	}
	sr, err := keys.seal("folders", "role", row, []byte(role))
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE folders SET account = ?, name = ?, role = ? WHERE id = ?`, sa, sn, sr, id); err != nil {
		return fmt.Errorf("cache: seal folder names: %w", err)
	}
	return nil
}

// PutFolder inserts or updates a folder and its sync state. Total and
// Unread are ignored.
func (s *Store) PutFolder(f Folder) error {
	return s.inTx(func(tx *sql.Tx, keys sealer) error {
		id, err := folderRef(tx, keys, f.Account, f.Name, true)
		if err != nil {
			return err
		}
		if err := sealFolderNames(tx, keys, id, f.Account, f.Name, f.Role); err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE folders SET uid_validity = ?, uid_next = ?, highest_modseq = ? WHERE id = ?`,
			f.UIDValidity, f.UIDNext, int64(f.HighestModSeq), id)
		if err != nil {
			return fmt.Errorf("cache: update folder: %w", err)
		}
		return nil
	})
}

// Folders returns the folders of account sorted by name, with message
// counts.
func (s *Store) Folders(account string) ([]Folder, error) {
	var out []Folder
	err := s.inReadTx(func(tx *sql.Tx, keys sealer) error {
		rows, err := tx.Query(`SELECT id, account, name, role, uid_validity, uid_next, highest_modseq, total, unread
			FROM folders WHERE account_tag = ?`, keys.tag(domainAccount, []byte(account)))
		if err != nil {
			return fmt.Errorf("cache: list folders: %w", err)
		}
		defer rows.Close()

		for rows.Next() {
			var (
				id         int64
				sa, sn, sr []byte
				f          Folder
				modSeq     int64
			)
			if err := rows.Scan(&id, &sa, &sn, &sr, &f.UIDValidity, &f.UIDNext, &modSeq, &f.Total, &f.Unread); err != nil {
				return fmt.Errorf("cache: read folder: %w", err)
			}
			f.HighestModSeq = uint64(modSeq)
			if f.Account, f.Name, f.Role, err = openFolderNames(keys, id, sa, sn, sr); err != nil {
				return err
			}
			out = append(out, f)
		}
		return rows.Err()
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

func openFolderNames(keys sealer, id int64, sa, sn, sr []byte) (account, name, role string, err error) {
	row := rowKey(id)
	a, err := keys.open("folders", "account", row, sa)
	if err != nil {
		return "", "", "", err
	}
	n, err := keys.open("folders", "name", row, sn)
	if err != nil {
		return "", "", "", err
	}
	r, err := keys.open("folders", "role", row, sr)
	if err != nil {
		return "", "", "", err
	}
	return string(a), string(n), string(r), nil
}

// ResetFolder drops every cached message of the folder and records the
// new UIDVALIDITY, as IMAP requires when UIDVALIDITY changes. A missing
// folder is created.
func (s *Store) ResetFolder(account, folder string, uidValidity uint32) error {
	return s.inTx(func(tx *sql.Tx, keys sealer) error {
		id, err := folderRef(tx, keys, account, folder, true)
		if err != nil {
			return err
		}
		if err := deleteFolderMessages(tx, keys, id); err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE folders SET uid_validity = ?, uid_next = 0, highest_modseq = 0 WHERE id = ?`, uidValidity, id)
		if err != nil {
			return fmt.Errorf("cache: reset folder: %w", err)
		}
		return nil
	})
}

// DeleteFolder removes the folder and its messages. A missing folder is
// not an error.
func (s *Store) DeleteFolder(account, folder string) error {
	return s.inTx(func(tx *sql.Tx, keys sealer) error {
		id, err := folderRef(tx, keys, account, folder, false)
		if err != nil || id == 0 {
			return err
		}
		if err := deleteFolderMessages(tx, keys, id); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM folders WHERE id = ?`, id); err != nil {
			return fmt.Errorf("cache: delete folder: %w", err)
		}
		return nil
	})
}

func deleteFolderMessages(tx *sql.Tx, keys sealer, folderID int64) error {
	rows, err := tx.Query(`SELECT id FROM messages WHERE folder_id = ?`, folderID)
	if err != nil {
		return fmt.Errorf("cache: list folder messages: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("cache: list folder messages: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("cache: list folder messages: %w", err)
	}
	for _, id := range ids {
		if err := deleteMessage(tx, keys, id); err != nil {
			return err
		}
	}
	return nil
}
