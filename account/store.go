package account

import (
	"time"

	"securemail/cache"
)

// Store is the part of the sealed message store (*cache.Store) that sync
// and the outbox write to.
type Store interface {
	PutFolder(f cache.Folder) error
	Folders(account string) ([]cache.Folder, error)
	// ResetFolder drops the folder's messages and records a new
	// UIDVALIDITY.
	ResetFolder(account, folder string, uidValidity uint32) error
	DeleteFolder(account, folder string) error
	// PutMessage inserts or replaces the message with the same account,
	// folder and UID, and sets m.ID.
	PutMessage(m *cache.Message) error
	UIDStates(account, folder string) ([]cache.UIDState, error)
	SetFlags(account, folder string, uid uint32, flags []string, modSeq uint64) error
	DeleteMessages(account, folder string, uids []uint32) error
	HasMessageID(account, messageID string) (bool, error)
}

// batchStore is implemented by stores that write many messages in one
// transaction (*cache.Store does). Sync uses it for each FETCH batch.
type batchStore interface {
	PutMessages(ms []*cache.Message) error
}

// preparer is implemented by stores that can do the parsing and indexing
// part of storing a message ahead, outside the write transaction
// (*cache.Store does). Sync prepares each message as it arrives, while
// the previous batch is being written.
type preparer interface {
	Prepare(m *cache.Message) error
}

// OutboxStore is the outbox half of the sealed store.
type OutboxStore interface {
	OutboxAdd(it *cache.OutboxItem) error
	// OutboxPending returns Queued, Submitting and Submitted items whose
	// next attempt is due at now.
	OutboxPending(now time.Time) ([]cache.OutboxItem, error)
	OutboxGet(id int64) (*cache.OutboxItem, error)
	OutboxUpdate(it *cache.OutboxItem) error
	HasMessageID(account, messageID string) (bool, error)
}
