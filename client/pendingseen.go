package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"securemail/account"
	"securemail/cache"
)

// pendingSeenKind is the sealed record kind of read marks that did not
// reach the server, keyed by account, folder, UIDVALIDITY and UID.
const pendingSeenKind = "pending-seen"

type pendingSeen struct {
	Account     string `json:"a"`
	Folder      string `json:"f"`
	UIDValidity uint32 `json:"v"`
	UID         uint32 `json:"u"`
}

func (p pendingSeen) key() string {
	return fmt.Sprintf("%s\x00%s\x00%d\x00%d", p.Account, p.Folder, p.UIDValidity, p.UID)
}

// notePendingSeen stores the read mark of m for the next sync, when the
// server could not be reached, for example offline.
func notePendingSeen(s *session, m *cache.Message) error {
	p := pendingSeen{Account: m.Account, Folder: m.Folder, UIDValidity: m.UIDValidity, UID: m.UID}
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.store.PutRecord(pendingSeenKind, p.key(), raw)
}

// ReadMarksError reports read marks that were made while the server
// could not be reached and that a sync could not send either. They stay
// in the cache, and the next sync tries them again.
type ReadMarksError struct {
	Account string
	// Unsent is the number of marks of Account not on the server yet.
	Unsent int
	// Causes has the error of each mark that failed, in the order tried.
	Causes []error
}

func (e *ReadMarksError) Error() string {
	noun := "read marks"
	if e.Unsent == 1 {
		noun = "read mark"
	}
	return fmt.Sprintf("%d %s not yet sent to the server: %v; the next sync tries again", e.Unsent, noun, e.Causes[0])
}

func (e *ReadMarksError) Unwrap() []error { return e.Causes }

// replayPendingSeen marks on the server the messages of accountID that
// were read while it could not be reached. It deletes each mark that
// arrived or whose folder's UIDVALIDITY changed since. Marks that fail
// again stay for the next sync and are counted in a *ReadMarksError,
// joined with any failure to read or delete the stored marks.
func replayPendingSeen(ctx context.Context, s *session, accountID string, syncer *account.Syncer) error {
	keys, err := s.store.ListRecords(pendingSeenKind)
	if err != nil {
		return fmt.Errorf("client: failed to list read marks not yet sent: %w", err)
	}
	if len(keys) == 0 {
		return nil
	}
	folders, err := s.store.Folders(accountID)
	if err != nil {
		return fmt.Errorf("client: failed to list folders for the read marks not yet sent: %w", err)
	}
	validity := map[string]uint32{}
	for _, f := range folders {
		validity[f.Name] = f.UIDValidity
	}
	unsent := &ReadMarksError{Account: accountID}
	var errs []error
	for _, key := range keys {
		raw, err := s.store.GetRecord(pendingSeenKind, key)
		if err != nil {
			// Its account is unknown, so it is not counted as unsent.
			errs = append(errs, fmt.Errorf("client: failed to read a stored read mark: %w", err))
			continue
		}
		var p pendingSeen
		if err := json.Unmarshal(raw, &p); err != nil || p.Account != accountID {
			continue
		}
		if validity[p.Folder] == p.UIDValidity {
			if err := syncer.MarkRead(ctx, p.Folder, []uint32{p.UID}, true); err != nil {
				unsent.Unsent++
				unsent.Causes = append(unsent.Causes, err)
				continue
			}
		}
		if err := s.store.DeleteRecord(pendingSeenKind, key); err != nil {
			errs = append(errs, fmt.Errorf("client: failed to delete a read mark that reached the server: %w", err))
		}
	}
	if unsent.Unsent > 0 {
		errs = append([]error{unsent}, errs...)
	}
	return errors.Join(errs...)
}
