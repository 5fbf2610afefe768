package client

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"slices"
	"strings"

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
	// Causes has the error of each folder whose marks failed, in the
	// order tried.
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

// storedSeen is a read mark with the key of its record.
type storedSeen struct {
	key  string
	mark pendingSeen
}

// loadPendingSeen reads the stored read marks and returns them by
// account. It deletes the marks that can never be sent: records that fail
// authentication or do not parse, and marks of accounts not in
// accountIDs. A record that cannot be read for another reason stays, and
// its error is returned with the marks that were read.
func loadPendingSeen(s *session, accountIDs []string) (map[string][]storedSeen, error) {
	keys, err := s.store.ListRecords(pendingSeenKind)
	if err != nil {
		return nil, fmt.Errorf("client: failed to list read marks not yet sent: %w", err)
	}
	byAccount := map[string][]storedSeen{}
	var errs []error
	for _, key := range keys {
		raw, err := s.store.GetRecord(pendingSeenKind, key)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil && !errors.Is(err, cache.ErrCorrupt) {
			errs = append(errs, fmt.Errorf("client: failed to read a stored read mark: %w", err))
			continue
		}
		var p pendingSeen
		if err == nil && json.Unmarshal(raw, &p) == nil && p.valid() && slices.Contains(accountIDs, p.Account) {
			byAccount[p.Account] = append(byAccount[p.Account], storedSeen{key: key, mark: p})
			continue
		}
		if err := s.store.DeleteRecord(pendingSeenKind, key); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("client: failed to delete a read mark that cannot be sent: %w", err))
		}
	}
	return byAccount, errors.Join(errs...)
}

// valid reports whether p names a message at all. Its UIDVALIDITY is
// compared with the server's when the mark is sent.
func (p pendingSeen) valid() bool {
	return p.Account != "" && p.Folder != "" && p.UID != 0
}

// replayPendingSeen marks on the server the messages of accountID that
// were read while it could not be reached, with one SELECT and one STORE
// for the marks of each folder and UIDVALIDITY. It deletes the marks that
// arrived and those that can never arrive, because their folder is gone
// or its UIDVALIDITY changed since. Marks that fail stay for the next
// sync and are counted in a *ReadMarksError, joined with any failure to
// delete a mark.
func replayPendingSeen(ctx context.Context, s *session, accountID string, marks []storedSeen, syncer *account.Syncer) error {
	type folderState struct {
		name     string
		validity uint32
	}
	groups := map[folderState][]storedSeen{}
	for _, m := range marks {
		f := folderState{name: m.mark.Folder, validity: m.mark.UIDValidity}
		groups[f] = append(groups[f], m)
	}
	order := slices.SortedFunc(maps.Keys(groups), func(a, b folderState) int {
		return cmp.Or(strings.Compare(a.name, b.name), cmp.Compare(a.validity, b.validity))
	})

	unsent := &ReadMarksError{Account: accountID}
	var errs []error
	for i, f := range order {
		group := groups[f]
		uids := make([]uint32, len(group))
		for i, m := range group {
			uids[i] = m.mark.UID
		}
		// A false result means that the UIDVALIDITY changed, so the
		// messages the marks named are gone and the marks are deleted.
		_, err := syncer.MarkReadIfValid(ctx, f.name, f.validity, uids)
		if err != nil && !errors.Is(err, account.ErrFolderNotFound) {
			unsent.Unsent += len(group)
			unsent.Causes = append(unsent.Causes, err)
			if unreachable(err) {
				// The other folders would fail the same way.
				for _, rest := range order[i+1:] {
					unsent.Unsent += len(groups[rest])
				}
				break
			}
			continue
		}
		for _, m := range group {
			if err := s.store.DeleteRecord(pendingSeenKind, m.key); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("client: failed to delete a read mark after its replay: %w", err))
			}
		}
	}
	if unsent.Unsent > 0 {
		errs = append([]error{unsent}, errs...)
	}
	return errors.Join(errs...)
}

// unreachable reports whether err is a failure to connect to the server,
// as opposed to a failure of one command on a working connection.
func unreachable(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
