package audit

import (
	"path/filepath"
	"testing"

	"securemail/cache"
)

func BenchmarkAppend(b *testing.B) {
	trail, err := Open(newMemStore(), nil)
	if err != nil {
		b.Fatal(err)
	}
	e := sampleSent(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := trail.Append(e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify10000(b *testing.B) {
	store := newMemStore()
	trail, err := Open(store, nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := 1; i <= 10000; i++ {
		if _, err := trail.Append(sampleSent(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		report, err := Verify(store)
		if err != nil || !report.OK() {
			b.Fatalf("Verify: %v %v", err, report.Problems)
		}
	}
}

// BenchmarkPruneAtUnlock10000 runs the pruning of every unlock on the
// sealed SQLite store with 10,000 entries. "nothing-due" is the case of
// no entry older than the retention, which reads one entry. "verify" is
// the whole-trail check that pruning runs first when entries are due.
func BenchmarkPruneAtUnlock10000(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "profile")
	v, err := cache.Create(dir, "default", []byte(vaultPassphrase), cache.ModePassphraseOnly, vaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer v.Lock()
	trail, err := Open(v.Store(), nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := 1; i <= 10000; i++ {
		if _, err := trail.Append(sampleSent(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("nothing-due", func(b *testing.B) {
		for b.Loop() {
			if n, err := trail.PruneRetention(2190); err != nil || n != 0 {
				b.Fatalf("PruneRetention = %d, %v", n, err)
			}
		}
	})
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if report, err := Verify(v.Store()); err != nil || !report.OK() {
				b.Fatalf("Verify: %v %v", err, report.Problems)
			}
		}
	})
}
