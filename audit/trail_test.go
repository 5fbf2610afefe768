package audit

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"
)

// testClock returns a clock that advances one minute per call from a
// fixed start.
func testClock() func() time.Time {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	return func() time.Time {
		now = now.Add(time.Minute)
		return now
	}
}

func sampleSent(i int) Event {
	return MessageSent(Sent{
		Account:   "dr.grey@clinic.example.org",
		MessageID: fmt.Sprintf("<msg%d@clinic.example.org>", i),
		Recipients: []Recipient{
			{Address: "lab@partner.example.net", Method: "openpgp"},
			{Address: "patient.zebrafinch@example.com", Method: "password-pdf"},
		},
		Findings:      []Finding{{Kind: "mrn", Count: 2}, {Kind: "diagnosis", Count: 1}},
		Confirmations: []string{"external-recipients", "phi-moderate"},
		Justification: "Results requested by the patient",
		Overrides:     []string{"phi.actions.moderate"},
	})
}

// newTrail returns a trail over a fresh memory store with n entries.
func newTrail(t *testing.T, n int) (*Trail, *memStore) {
	t.Helper()
	store := newMemStore()
	trail, err := Open(store, &Options{Now: testClock()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	for i := 1; i <= n; i++ {
		seq, err := trail.Append(sampleSent(i))
		if err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
		if seq != int64(i) {
			t.Fatalf("Append %d returned seq %d", i, seq)
		}
	}
	return trail, store
}

func mustVerify(t *testing.T, store Store) Report {
	t.Helper()
	report, err := Verify(store)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return report
}

// wantProblems checks that the report names exactly these problems.
func wantProblems(t *testing.T, report Report, want ...Problem) {
	t.Helper()
	if len(report.Problems) != len(want) {
		t.Fatalf("problems = %v, want %v", report.Problems, want)
	}
	for i, w := range want {
		got := report.Problems[i]
		if got.Seq != w.Seq || got.Kind != w.Kind {
			t.Errorf("problem %d = %v, want entry %d %s", i, got, w.Seq, w.Kind)
		}
	}
}

func TestVerifyIntactTrail(t *testing.T) {
	_, store := newTrail(t, 10)
	report := mustVerify(t, store)
	if !report.OK() || report.Entries != 10 || report.First != 1 || report.Last != 10 {
		t.Errorf("report = %+v", report)
	}
}

func TestVerifyEmptyTrail(t *testing.T) {
	_, store := newTrail(t, 0)
	if report := mustVerify(t, store); !report.OK() || report.Entries != 0 {
		t.Errorf("report = %+v", report)
	}
}

func TestVerifyDetectsEdit(t *testing.T) {
	_, store := newTrail(t, 10)
	store.tamper(6, func(b []byte) []byte {
		return bytes.Replace(b, []byte(`password-pdf`), []byte(`openpgp`), 1)
	})
	wantProblems(t, mustVerify(t, store), Problem{Seq: 6, Kind: ProblemEdited})
}

func TestVerifyDetectsEditedMAC(t *testing.T) {
	_, store := newTrail(t, 5)
	store.tamper(2, func(b []byte) []byte {
		i := bytes.LastIndex(b, []byte(`"mac":"`)) + len(`"mac":"`)
		b[i] ^= 1
		return b
	})
	report := mustVerify(t, store)
	if report.OK() || report.Problems[0].Seq != 2 || report.Problems[0].Kind != ProblemEdited {
		t.Errorf("problems = %v", report.Problems)
	}
}

func TestVerifyDetectsGarbage(t *testing.T) {
	_, store := newTrail(t, 3)
	store.tamper(2, func([]byte) []byte { return []byte("{not json") })
	wantProblems(t, mustVerify(t, store), Problem{Seq: 2, Kind: ProblemEdited})
}

func TestVerifyDetectsRemoval(t *testing.T) {
	_, store := newTrail(t, 10)
	store.remove(5)
	store.remove(7)
	wantProblems(t, mustVerify(t, store),
		Problem{Seq: 5, Kind: ProblemRemoved}, Problem{Seq: 7, Kind: ProblemRemoved})
}

func TestVerifyDetectsFirstRemoved(t *testing.T) {
	_, store := newTrail(t, 4)
	store.remove(1)
	wantProblems(t, mustVerify(t, store), Problem{Seq: 1, Kind: ProblemRemoved})
}

func TestVerifyDetectsReorder(t *testing.T) {
	_, store := newTrail(t, 10)
	store.swap(3, 4)
	wantProblems(t, mustVerify(t, store),
		Problem{Seq: 3, Kind: ProblemReordered}, Problem{Seq: 4, Kind: ProblemReordered})
}

func TestVerifyDetectsTruncation(t *testing.T) {
	_, store := newTrail(t, 10)
	for seq := int64(8); seq <= 10; seq++ {
		store.remove(seq)
	}
	wantProblems(t, mustVerify(t, store),
		Problem{Seq: 8, Kind: ProblemTruncated}, Problem{Seq: 9, Kind: ProblemTruncated}, Problem{Seq: 10, Kind: ProblemTruncated})
}

func TestVerifyDetectsDuplicate(t *testing.T) {
	_, store := newTrail(t, 4)
	copied := store.raw(3)
	store.tamper(4, func([]byte) []byte { return copied })
	report := mustVerify(t, store)
	kinds := map[ProblemKind]bool{}
	for _, p := range report.Problems {
		kinds[p.Kind] = true
	}
	if !kinds[ProblemDuplicated] || !kinds[ProblemReordered] {
		t.Errorf("problems = %v, want duplicated and reordered", report.Problems)
	}
}

func TestVerifyDetectsForeignEntry(t *testing.T) {
	// An entry from another trail has a valid-looking form but a MAC
	// under another key.
	_, other := newTrail(t, 3)
	_, store := newTrail(t, 3)
	store.tamper(2, func([]byte) []byte { return other.raw(2) })
	wantProblems(t, mustVerify(t, store), Problem{Seq: 2, Kind: ProblemEdited})
}

func TestVerifyMissingHeadAfterManyEntries(t *testing.T) {
	_, store := newTrail(t, 5)
	if err := store.DeleteRecord(recordKind, headRecord); err != nil {
		t.Fatal(err)
	}
	wantProblems(t, mustVerify(t, store), Problem{Seq: 0, Kind: ProblemState})
}

func TestVerifyMissingChainKey(t *testing.T) {
	_, store := newTrail(t, 2)
	if err := store.DeleteRecord(recordKind, chainKeyRecord); err != nil {
		t.Fatal(err)
	}
	wantProblems(t, mustVerify(t, store), Problem{Seq: 0, Kind: ProblemState})
	if _, err := Open(store, nil); !errors.Is(err, ErrTampered) {
		t.Errorf("Open without chain key: err = %v, want ErrTampered", err)
	}
}

func TestOpenResumesChain(t *testing.T) {
	_, store := newTrail(t, 3)
	trail, err := Open(store, &Options{Now: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	if seq, err := trail.Append(VaultLocked("idle")); err != nil || seq != 4 {
		t.Fatalf("Append = %d, %v", seq, err)
	}
	if report := mustVerify(t, store); !report.OK() || report.Entries != 4 {
		t.Errorf("report = %+v", report)
	}
}

func TestAppendRejectsInvalidEvent(t *testing.T) {
	trail, store := newTrail(t, 0)
	_, err := trail.Append(AccountAdded("Jane Patient <jane@example.com>"))
	if !errors.Is(err, ErrInvalidEvent) {
		t.Fatalf("err = %v, want ErrInvalidEvent", err)
	}
	if report := mustVerify(t, store); report.Entries != 0 {
		t.Errorf("invalid event stored: %+v", report)
	}
}

func TestAppendAfterTruncationReportsDivergence(t *testing.T) {
	trail, store := newTrail(t, 5)
	store.remove(5)
	store.mu.Lock()
	store.next[logName] = 4
	store.mu.Unlock()
	if _, err := trail.Append(VaultLocked("user")); !errors.Is(err, ErrTampered) {
		t.Errorf("err = %v, want ErrTampered", err)
	}
}

func TestPruneKeepsChainVerifiable(t *testing.T) {
	trail, store := newTrail(t, 10)
	// Entries are at 09:01 to 09:10; prune those before 09:05:30.
	cut := time.Date(2026, 3, 1, 9, 5, 30, 0, time.UTC)
	n, err := trail.Prune(cut)
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("pruned %d entries, want 5", n)
	}
	report := mustVerify(t, store)
	if !report.OK() || report.Pruned != 5 || report.First != 6 || report.Last != 11 || report.Entries != 6 {
		t.Errorf("report = %+v", report)
	}

	// Removing the first remaining entry is still detected.
	store.remove(6)
	wantProblems(t, mustVerify(t, store), Problem{Seq: 6, Kind: ProblemRemoved})
}

func TestPruneDetectsFirstEntryEdit(t *testing.T) {
	trail, store := newTrail(t, 6)
	if _, err := trail.Prune(time.Date(2026, 3, 1, 9, 3, 30, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	// Rewrite the first remaining entry to point at a different chain.
	store.tamper(4, func(b []byte) []byte { return bytes.Replace(b, []byte(`"prev":"`), []byte(`"prev":"00`), 1) })
	wantProblems(t, mustVerify(t, store), Problem{Seq: 4, Kind: ProblemEdited})
}

func TestPruneRetention(t *testing.T) {
	store := newMemStore()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	trail, err := Open(store, &Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if _, err := trail.Append(VaultUnlocked("keyring")); err != nil {
			t.Fatal(err)
		}
		now = now.Add(24 * time.Hour)
	}
	// Entries on days 0 to 3, now is day 4: 2 days keeps days 2 and 3.
	n, err := trail.PruneRetention(2)
	if err != nil || n != 2 {
		t.Fatalf("PruneRetention = %d, %v; want 2", n, err)
	}
	if _, err := trail.PruneRetention(0); err == nil {
		t.Error("retention of 0 days accepted")
	}
	if report := mustVerify(t, store); !report.OK() {
		t.Errorf("problems after retention pruning: %v", report.Problems)
	}
}

func TestPruneRefusesTamperedTrail(t *testing.T) {
	trail, store := newTrail(t, 6)
	store.remove(2)
	if _, err := trail.Prune(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)); !errors.Is(err, ErrTampered) {
		t.Fatalf("err = %v, want ErrTampered", err)
	}
	if _, err := store.GetRecord(recordKind, checkpointRecord); err == nil {
		t.Error("checkpoint written for a tampered trail")
	}
}

func TestPruneNeverRemovesNewest(t *testing.T) {
	trail, store := newTrail(t, 3)
	n, err := trail.Prune(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || n != 2 {
		t.Fatalf("Prune = %d, %v; want 2", n, err)
	}
	if report := mustVerify(t, store); !report.OK() || report.Entries != 2 {
		t.Errorf("report = %+v", report)
	}
}

func TestVerifyDetectsForgedCheckpoint(t *testing.T) {
	trail, store := newTrail(t, 6)
	if _, err := trail.Prune(time.Date(2026, 3, 1, 9, 3, 30, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	data, _ := store.GetRecord(recordKind, checkpointRecord)
	forged := bytes.Replace(data, []byte(`"seq":3`), []byte(`"seq":4`), 1)
	if err := store.PutRecord(recordKind, checkpointRecord, forged); err != nil {
		t.Fatal(err)
	}
	report := mustVerify(t, store)
	if report.OK() || report.Problems[0].Kind != ProblemState {
		t.Errorf("problems = %v, want a state problem first", report.Problems)
	}
}

func TestRunVerifyOutput(t *testing.T) {
	_, store := newTrail(t, 4)
	var out bytes.Buffer
	if err := RunVerify(&out, store); err != nil || ExitCode(err) != 0 {
		t.Fatalf("RunVerify: %v\n%s", err, out.String())
	}
	store.remove(2)
	out.Reset()
	err := RunVerify(&out, store)
	if ExitCode(err) != 1 {
		t.Errorf("exit code %d, want 1", ExitCode(err))
	}
	if !bytes.Contains(out.Bytes(), []byte("entry 2 removed")) {
		t.Errorf("output = %s", out.String())
	}
}

// countingStore counts the log entries that readers were handed.
type countingStore struct {
	*memStore
	read int
}

func (c *countingStore) ReadLog(name string, fromSeq int64, fn func(seq int64, entry []byte) error) error {
	return c.memStore.ReadLog(name, fromSeq, func(seq int64, entry []byte) error {
		c.read++
		return fn(seq, entry)
	})
}

func TestPruneWithNothingDueReadsOneEntry(t *testing.T) {
	store := &countingStore{memStore: newMemStore()}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	trail, err := Open(store, &Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if _, err := trail.Append(VaultUnlocked("keyring")); err != nil {
			t.Fatal(err)
		}
	}
	store.read = 0
	n, err := trail.PruneRetention(30)
	if err != nil || n != 0 {
		t.Fatalf("PruneRetention with no entry due = %d, %v; want 0", n, err)
	}
	if store.read != 1 {
		t.Errorf("PruneRetention with no entry due read %d entries, want 1", store.read)
	}
}

func TestPruneRetentionOncePerDay(t *testing.T) {
	store := newMemStore()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	trail, err := Open(store, &Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	appendAt := func(at time.Time) {
		now = at
		if _, err := trail.Append(VaultUnlocked("keyring")); err != nil {
			t.Fatal(err)
		}
	}
	appendAt(start)
	appendAt(start.Add(2 * time.Hour))
	appendAt(start.Add(10 * 24 * time.Hour))

	// Five days after the first entry and an hour: only it is due.
	now = start.Add(5*24*time.Hour + time.Hour)
	if n, err := trail.PruneRetention(5); err != nil || n != 1 {
		t.Fatalf("first PruneRetention = %d, %v; want 1", n, err)
	}
	// Two hours later the second entry is due, but the day since the
	// last pruning has not passed.
	now = now.Add(2 * time.Hour)
	if n, err := trail.PruneRetention(5); err != nil || n != 0 {
		t.Errorf("PruneRetention two hours after the last = %d, %v; want 0", n, err)
	}
	now = now.Add(pruneInterval)
	if n, err := trail.PruneRetention(5); err != nil || n != 1 {
		t.Errorf("PruneRetention a day later = %d, %v; want 1", n, err)
	}
	if report := mustVerify(t, store); !report.OK() {
		t.Errorf("problems after pruning: %v", report.Problems)
	}
}
