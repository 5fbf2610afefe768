package audit

import (
	"sort"
	"strings"
	"sync"

	"securemail/phi"
)

// justificationScanner finds identifiers in justifications. It uses the
// built-in detectors only.
// NOTE: an organisation's own MRN patterns from the policy are not
// applied here, because the trail does not read the policy.
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
	if text == "" {
		return ""
	}
	scanner, err := justificationScanner()
	if err != nil {
		return maskedJustification
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
