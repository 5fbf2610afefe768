package phi

// wordIndex is a hash table of words keyed by the wordHash of their
// lower-case bytes, the hash the scanner computes for every word anyway.
// A lookup then usually costs one probe and one comparison, instead of a
// second hash of the word by a Go map. It is built once and read only after.
type wordIndex[V any] struct {
	words  []string // "" marks an empty slot
	values []V
	mask   uint32
}

// newWordIndex returns an index of the words in m, with room for four
// slots per word so that most probes end at the first slot.
func newWordIndex[V any](m map[string]V) *wordIndex[V] {
	size := 1
	for size < 4*len(m) {
		size *= 2
	}
	x := &wordIndex[V]{words: make([]string, size), values: make([]V, size), mask: uint32(size - 1)}
	for w, v := range m {
		p := hashOf(w) & x.mask
		for x.words[p] != "" {
			p = (p + 1) & x.mask
		}
		x.words[p], x.values[p] = w, v
	}
	return x
}

func hashOf(w string) uint32 {
	h := wordHashSeed
	for k := 0; k < len(w); k++ {
		h = wordHash(h, lower(w[k]))
	}
	return h
}

// lookupFold returns the value of the lower-case word equal to w folded
// to lower case, where h is the wordHash of w.
func (x *wordIndex[V]) lookupFold(h uint32, w string) (V, bool) {
	for p := h & x.mask; x.words[p] != ""; p = (p + 1) & x.mask {
		if equalFold(w, x.words[p]) {
			return x.values[p], true
		}
	}
	var zero V
	return zero, false
}

// lookup returns the value of the word spelled exactly as w, where h is
// the wordHash of w.
func (x *wordIndex[V]) lookup(h uint32, w string) (V, bool) {
	for p := h & x.mask; x.words[p] != ""; p = (p + 1) & x.mask {
		if x.words[p] == w {
			return x.values[p], true
		}
	}
	var zero V
	return zero, false
}

// equalFold reports whether w folded to lower case by lower is key.
func equalFold(w, key string) bool {
	if len(w) != len(key) {
		return false
	}
	for k := 0; k < len(w); k++ {
		if lower(w[k]) != key[k] {
			return false
		}
	}
	return true
}
