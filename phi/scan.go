package phi

import (
	"cmp"
	"slices"
	"sync"
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
	out   []candidate

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

// candidate is a finding before overlaps are resolved. On 64-bit
// platforms it takes 72 bytes against the 120 of a Finding, which matters
// in text dense with identifiers, where a scan records tens of thousands.
type candidate struct {
	kind       Kind
	cat        Category
	note       string // a more precise description for the explanation
	start, end int
	priority   int8 // decides which of two overlapping candidates stays
}

// candidatePool reuses candidate slices between scans, so that once the
// pool is warm the candidates of a scan cost no allocation.
var candidatePool = sync.Pool{New: func() any { return new([]candidate) }}

// scanText runs every rule on the folded copy of text (see Fold), so that
// look-alike characters do not hide an identifier. The findings' excerpts
// are masked from the folded copy, and their offsets are mapped back onto
// text.
func (s *Scanner) scanText(text string, field Field, att int) []Finding {
	folded := foldText(text)
	text = folded.text
	t := textScan{sc: s, text: text, field: field, att: att, pendStart: -1, capEnd: farAway}
	pooled := candidatePool.Get().(*[]candidate)
	t.out = (*pooled)[:0]
	for c := range t.cueEnd {
		t.cueEnd[c] = farAway
	}
	t.run()
	for _, re := range s.cfg.mrn {
		for _, loc := range re.FindAllStringIndex(text, -1) {
			// A pattern such as `\b\d*\b` passes the empty-text check in
			// compile but matches empty text at every word boundary.
			if loc[0] == loc[1] {
				continue
			}
			t.add(KindMRN, CategoryIdentifier, loc[0], loc[1], prioLabelled, "")
		}
	}
	kept := resolveOverlaps(t.out)
	kept = slices.DeleteFunc(kept, func(c candidate) bool { return !s.cfg.enabled(c.cat) })
	out := mapFindings(t.findings(kept), &folded)
	clear(t.out) // entries past len were cleared before the last Put
	*pooled = t.out[:0]
	candidatePool.Put(pooled)
	return out
}

// mapFindings maps the ranges of findings, which are in order and do not
// overlap, from the folded text back onto the original. Where one
// character of the original folds to several, two findings can map onto
// it both. The later one then starts after it, and is dropped if nothing
// of it is left, since the earlier one covers it.
func mapFindings(out []Finding, folded *foldedText) []Finding {
	if len(folded.changes) == 0 {
		return out
	}
	prevEnd := 0
	mapped := out[:0]
	for _, f := range out {
		f.Start, f.End = folded.originalRange(f.Start, f.End)
		f.Start = max(f.Start, prevEnd)
		if f.Start >= f.End {
			continue
		}
		mapped = append(mapped, f)
		prevEnd = f.End
	}
	return mapped
}

// findings builds the findings of the kept candidates, with their masked
// excerpts and explanations. The excerpts are written to one buffer and
// converted to one string, of which each Excerpt is a part. A dense text
// then costs a few allocations for its excerpts, not one per finding.
func (t *textScan) findings(kept []candidate) []Finding {
	if len(kept) == 0 {
		return []Finding{} // callers get an empty, non-nil slice
	}
	texts := make(map[Kind]*kindTexts)
	ends := make([]int, len(kept))
	buf := make([]byte, 0, len(kept)*32)
	out := make([]Finding, len(kept))
	for k, c := range kept {
		kt := texts[c.kind]
		if kt == nil {
			kt = &kindTexts{label: kindLabels[c.kind]}
			texts[c.kind] = kt
		}
		buf = appendExcerpt(buf, c.kind, kt.label, t.text[c.start:c.end])
		ends[k] = len(buf)
		out[k] = Finding{
			Kind: c.kind, Category: c.cat, Field: t.field, Attachment: t.att,
			Start: c.start, End: c.end,
			Explanation: kt.explain(c.kind, c.cat, t.field, c.note),
		}
	}

	excerpts := string(buf)
	begin := 0
	for k := range out {
		out[k].Excerpt = excerpts[begin:ends[k]]
		begin = ends[k]
	}
	return out
}

// kindTexts holds the label of one kind and the explanations already
// built for it in one scan. A kind usually has one or two distinct
// explanations in a scan, so a linear search is faster than hashing the key of the
// shared cache for every finding.
type kindTexts struct {
	label        string
	explanations []explanationKey
	texts        []string
}

func (kt *kindTexts) explain(kind Kind, cat Category, field Field, note string) string {
	for k, key := range kt.explanations {
		if key.cat == cat && key.note == note {
			return kt.texts[k]
		}
	}
	text := explain(kind, cat, field, note)
	kt.explanations = append(kt.explanations, explanationKey{kind, cat, field, note})
	kt.texts = append(kt.texts, text)
	return text
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

// add records a candidate finding. Its excerpt and explanation are filled in after
// overlaps are resolved, so that dropped findings cost no strings.
func (t *textScan) add(kind Kind, cat Category, start, end int, prio int8, note string) {
	t.out = append(t.out, candidate{
		kind: kind, cat: cat, note: note, start: start, end: end, priority: prio,
	})
}

// token handles the alphanumeric token starting at i and returns where
// scanning continues.
func (t *textScan) token(i int) int {
	s := t.text
	if isLetter(s[i]) {
		end, digits, hash := wordEnd(s, i)
		if next, matched := t.word(i, end, hash); matched || !digits {
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

func resolveOverlaps(cs []candidate) []candidate {
	if len(cs) < 2 {
		return cs
	}
	byStart := func(a, b candidate) int { return cmp.Compare(a.start, b.start) }
	if !slices.IsSortedFunc(cs, byStart) {
		slices.SortStableFunc(cs, byStart)
	}
	out := cs[:1]
	for _, c := range cs[1:] {
		last := &out[len(out)-1]
		if c.start >= last.end {
			out = append(out, c)
			continue
		}
		if c.priority > last.priority ||
			(c.priority == last.priority && c.end-c.start > last.end-last.start) {
			*last = c
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

// wordEnd returns the end of the alphanumeric run at i, whether it has a
// digit, and the wordHash of its lower-case bytes, in one pass.
func wordEnd(s string, i int) (int, bool, uint32) {
	var seen uint8
	h := wordHashSeed
	for i < len(s) {
		c := s[i]
		class := charClass[c]
		if class == 0 {
			break
		}
		seen |= class
		h = wordHash(h, c|(class&classUpper)<<4)
		i++
	}
	return i, seen&classDigit != 0, h
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
