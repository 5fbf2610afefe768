package client

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"securemail/account"
	"securemail/audit"
	"securemail/cache"
)

// HeldState is the reason an outbox message waits for the user.
type HeldState int

const (
	// HeldFailed is a permanent failure, such as a 5xx reply or a policy
	// the server does not meet. Sending again helps once the cause is fixed.
	HeldFailed HeldState = iota + 1
	// HeldUncertain is a submission cut off after the server received
	// the whole message, which was not found in Sent or INBOX afterwards.
	// The message may have been delivered, so sending it again may
	// deliver it twice.
	HeldUncertain
)

// String returns the state's code, "failed" or "uncertain", which the
// audit trail and the command line use.
func (s HeldState) String() string {
	switch s {
	case HeldFailed:
		return "failed"
	case HeldUncertain:
		return "uncertain"
	}
	return fmt.Sprintf("HeldState(%d)", int(s))
}

// HeldMessage is an outbox message that waits for the user to send it
// again or discard it. It carries no message text.
type HeldMessage struct {
	ID         int64
	Account    string
	Recipients []string
	Created    time.Time
	State      HeldState
	// Reason is the last error, such as the server's reply.
	Reason string
}

// ErrNotHeld is wrapped by SendAgain and DiscardHeld when the item is in
// the outbox but not waiting for the user, for example because it is
// being sent.
var ErrNotHeld = errors.New("client: the outbox message is not waiting for a decision")

// HeldMessages lists the outbox messages that wait for the user, oldest
// first.
func (c *Client) HeldMessages() ([]HeldMessage, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	items, err := s.store.OutboxHeld()
	if err != nil {
		return nil, fmt.Errorf("client: failed to list held outbox messages: %w", err)
	}
	out := make([]HeldMessage, 0, len(items))
	for _, it := range items {
		out = append(out, HeldMessage{
			ID:         it.ID,
			Account:    it.Account,
			Recipients: it.Recipients,
			Created:    it.Created,
			State:      heldState(it.State),
			Reason:     it.LastError,
		})
	}
	return out, nil
}

// SendAgain queues held message id for a new submission, which the next
// FlushOutbox sends, and records the request in the audit trail. Before
// calling it for an uncertain message, the caller warns the user that the
// message may have arrived already.
func (c *Client) SendAgain(id int64) error {
	s, it, err := c.heldItem(id)
	if err != nil {
		return err
	}
	cfg, cred, err := c.accountConfig(s, it.Account)
	if err != nil {
		return fmt.Errorf("client: outbox message %d: %w", id, err)
	}
	if err := account.NewOutbox(cfg, cred, s.store, nil).SendAgain(id); err != nil {
		return fmt.Errorf("client: failed to queue outbox message %d again: %w", id, err)
	}
	c.record(audit.MessageResendRequested(it.Account, auditableOutboxID(it.MessageID), heldState(it.State).String()))
	return nil
}

// DiscardHeld deletes held message id from the outbox without sending
// it, and records that in the audit trail. Messages that are queued or
// being sent cannot be discarded.
func (c *Client) DiscardHeld(id int64) error {
	s, it, err := c.heldItem(id)
	if err != nil {
		return err
	}
	// The delete checks the state again, so an item that another process
	// on this profile queued again since heldItem read it is kept.
	err = s.store.OutboxDeleteHeld(id)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: message %d was queued again or deleted since it was read; securemail outbox lists the held ones", ErrNotHeld, id)
	}
	if err != nil {
		return fmt.Errorf("client: failed to discard outbox message %d: %w", id, err)
	}
	c.record(audit.MessageDiscarded(it.Account, auditableOutboxID(it.MessageID), heldState(it.State).String()))
	return nil
}

// heldItem returns the unlocked session and outbox item id, after
// checking that the item waits for the user.
func (c *Client) heldItem(id int64) (*session, *cache.OutboxItem, error) {
	s, err := c.current()
	if err != nil {
		return nil, nil, err
	}
	it, err := readOutboxItem(s, id)
	if err != nil {
		return nil, nil, err
	}
	if heldState(it.State) == 0 {
		return nil, nil, fmt.Errorf("%w: message %d is queued, being sent or already sent", ErrNotHeld, id)
	}
	return s, it, nil
}

// readOutboxItem returns outbox item id, or an *outboxMissingError when
// there is none.
func readOutboxItem(s *session, id int64) (*cache.OutboxItem, error) {
	it, err := s.store.OutboxGet(id)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &outboxMissingError{id: id}
	}
	if err != nil {
		return nil, fmt.Errorf("client: failed to read outbox message %d: %w", id, err)
	}
	return it, nil
}

// outboxMissingError reports an outbox ID without a message. It wraps
// fs.ErrNotExist, but its message leaves out "file does not exist".
type outboxMissingError struct{ id int64 }

func (e *outboxMissingError) Error() string {
	return fmt.Sprintf("client: no message %d in the outbox; securemail outbox lists them", e.id)
}

func (e *outboxMissingError) Unwrap() error { return fs.ErrNotExist }

// heldState maps a held cache state, and returns 0 for any other.
func heldState(st cache.OutboxState) HeldState {
	switch st {
	case cache.OutboxFailed:
		return HeldFailed
	case cache.OutboxUncertain:
		return HeldUncertain
	}
	return 0
}

// auditableOutboxID returns the queued Message-ID in angle brackets, or
// "" when the trail would reject it.
func auditableOutboxID(id string) string {
	if id == "" {
		return ""
	}
	return auditableMessageID("<" + strings.Trim(id, "<>") + ">")
}

// heldIDs returns the ids of the outbox items held for the user.
func heldIDs(s *session) (map[int64]bool, error) {
	items, err := s.store.OutboxHeld()
	if err != nil {
		return nil, err
	}
	ids := make(map[int64]bool, len(items))
	for _, it := range items {
		ids[it.ID] = true
	}
	return ids, nil
}

// recordNewlyHeld appends a message.held entry for each item held now
// that was not held before a flush, so the trail shows that a message
// recorded as sent was rejected or may not have arrived.
func (c *Client) recordNewlyHeld(s *session, before map[int64]bool) {
	items, err := s.store.OutboxHeld()
	if err != nil {
		c.setAuditErr(fmt.Errorf("client: failed to read held outbox messages for the audit trail: %w", err))
		return
	}
	for _, it := range items {
		if !before[it.ID] {
			c.record(audit.MessageHeld(it.Account, auditableOutboxID(it.MessageID), heldState(it.State).String()))
		}
	}
}

// QueuedMessage is an outbox message waiting for its submission, which
// the next FlushOutbox attempts. It carries no message text.
type QueuedMessage struct {
	ID         int64
	Account    string
	Recipients []string
	Created    time.Time
	// Attempts counts the submissions that failed for a reason that may
	// pass, and Reason is the last one's error.
	Attempts int
	Reason   string
}

// ErrNotQueued is wrapped by Withdraw when the message is in the outbox
// but no longer queued: it was submitted, or it is held for the user.
var ErrNotQueued = errors.New("client: the outbox message is not queued")

// QueuedMessages lists the outbox messages that wait for submission,
// oldest first.
func (c *Client) QueuedMessages() ([]QueuedMessage, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	items, err := s.store.OutboxQueuedItems()
	if err != nil {
		return nil, fmt.Errorf("client: failed to list queued outbox messages: %w", err)
	}
	out := make([]QueuedMessage, 0, len(items))
	for _, it := range items {
		out = append(out, QueuedMessage{ID: it.ID, Account: it.Account, Recipients: it.Recipients,
			Created: it.Created, Attempts: it.Attempts, Reason: it.LastError})
	}
	return out, nil
}

// Withdraw deletes queued message id from the outbox before it is
// submitted, for a sender who notices a mistake while the message waits,
// for example offline. The audit trail records it as discarded while
// queued. Withdraw waits for a running FlushOutbox to end, and a message
// that the flush submitted or held is no longer queued: Withdraw then
// returns an error wrapping ErrNotQueued.
func (c *Client) Withdraw(id int64) error {
	c.flushMu.Lock()
	defer c.flushMu.Unlock()
	s, err := c.current()
	if err != nil {
		return err
	}
	it, err := readOutboxItem(s, id)
	if err != nil {
		return err
	}
	if err := s.store.OutboxDeleteQueued(id); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: message %d was submitted or is held; securemail outbox lists it", ErrNotQueued, id)
	} else if err != nil {
		return fmt.Errorf("client: failed to withdraw outbox message %d: %w", id, err)
	}
	c.record(audit.MessageDiscarded(it.Account, auditableOutboxID(it.MessageID), "queued"))
	return nil
}
