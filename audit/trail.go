package audit

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"
)

// Store is the part of the vault's sealed storage the trail uses. The
// vault (*cache.Store) seals every record and log entry.
type Store interface {
	PutRecord(kind, key string, value []byte) error
	// GetRecord returns an error wrapping fs.ErrNotExist when missing.
	GetRecord(kind, key string) ([]byte, error)
	// AppendLog returns the entry's sequence number, which starts at 1
	// and increases by 1.
	AppendLog(name string, entry []byte) (seq int64, err error)
	ReadLog(name string, fromSeq int64, fn func(seq int64, entry []byte) error) error
	// PruneLog deletes the entries with seq < beforeSeq.
	PruneLog(name string, beforeSeq int64) error
}

// Names under which the trail keeps its state in the store.
const (
	logName          = "audit"
	recordKind       = "audit"
	chainKeyRecord   = "chain-key"
	headRecord       = "head"
	checkpointRecord = "checkpoint"
	cursorRecord     = "forward-cursor"
	chainKeySize     = 32
)

// ErrTampered is wrapped by errors that report a trail that fails
// verification.
var ErrTampered = errors.New("audit trail fails verification")

// Entry is one recorded event as kept in the log.
type Entry struct {
	Seq   int64     `json:"seq"`
	Time  time.Time `json:"time"`
	Event Event     `json:"event"`
	// Prev is the MAC of the previous entry in hex, or the checkpoint's
	// MAC after pruning, or empty for the first entry.
	Prev string `json:"prev"`
}

// storedEntry is the log record: the entry's JSON exactly as MACed, and
// its MAC, HMAC-SHA256 under the chain key.
type storedEntry struct {
	Body json.RawMessage `json:"body"`
	MAC  string          `json:"mac"`
}

// link is the position of the newest entry: its sequence number and MAC.
type link struct {
	Seq int64  `json:"seq"`
	MAC string `json:"mac"`
}

// Trail appends events to the audit log, chaining each entry to the one
// before by an HMAC-SHA256 over the entry and the previous MAC. It is
// safe for concurrent use.
type Trail struct {
	store  Store
	now    func() time.Time
	key    []byte
	anchor Anchor

	mu   sync.Mutex
	last link
}

// Options configure Open. A nil Now means time.Now.
type Options struct {
	Now func() time.Time
	// Anchor, when set, receives the newest sequence number after every
	// append, so that VerifyAnchored can tell when the newest entries were
	// removed together with a restored older head record.
	Anchor Anchor
}

// Anchor keeps the newest sequence number of the trail outside the store,
// for example in the OS keyring. Someone who can rewrite the store but
// not the anchor can no longer hide removed entries by restoring an older
// copy of the head record.
type Anchor interface {
	// LoadSeq returns the stored sequence number, 0 when there is none.
	LoadSeq() (int64, error)
	SaveSeq(seq int64) error
}

// Open loads the chain key and the position of the newest entry, creating
// the key on first use. An append that was interrupted before the head
// record was written is picked up from the log.
func Open(store Store, opts *Options) (*Trail, error) {
	t := &Trail{store: store, now: time.Now}
	if opts != nil && opts.Now != nil {
		t.now = opts.Now
	}
	if opts != nil {
		t.anchor = opts.Anchor
	}
	key, err := loadChainKey(store)
	if err != nil {
		return nil, err
	}
	t.key = key

	head, err := t.readHead()
	if err != nil {
		return nil, err
	}
	cp, err := readCheckpoint(store, key)
	if err != nil {
		return nil, err
	}
	if cp != nil && cp.Seq > head.Seq {
		head = link{Seq: cp.Seq, MAC: cp.MAC}
	}
	t.last = head
	if err := t.catchUp(); err != nil {
		return nil, err
	}
	if err := t.checkAnchor(); err != nil {
		return nil, err
	}
	return t, nil
}

// checkAnchor records a rollback in the chain itself when the trail is
// shorter than its anchor. The anchor never moves down, so removing that
// record again would need another rollback, which is recorded in turn.
func (t *Trail) checkAnchor() error {
	if t.anchor == nil {
		return nil
	}
	anchored, err := t.anchor.LoadSeq()
	if err != nil {
		// An unreadable anchor must not lock the user out of the vault;
		// the next Append and VerifyAnchored report it.
		return nil
	}
	if anchored <= t.last.Seq {
		return nil
	}
	_, err = t.Append(Event{Kind: KindAuditRollback, Count: anchored})
	return err
}

func loadChainKey(store Store) ([]byte, error) {
	key, err := store.GetRecord(recordKind, chainKeyRecord)
	if err == nil {
		if len(key) != chainKeySize {
			return nil, fmt.Errorf("%w: chain key record has %d bytes, want %d", ErrTampered, len(key), chainKeySize)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("failed to read the audit chain key: %w", err)
	}
	empty := true
	if err := store.ReadLog(logName, 1, func(int64, []byte) error {
		empty = false
		return errStop
	}); err != nil && !errors.Is(err, errStop) {
		return nil, fmt.Errorf("failed to read the audit log: %w", err)
	}
	if !empty {
		return nil, fmt.Errorf("%w: the chain key is missing but the log has entries, so no entry can be verified", ErrTampered)
	}
	key = make([]byte, chainKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("failed to create the audit chain key: %w", err)
	}
	if err := store.PutRecord(recordKind, chainKeyRecord, key); err != nil {
		return nil, fmt.Errorf("failed to store the audit chain key: %w", err)
	}
	return key, nil
}

var errStop = errors.New("stop reading")

func (t *Trail) readHead() (link, error) {
	data, err := t.store.GetRecord(recordKind, headRecord)
	if errors.Is(err, fs.ErrNotExist) {
		return link{}, nil
	}
	if err != nil {
		return link{}, fmt.Errorf("failed to read the audit head: %w", err)
	}
	var head link
	if err := json.Unmarshal(data, &head); err != nil {
		return link{}, fmt.Errorf("%w: head record does not parse: %v", ErrTampered, err)
	}
	return head, nil
}

// catchUp moves t.last past entries appended after the head record was
// last written, which happens when the process died between the two
// writes of Append. It continues from the stored MAC even of an entry that
// fails its MAC check, so that Verify reports that entry alone.
func (t *Trail) catchUp() error {
	err := t.store.ReadLog(logName, t.last.Seq+1, func(seq int64, raw []byte) error {
		var stored storedEntry
		_ = json.Unmarshal(raw, &stored)
		t.last = link{Seq: seq, MAC: stored.MAC}
		return nil
	})
	if err != nil {
		return fmt.Errorf("failed to read the audit log: %w", err)
	}
	return t.writeHead()
}

func (t *Trail) writeHead() error {
	data, _ := json.Marshal(t.last)
	if err := t.store.PutRecord(recordKind, headRecord, data); err != nil {
		return fmt.Errorf("failed to write the audit head: %w", err)
	}
	return nil
}

// Append records e and returns its sequence number. An event that fails
// Validate is not recorded.
func (t *Trail) Append(e Event) (int64, error) {
	if err := e.Validate(); err != nil {
		return 0, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()

	entry := Entry{Seq: t.last.Seq + 1, Time: t.now().UTC(), Event: e, Prev: t.last.MAC}
	body, err := json.Marshal(entry)
	if err != nil {
		return 0, fmt.Errorf("failed to encode audit entry: %w", err)
	}
	mac := t.mac(body)
	raw, _ := json.Marshal(storedEntry{Body: body, MAC: mac})

	seq, err := t.store.AppendLog(logName, raw)
	if err != nil {
		return 0, fmt.Errorf("failed to append audit entry: %w", err)
	}
	if seq != entry.Seq {
		// The entry is stored, and verify will report where the log
		// and the chain diverge.
		return seq, fmt.Errorf("%w: the store gave sequence %d to entry %d; run verify", ErrTampered, seq, entry.Seq)
	}
	t.last = link{Seq: seq, MAC: mac}
	if err := t.writeHead(); err != nil {
		return seq, err
	}
	if err := t.raiseAnchor(seq); err != nil {
		return seq, err
	}
	return seq, nil
}

// raiseAnchor stores seq in the anchor unless the anchor already holds a
// higher number, which happens right after a rollback was detected.
func (t *Trail) raiseAnchor(seq int64) error {
	if t.anchor == nil {
		return nil
	}
	// An unreadable anchor is overwritten with seq; only a failed write
	// is an error.
	current, err := t.anchor.LoadSeq()
	if err == nil && current >= seq {
		return nil
	}
	if err := t.anchor.SaveSeq(seq); err != nil {
		return fmt.Errorf("failed to update the audit anchor: %w", err)
	}
	return nil
}

// mac returns the hex HMAC-SHA256 of an entry body under the chain key.
// The body contains the previous MAC, which chains the entries.
func (t *Trail) mac(body []byte) string {
	h := hmac.New(sha256.New, t.key)
	h.Write([]byte("securemail audit entry v1\x00"))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// open parses a stored entry and checks its MAC.
func (t *Trail) open(raw []byte) (Entry, string, error) {
	var stored storedEntry
	if err := json.Unmarshal(raw, &stored); err != nil {
		return Entry{}, "", fmt.Errorf("entry does not parse: %w", err)
	}
	want := t.mac(stored.Body)
	if !hmac.Equal([]byte(want), []byte(stored.MAC)) {
		return Entry{}, "", errors.New("MAC does not match")
	}
	var entry Entry
	if err := json.Unmarshal(stored.Body, &entry); err != nil {
		return Entry{}, "", fmt.Errorf("entry body does not parse: %w", err)
	}
	return entry, stored.MAC, nil
}
