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

// PruneRetention prunes the entries older than the given number of days,
// the audit.retentionDays policy setting.
func (t *Trail) PruneRetention(days int) (int64, error) {
	if days < 1 {
		return 0, fmt.Errorf("invalid retention of %d days, use 1 or more", days)
	}
	return t.Prune(t.now().Add(-time.Duration(days) * 24 * time.Hour))
}
