package phi

import (
	"sort"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/unicode/rangetable"
)

// foldedText is a copy of a text with look-alike characters folded to
// ASCII, as foldText makes it. The scanner's rules read text, and
// originalRange maps their matches back onto the original.
type foldedText struct {
	text string
	// changes lists the runes that folding changed or dropped, in order.
	// Bytes between them are copied unchanged. It is empty when text is
	// the original.
	changes []foldChange
}

// foldChange is one rune of the original at orig, origLen bytes long,
// that became the foldedLen bytes at folded in the folded text.
// foldedLen is zero for a dropped rune.
type foldChange struct {
	folded, orig       int
	foldedLen, origLen uint8
}

// maxFoldGrowth caps how many times longer than the original rune its
// folded form may be. A rune whose NFKC form is longer, such as U+FDFA
// (one rune, 18 after NFKC), is kept as it is. The cap bounds the folded
// copy of a hostile text at three times its size, and keeps every
// expansion that contains a digit, such as "⒇" to "(20)".
const maxFoldGrowth = 3

// Fold returns text as the scanner's rules read it: each rune that a
// clinician may type or paste in place of an ASCII character of an
// identifier is folded. NFKC folds full-width forms, ligatures and the
// no-break space. Any decimal digit (Unicode category Nd) becomes its
// ASCII digit, dashes (category Pd) and the minus sign become "-", and
// other spaces (category Zs) become " ". Format characters (category Cf)
// such as U+200B ZERO WIDTH SPACE and the soft hyphen are dropped.
// Invalid UTF-8 bytes are kept as they are.
func Fold(text string) string {
	return foldText(text).text
}

// foldText folds text as Fold does and records the changes. Text with no
// byte of 0x80 or more is returned as it is without further work, and
// text in which no rune changes is not copied.
func foldText(text string) foldedText {
	first := firstNonASCII(text)
	if first == len(text) {
		return foldedText{text: text}
	}

	var out foldedText
	var b strings.Builder
	var scratch [4 * utf8.UTFMax * maxFoldGrowth]byte
	copied := 0 // text[:copied] is in b, changed or not
	for i := first; i < len(text); {
		if text[i] < utf8.RuneSelf {
			i += firstNonASCII(text[i:])
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if isKeptRune(r) {
			i += size
			continue
		}
		folded, changed := foldRune(scratch[:0], r, text[i:i+size])
		if !changed {
			i += size
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(text))
		}
		b.WriteString(text[copied:i])
		out.changes = append(out.changes, foldChange{
			folded: b.Len(), orig: i,
			foldedLen: uint8(len(folded)), origLen: uint8(size),
		})
		b.Write(folded)
		i += size
		copied = i
	}
	if len(out.changes) == 0 {
		return foldedText{text: text}
	}
	b.WriteString(text[copied:])
	out.text = b.String()
	return out
}

// firstNonASCII returns the index of the first byte of s that is 0x80 or
// more, or len(s). It tests 32 bytes per step while it can, and slices
// s forward instead of indexing it, which lets the compiler drop bounds
// checks and merge each group of eight byte loads into one.
func firstNonASCII(s string) int {
	n := len(s)
	for len(s) >= 32 && (load64(s)|load64(s[8:])|load64(s[16:])|load64(s[24:]))&highBits == 0 {
		s = s[32:]
	}
	for len(s) >= 8 && load64(s)&highBits == 0 {
		s = s[8:]
	}
	for len(s) > 0 && s[0] < utf8.RuneSelf {
		s = s[1:]
	}
	return n - len(s)
}

// highBits has the high bit of each byte set.
const highBits = 0x8080808080808080

// load64 returns the first eight bytes of s as a little-endian number.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// bmpSize is the number of code points in the Basic Multilingual Plane.
const bmpSize = 0x10000

// keptBlocks are bit sets of the runes of the Basic Multilingual Plane
// that Fold keeps as they are, such as "é" and "中", one per block of 256
// runes. Each is built on first use, with one NFKC check per rune, so
// that text in a script other than Latin then costs one lookup per rune.
var keptBlocks [bmpSize / 256]atomic.Pointer[[4]uint64]

// isKeptRune reports whether r is a rune of the Basic Multilingual Plane
// that Fold keeps as it is. It reports false for other runes, whatever
// Fold does with them.
func isKeptRune(r rune) bool {
	if r < 0 || r >= bmpSize {
		return false
	}
	block := keptBlocks[r/256].Load()
	if block == nil {
		block = buildKeptBlock(r / 256)
	}
	bit := r % 256
	return block[bit/64]&(1<<(bit%64)) != 0
}

// buildKeptBlock builds and stores the bit set of block k. Two goroutines
// may build the same block at once, and both get the same bits.
func buildKeptBlock(k rune) *[4]uint64 {
	var block [4]uint64
	var scratch [4 * utf8.UTFMax * maxFoldGrowth]byte
	for bit := range rune(256) {
		r := k*256 + bit
		if r < utf8.RuneSelf || !utf8.ValidRune(r) {
			continue
		}
		if _, changed := foldRune(scratch[:0], r, string(r)); !changed {
			block[bit/64] |= 1 << (bit % 64)
		}
	}
	keptBlocks[k].Store(&block)
	return &block
}

// foldRune appends the folded form of the non-ASCII rune r, whose UTF-8
// encoding in the text is raw, to dst. It reports false, and appends
// nothing, when the folded form is raw itself.
func foldRune(dst []byte, r rune, raw string) ([]byte, bool) {
	if r == utf8.RuneError && len(raw) == 1 {
		return dst, false // an invalid byte
	}
	if unicode.Is(foldSimpleRunes, r) {
		c, keep := foldSimple(r)
		if keep {
			dst = append(dst, c)
		}
		return dst, true
	}
	if norm.NFKC.IsNormalString(raw) {
		return dst, false
	}

	// NFKC changes the rune: fold each rune of its NFKC form.
	var nfkc [64]byte
	start := len(dst)
	for _, c := range string(norm.NFKC.AppendString(nfkc[:0], raw)) {
		switch {
		case c < utf8.RuneSelf:
			dst = append(dst, byte(c))
		case !unicode.Is(foldSimpleRunes, c):
			dst = utf8.AppendRune(dst, c)
		default:
			if ascii, keep := foldSimple(c); keep {
				dst = append(dst, ascii)
			}
		}
	}
	folded := dst[start:]
	if string(folded) == raw || len(folded) > maxFoldGrowth*len(raw) {
		return dst[:start], false
	}
	return dst, true
}

// foldSimpleRunes are the runes that foldSimple folds, in one table for
// a fast lookup.
var foldSimpleRunes = rangetable.Merge(unicode.Nd, unicode.Pd, unicode.Zs, unicode.Cf,
	&unicode.RangeTable{R16: []unicode.Range16{{Lo: '\u2212', Hi: '\u2212', Stride: 1}}})

// foldSimple folds a rune of foldSimpleRunes: a decimal digit, a dash or
// the minus sign, a space or a format character. It reports keep false
// for a format character, which is dropped.
func foldSimple(r rune) (ascii byte, keep bool) {
	switch {
	case unicode.IsDigit(r):
		return byte('0' + digitValue(r)), true
	case unicode.Is(unicode.Zs, r):
		return ' ', true
	case unicode.Is(unicode.Cf, r):
		return 0, false
	}
	return '-', true
}

// digitValue returns the value of the decimal digit r. Unicode encodes
// each set of decimal digits (category Nd) as zero to nine on ten
// consecutive code points, and some sets follow each other, so the value
// is the count of digits just below r, modulo ten.
func digitValue(r rune) int {
	n := 0
	for unicode.IsDigit(r - rune(n) - 1) {
		n++
	}
	return n % 10
}

// originalRange returns the byte range of the original text that the
// folded range [start, end) came from. A range that starts or ends inside
// the folded form of one rune takes in that whole rune.
func (f *foldedText) originalRange(start, end int) (int, int) {
	if len(f.changes) == 0 {
		return start, end
	}
	if start >= end {
		p := f.originalStart(start)
		return p, p
	}
	return f.originalStart(start), f.originalEnd(end - 1)
}

// changeAt returns the last change whose folded form starts at or before
// folded byte i, or nil.
func (f *foldedText) changeAt(i int) *foldChange {
	k := sort.Search(len(f.changes), func(k int) bool { return f.changes[k].folded > i })
	if k == 0 {
		return nil
	}
	return &f.changes[k-1]
}

// originalStart returns the offset in the original of the first byte of
// the rune that gave folded byte i.
func (f *foldedText) originalStart(i int) int {
	c := f.changeAt(i)
	switch {
	case c == nil:
		return i
	case i < c.folded+int(c.foldedLen):
		return c.orig
	}
	return c.orig + int(c.origLen) + i - (c.folded + int(c.foldedLen))
}

// originalEnd returns the offset in the original just past the rune that
// gave folded byte i.
func (f *foldedText) originalEnd(i int) int {
	c := f.changeAt(i)
	if c != nil && i < c.folded+int(c.foldedLen) {
		return c.orig + int(c.origLen)
	}
	return f.originalStart(i) + 1
}
