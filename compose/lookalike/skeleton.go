package lookalike

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// confusables maps characters that look like a Latin letter in common
// fonts to that letter. It covers the Cyrillic and Greek lower-case
// letters used in homograph domains and the digits that pass for letters.
// It is our own short list, not the full Unicode confusables table.
var confusables = map[rune]string{
	// Cyrillic
	'а': "a", 'в': "b", 'е': "e", 'ё': "e", 'к': "k", 'м': "m", 'н': "h",
	'о': "o", 'р': "p", 'с': "c", 'т': "t", 'у': "y", 'х': "x", 'ѕ': "s",
	'і': "l", 'ї': "l", 'ј': "j", 'ԁ': "d", 'һ': "h", 'ӏ': "l", 'ԛ': "q",
	'ԝ': "w", 'ɡ': "g", 'ь': "b", 'п': "n", 'г': "r",
	// Greek
	'α': "a", 'β': "b", 'ε': "e", 'η': "n", 'ι': "l", 'κ': "k", 'ν': "v",
	'ο': "o", 'ρ': "p", 'τ': "t", 'υ': "u", 'χ': "x", 'ω': "w", 'γ': "y",
	// Latin letters and digits that pass for other letters
	'i': "l", '1': "l", '|': "l", '0': "o", '5': "s", '$': "s", '3': "e",
	'ı': "l", 'ℓ': "l",
}

// multiConfusables are letter pairs that render like one letter in many
// fonts; they are replaced before single characters.
var multiConfusables = strings.NewReplacer("rn", "m", "vv", "w", "cl", "d")

// Skeleton returns a form of s in which strings that look alike are
// equal. It applies compatibility normalization (NFKC), lower-cases and
// drops diacritics. Then it maps confusable characters to one Latin
// letter and replaces letter pairs such as "rn" with the letter they
// resemble.
func Skeleton(s string) string {
	s = norm.NFKC.String(strings.ToLower(s))

	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if repl, ok := confusables[r]; ok {
			b.WriteString(repl)
			continue
		}
		b.WriteRune(r)
	}
	return multiConfusables.Replace(b.String())
}

// scripts returns the scripts among Latin, Cyrillic and Greek that the
// letters of s use.
func scripts(s string) []string {
	var found []string
	for _, script := range []struct {
		name  string
		table *unicode.RangeTable
	}{{"Latin", unicode.Latin}, {"Cyrillic", unicode.Cyrillic}, {"Greek", unicode.Greek}} {
		for _, r := range s {
			if unicode.Is(script.table, r) {
				found = append(found, script.name)
				break
			}
		}
	}
	return found
}
