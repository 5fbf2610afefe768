package audit

import (
	"testing"
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
