package audit

import (
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"securemail/phi"
)

// justificationScanner finds identifiers in justifications. It uses the
// built-in detectors only; the client masks with the organisation's own
// record-number patterns first (MaskJustificationWith).
var justificationScanner = sync.OnceValues(func() (*phi.Scanner, error) {
	return phi.NewScanner(phi.Config{DisableClinical: true, DisableSensitive: true, SkipAttachments: true})
})

// maskedJustification replaces a justification that cannot be scanned,
// so that unscanned text never reaches the trail.
const maskedJustification = "[justification withheld: the PHI scanner is unavailable]"

// MaskJustification returns text with each identifier that the PHI
// scanner finds replaced by its masked excerpt in brackets, for example
// "[MRN ********]". A justification is typed by the user and may repeat
// the PHI it justifies, and the trail is exported to IT.
func MaskJustification(text string) string {
	scanner, err := justificationScanner()
	if err != nil {
		return maskedJustification
	}
	return MaskJustificationWith(scanner, text)
}

// MaskJustificationWith is MaskJustification with the identifier
// detectors of scanner, for example one made with the organisation's
// record-number patterns.
//
// The scanner reads a folded copy of text (see foldForScan), so that an
// identifier typed with full-width or Arabic-Indic digits, a no-break
// space, a typographic dash or a zero-width character is masked like its
// ASCII form. The masked ranges are mapped back onto text.
func MaskJustificationWith(scanner *phi.Scanner, text string) string {
	if text == "" {
		return ""
	}
	folded := foldForScan(text)
	var found []phi.Finding
	for _, f := range scanner.ScanText(phi.FieldBody, folded.text) {
		if f.Category == phi.CategoryIdentifier && f.Start >= 0 && f.End <= len(folded.text) && f.Start < f.End {
			f.Start, f.End = folded.start[f.Start], folded.end[f.End-1]
			found = append(found, f)
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Start < found[j].Start })

	var b strings.Builder
	end := 0
	for _, f := range found {
		if f.Start < end {
			// An overlapping finding is already covered by the one
			// before it; only the part past that one is masked.
			if f.End <= end {
				continue
			}
			f.Start = end
		}
		b.WriteString(text[end:f.Start])
		b.WriteString("[" + f.Excerpt + "]")
		end = f.End
	}
	b.WriteString(text[end:])
	return b.String()
}

// foldedText is a copy of a text with look-alike characters folded to
// ASCII. start[i] and end[i] are the byte range in the original text of
// the rune that produced byte i of text.
type foldedText struct {
	text       string
	start, end []int
}

// foldForScan folds each rune of text that a clinician may type or paste
// in place of an ASCII character of an identifier. NFKC folds full-width
// forms and the no-break space. Any decimal digit becomes its ASCII
// digit, dashes and the minus sign become "-", and other spaces become
// " ". Format characters such as U+200B ZERO WIDTH SPACE and the soft
// hyphen are dropped.
func foldForScan(text string) foldedText {
	out := foldedText{
		start: make([]int, 0, len(text)),
		end:   make([]int, 0, len(text)),
	}
	var b strings.Builder
	b.Grow(len(text))
	for i, r := range text {
		size := utf8.RuneLen(r)
		if r == utf8.RuneError {
			_, size = utf8.DecodeRuneInString(text[i:])
		}
		before := b.Len()
		for _, c := range norm.NFKC.String(string(r)) {
			if folded, keep := foldRune(c); keep {
				b.WriteRune(folded)
			}
		}
		for range b.Len() - before {
			out.start = append(out.start, i)
			out.end = append(out.end, i+size)
		}
	}
	out.text = b.String()
	return out
}

// foldRune returns the ASCII stand-in of r, or keep false for a format
// character that is dropped.
func foldRune(r rune) (folded rune, keep bool) {
	switch {
	case r < utf8.RuneSelf:
		return r, true
	case unicode.Is(unicode.Cf, r):
		return 0, false
	case unicode.IsDigit(r):
		return '0' + rune(digitValue(r)), true
	case unicode.Is(unicode.Pd, r) || r == '\u2212':
		return '-', true
	case unicode.Is(unicode.Zs, r):
		return ' ', true
	}
	return r, true
}

// digitValue returns the value of the decimal digit r. Unicode encodes
// each set of decimal digits (category Nd) as zero to nine on ten
// consecutive code points, and some sets follow each other, so the value
// is the count of digits just below r, modulo ten.
func digitValue(r rune) int {
	n := 0
	for unicode.IsDigit(r - rune(n) - 1) {
		n++
	}
	return n % 10
}
