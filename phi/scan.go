package phi

import (
	"cmp"
	"slices"
)

// Windows, in bytes, within which a cue word counts as context.
const (
	cueWindow      = 40 // a cue before an identifier or a date
	cueAfterWindow = 16 // a date cue right after a date: "03/04/1980 (DOB)"
	stateWindow    = 3  // "IL 62704", "IL, 62704"
	maxCompound    = 8  // runs in one compound token such as 123-45-6789
)

// textScan is the state of one pass over one field's text. The pass walks
// the text once, byte by byte. At each word or number it does a cheap
// check of the first byte and shape and calls a detector only when that
// check passes.
type textScan struct {
	sc    *Scanner
	text  string
	field Field
	att   int
	out   []Finding

	cueEnd [numCues]int

	// capStart and capEnd span the last run of capitalized words, for
	// "Jane Doe, DOB 01/02/1960". capWords counts its words.
	capStart, capEnd, capWords int

	// pendStart and pendEnd span the last date without a cue before it.
	pendStart, pendEnd int
}

const (
	prioTerm int8 = iota
	prioStructured
	prioLabelled
)

const farAway = -1 << 30

func (s *Scanner) scanText(text string, field Field, att int) []Finding {
	t := textScan{sc: s, text: text, field: field, att: att, pendStart: -1, capEnd: farAway}
	t.out = make([]Finding, 0, 4+len(text)/256)
	for c := range t.cueEnd {
		t.cueEnd[c] = farAway
	}
	t.run()
	for _, re := range s.cfg.mrn {
		for _, loc := range re.FindAllStringIndex(text, -1) {
			t.add(KindMRN, CategoryIdentifier, loc[0], loc[1], prioLabelled, "")
		}
	}
	out := resolveOverlaps(t.out)
	out = slices.DeleteFunc(out, func(f Finding) bool { return !s.cfg.enabled(f.Category) })
	for k := range out {
		f := &out[k]
		f.Excerpt = excerpt(f.Kind, text[f.Start:f.End])
		f.Explanation = explain(f.Kind, f.Category, f.Field, f.note)
	}
	return out
}

func (t *textScan) run() {
	s := t.text
	i := 0
	for i < len(s) {
		c := s[i]
		if isAlnum(c) {
			i = t.token(i)
			continue
		}
		next := i + 1
		switch c {
		case '@':
			next = t.email(i)
		case '(':
			next = t.parenPhone(i)
		case '+':
			next = t.plusPhone(i)
		case ':':
			next = t.ipv6(i)
		}
		i = max(next, i+1)
	}
}

// near reports whether a cue of class c ended within window bytes before
// pos.
func (t *textScan) near(c cue, pos, window int) bool {
	return t.cueEnd[c] >= pos-window && t.cueEnd[c] <= pos
}

// add records a finding. Its excerpt and explanation are filled in after
// overlaps are resolved, so that dropped findings cost no strings.
func (t *textScan) add(kind Kind, cat Category, start, end int, prio int8, note string) {
	t.out = append(t.out, Finding{
		Kind: kind, Category: cat, Field: t.field, Attachment: t.att,
		Start: start, End: end, priority: prio, note: note,
	})
}

// token handles the alphanumeric token starting at i and returns where
// scanning continues.
func (t *textScan) token(i int) int {
	s := t.text
	if isLetter(s[i]) {
		end, digits := wordEnd(s, i)
		if next, matched := t.word(i, end); matched || !digits {
			return next
		}
		return t.compound(i, end)
	}
	return t.compound(i, alnumEnd(s, i))
}

// attached reports whether the token at i continues a longer token, as
// "48213" does in "ORD-48213".
func (t *textScan) attached(i int) bool {
	s := t.text
	if i < 2 {
		return false
	}
	switch s[i-1] {
	case '-', '.', '/', '_':
		return isAlnum(s[i-2])
	}
	return isAlnum(s[i-1])
}

func resolveOverlaps(fs []Finding) []Finding {
	if len(fs) < 2 {
		return fs
	}
	byStart := func(a, b Finding) int { return cmp.Compare(a.Start, b.Start) }
	if !slices.IsSortedFunc(fs, byStart) {
		slices.SortStableFunc(fs, byStart)
	}
	out := fs[:1]
	for _, f := range fs[1:] {
		last := &out[len(out)-1]
		if f.Start >= last.End {
			out = append(out, f)
			continue
		}
		if f.priority > last.priority ||
			(f.priority == last.priority && f.End-f.Start > last.End-last.Start) {
			*last = f
		}
	}
	return out
}

// Character classes, looked up in one table because the scanner tests
// every byte of the text.
const (
	classDigit uint8 = 1 << iota
	classUpper
	classLower
	classAlnum = classDigit | classUpper | classLower
)

var charClass = func() (table [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		table[c] = classDigit
	}
	for c := 'A'; c <= 'Z'; c++ {
		table[c] = classUpper
		table[c+'a'-'A'] = classLower
	}
	return table
}()

func isAlnum(c byte) bool  { return charClass[c]&classAlnum != 0 }
func isDigit(c byte) bool  { return charClass[c]&classDigit != 0 }
func isUpper(c byte) bool  { return charClass[c]&classUpper != 0 }
func isLower(c byte) bool  { return charClass[c]&classLower != 0 }
func isLetter(c byte) bool { return charClass[c]&(classUpper|classLower) != 0 }

func alnumEnd(s string, i int) int {
	for i < len(s) && isAlnum(s[i]) {
		i++
	}
	return i
}

// wordEnd returns the end of the alphanumeric run at i and whether it
// has a digit, in one pass.
func wordEnd(s string, i int) (int, bool) {
	var seen uint8
	for i < len(s) {
		class := charClass[s[i]]
		if class == 0 {
			break
		}
		seen |= class
		i++
	}
	return i, seen&classDigit != 0
}

func digitEnd(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	return c | (charClass[c] & classUpper << 4)
}
