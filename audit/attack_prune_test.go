package audit

import (
	"errors"
	"testing"
	"time"
)

// dailyTrail returns a trail with one entry a day for days days, and a
// pointer to the clock it reads, set one day after the last entry.
func dailyTrail(t *testing.T, days int) (*Trail, *memStore, *time.Time) {
	t.Helper()
	store := newMemStore()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	trail, err := Open(store, &Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for range days {
		if _, err := trail.Append(VaultUnlocked("keyring")); err != nil {
			t.Fatal(err)
		}
		now = now.Add(24 * time.Hour)
	}
	return trail, store, &now
}

// wantNoCheckpoint fails when a checkpoint record exists.
func wantNoCheckpoint(t *testing.T, store *memStore) {
	t.Helper()
	if _, err := store.GetRecord(recordKind, checkpointRecord); err == nil {
		t.Error("a checkpoint was written over a tampered trail, so pruning erased the evidence")
	}
}

// TestAttackPruneAfterOldestDeleted deletes the three oldest entries, so
// that the oldest left is not yet due and the unlock skips verification.
// Once entries are due, pruning must find the gap and refuse, instead of
// pruning past it and hiding it behind a checkpoint.
func TestAttackPruneAfterOldestDeleted(t *testing.T) {
	trail, store, now := dailyTrail(t, 10)
	for seq := int64(1); seq <= 3; seq++ {
		store.remove(seq)
	}

	n, err := trail.PruneRetention(30)
	if err != nil || n != 0 {
		t.Fatalf("PruneRetention with nothing due = %d, %v; expected 0 and no error", n, err)
	}
	if report := mustVerify(t, store); report.OK() {
		t.Fatal("Verify does not report the three deleted oldest entries")
	}

	*now = now.Add(40 * 24 * time.Hour)
	if _, err := trail.PruneRetention(30); !errors.Is(err, ErrTampered) {
		t.Errorf("PruneRetention once entries are due: err = %v, expected ErrTampered", err)
	}
	wantNoCheckpoint(t, store)
}

// TestAttackPruneCheckpointFromFuture prunes with a clock a year ahead,
// so the checkpoint's PrunedAt is in the future once the clock is set
// right. That date must not stop later prunings, and with them the
// verification, for a year.
func TestAttackPruneCheckpointFromFuture(t *testing.T) {
	trail, store, now := dailyTrail(t, 10)
	right := *now
	*now = now.Add(365 * 24 * time.Hour)
	if n, err := trail.PruneRetention(400); err != nil || n != 0 {
		t.Fatalf("PruneRetention of a year-old trail with 400 days = %d, %v; expected 0", n, err)
	}
	if n, err := trail.PruneRetention(370); err != nil || n == 0 {
		t.Fatalf("PruneRetention with the clock ahead = %d, %v; expected some entries pruned", n, err)
	}

	*now = right
	for range 5 {
		if _, err := trail.Append(VaultUnlocked("keyring")); err != nil {
			t.Fatal(err)
		}
		*now = now.Add(24 * time.Hour)
	}
	report := mustVerify(t, store)
	if !report.OK() {
		t.Fatalf("problems before tampering: %v", report.Problems)
	}
	store.remove(report.Last - 1)

	// Every entry left is older than a day by now.
	_, err := trail.PruneRetention(1)
	if !errors.Is(err, ErrTampered) {
		t.Errorf("PruneRetention after the clock went back: err = %v, expected ErrTampered", err)
	}
}

// TestAttackPruneClockBackwards appends entries while the clock runs
// backwards, so their times are out of order. Pruning must take only a
// prefix and leave a trail that verifies.
func TestAttackPruneClockBackwards(t *testing.T) {
	trail, store, now := dailyTrail(t, 5)
	*now = now.Add(-30 * 24 * time.Hour)
	for range 3 {
		if _, err := trail.Append(VaultUnlocked("keyring")); err != nil {
			t.Fatal(err)
		}
		*now = now.Add(24 * time.Hour)
	}
	*now = now.Add(60 * 24 * time.Hour)
	if _, err := trail.PruneRetention(40); err != nil {
		t.Fatal(err)
	}
	report := mustVerify(t, store)
	if !report.OK() {
		t.Errorf("problems after pruning entries written with the clock going back: %v", report.Problems)
	}
	if report.Pruned >= report.Last {
		t.Errorf("pruned up to %d of %d, so the newest entry went", report.Pruned, report.Last)
	}
}
