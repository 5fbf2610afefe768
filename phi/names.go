package phi

import (
	"unicode"
	"unicode/utf8"
)

// nameStopWords are capitalized words that follow "Patient" or precede
// "DOB" without being names: "Patient Portal", "Care Team, DOB".
var nameStopWords = map[string]bool{}

// nameStopIndex is nameStopWords indexed by wordHash, for the scanner,
// which looks up every capitalized word.
var nameStopIndex *wordIndex[bool]

func init() {
	for _, w := range []string{
		"The", "A", "An", "And", "Or", "Of", "In", "On", "At", "To", "For",
		"With", "From", "By", "Is", "Was", "Has", "Had", "Will", "Would",
		"Should", "Can", "Could", "May", "Might", "Must", "Needs", "Care",
		"Portal", "Name", "Information", "Info", "Education", "Safety",
		"Experience", "Services", "Service", "Advocate", "Advocacy",
		"Relations", "Registration", "Access", "Record", "Records", "Summary",
		"History", "Instructions", "Notes", "Note", "Reports", "Denies",
		"States", "Presented", "Presents", "Arrived", "Left", "Called",
		"Reported", "Status", "Id", "ID", "Number", "No", "Identifier",
		"Consent", "Form", "Forms", "Transport", "Flow", "Satisfaction",
		"List", "Data", "Count", "Population", "Centered", "Navigator",
		"Coordinator", "Support", "Financial", "Today", "Tomorrow",
		"Yesterday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
		"Saturday", "Sunday", "Dr", "Doctor", "Nurse", "Please", "Thanks",
		"Thank", "Hi", "Hello", "Dear", "Regards", "Update", "Updates",
		"Follow", "Results", "Result", "Lab", "Labs", "Referral", "Team",
		"Unit", "Clinic", "Hospital", "Center", "Department", "Office",
		"Home", "Address", "Phone", "Email", "Fax", "Date", "Age", "Sex",
		"Male", "Female", "Unknown", "None", "NA", "TBD", "This", "That",
		"These", "Those", "Our", "Your", "My", "His", "Her", "Their",
		"We", "You", "He", "She", "They", "It", "If", "When", "Who",
		"Room", "Bed", "Floor", "Visit", "Appointment", "Admission",
		"Discharge", "Intake", "Identification", "Privacy", "Rights",
		"Copy", "Attached", "See", "Per", "As", "New", "Old",
	} {
		nameStopWords[w] = true
	}
	nameStopIndex = newWordIndex(nameStopWords)
}

// titleName reads the name after a title or label such as "Patient:",
// "Pt", "Mrs." or "Name:" spanning [start, end), and returns where
// scanning continues. A name is up to four capitalized words and middle
// initials, or "LAST, First".
func (t *textScan) titleName(start, end int) int {
	s := t.text
	title := s[start:end]
	isHonorific := len(title) <= 4 && title != "Name" && lower(title[0]) != 'p' && title != "name"
	if isHonorific && !isUpper(title[0]) {
		return end
	}

	p := end
	if p < len(s) && (s[p] == '.' || s[p] == ':') {
		p++
	}
	if p < len(s) && s[p] == ':' {
		p++
	}
	if p >= len(s) || (s[p] != ' ' && s[p] != '\t') {
		return end
	}
	for p < len(s) && (s[p] == ' ' || s[p] == '\t') {
		p++
	}

	nameStart := p
	nameEnd := -1
	words := 0
	for words < 4 && p < len(s) {
		wEnd := nameWordEnd(s, p)
		if wEnd == p {
			break
		}
		if wEnd-p > 3 && s[wEnd-2] == '\'' && s[wEnd-1] == 's' {
			wEnd -= 2 // possessive: "Carter's"
		}
		w := s[p:wEnd]
		initial := len(w) == 1 && isUpper(w[0]) && wEnd < len(s) && s[wEnd] == '.'
		switch {
		case initial && words > 0:
			wEnd++
		case !isNameShape(w) || nameStopWords[w] || isKeyword(w):
			wEnd = -1
		}
		if wEnd < 0 {
			break
		}
		words++
		nameEnd = wEnd
		p = wEnd
		if p+1 < len(s) && s[p] == ',' && s[p+1] == ' ' && words == 1 {
			p += 2
		} else if p < len(s) && s[p] == ' ' {
			p++
		} else {
			break
		}
	}
	if nameEnd < 0 {
		return end
	}
	t.add(KindName, CategoryIdentifier, nameStart, nameEnd, prioLabelled, "")
	return nameEnd
}

// nameWordEnd returns the end of a name word at p: letters, including
// letters outside ASCII as in José, with inner apostrophes or hyphens, as
// in O'Neil or Smith-Jones.
func nameWordEnd(s string, p int) int {
	q := p
	for q < len(s) {
		c := s[q]
		if isLetter(c) {
			q++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[q:])
			if !unicode.IsLetter(r) {
				break
			}
			q += size
			continue
		}
		if (c == '\'' || c == '-') && q > p && q+1 < len(s) && isLetter(s[q+1]) {
			q++
			continue
		}
		break
	}
	return q
}

// isNameShape reports whether w looks like a name by the rule of
// isNameWord, once the apostrophes and hyphens inside it are dropped and
// each letter outside ASCII counts as an ASCII letter of the same case.
// Any other byte sequence outside ASCII counts as a lower-case letter.
// It checks in place, because it runs on every word after a title.
func isNameShape(w string) bool {
	n := 0
	for _, r := range w {
		var c byte
		switch {
		case r == '\'' || r == '-':
			continue
		case r >= utf8.RuneSelf && unicode.IsUpper(r):
			c = 'X'
		case r >= utf8.RuneSelf:
			c = 'x'
		default:
			c = byte(r)
		}
		if n == 0 && !isUpper(c) || n > 0 && !isLetter(c) {
			return false
		}
		n++
	}
	return n >= 2
}

func isKeyword(w string) bool {
	if len(w) > maxKeywordLen {
		return false
	}
	var buf [maxKeywordLen]byte
	for k := 0; k < len(w); k++ {
		buf[k] = lower(w[k])
	}
	_, ok := keywords.entries[string(buf[:len(w)])]
	return ok
}

// nameBeforeBirth reports the run of capitalized words that ends right
// before a birth cue at cueStart: "Maria Lopez, DOB ...".
func (t *textScan) nameBeforeBirth(cueStart int) {
	if t.capWords < 2 || t.capEnd < cueStart-stateWindow || t.capEnd > cueStart {
		return
	}
	for k := t.capEnd; k < cueStart; k++ {
		switch t.text[k] {
		case ' ', ',', '(', '-', ';':
		default:
			return
		}
	}
	t.add(KindName, CategoryIdentifier, t.capStart, t.capEnd, prioLabelled, "")
}
