package pdfseal

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// crockford is Crockford's base32 alphabet: digits and upper-case letters
// without I, L, O and U, so a password read over the phone has no
// letters that sound or look like digits.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Password shape: four groups of four symbols of 5 bits each.
const (
	passwordGroups     = 4
	passwordGroupSize  = 4
	passwordSymbols    = passwordGroups * passwordGroupSize
	minPasswordEntropy = 64
)

// PasswordEntropyBits is the entropy of a password from NewPassword, in
// bits: each symbol is chosen uniformly from 32.
var PasswordEntropyBits = float64(passwordSymbols) * math.Log2(float64(len(crockford)))

// NewPassword returns a password such as "7KQM-2HXD-WB9T-4RZC" made from
// random bytes read from rand (crypto/rand.Reader in production). It has
// PasswordEntropyBits of entropy, 80 bits.
func NewPassword(rand io.Reader) (string, error) {
	raw := make([]byte, passwordSymbols)
	if _, err := io.ReadFull(rand, raw); err != nil {
		return "", fmt.Errorf("pdfseal: read random bytes for a password: %w", err)
	}

	var b strings.Builder
	for i, v := range raw {
		if i > 0 && i%passwordGroupSize == 0 {
			b.WriteByte('-')
		}
		// 256 is a multiple of 32, so the low 5 bits of a uniform byte
		// are uniform.
		b.WriteByte(crockford[v&31])
	}
	return b.String(), nil
}

// NormalizePassword turns what a person typed after hearing a password
// into the canonical form: upper case, I and L read as 1, O as 0, and the
// group separators restored.
func NormalizePassword(typed string) string {
	var symbols []byte
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == 'I' || r == 'L':
			symbols = append(symbols, '1')
		case r == 'O':
			symbols = append(symbols, '0')
		case strings.ContainsRune(crockford, r):
			symbols = append(symbols, byte(r))
		}
	}

	var b strings.Builder
	for i, c := range symbols {
		if i > 0 && i%passwordGroupSize == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// passwordBits returns the entropy of password in bits if each of its
// base32 symbols was chosen uniformly, which holds for NewPassword. It is
// an upper bound for a password a person chose.
func passwordBits(password string) float64 {
	symbols := 0
	for _, r := range password {
		if strings.ContainsRune(crockford, r) {
			symbols++
		}
	}
	return float64(symbols) * math.Log2(float64(len(crockford)))
}
