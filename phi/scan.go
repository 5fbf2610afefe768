package phi

import (
	"sort"
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
	out   []finding

	cueEnd [numCues]int

	// capStart and capEnd span the last run of capitalized words, for
	// "Jane Doe, DOB 01/02/1960". capWords counts its words.
	capStart, capEnd, capWords int

	// pendStart and pendEnd span the last date without a cue before it.
	pendStart, pendEnd int
}

// finding is a Finding under construction; priority decides overlaps.
type finding struct {
	Finding
	priority int
}

const (
	prioTerm = iota
	prioStructured
	prioLabelled
)

const farAway = -1 << 30

func (s *Scanner) scanText(text string, field Field, att int) []finding {
	t := textScan{sc: s, text: text, field: field, att: att, pendStart: -1, capEnd: farAway}
	for c := range t.cueEnd {
		t.cueEnd[c] = farAway
	}
	t.run()
	for _, re := range s.cfg.mrn {
		for _, loc := range re.FindAllStringIndex(text, -1) {
			t.add(KindMRN, CategoryIdentifier, loc[0], loc[1], prioLabelled, "")
		}
	}
	return resolveOverlaps(t.out)
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

func (t *textScan) add(kind Kind, cat Category, start, end, prio int, note string) {
	raw := t.text[start:end]
	f := finding{priority: prio}
	f.Kind = kind
	f.Category = cat
	f.Field = t.field
	f.Attachment = t.att
	f.Start = start
	f.End = end
	f.Excerpt = excerpt(kind, raw)
	f.Explanation = explain(kind, cat, t.field, note)
	t.out = append(t.out, f)
}

// token handles the alphanumeric token starting at i and returns where
// scanning continues.
func (t *textScan) token(i int) int {
	s := t.text
	end := alnumEnd(s, i)
	if isLetter(s[i]) {
		if next, matched := t.word(i, end); matched || !hasDigit(s[i:end]) {
			return next
		}
	}
	return t.compound(i, end)
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

func resolveOverlaps(fs []finding) []finding {
	if len(fs) < 2 {
		return fs
	}
	sort.SliceStable(fs, func(a, b int) bool { return fs[a].Start < fs[b].Start })
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

func isAlnum(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isLetter(c byte) bool {
	return isUpper(c) || isLower(c)
}

func alnumEnd(s string, i int) int {
	for i < len(s) && isAlnum(s[i]) {
		i++
	}
	return i
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
	if isUpper(c) {
		return c + 'a' - 'A'
	}
	return c
}
