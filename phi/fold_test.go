package phi

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"ascii", "MRN: 12345678", "MRN: 12345678"},
		{"full-width digits", "５１２-３４-５６７８", "512-34-5678"},
		{"arabic-indic digits", "٥١٢-٣٤-٥٦٧٨", "512-34-5678"},
		{"devanagari digits", "१२३", "123"},
		{"mathematical digits", "\U0001D7CE\U0001D7D9", "01"},
		{"en dash and minus sign", "512–34\u22125678", "512-34-5678"},
		{"non-breaking hyphen", "512\u201134", "512-34"},
		{"no-break and thin spaces", "1234\u00a05678\u2009 9", "1234 5678  9"},
		{"zero-width space, soft hyphen, word joiner", "12\u200b34\u00ad56\u206078", "12345678"},
		{"full-width letters", "ＭＲＮ", "MRN"},
		{"ligature", "ﬁle", "file"},
		{"parenthesized number", "⒇", "(20)"},
		{"accented letters kept", "Café naïve 中文", "Café naïve 中文"},
		{"long expansion kept", "\ufdfa", "\ufdfa"},
		{"invalid bytes kept", "a\xff\xfe1", "a\xff\xfe1"},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Fold(c.text); got != c.want {
				t.Errorf("Fold(%q) = %q, expected %q", c.text, got, c.want)
			}
		})
	}
}

// TestFoldMatchesReference folds every rune of the Basic Multilingual
// Plane and of the mathematical digits, each followed by a space, and
// compares the result with a plain per-rune reference: NFKC, then the
// digit, dash, space and format character rules.
func TestFoldMatchesReference(t *testing.T) {
	reference := func(r rune) string {
		var b strings.Builder
		for _, c := range norm.NFKC.String(string(r)) {
			switch {
			case c < utf8.RuneSelf:
				b.WriteRune(c)
			case unicode.IsDigit(c):
				b.WriteByte(byte('0' + digitValue(c)))
			case unicode.Is(unicode.Pd, c) || c == '\u2212':
				b.WriteByte('-')
			case unicode.Is(unicode.Zs, c):
				b.WriteByte(' ')
			case unicode.Is(unicode.Cf, c):
			default:
				b.WriteRune(c)
			}
		}
		if b.Len() > maxFoldGrowth*utf8.RuneLen(r) {
			return string(r)
		}
		return b.String()
	}

	var text, want strings.Builder
	add := func(lo, hi rune) {
		for r := lo; r <= hi; r++ {
			if utf8.ValidRune(r) {
				text.WriteRune(r)
				text.WriteByte(' ')
				want.WriteString(reference(r))
				want.WriteByte(' ')
			}
		}
	}
	add(0x80, 0xFFFF)
	add(0x1D7CE, 0x1D7FF)

	if Fold(text.String()) == want.String() {
		return
	}
	for _, r := range text.String() {
		if got, expected := Fold(string(r)), reference(r); got != expected {
			t.Fatalf("Fold(%q) = %q, expected %q", r, got, expected)
		}
	}
	t.Fatal("Fold of the runes in one text differs from the reference, but each rune alone matches it")
}

func TestFoldUnchangedTextNotCopied(t *testing.T) {
	for _, text := range []string{"plain ASCII text", "Café naïve 中文"} {
		f := foldText(text)
		if len(f.changes) != 0 {
			t.Errorf("foldText(%q) records %d changes, expected none", text, len(f.changes))
		}
		if f.text != text {
			t.Errorf("foldText(%q).text = %q, expected the text itself", text, f.text)
		}
	}
}

// TestFoldOriginalRange folds texts and checks that each folded byte
// maps back onto the original rune that gave it.
func TestFoldOriginalRange(t *testing.T) {
	cases := []struct {
		name, text string
		// start and end are a folded range, want the original text it
		// must map to.
		start, end int
		want       string
	}{
		{"ascii", "SSN 512-34-5678.", 4, 15, "512-34-5678"},
		{"full-width value", "SSN ５１２-３４-５６７８.", 4, 15, "５１２-３４-５６７８"},
		{"after full-width", "１２ ab", 3, 5, "ab"},
		{"zero-width inside", "MRN 1234\u200b5678 x", 4, 12, "1234\u200b5678"},
		{"zero-width before", "\u200b\u200b12", 0, 2, "12"},
		{"zero-width after", "12\u200b", 0, 2, "12"},
		{"half of an expansion", "a⒇b", 1, 3, "⒇"},
		{"accented text between", "é １ é ２", 5, 9, "é ２"},
		{"invalid byte before", "\xff１２", 1, 3, "１２"},
		{"empty at end", "１２", 2, 2, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := foldText(c.text)
			start, end := f.originalRange(c.start, c.end)
			if start < 0 || end > len(c.text) || start > end {
				t.Fatalf("folded range [%d, %d) of %q maps to [%d, %d), outside the text", c.start, c.end, c.text, start, end)
			}
			if got := c.text[start:end]; got != c.want {
				t.Errorf("folded range [%d, %d) of %q (folded %q) maps to %q, expected %q",
					c.start, c.end, c.text, f.text, got, c.want)
			}
		})
	}
}

// TestFoldOriginalRangeEveryByte maps each byte of a folded text with all
// kinds of change back and checks that the ranges follow each other and
// that a folded rune's first byte maps to a rune boundary of the original.
func TestFoldOriginalRangeEveryByte(t *testing.T) {
	const text = "x\u200b１–\u00a0ab٣\xffé⒇\u00ad9\u2060"
	f := foldText(text)
	prevEnd := 0
	for i := range len(f.text) {
		start, end := f.originalRange(i, i+1)
		if start < prevEnd && start != f.originalStart(i-1) {
			t.Errorf("folded byte %d maps to [%d, %d), before the end %d of byte %d", i, start, end, prevEnd, i-1)
		}
		if utf8.RuneStart(f.text[i]) && !utf8.RuneStart(text[start]) {
			t.Errorf("folded byte %d maps to offset %d, inside a rune", i, start)
		}
		if end <= start || end > len(text) {
			t.Errorf("folded byte %d maps to the invalid range [%d, %d)", i, start, end)
		}
		prevEnd = end
	}
	if start, end := f.originalRange(0, len(f.text)); start != 0 || end != len(text)-len("\u2060") {
		t.Errorf("whole folded text maps to [%d, %d), expected [0, %d)", start, end, len(text)-len("\u2060"))
	}
}

func TestFirstNonASCII(t *testing.T) {
	long := strings.Repeat("a", 37)
	for _, c := range []struct {
		text string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{long, 37},
		{long + "é", 37},
		{"é" + long, 0},
		{long[:9] + "\x80" + long, 9},
		{long[:16] + "\xff", 16},
		{long[:31] + "é" + long, 31},
		{long + "\x80", 37},
		{long + long[:3] + "é", 40},
		{long + long + "é", 74},
	} {
		if got := firstNonASCII(c.text); got != c.want {
			t.Errorf("firstNonASCII(%q) = %d, expected %d", c.text, got, c.want)
		}
	}
}

// TestDigitValue checks the value of digits from several scripts,
// including sets that follow another set directly, such as the
// mathematical digits.
func TestDigitValue(t *testing.T) {
	for _, set := range []rune{'0', '٠', '۰', '०', '০', '๐', '０', 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6} {
		for value := range 10 {
			r := set + rune(value)
			if got := digitValue(r); got != value {
				t.Errorf("digitValue(%U) = %d, expected %d", r, got, value)
			}
		}
	}
}

// TestScanLookalikeOffsetsAndExcerpts scans identifiers typed with
// look-alike characters in a longer text, and checks that each finding's
// range is the value as typed and its excerpt is that of the ASCII form.
func TestScanLookalikeOffsetsAndExcerpts(t *testing.T) {
	scanner, err := NewScanner(Config{MRNPatterns: []string{`\bMR\d{7}\b`}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, text, value, ascii string
		kind                     Kind
	}{
		{"ssn full-width", "Café – SSN ５１２-３４-５６７８ on file", "５１２-３４-５６７８", "512-34-5678", KindSSN},
		{"phone en dashes", "naïve call 412–268–3000 now", "412–268–3000", "412-268-3000", KindPhone},
		{"mrn label soft hyphen", "Pt ＭＲＮ: 1234\u00ad5678 seen", "1234\u00ad5678", "12345678", KindMRN},
		{"policy pattern arabic-indic", "ref ٣ MR١٢٣٤٥٦٧ asked", "MR١٢٣٤٥٦٧", "MR1234567", KindMRN},
		{"date no-break space", "DOB\u00a003/14/1961 seen", "03/14/1961", "03/14/1961", KindDate},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := findingOf(t, scanner, strings.Replace(c.text, c.value, c.ascii, 1), c.kind)
			got := findingOf(t, scanner, c.text, c.kind)
			if got == nil || want == nil {
				return
			}
			if span := c.text[got.Start:got.End]; span != c.value {
				t.Errorf("finding spans %q, expected %q", span, c.value)
			}
			if got.Excerpt != want.Excerpt {
				t.Errorf("excerpt %q, expected %q as for the ASCII form", got.Excerpt, want.Excerpt)
			}
		})
	}
}

func findingOf(t *testing.T, scanner *Scanner, text string, kind Kind) *Finding {
	t.Helper()
	for _, f := range scanner.ScanText(FieldBody, text) {
		if f.Kind == kind {
			return &f
		}
	}
	t.Errorf("no %s finding in %q", kind, text)
	return nil
}

// TestMapFindingsSharedCharacter maps findings that lie in the folded
// form of one character, "⒇" folded to "(20)". The first takes in the
// whole character, a second wholly inside it is dropped, and a third
// that goes on past it starts after it.
func TestMapFindingsSharedCharacter(t *testing.T) {
	const text = "a⒇b"
	folded := foldText(text)
	if folded.text != "a(20)b" {
		t.Fatalf("foldText(%q) = %q, expected %q", text, folded.text, "a(20)b")
	}
	got := mapFindings([]Finding{
		{Kind: KindZIP, Start: 1, End: 3},
		{Kind: KindAge, Start: 3, End: 4},
		{Kind: KindMRN, Start: 4, End: 6},
	}, &folded)
	if len(got) != 2 {
		t.Fatalf("mapFindings kept %d findings, expected 2: %+v", len(got), got)
	}
	if got[0].Kind != KindZIP || text[got[0].Start:got[0].End] != "⒇" {
		t.Errorf("first finding is %s at %q, expected zip at %q", got[0].Kind, text[got[0].Start:got[0].End], "⒇")
	}
	if got[1].Kind != KindMRN || text[got[1].Start:got[1].End] != "b" {
		t.Errorf("second finding is %s at %q, expected mrn at %q", got[1].Kind, text[got[1].Start:got[1].End], "b")
	}
}

// TestScanFoldedClinicalText scans clinical text whose non-ASCII
// characters fold to digits, dashes and spaces: superscripts, vulgar
// fractions, circled numbers. None of it is an identifier.
func TestScanFoldedClinicalText(t *testing.T) {
	runDetectCases(t, []detectCase{
		{"WBC 5.6 x 10⁹/L and platelets 250 x 10⁹/L", "", ""},
		{"BSA 1.9 m², dose 75 mg/m²", "", ""},
		{"Temp 38.5\u00a0°C at 10:30", "", ""},
		{"½ tablet twice daily, ¼ at night", "", ""},
		{"Na 140 mmol/L – K 4.1", "", ""},
		{"step ① then ② then ③", "", ""},
		{"Room ４１２–B", "", ""},
	})
}
