package audit

import (
	"errors"
	"testing"
)

// memAnchor is an Anchor in memory, standing in for the OS keyring entry
// that package client uses.
type memAnchor struct {
	seq int64
	err error
}

func (a *memAnchor) LoadSeq() (int64, error) { return a.seq, a.err }

func (a *memAnchor) SaveSeq(seq int64) error {
	if a.err != nil {
		return a.err
	}
	a.seq = seq
	return nil
}

// anchoredTrail opens a trail with an in-memory anchor and appends n
// entries.
func anchoredTrail(t *testing.T, n int) (*Trail, *memStore, *memAnchor) {
	t.Helper()
	store := newMemStore()
	anchor := &memAnchor{}
	trail, err := Open(store, &Options{Now: testClock(), Anchor: anchor})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := trail.Append(sampleSent(i)); err != nil {
			t.Fatal(err)
		}
	}
	return trail, store, anchor
}

// rolledBackTrail appends 7 entries to an anchored trail, then removes
// entries 6 and 7 and restores the head record saved after entry 5, as
// someone editing the database would.
func rolledBackTrail(t *testing.T) (*memStore, *memAnchor) {
	t.Helper()
	trail, store, anchor := anchoredTrail(t, 5)
	oldHead, err := store.GetRecord(recordKind, headRecord)
	if err != nil {
		t.Fatal(err)
	}
	for i := 6; i <= 7; i++ {
		if _, err := trail.Append(sampleSent(i)); err != nil {
			t.Fatal(err)
		}
	}
	if anchor.seq != 7 {
		t.Fatalf("anchor = %d after 7 appends, want 7", anchor.seq)
	}
	store.remove(7)
	store.remove(6)
	if err := store.PutRecord(recordKind, headRecord, oldHead); err != nil {
		t.Fatal(err)
	}
	return store, anchor
}

func TestAnchorDetectsRolledBackHead(t *testing.T) {
	store, anchor := rolledBackTrail(t)

	plain, err := Verify(store)
	if err != nil {
		t.Fatal(err)
	}
	if !plain.OK() {
		t.Fatalf("Verify without the anchor reported %v; the rollback was expected to pass it", plain.Problems)
	}
	anchored, err := VerifyAnchored(store, anchor)
	if err != nil {
		t.Fatal(err)
	}
	if len(anchored.Problems) != 1 {
		t.Fatalf("problems = %v, want one truncation", anchored.Problems)
	}
	if p := anchored.Problems[0]; p.Kind != ProblemTruncated || p.Seq != 6 {
		t.Errorf("problem = %+v, want truncated at entry 6", p)
	}
}

func TestAnchorUntouchedTrailVerifies(t *testing.T) {
	_, store, anchor := anchoredTrail(t, 3)
	report, err := VerifyAnchored(store, anchor)
	if err != nil {
		t.Fatal(err)
	}
	if !report.OK() {
		t.Errorf("problems = %v, want none", report.Problems)
	}
}

func TestAnchorFailureIsReported(t *testing.T) {
	broken := errors.New("keyring locked")
	anchor := &memAnchor{err: broken}
	trail, err := Open(newMemStore(), &Options{Now: testClock(), Anchor: anchor})
	if err != nil {
		t.Fatal(err)
	}
	seq, err := trail.Append(sampleSent(1))
	if !errors.Is(err, broken) {
		t.Errorf("Append err = %v, want the anchor's error", err)
	}
	if seq != 1 {
		t.Errorf("seq = %d, want the entry stored as 1 despite the anchor failure", seq)
	}
	if _, err := VerifyAnchored(newMemStore(), anchor); !errors.Is(err, broken) {
		t.Errorf("VerifyAnchored err = %v, want the anchor's error", err)
	}
	if _, err := Open(newMemStore(), &Options{Now: testClock(), Anchor: anchor}); err != nil {
		t.Errorf("Open with an unreadable anchor: %v; it must not lock the user out", err)
	}
}

func TestAnchorRollbackStaysVisible(t *testing.T) {
	store, anchor := rolledBackTrail(t)
	// Like the SQLite store, number the next entry after the newest one
	// left.
	store.next[logName] = 5

	// The client opens the trail again and goes on appending, past the
	// length the trail had before the rollback.
	again, err := Open(store, &Options{Now: testClock(), Anchor: anchor})
	if err != nil {
		t.Fatal(err)
	}
	for i := 8; i <= 12; i++ {
		if _, err := again.Append(sampleSent(i)); err != nil {
			t.Fatal(err)
		}
	}
	report, err := VerifyAnchored(store, anchor)
	if err != nil {
		t.Fatal(err)
	}
	if report.OK() {
		t.Fatal("the rollback is no longer reported once the trail grew past its old length")
	}
	if p := report.Problems[0]; p.Kind != ProblemTruncated || p.Seq != 6 {
		t.Errorf("problem = %+v, want the recorded rollback at entry 6", p)
	}
}
