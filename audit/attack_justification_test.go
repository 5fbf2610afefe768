package audit

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"securemail/phi"
)

// orgRecordPattern is a record-number pattern as an organisation's
// policy would set it: "MR" and seven digits.
const orgRecordPattern = `\bMR\d{7}\b`

// orgScanner returns the justification scanner of a policy with
// orgRecordPattern, as the client builds it.
func orgScanner(t *testing.T) *phi.Scanner {
	t.Helper()
	scanner, err := phi.NewScanner(phi.Config{
		MRNPatterns:      []string{orgRecordPattern},
		DisableClinical:  true,
		DisableSensitive: true,
		SkipAttachments:  true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return scanner
}

// visibleDigits returns the digits of s in any script, as ASCII digits,
// which is what a reader of the exported trail can read.
func visibleDigits(s string) string {
	var b strings.Builder
	for _, r := range phi.Fold(s) {
		if unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestAttackMaskLookalikeDigits types identifiers the way an input
// method, a paste from a record system or a word processor delivers
// them: full-width and Arabic-Indic digits, no-break spaces, typographic
// dashes and zero-width characters. Each must be masked like its ASCII
// form, so the trail shows no more digits than the excerpt does.
func TestAttackMaskLookalikeDigits(t *testing.T) {
	scanner := orgScanner(t)
	cases := []struct {
		name, text string
		// visible are the digits the masked excerpt itself shows, such
		// as the last four of a Social Security number.
		visible string
	}{
		{"mrn label full-width digits", "Patient MRN: １２３４５６７８ asked for it", ""},
		{"mrn label arabic-indic digits", "Patient MRN: ١٢٣٤٥٦٧٨ asked for it", ""},
		{"mrn label persian digits", "Patient MRN: ۱۲۳۴۵۶۷۸ asked for it", ""},
		{"mrn label devanagari digits", "Patient MRN: १२३४५६७८ asked for it", ""},
		{"mrn label no-break space", "Patient MRN:\u00a012345678 asked for it", ""},
		{"mrn label zero-width space in digits", "Patient MRN: 1234\u200b5678 asked for it", ""},
		{"mrn label soft hyphen in digits", "Patient MRN: 1234\u00ad5678 asked for it", ""},
		{"mrn label word joiner in digits", "Patient MRN: 1234\u20605678 asked for it", ""},
		{"mrn label zero-width space in label", "Patient M\u200bRN: 12345678 asked for it", ""},
		{"mrn label full-width letters", "Patient ＭＲＮ: 12345678 asked for it", ""},
		{"ssn full-width digits", "SSN ５１２-３４-５６７８ on file", "5678"},
		{"ssn arabic-indic digits", "SSN ٥١٢-٣٤-٥٦٧٨ on file", "5678"},
		{"ssn en dashes", "SSN 512–34–5678 on file", "5678"},
		{"ssn non-breaking hyphens", "SSN 512\u201134\u20115678 on file", "5678"},
		{"ssn minus signs", "SSN 512\u221234\u22125678 on file", "5678"},
		{"ssn zero-width space", "SSN 512-34-56\u200b78 on file", "5678"},
		{"org pattern full-width digits", "Patient MR１２３４５６７ asked for it", ""},
		{"org pattern arabic-indic digits", "Patient MR١٢٣٤٥٦٧ asked for it", ""},
		{"org pattern zero-width space", "Patient MR\u200b1234567 asked for it", ""},
		{"org pattern full-width letters", "Patient ＭＲ1234567 asked for it", ""},
		{"phone full-width digits", "call ４１２-２６８-３０００ now", "3000"},
		{"phone zero-width space", "call 412\u200b-268-3000 now", "3000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			masked := MaskJustificationWith(scanner, c.text)
			if got := visibleDigits(masked); got != c.visible {
				t.Errorf("masked %q to %q, which shows the digits %q, expected %q", c.text, masked, got, c.visible)
			}
		})
	}
}

// TestAttackMaskKeepsOtherText checks that folding for the scan does not
// change the text around and outside identifiers, invalid UTF-8
// included.
func TestAttackMaskKeepsOtherText(t *testing.T) {
	scanner := orgScanner(t)
	cases := []string{
		"Café visit – naïve question about 中文 notes",
		"ward\u00a0B, room\u200b4",
		"bad bytes \xff\xfe kept",
		"\u200b\u200b\u200b",
	}
	for _, text := range cases {
		if masked := MaskJustificationWith(scanner, text); masked != text {
			t.Errorf("MaskJustificationWith(%q) = %q, expected the text unchanged", text, masked)
		}
	}

	const text = "bad \xff bytes then MRN: １２３４５６７８ \u200b end"
	masked := MaskJustificationWith(scanner, text)
	if !strings.HasPrefix(masked, "bad \xff bytes then MRN: [") {
		t.Errorf("masked %q to %q, expected the text before the identifier unchanged", text, masked)
	}
	if !strings.HasSuffix(masked, "] \u200b end") {
		t.Errorf("masked %q to %q, expected the text after the identifier unchanged", text, masked)
	}
}

// TestAttackMaskGroupedDigits types a record number and a Social
// Security number with the separators people use when they read one out:
// spaces between groups and dots. Each must be masked whole, while the
// doses, times and lab values of clinical text stay as written.
func TestAttackMaskGroupedDigits(t *testing.T) {
	scanner := orgScanner(t)
	cases := []struct{ text, visible string }{
		{"Patient MRN 1234 5678 asked for it", ""},
		{"Patient MRN 1234\u00a05678 asked for it", ""},
		{"Patient MRN 123 456 789 asked for it", ""},
		{"SSN 512.34.5678 on file", "5678"},
		{"SSN 512 34 5678 on file", "5678"},
		{"MRN 12345678 500 mg at 10:30", "5001030"},
		{"Gave 500 mg at 10:30, glucose 5.6 on 12/03", "5001030561203"},
	}
	for _, c := range cases {
		masked := MaskJustificationWith(scanner, c.text)
		if got := visibleDigits(masked); got != c.visible {
			t.Errorf("masked %q to %q, which shows the digits %q, expected %q", c.text, masked, got, c.visible)
		}
	}
}

// TestAttackMessageSentLongJustification builds the message-sent event
// of a justification longer than the trail keeps: the event must stay
// valid, keep the start of the text, mask an identifier near the cut and
// end on a whole rune.
func TestAttackMessageSentLongJustification(t *testing.T) {
	note := strings.Repeat("Consultant asked for the full history. ", 50) + "MRN: 12345678 " + strings.Repeat("é", 600)
	e := MessageSent(Sent{
		Account:       "rosa@clinic.test",
		MessageID:     "<long@clinic.test>",
		Recipients:    []Recipient{{Address: "omar@clinic.test", Method: "openpgp"}},
		Justification: note,
	})
	if err := e.Validate(); err != nil {
		t.Fatalf("event of a %d-byte justification is invalid: %v", len(note), err)
	}
	if !strings.HasPrefix(e.Justification, "Consultant asked") {
		t.Errorf("shortened justification lost its start: %.40q", e.Justification)
	}
	if !strings.HasSuffix(e.Justification, shortenedMark) {
		t.Errorf("shortened justification does not end with %q", shortenedMark)
	}
	if strings.Contains(e.Justification, "12345678") {
		t.Error("shortened justification contains the record number")
	}
	if !utf8.ValidString(e.Justification) {
		t.Error("shortened justification is cut inside a rune")
	}
}
