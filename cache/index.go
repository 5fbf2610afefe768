package cache

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Blind-index domains. A term is hashed together with its domain, so the
// same word in the subject and in the body gives unrelated tags.
const (
	domainWord      = "w" // any word of subject, body, addresses, file names
	domainPrefix    = "p" // word prefixes of minPrefix or more runes, in the prefix dictionary
	domainFrom      = "f" // words and whole addresses of From
	domainRecipient = "r" // words and whole addresses of To and Cc
	domainSubject   = "s" // words of Subject
)

const (
	minWordRunes = 2
	maxWordRunes = 64
	// minPrefix is the shortest prefix that can be searched.
	minPrefix = 3
	// maxTermsPerMessage caps the index rows one message adds.
	maxTermsPerMessage = 20000
)

// words splits text into lower-case words of letters and digits.
func words(text string) []string {
	var out []string
	eachWord(text, func(w string) { out = append(out, w) })
	return out
}

// eachWord calls fn with each lower-case word of letters and digits in
// text, in order, skipping words shorter than minWordRunes or longer
// than maxWordRunes runes. It allocates only for words with upper-case
// letters; the sync benchmark spent a tenth of its time splitting text.
// Text is first brought to Unicode NFC, so a name typed with a combining
// accent, as some systems write it, is one word equal to the precomposed
// one a keyboard types.
func eachWord(text string, fn func(w string)) {
	if !norm.NFC.IsNormalString(text) {
		text = norm.NFC.String(text)
	}
	start, runes, upper := -1, 0, false
	emit := func(end int) {
		if runes >= minWordRunes && runes <= maxWordRunes {
			w := text[start:end]
			if upper {
				w = strings.ToLower(w)
			}
			fn(w)
		}
		start, runes, upper = -1, 0, false
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			case 'A' <= c && c <= 'Z':
				upper = true
			default:
				if start >= 0 {
					emit(i)
				}
				i++
				continue
			}
			if start < 0 {
				start = i
			}
			runes++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			upper = upper || r != unicode.ToLower(r)
			runes++
		} else if start >= 0 {
			emit(i)
		}
		i += size
	}
	if start >= 0 {
		emit(len(text))
	}
}

// prefixes returns the prefixes of w of minPrefix or more runes,
// including w itself.
func prefixes(w string) []string {
	var out []string
	n := 0
	for i := range w {
		if n >= minPrefix {
			out = append(out, w[:i])
		}
		n++
	}
	if n >= minPrefix {
		out = append(out, w)
	}
	return out
}

// termSet collects the distinct tags of one message, and the distinct
// words whose prefixes go into the prefix dictionary.
type termSet struct {
	keys  sealer
	seen  map[int64]struct{}
	tags  []int64
	words map[int64]string // word tag to word
	// added remembers the terms already tagged, so a word that repeats
	// in a message costs a map lookup instead of an HMAC.
	added map[termKey]struct{}
}

type termKey struct{ domain, term string }

func newTermSet(keys sealer, existing []int64) *termSet {
	ts := &termSet{keys: keys, seen: make(map[int64]struct{}, len(existing)+256),
		words: make(map[int64]string), added: make(map[termKey]struct{}, 256)}
	for _, t := range existing {
		ts.seen[t] = struct{}{}
		ts.tags = append(ts.tags, t)
	}
	return ts
}

func (ts *termSet) add(domain, term string) int64 {
	if len(ts.tags) >= maxTermsPerMessage {
		return 0
	}
	k := termKey{domain, term}
	if _, ok := ts.added[k]; ok {
		return 0
	}
	ts.added[k] = struct{}{}
	t := ts.keys.tag(domain, []byte(term))
	if _, ok := ts.seen[t]; ok {
		return 0
	}
	ts.seen[t] = struct{}{}
	ts.tags = append(ts.tags, t)
	return t
}

// addText indexes every word of text.
func (ts *termSet) addText(text string) {
	eachWord(text, func(w string) {
		if t := ts.add(domainWord, w); t != 0 {
			ts.words[t] = w
		}
	})
}

// addAddresses indexes address fields under domain: each word, and each
// whole address in lower case.
func (ts *termSet) addAddresses(domain string, list []string) {
	for _, a := range list {
		for _, w := range words(a) {
			ts.add(domain, w)
		}
		if addr := bareAddress(a); addr != "" {
			ts.add(domain, addr)
		}
		ts.addText(a)
	}
}

// bareAddress returns the lower-case addr-spec of a formatted address,
// or "" when it has none.
func bareAddress(a string) string {
	if i := strings.LastIndexByte(a, '<'); i >= 0 {
		if j := strings.IndexByte(a[i:], '>'); j > 0 {
			a = a[i+1 : i+j]
		}
	}
	a = strings.ToLower(strings.TrimSpace(a))
	if !strings.Contains(a, "@") || strings.ContainsAny(a, " \t") {
		return ""
	}
	return a
}

// messageTerms returns the tags for a parsed message.
func messageTerms(keys sealer, p *parsedMessage) *termSet {
	ts := newTermSet(keys, nil)
	for _, w := range words(p.summary.Subject) {
		ts.add(domainSubject, w)
	}
	ts.addText(p.summary.Subject)
	ts.addAddresses(domainFrom, []string{p.summary.From})
	ts.addAddresses(domainRecipient, p.summary.To)
	ts.addAddresses(domainRecipient, p.summary.Cc)
	ts.addText(p.body)
	return ts
}

func encodeTags(tags []int64) []byte {
	b := make([]byte, 8*len(tags))
	for i, t := range tags {
		binary.BigEndian.PutUint64(b[8*i:], uint64(t))
	}
	return b
}

func decodeTags(b []byte) ([]int64, error) {
	if len(b)%8 != 0 {
		return nil, fmt.Errorf("%w: term list of %d bytes is not a multiple of 8", ErrCorrupt, len(b))
	}
	tags := make([]int64, len(b)/8)
	for i := range tags {
		tags[i] = int64(binary.BigEndian.Uint64(b[8*i:]))
	}
	return tags, nil
}

// condition is one text filter of a query: a message matches when it has
// the index tag, or for a prefix, any word tag listed under the prefix
// tag in the prefix dictionary.
type condition struct {
	tag    int64
	prefix bool
}

// queryConditions turns the text filters of q into the conditions every
// match must meet.
func queryConditions(keys sealer, q *Query) ([]condition, error) {
	var conds []condition
	addWords := func(domain, field, text string) error {
		ws := words(text)
		if len(ws) == 0 {
			return fmt.Errorf("%w: the %s filter has no word of %d or more letters or digits; type a longer word", ErrInvalidQuery, field, minWordRunes)
		}
		for _, w := range ws {
			conds = append(conds, condition{tag: keys.tag(domain, []byte(w))})
		}
		return nil
	}
	addAddress := func(domain, field, text string) error {
		if addr := bareAddress(text); addr != "" {
			conds = append(conds, condition{tag: keys.tag(domain, []byte(addr))})
			return nil
		}
		return addWords(domain, field, text)
	}

	for _, w := range q.Words {
		if err := addWords(domainWord, "word", w); err != nil {
			return nil, err
		}
	}
	for _, p := range q.Prefixes {
		ws := words(p)
		if len(ws) != 1 || utf8.RuneCountInString(ws[0]) < minPrefix {
			return nil, fmt.Errorf("%w: a prefix must be one word of at least %d letters or digits; type a longer prefix", ErrInvalidQuery, minPrefix)
		}
		conds = append(conds, condition{tag: keys.tag(domainPrefix, []byte(ws[0])), prefix: true})
	}
	if q.From != "" {
		if err := addAddress(domainFrom, "sender", q.From); err != nil {
			return nil, err
		}
	}
	if q.To != "" {
		if err := addAddress(domainRecipient, "recipient", q.To); err != nil {
			return nil, err
		}
	}
	if q.Subject != "" {
		if err := addWords(domainSubject, "subject", q.Subject); err != nil {
			return nil, err
		}
	}
	// A single tag drives the scan best because its rows come in date
	// order; prefix conditions go last.
	slices.SortStableFunc(conds, func(a, b condition) int {
		switch {
		case a.prefix == b.prefix:
			return 0
		case b.prefix:
			return -1
		}
		return 1
	})
	return conds, nil
}
