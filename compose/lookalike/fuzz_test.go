package lookalike

import "testing"

// FuzzCompare checks that any pair of domain strings parses or fails
// cleanly, compares without panicking, and that a domain never imitates
// itself.
func FuzzCompare(f *testing.F) {
	for _, seed := range [][2]string{
		{"mercyhealth.org", "mercyheatlh.org"},
		{"xn--mrcyhealth-ksi.org", "mercyhealth.org"},
		{"a.b.c.co.uk", "b.co.uk"},
		{"ｆｕｌｌwidth.org", "fullwidth.org"},
		{"-.-", "xn--.org"},
		{"", "."},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		da, err := Parse(a)
		if err != nil {
			return
		}
		if m, ok := Compare(da, []Domain{da}); ok && m.Class != MixedScript {
			t.Errorf("Compare(%q, itself) = %v, want no match", a, m.Class)
		}
		db, err := Parse(b)
		if err != nil {
			return
		}
		Compare(da, []Domain{db})
		if d := Distance(da.Name, db.Name); d < 0 || d > max(len([]rune(da.Name)), len([]rune(db.Name))) {
			t.Errorf("Distance(%q, %q) = %d, out of range", da.Name, db.Name, d)
		}
	})
}
