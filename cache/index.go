package cache

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Blind-index domains. A term is hashed together with its domain, so the
// same word in the subject and in the body gives unrelated tags.
const (
	domainWord      = "w" // any word of subject, body, addresses, file names
	domainPrefix    = "p" // word prefixes of minPrefix..maxPrefix runes
	domainFrom      = "f" // words and whole addresses of From
	domainRecipient = "r" // words and whole addresses of To and Cc
	domainSubject   = "s" // words of Subject
)

const (
	minWordRunes = 2
	maxWordRunes = 64
	// minPrefix and maxPrefix bound the prefixes that are indexed. A
	// longer query prefix is cut to maxPrefix runes, so it may match
	// words that share only the first maxPrefix runes.
	minPrefix = 3
	maxPrefix = 8
	// maxTermsPerMessage caps the index rows one message adds.
	maxTermsPerMessage = 20000
)

// words splits text into lower-case words of letters and digits.
func words(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		n := utf8.RuneCountInString(w)
		if n < minWordRunes || n > maxWordRunes {
			continue
		}
		out = append(out, strings.ToLower(w))
	}
	return out
}

// prefixes returns the prefixes of w from minPrefix to maxPrefix runes,
// including w itself when it is short enough.
func prefixes(w string) []string {
	var out []string
	n := 0
	for i := range w {
		if n >= minPrefix && n <= maxPrefix {
			out = append(out, w[:i])
		}
		n++
	}
	if n >= minPrefix && n <= maxPrefix {
		out = append(out, w)
	}
	return out
}

// termSet collects the distinct tags of one message.
type termSet struct {
	keys sealer
	seen map[int64]struct{}
	tags []int64
}

func newTermSet(keys sealer, existing []int64) *termSet {
	ts := &termSet{keys: keys, seen: make(map[int64]struct{}, len(existing)+256)}
	for _, t := range existing {
		ts.seen[t] = struct{}{}
		ts.tags = append(ts.tags, t)
	}
	return ts
}

func (ts *termSet) add(domain, term string) {
	if len(ts.tags) >= maxTermsPerMessage {
		return
	}
	t := ts.keys.tag(domain, []byte(term))
	if _, ok := ts.seen[t]; ok {
		return
	}
	ts.seen[t] = struct{}{}
	ts.tags = append(ts.tags, t)
}

// addText indexes every word of text and its prefixes.
func (ts *termSet) addText(text string) {
	for _, w := range words(text) {
		ts.add(domainWord, w)
		for _, p := range prefixes(w) {
			ts.add(domainPrefix, p)
		}
	}
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
func messageTerms(keys sealer, p *parsedMessage) []int64 {
	ts := newTermSet(keys, nil)
	for _, w := range words(p.summary.Subject) {
		ts.add(domainSubject, w)
	}
	ts.addText(p.summary.Subject)
	ts.addAddresses(domainFrom, []string{p.summary.From})
	ts.addAddresses(domainRecipient, p.summary.To)
	ts.addAddresses(domainRecipient, p.summary.Cc)
	ts.addText(p.body)
	return ts.tags
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

// queryTags turns the text filters of q into the tags every match must
// carry.
func queryTags(keys sealer, q *Query) ([]int64, error) {
	var tags []int64
	addWords := func(domain, field, text string) error {
		ws := words(text)
		if len(ws) == 0 {
			return fmt.Errorf("%w: the %s filter has no word of %d or more letters or digits; type a longer word", ErrInvalidQuery, field, minWordRunes)
		}
		for _, w := range ws {
			tags = append(tags, keys.tag(domain, []byte(w)))
		}
		return nil
	}
	addAddress := func(domain, field, text string) error {
		if addr := bareAddress(text); addr != "" {
			tags = append(tags, keys.tag(domain, []byte(addr)))
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
		w := ws[0]
		if utf8.RuneCountInString(w) > maxPrefix {
			w = string([]rune(w)[:maxPrefix])
		}
		tags = append(tags, keys.tag(domainPrefix, []byte(w)))
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
	return tags, nil
}
