package phi

var dateCues = [...]cue{cueBirth, cueAdmit, cueDischarge, cueDeath, cueVisit}

// date reports the date at [start, end) when a cue ties it to a person.
// A date with no cue before it waits in case one follows closely.
func (t *textScan) date(start, end int) {
	best := -1
	for k, c := range dateCues {
		if t.near(c, start, cueWindow) && (best < 0 || t.cueEnd[c] > t.cueEnd[dateCues[best]]) {
			best = k
		}
	}
	if best >= 0 {
		// One cue ties one date to a person, so that a later date in the
		// next sentence ("The meeting is on ...") does not inherit it.
		c := dateCues[best]
		t.add(KindDate, CategoryIdentifier, start, end, prioStructured, dateNotes[c])
		t.cueEnd[c] = farAway
		t.pendStart = -1
		return
	}
	t.pendStart, t.pendEnd = start, end
}

// dateIfCued reports the date at [start, end) only when a cue precedes
// it, for layouts such as "3/14" that are too often something else to
// wait for a cue that follows.
func (t *textScan) dateIfCued(start, end int) {
	for _, c := range dateCues {
		if t.near(c, start, cueWindow) {
			t.date(start, end)
			return
		}
	}
}

// dateCueSeen reports the waiting date when the cue at cueStart follows it
// closely: "03/04/1980 (DOB)".
func (t *textScan) dateCueSeen(c cue, cueStart int) {
	if t.pendStart < 0 || t.pendEnd < cueStart-cueAfterWindow || t.pendEnd > cueStart {
		return
	}
	for k := t.pendEnd; k < cueStart; k++ {
		switch t.text[k] {
		case ' ', ',', '(', '[', '-', ':', ';':
		default:
			return // a sentence or a line ends between them
		}
	}
	t.add(KindDate, CategoryIdentifier, t.pendStart, t.pendEnd, prioStructured, dateNotes[c])
	t.pendStart = -1
}

var dateNotes = map[cue]string{
	cueBirth:     "a date of birth",
	cueAdmit:     "an admission date",
	cueDischarge: "a discharge date",
	cueDeath:     "a date of death",
	cueVisit:     "a date of service",
}

// numericDate reports whether the runs form a valid date: month/day/year,
// day/month/year or year-month-day, with one kind of separator.
func numericDate(s string, r *runs) bool {
	if r.n != 3 || r.sep[0] != r.sep[1] {
		return false
	}
	switch r.sep[0] {
	case '/', '-', '.':
	default:
		return false
	}
	a, b, c := r.text(s, 0), r.text(s, 1), r.text(s, 2)
	if !allDigits(a) || !allDigits(b) || !allDigits(c) {
		return false
	}
	if len(a) == 4 && len(b) <= 2 && len(c) <= 2 {
		return validYear(a) && validMonthDay(atoi(b), atoi(c))
	}
	if len(a) > 2 || len(b) > 2 || (len(c) != 2 && len(c) != 4) {
		return false
	}
	if len(c) == 4 && !validYear(c) {
		return false
	}
	x, y := atoi(a), atoi(b)
	return validMonthDay(x, y) || validMonthDay(y, x)
}

func validYear(y string) bool {
	n := atoi(y)
	return n >= 1880 && n <= 2099
}

func validMonthDay(month, day int) bool {
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	return day <= [...]int{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month-1]
}

func atoi(s string) int {
	n := 0
	for k := 0; k < len(s) && k < 9; k++ {
		n = n*10 + int(s[k]-'0')
	}
	return n
}

// writtenDate reads a date around the month name at [start, end):
// "March 3, 1980", "Mar. 3rd 1980", "March 1980" or "3 March 1980".
// Month names count only when capitalized, so that "may" stays a verb.
func (t *textScan) writtenDate(start, end, month int) int {
	s := t.text
	if !isUpper(s[start]) {
		return end
	}
	dateStart := start
	haveDay := false
	if start >= 3 && s[start-1] == ' ' && isDigit(s[start-2]) {
		q := start - 2
		for q > 0 && isDigit(s[q-1]) && start-1-q < 2 {
			q--
		}
		if (q == 0 || !isAlnum(s[q-1])) && validMonthDay(month, atoi(s[q:start-1])) {
			dateStart, haveDay = q, true
		}
	}

	p := end
	if p < len(s) && s[p] == '.' {
		p++
	}
	if p >= len(s) || s[p] != ' ' {
		if haveDay {
			t.date(dateStart, end)
		}
		return end
	}
	p++
	numEnd := digitEnd(s, p)
	dateEnd := -1
	switch {
	case numEnd-p == 4 && validYear(s[p:numEnd]):
		dateEnd = numEnd
	case !haveDay && numEnd-p >= 1 && numEnd-p <= 2 && validMonthDay(month, atoi(s[p:numEnd])):
		dateEnd = numEnd
		q := numEnd
		if q+2 <= len(s) && isOrdinalSuffix(s[q:q+2]) {
			q += 2
			dateEnd = q
		}
		if q < len(s) && s[q] == ',' {
			q++
		}
		if q < len(s) && s[q] == ' ' {
			yEnd := digitEnd(s, q+1)
			if yEnd-(q+1) == 4 && validYear(s[q+1:yEnd]) {
				dateEnd = yEnd
			}
		}
	}
	if dateEnd < 0 || (dateEnd < len(s) && isAlnum(s[dateEnd])) {
		if haveDay {
			t.date(dateStart, end)
		}
		return end
	}
	t.date(dateStart, dateEnd)
	return dateEnd
}

func isOrdinalSuffix(s string) bool {
	switch s {
	case "st", "nd", "rd", "th":
		return true
	}
	return false
}

// dayMonthYear reports a date written "14-Mar-1962" or "14/Mar/62".
func (t *textScan) dayMonthYear(r *runs) bool {
	s := t.text
	if r.n != 3 || r.sep[0] != r.sep[1] || r.sep[0] == '.' {
		return false
	}
	day, name, year := r.text(s, 0), r.text(s, 1), r.text(s, 2)
	if !allDigits(day) || len(day) > 2 || !allDigits(year) || (len(year) != 2 && len(year) != 4) {
		return false
	}
	if len(year) == 4 && !validYear(year) {
		return false
	}
	month := monthNumber(name)
	if month == 0 || !validMonthDay(month, atoi(day)) {
		return false
	}
	t.date(r.start[0], r.last())
	return true
}

// monthNumber returns 1-12 for a capitalized month name or abbreviation,
// and 0 for any other word.
func monthNumber(w string) int {
	if len(w) < 3 || len(w) > maxKeywordLen || !isUpper(w[0]) {
		return 0
	}
	var buf [maxKeywordLen]byte
	for k := 0; k < len(w); k++ {
		buf[k] = lower(w[k])
	}
	for _, e := range keywords.entries[string(buf[:len(w)])] {
		if e.act == actMonth {
			return e.month
		}
	}
	return 0
}
