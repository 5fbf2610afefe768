package phi

// labelSkipWords may sit between a label and its value: "MRN number:",
// "Account No. 12345", "Member ID is 12345".
var labelSkipWords = map[string]bool{
	"number": true, "no": true, "num": true, "nbr": true, "id": true,
	"is": true, "was": true, "of": true,
}

// labelValue reads the identifier after a label such as "MRN" or
// "Account No." that ends at p, and returns where scanning continues. The
// value must follow at once and contain at least three digits, which
// keeps "account for" and "chart review" out.
func (t *textScan) labelValue(kind Kind, p int) int {
	s := t.text
	start := p
	for hops := 0; hops < 4; hops++ {
		for start < len(s) && isLabelPunct(s[start]) {
			start++
		}
		wEnd := alnumEnd(s, start)
		if wEnd == start || !labelSkipWord(s[start:wEnd]) {
			break
		}
		start = wEnd
	}
	if start == p && start < len(s) && isAlnum(s[start]) {
		return p
	}
	end := start
	digits := 0
	for end < len(s) && end-start < maxLabelValue && isValueByte(s[end]) {
		if isDigit(s[end]) {
			digits++
		}
		end++
	}
	for end > start && (s[end-1] == '.' || s[end-1] == '-' || s[end-1] == '/') {
		end--
	}
	if end-start == maxLabelValue {
		return p
	}
	// A value read out in groups, "1234 5678", goes on past each space.
	for end > start && isDigit(s[end-1]) {
		groupEnd := spacedGroupEnd(s, end)
		if groupEnd < 0 || groupEnd-start > maxLabelValue {
			break
		}
		digits += groupEnd - end - 1
		end = groupEnd
	}
	if end-start < 4 || digits < 3 {
		return p
	}
	t.add(kind, CategoryIdentifier, start, end, prioLabelled, "")
	return end
}

// maxLabelValue is the maximum length in bytes of a labelled value. A
// longer run of value bytes is taken for something else, such as a hash.
const maxLabelValue = 40

// spacedGroupEnd returns the end of the group of two to six digits that
// follows one space at p, or -1 when none does. A group that starts a
// dose, a time, a decimal or a date ("500 mg", "10:30", "5.6", "12/03")
// does not count.
func spacedGroupEnd(s string, p int) int {
	if p >= len(s) || s[p] != ' ' {
		return -1
	}
	end := digitEnd(s, p+1)
	if n := end - (p + 1); n < 2 || n > 6 {
		return -1
	}
	if end == len(s) {
		return end
	}
	switch c := s[end]; {
	case isAlnum(c), c == '%':
		return -1
	case c == '.' || c == ',' || c == ':' || c == '/' || c == '-':
		if end+1 < len(s) && isDigit(s[end+1]) {
			return -1
		}
	case c == ' ':
		if followedByUnit(s, end+1) {
			return -1
		}
	}
	return end
}

// followedByUnit reports whether the word at p is a unit of measure or
// of count, as in "500 mg" or "2 tablets", or a month, as in "12 March",
// or starts with a byte that is not ASCII, such as "°" or "µ".
func followedByUnit(s string, p int) bool {
	if p < len(s) && (s[p] >= 0x80 || s[p] == '%') {
		return true
	}
	end := p
	for end < len(s) && isLetter(s[end]) {
		end++
	}
	if end == p || end-p > 8 {
		return false
	}
	var buf [8]byte
	for k := p; k < end; k++ {
		buf[k-p] = lower(s[k])
	}
	word := string(buf[:end-p])
	if measureUnits[word] {
		return true
	}
	for _, e := range keywords.entries[word] {
		if e.act == actMonth {
			return true
		}
	}
	return false
}

// measureUnits are the lower-case units that follow a quantity in
// clinical text. A group of digits before one is a quantity, not part of
// an identifier.
var measureUnits = map[string]bool{
	"mg": true, "mcg": true, "ug": true, "g": true, "gm": true, "kg": true,
	"ng": true, "ml": true, "l": true, "dl": true, "cc": true, "mmol": true,
	"mol": true, "meq": true, "iu": true, "u": true, "unit": true,
	"units": true, "mm": true, "cm": true, "m": true, "mmhg": true,
	"bpm": true, "kcal": true, "lb": true, "lbs": true, "oz": true,
	"tab": true, "tabs": true, "tablet": true, "tablets": true, "cap": true,
	"caps": true, "capsule": true, "capsules": true, "puff": true,
	"puffs": true, "drop": true, "drops": true, "dose": true, "doses": true,
	"times": true, "x": true, "h": true, "hr": true, "hrs": true,
	"hour": true, "hours": true, "min": true, "mins": true, "minute": true,
	"minutes": true, "sec": true, "s": true, "day": true, "days": true,
	"wk": true, "wks": true, "week": true, "weeks": true, "mo": true,
	"month": true, "months": true, "yr": true, "yrs": true, "year": true,
	"years": true, "yo": true, "am": true, "pm": true, "percent": true,
}

func labelSkipWord(w string) bool {
	if len(w) > 6 {
		return false
	}
	var buf [6]byte
	for k := 0; k < len(w); k++ {
		buf[k] = lower(w[k])
	}
	return labelSkipWords[string(buf[:len(w)])]
}

func isLabelPunct(c byte) bool {
	switch c {
	case ' ', ':', '#', '.', '\t', '=':
		return true
	}
	return false
}

// isValueByte reports whether c can be part of an identifier value; the
// parentheses admit GS1 device identifiers such as "(01)00844588003288".
func isValueByte(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '/' || c == '(' || c == ')'
}
