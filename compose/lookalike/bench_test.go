package lookalike

import (
	"fmt"
	"testing"
)

// BenchmarkCompare measures one candidate against 1,000 known domains.
func BenchmarkCompare(b *testing.B) {
	var known []Domain
	for i := range 1000 {
		d, err := Parse(fmt.Sprintf("organisation-%d.example", i))
		if err != nil {
			b.Fatal(err)
		}
		known = append(known, d)
	}
	candidate, err := Parse("organisatoin-500.example")
	if err != nil {
		b.Fatal(err)
	}

	b.ReportAllocs()
	for b.Loop() {
		Compare(candidate, known)
	}
}
