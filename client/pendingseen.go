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

// replayPendingSeen marks on the server the messages of accountID that
// were read while it could not be reached. It deletes each mark that
// arrived or whose folder's UIDVALIDITY changed since. Marks that fail
// again stay for the next sync.
func replayPendingSeen(ctx context.Context, s *session, accountID string, syncer *account.Syncer) error {
	keys, err := s.store.ListRecords(pendingSeenKind)
	if err != nil || len(keys) == 0 {
		return err
	}
	folders, err := s.store.Folders(accountID)
	if err != nil {
		return err
	}
	validity := map[string]uint32{}
	for _, f := range folders {
		validity[f.Name] = f.UIDValidity
	}
	var errs []error
	for _, key := range keys {
		raw, err := s.store.GetRecord(pendingSeenKind, key)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var p pendingSeen
		if err := json.Unmarshal(raw, &p); err != nil || p.Account != accountID {
			continue
		}
		if validity[p.Folder] == p.UIDValidity {
			if err := syncer.MarkRead(ctx, p.Folder, []uint32{p.UID}, true); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if err := s.store.DeleteRecord(pendingSeenKind, key); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
