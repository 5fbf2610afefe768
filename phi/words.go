package phi

// maxKeywordLen is the longest first word of any keyword phrase.
const maxKeywordLen = 32

// word looks up the token at [i, end), which starts with a letter, in the
// keyword table. hash is the wordHash of its lower-case bytes. It returns
// where scanning continues and whether the token was a keyword.
func (t *textScan) word(i, end int, hash uint32) (int, bool) {
	s := t.text
	n := end - i
	var matched bool
	next := end
	if n <= maxKeywordLen {
		if keywords.mayContain(hash) {
			if entries, ok := keywords.index.lookupFold(hash, s[i:end]); ok {
				matched, next = t.keyword(i, end, entries)
			}
		}
	}
	if matched {
		t.capEnd = farAway
		return max(next, end), true
	}
	t.trackCapitalized(i, end, hash)
	return end, false
}

// keyword applies the longest entries whose words follow at i.
func (t *textScan) keyword(i, end int, entries []keyword) (bool, int) {
	best := -1
	bestEnd := end
	for k := range entries {
		e := &entries[k]
		if e.exact != "" && t.text[i:end] != e.exact {
			continue
		}
		phraseEnd, ok := matchFollow(t.text, end, e.follow)
		if !ok {
			continue
		}
		if best < 0 || len(e.follow) > len(entries[best].follow) {
			best, bestEnd = k, phraseEnd
		}
	}
	if best < 0 {
		return false, end
	}
	next := bestEnd
	for k := range entries {
		e := &entries[k]
		if len(e.follow) != len(entries[best].follow) {
			continue
		}
		if e.exact != "" && t.text[i:end] != e.exact {
			continue
		}
		if _, ok := matchFollow(t.text, end, e.follow); !ok {
			continue
		}
		next = max(next, t.apply(e, i, bestEnd))
	}
	return true, next
}

// matchFollow matches the lower-case words of follow after pos, each after
// one or two separators, and returns the end of the last one.
func matchFollow(s string, pos int, follow []string) (int, bool) {
	for _, w := range follow {
		p := pos
		for k := 0; k < 2 && p < len(s) && isPhraseSep(s[p]); k++ {
			p++
		}
		if p == pos || p+len(w) > len(s) {
			return 0, false
		}
		for k := 0; k < len(w); k++ {
			if lower(s[p+k]) != w[k] {
				return 0, false
			}
		}
		pos = p + len(w)
		if pos < len(s) && isAlnum(s[pos]) && isAlnum(w[len(w)-1]) {
			return 0, false
		}
	}
	return pos, true
}

func isPhraseSep(c byte) bool {
	switch c {
	case ' ', '-', '.', '/', '\'', '\t', '\n', '\r':
		return true
	}
	return false
}

// apply carries out one keyword entry spanning [start, end) and returns
// where scanning continues.
func (t *textScan) apply(e *keyword, start, end int) int {
	switch e.act {
	case actCue:
		t.cueEnd[e.cue] = end
		switch e.cue {
		case cueBirth, cueAdmit, cueDischarge, cueDeath, cueVisit:
			t.dateCueSeen(e.cue, start)
		}
		if e.cue == cueBirth {
			t.nameBeforeBirth(start)
		}
	case actLabel:
		return t.labelValue(e.kind, end)
	case actTerm:
		t.add(e.kind, e.cat, start, end, prioTerm, "")
	case actTitle:
		return t.titleName(start, end)
	case actMonth:
		return t.writtenDate(start, end, e.month)
	case actURL:
		return t.url(start)
	}
	return end
}

// trackCapitalized extends or restarts the run of capitalized words at
// [i, end), whose wordHash is hash.
func (t *textScan) trackCapitalized(i, end int, hash uint32) {
	s := t.text
	if end-i == 1 && isUpper(s[i]) && end < len(s) && s[end] == '\'' && t.capEnd == i-1 && s[i-1] == ' ' {
		t.capEnd = end // the "O" of "O'Farrelly"
		t.capWords++
		return
	}
	if !isNameWord(s[i:end]) || isStopWord(hash, s[i:end]) {
		t.capEnd = farAway
		return
	}
	if t.capEnd == i-1 && t.capWords < 4 {
		switch t.text[i-1] {
		case ' ':
			t.capEnd = end
			t.capWords++
			return
		case '-', '\'':
			t.capEnd = end // "Smith-Cavanagh" and "O'Farrelly" are one name word
			return
		}
	}
	t.capStart, t.capEnd, t.capWords = i, end, 1
}

func isStopWord(hash uint32, w string) bool {
	_, ok := nameStopIndex.lookup(hash, w)
	return ok
}

// isNameWord reports whether w looks like a name: letters only, of at
// least two, starting with a capital ("Lopez", "McDonald", "LOPEZ").
func isNameWord(w string) bool {
	if len(w) < 2 || !isUpper(w[0]) {
		return false
	}
	for k := 1; k < len(w); k++ {
		if !isLetter(w[k]) {
			return false
		}
	}
	return true
}
