package audit

import (
	"encoding/json"
	"fmt"
	"time"
)

// Prune deletes the entries older than before and returns how many it
// deleted. It first stores a checkpoint, signed under the chain key, with
// the MAC of the last pruned entry, so the remaining chain still verifies.
// Then it records the pruning itself as an entry. Only a prefix of the log
// goes, up to the first entry at or after before, and never the newest
// entry. A trail that fails verification is rejected, so that no evidence
// of tampering is deleted.
func (t *Trail) Prune(before time.Time) (int64, error) {
	t.mu.Lock()
	// Verify reads the whole trail, which grows by every event for years,
	// so it runs only when the oldest entry is due.
	due, err := t.oldestDue(before)
	if err != nil {
		t.mu.Unlock()
		return 0, err
	}
	if !due {
		t.mu.Unlock()
		return 0, nil
	}
	report, err := Verify(t.store)
	if err != nil {
		t.mu.Unlock()
		return 0, err
	}
	if !report.OK() {
		t.mu.Unlock()
		return 0, fmt.Errorf("%w: %d problem(s), not pruning; run verify and keep the trail for investigation", ErrTampered, len(report.Problems))
	}

	var cut *checkpoint
	err = t.store.ReadLog(logName, report.Pruned+1, func(seq int64, raw []byte) error {
		entry, mac, err := t.open(raw)
		if err != nil {
			return err
		}
		// The newest entry stays, because the head record needs its
		// MAC to detect truncation.
		if !entry.Time.Before(before) || seq >= t.last.Seq {
			return errStop
		}
		cut = &checkpoint{Seq: seq, MAC: mac, Time: entry.Time}
		return nil
	})
	if err != nil && err != errStop {
		t.mu.Unlock()
		return 0, fmt.Errorf("failed to read the audit log: %w", err)
	}
	if cut == nil {
		t.mu.Unlock()
		return 0, nil
	}

	cut.PrunedAt = t.now().UTC()
	cut.Sig = cut.signature(t.key)
	data, _ := json.Marshal(cut)
	if err := t.store.PutRecord(recordKind, checkpointRecord, data); err != nil {
		t.mu.Unlock()
		return 0, fmt.Errorf("failed to write the audit checkpoint: %w", err)
	}
	if err := t.store.PruneLog(logName, cut.Seq+1); err != nil {
		t.mu.Unlock()
		return 0, fmt.Errorf("failed to prune the audit log: %w", err)
	}
	count := cut.Seq - report.Pruned
	t.mu.Unlock()

	e := Event{Kind: KindAuditPruned, Count: count}
	if _, err := t.Append(e); err != nil {
		return count, err
	}
	return count, nil
}

// oldestDue reports whether the oldest entry after the checkpoint is
// older than before and not the newest entry, so that Prune has work. An
// entry that cannot be opened counts as due, so Verify reports it.
func (t *Trail) oldestDue(before time.Time) (bool, error) {
	cp, err := readCheckpoint(t.store, t.key)
	if err != nil {
		return true, nil
	}
	from := int64(1)
	if cp != nil {
		from = cp.Seq + 1
	}
	due := false
	err = t.store.ReadLog(logName, from, func(seq int64, raw []byte) error {
		entry, _, err := t.open(raw)
		due = err != nil || (entry.Time.Before(before) && seq < t.last.Seq)
		return errStop
	})
	if err != nil && err != errStop {
		return true, nil
	}
	return due, nil
}

// pruneInterval is how long PruneRetention waits after a pruning before
// it prunes again. Retention is counted in days, and pruning verifies
// the whole trail first.
const pruneInterval = 24 * time.Hour

// PruneRetention prunes the entries older than the given number of days,
// the audit.retentionDays policy setting, at most once per pruneInterval.
func (t *Trail) PruneRetention(days int) (int64, error) {
	if days < 1 {
		return 0, fmt.Errorf("invalid retention of %d days, use 1 or more", days)
	}
	now := t.now()
	if cp, err := readCheckpoint(t.store, t.key); err == nil && cp != nil && now.Sub(cp.PrunedAt) < pruneInterval && !now.Before(cp.PrunedAt) {
		return 0, nil
	}
	return t.Prune(now.Add(-time.Duration(days) * 24 * time.Hour))
}
