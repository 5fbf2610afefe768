package audit

import (
	"bytes"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"securemail/cache"
)

// These tests run the trail on the real vault: SQLite with every record
// and log entry sealed by AES-256-GCM. Tampering goes through SQL on the
// database file, as an attacker with the file would.

const vaultPassphrase = "correct horse battery"

func vaultOptions() cache.Options {
	return cache.Options{
		KDF:                 cache.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1},
		AllowPassphraseOnly: true,
		Sleep:               func(time.Duration) {},
	}
}

// newVaultTrail creates a passphrase-only vault with n entries and
// returns its profile folder, locked.
func newVaultTrail(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "profile")
	v, err := cache.Create(dir, "default", []byte(vaultPassphrase), cache.ModePassphraseOnly, vaultOptions())
	if err != nil {
		t.Fatalf("create vault: %v", err)
	}
	trail, err := Open(v.Store(), &Options{Now: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := trail.Append(sampleSent(i)); err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
	}
	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func unlockVault(t *testing.T, dir string) *cache.Store {
	t.Helper()
	store, lock := unlockVaultFor(t, dir)
	t.Cleanup(lock)
	return store
}

// unlockVaultFor unlocks the vault and returns its store and the function
// that locks it again.
func unlockVaultFor(t *testing.T, dir string) (*cache.Store, func()) {
	t.Helper()
	v, err := cache.Open(dir, "default", vaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Unlock([]byte(vaultPassphrase)); err != nil {
		t.Fatal(err)
	}
	return v.Store(), func() { v.Lock() }
}

// alterDB runs SQL statements on the locked vault's database file.
func alterDB(t *testing.T, dir string, statements ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range statements {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestVaultTrailVerifiesAndPrunes(t *testing.T) {
	dir := newVaultTrail(t, 12)
	store := unlockVault(t, dir)
	if report := mustVerify(t, store); !report.OK() || report.Entries != 12 {
		t.Fatalf("report = %+v", report)
	}
	trail, err := Open(store, &Options{Now: func() time.Time { return time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := trail.Prune(time.Date(2026, 3, 1, 9, 6, 30, 0, time.UTC)); err != nil || n != 6 {
		t.Fatalf("Prune = %d, %v; want 6", n, err)
	}
	report := mustVerify(t, store)
	if !report.OK() || report.Pruned != 6 || report.Entries != 7 {
		t.Errorf("after pruning: %+v", report)
	}
	var out bytes.Buffer
	result, err := Export(store, &out, ExportOptions{Format: FormatCSV})
	if err != nil || result.Written != 7 || result.Unverified != 0 {
		t.Errorf("Export = %+v, %v", result, err)
	}
}

func TestVaultTamperDetected(t *testing.T) {
	cases := []struct {
		name       string
		statements []string
		want       []Problem
	}{
		{"row deleted", []string{`DELETE FROM logs WHERE seq = 5`},
			[]Problem{{Seq: 5, Kind: ProblemRemoved}}},
		{"tail truncated", []string{`DELETE FROM logs WHERE seq >= 10`},
			[]Problem{{Seq: 10, Kind: ProblemTruncated}, {Seq: 11, Kind: ProblemTruncated}, {Seq: 12, Kind: ProblemTruncated}}},
		{"rows swapped", []string{
			`UPDATE logs SET seq = -100 WHERE seq = 3`,
			`UPDATE logs SET seq = 3 WHERE seq = 4`,
			`UPDATE logs SET seq = 4 WHERE seq = -100`},
			[]Problem{{Seq: 3, Kind: ProblemEdited}, {Seq: 4, Kind: ProblemEdited}}},
		// The byte changes whatever it was: setting it to X'00' alone left
		// the entry as it was in one run out of 256.
		{"byte flipped", []string{`UPDATE logs SET entry = substr(entry, 1, 40) ||
			CASE WHEN substr(entry, 41, 1) = X'00' THEN X'01' ELSE X'00' END || substr(entry, 42) WHERE seq = 6`},
			[]Problem{{Seq: 6, Kind: ProblemEdited}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := newVaultTrail(t, 12)
			alterDB(t, dir, tc.statements...)
			wantProblems(t, mustVerify(t, unlockVault(t, dir)), tc.want...)
		})
	}
}
