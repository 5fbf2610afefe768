package audit

import (
	"sort"
	"strings"
	"sync"

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
// The scanner's rules read a folded copy of text (see phi.Fold), so an
// identifier typed with full-width or Arabic-Indic digits, a no-break
// space, a typographic dash or a zero-width character is masked like its
// ASCII form. The findings' ranges are those of text itself.
func MaskJustificationWith(scanner *phi.Scanner, text string) string {
	if text == "" {
		return ""
	}
	var found []phi.Finding
	for _, f := range scanner.ScanText(phi.FieldBody, text) {
		if f.Category == phi.CategoryIdentifier && f.Start >= 0 && f.End <= len(text) && f.Start < f.End {
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
