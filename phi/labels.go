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
	for end < len(s) && end-start < 40 && isValueByte(s[end]) {
		if isDigit(s[end]) {
			digits++
		}
		end++
	}
	for end > start && (s[end-1] == '.' || s[end-1] == '-' || s[end-1] == '/') {
		end--
	}
	if end-start < 4 || digits < 3 || end-start == 40 {
		return p
	}
	t.add(kind, CategoryIdentifier, start, end, prioLabelled, "")
	return end
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
