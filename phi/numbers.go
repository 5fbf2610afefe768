package phi

// runs splits a compound token such as "123-45-6789" or "E11.65" into its
// alphanumeric runs and the single separators between them.
type runs struct {
	n          int
	start, end [maxCompound]int
	sep        [maxCompound]byte
}

func (r *runs) text(s string, k int) string { return s[r.start[k]:r.end[k]] }

// span returns the end of the last run.
func (r *runs) last() int { return r.end[r.n-1] }

// splitRuns reads runs joined by '-', '.' or '/' from i, where the first
// run ends at end. It reports false when the token has more than
// maxCompound runs.
func splitRuns(s string, i, end int) (runs, bool) {
	var r runs
	r.start[0], r.end[0], r.n = i, end, 1
	p := end
	for p+1 < len(s) && (s[p] == '-' || s[p] == '.' || s[p] == '/') && isAlnum(s[p+1]) {
		if r.n == maxCompound {
			return r, false
		}
		r.sep[r.n-1] = s[p]
		r.start[r.n] = p + 1
		p = alnumEnd(s, p+1)
		r.end[r.n] = p
		r.n++
	}
	return r, true
}

// compound handles a token that contains a digit, at [i, end) for its
// first run, and returns where scanning continues.
func (t *textScan) compound(i, end int) int {
	s := t.text
	r, ok := splitRuns(s, i, end)
	if !ok {
		return skipToken(s, end)
	}
	last := r.last()
	if t.attached(i) || (last < len(s) && (s[last] == '_' || s[last] == '@')) {
		return last
	}
	if (end-i == 2 || end-i == 3) && r.n > 1 && allDigits(s[i:end]) && t.age(i, end) {
		return last // "92-year-old" splits into runs
	}
	// An explicit SSN cue wins over a word such as "ref" beside it:
	// "Reference SSN 512-34-8821" is an SSN.
	notPHI := t.near(cueNotPHI, i, cueWindow/2) && !t.near(cueSSN, i, cueWindow)

	allNumeric := true
	for k := 0; k < r.n; k++ {
		if !allDigits(r.text(s, k)) {
			allNumeric = false
			break
		}
	}
	if allNumeric {
		if !notPHI {
			t.numeric(i, &r)
		}
		return last
	}
	if notPHI {
		return last
	}
	switch {
	case t.mbi(&r):
	case t.dea(&r):
	case t.icd10(&r):
	case t.dayMonthYear(&r):
	}
	return last
}

// skipToken returns the end of a long token of runs and separators.
func skipToken(s string, p int) int {
	for p < len(s) && (isAlnum(s[p]) || s[p] == '-' || s[p] == '.' || s[p] == '/') {
		p++
	}
	return p
}

// numeric classifies a compound of digit runs.
func (t *textScan) numeric(i int, r *runs) {
	s := t.text
	end := r.last()
	first := r.text(s, 0)
	switch r.n {
	case 1:
		t.singleNumber(i, end)
	case 2:
		if r.sep[0] == '-' && len(first) == 5 && len(r.text(s, 1)) == 4 {
			t.zip(i, end)
		}
		if r.sep[0] == '-' && len(first) == 3 && len(r.text(s, 1)) == 4 &&
			(t.near(cuePhone, i, cueWindow) || t.near(cueFax, i, cueWindow)) && first[0] >= '2' {
			t.phone(i, end)
		}
		// A month and day with no year ("DOB 3/14") still dates a person.
		second := r.text(s, 1)
		if r.sep[0] == '/' && len(first) <= 2 && len(second) <= 2 && validMonthDay(atoi(first), atoi(second)) {
			t.dateIfCued(i, end)
		}
	case 3:
		a, b, c := len(first), len(r.text(s, 1)), len(r.text(s, 2))
		sameSep := r.sep[0] == r.sep[1]
		switch {
		case a == 3 && b == 2 && c == 4 && sameSep && (r.sep[0] == '-' ||
			(r.sep[0] == '.' && t.near(cueSSN, i, cueWindow))):
			// Dots, as in "512.34.5678", need a cue because versions
			// and other numbers take that shape too.
			if validSSN(first + r.text(s, 1) + r.text(s, 2)) {
				t.add(KindSSN, CategoryIdentifier, i, end, prioStructured, "")
			}
		case a == 3 && b == 3 && c == 4 && sameSep && r.sep[0] != '/':
			if validNANP(first, r.text(s, 1)) {
				t.phone(i, end)
			}
		case numericDate(s, r):
			t.date(i, end)
		}
	case 4:
		a, b, c, d := r.text(s, 0), r.text(s, 1), r.text(s, 2), r.text(s, 3)
		if r.sep[0] == '.' && r.sep[1] == '.' && r.sep[2] == '.' {
			if octet(a) && octet(b) && octet(c) && octet(d) {
				t.add(KindIP, CategoryIdentifier, i, end, prioStructured, "")
			}
			return
		}
		if a == "1" && len(b) == 3 && len(c) == 3 && len(d) == 4 && r.sep[1] == r.sep[2] &&
			r.sep[0] != '/' && validNANP(b, c) {
			t.phone(i, end)
		}
	}
}

// singleNumber classifies a run of digits with no separators. Such a run
// is an identifier only in context. Even a ten-digit number that passes
// the NPI check digit needs an NPI cue, since one random number in ten
// passes it.
func (t *textScan) singleNumber(i, end int) {
	s := t.text
	digits := s[i:end]
	phoneCue := t.near(cuePhone, i, cueWindow) || t.near(cueFax, i, cueWindow)
	switch len(digits) {
	case 3:
		if t.spacedNumber(i, end) {
			return
		}
	case 5:
		t.zip(i, end)
		return
	case 9:
		if t.near(cueSSN, i, cueWindow) && validSSN(digits) {
			t.add(KindSSN, CategoryIdentifier, i, end, prioStructured, "")
		}
		return
	case 10:
		switch {
		case t.near(cueNPI, i, cueWindow):
			if validNPI(digits) {
				t.add(KindNPI, CategoryIdentifier, i, end, prioStructured, "")
				t.cueEnd[cueNPI] = farAway // one cue, one number
			}
		case phoneCue:
			if validNANP(digits[:3], digits[3:6]) {
				t.phone(i, end)
			}
		}
		return
	case 11:
		if phoneCue && digits[0] == '1' && validNANP(digits[1:4], digits[4:7]) {
			t.phone(i, end)
		}
		return
	}
	if (len(digits) == 2 || len(digits) == 3) && t.age(i, end) {
		return
	}
	if len(digits) <= 6 {
		t.streetAddress(i, end)
	}
}

// ageSuffixes follow an age: "92-year-old", "92 yo".
var ageSuffixes = []string{"-year-old", " year old", " years old", "-years-old",
	" yo ", " y/o", " y.o.", " yrs old", " year-old"}

// age reports an age over 89 at [i, end), written with a suffix such as
// "year-old" or after "age".
func (t *textScan) age(i, end int) bool {
	n := atoi(t.text[i:end])
	if n < 90 || n > 125 {
		return false
	}
	found := t.near(cueAge, i, 4)
	for _, suffix := range ageSuffixes {
		if found {
			break
		}
		found = hasPrefixFold(t.text[end:], suffix)
	}
	if found {
		t.add(KindAge, CategoryIdentifier, i, end, prioStructured, "")
	}
	return found
}

// hasPrefixFold reports whether s starts with prefix, which is lower
// case, ignoring the case of s.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for k := 0; k < len(prefix); k++ {
		if lower(s[k]) != prefix[k] {
			return false
		}
	}
	return true
}

// spacedNumber reads "555 123 4567" (a phone number) or, after an SSN
// cue, "123 45 6789", starting with the three digits at [i, end).
func (t *textScan) spacedNumber(i, end int) bool {
	s := t.text
	if end >= len(s) || s[end] != ' ' {
		return false
	}
	mid := digitEnd(s, end+1)
	if mid >= len(s) || (s[mid] != ' ' && s[mid] != '-') {
		return false
	}
	tail := digitEnd(s, mid+1)
	if tail-(mid+1) != 4 || (tail < len(s) && isAlnum(s[tail])) {
		return false
	}
	switch mid - (end + 1) {
	case 3:
		if validNANP(s[i:end], s[end+1:mid]) {
			t.phone(i, tail)
			return true
		}
	case 2:
		if t.near(cueSSN, i, cueWindow) && validSSN(s[i:end]+s[end+1:mid]+s[mid+1:tail]) {
			t.add(KindSSN, CategoryIdentifier, i, tail, prioStructured, "")
			return true
		}
	}
	return false
}

func (t *textScan) phone(start, end int) {
	kind := KindPhone
	if t.near(cueFax, start, cueWindow) && t.cueEnd[cueFax] >= t.cueEnd[cuePhone] {
		kind = KindFax
	}
	t.add(kind, CategoryIdentifier, start, end, prioStructured, "")
}

// zip reports a ZIP code at [start, end) after a state code ("IL 62704")
// or a ZIP label. A five-digit number alone is too often something else.
func (t *textScan) zip(start, end int) {
	if t.near(cueState, start, stateWindow) || t.near(cueZIP, start, cueWindow/2) {
		t.add(KindZIP, CategoryIdentifier, start, end, prioStructured, "")
	}
}

func octet(s string) bool {
	return len(s) >= 1 && len(s) <= 3 && atoi(s) <= 255 && (len(s) == 1 || s[0] != '0')
}
