package phi

import "testing"

// TestAttackMRNPatternEmptyMatches sets record-number patterns that
// match empty text inside a text but not the empty text itself, as a
// "*" typed in place of "+" does. Text without any number must then
// have no finding, or every message would need a justification.
func TestAttackMRNPatternEmptyMatches(t *testing.T) {
	const body = "Lunch at noon, see you there."
	for _, pattern := range []string{`\b\d*\b`, `x*\b`, `\bMR\d*\b`} {
		t.Run(pattern, func(t *testing.T) {
			scanner, err := NewScanner(Config{MRNPatterns: []string{pattern}})
			if err != nil {
				return // rejecting the pattern is also sound
			}
			r := scanner.Scan(Document{Subject: "lunch", Body: body})
			if len(r.Findings) != 0 {
				t.Errorf("pattern %q gives %d findings in %q, expected none", pattern, len(r.Findings), body)
			}
			if r.Level != LevelNone {
				t.Errorf("pattern %q gives level %v for %q, expected none", pattern, r.Level, body)
			}
		})
	}

	scanner, err := NewScanner(Config{MRNPatterns: []string{`\bMR\d*\b`}})
	if err != nil {
		t.Fatal(err)
	}
	r := scanner.Scan(Document{Body: "Patient MR1234567 asked for it"})
	if r.Level == LevelNone {
		t.Errorf("pattern %q no longer finds MR1234567", `\bMR\d*\b`)
	}
}

// TestAttackScanLookalikeDigits scans a body with identifiers typed in
// full-width and Arabic-Indic digits, with typographic dashes and with a
// zero-width space, as input methods and pastes deliver them. The send
// review must find each as it finds the ASCII form, with offsets that
// span the value as typed.
func TestAttackScanLookalikeDigits(t *testing.T) {
	scanner, err := NewScanner(Config{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		body, value string
		kind        Kind
	}{
		{"Patient SSN ５１２-３４-５６７８ is on file.", "５１２-３４-５６７８", KindSSN},
		{"Patient SSN ٥١٢-٣٤-٥٦٧٨ is on file.", "٥١٢-٣٤-٥٦٧٨", KindSSN},
		{"Patient SSN 512–34–5678 is on file.", "512–34–5678", KindSSN},
		{"Patient MRN: １２３４５６７８ is on file.", "１２３４５６７８", KindMRN},
		{"Patient MRN: 1234\u200b5678 is on file.", "1234\u200b5678", KindMRN},
	}
	for _, c := range cases {
		r := scanner.Scan(Document{Body: c.body})
		var found *Finding
		for k, f := range r.Findings {
			if f.Kind == c.kind {
				found = &r.Findings[k]
			}
		}
		if found == nil {
			t.Errorf("no %s finding in %q", c.kind, c.body)
			continue
		}
		if got := c.body[found.Start:found.End]; got != c.value {
			t.Errorf("%s finding in %q spans %q, expected %q", c.kind, c.body, got, c.value)
		}
	}
}
