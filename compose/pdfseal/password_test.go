package pdfseal

import (
	"bytes"
	"crypto/rand"
	"errors"
	"math"
	"regexp"
	"strings"
	"testing"
)

func TestPasswordEntropyAtLeast64Bits(t *testing.T) {
	if PasswordEntropyBits < 64 {
		t.Fatalf("PasswordEntropyBits = %.1f, want at least 64", PasswordEntropyBits)
	}

	pw, err := NewPassword(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if got := passwordBits(pw); got != PasswordEntropyBits {
		t.Errorf("passwordBits(%q) = %.1f, want %.1f", pw, got, PasswordEntropyBits)
	}
}

func TestPasswordShapeReadable(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`)
	for range 200 {
		pw, err := NewPassword(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if !shape.MatchString(pw) {
			t.Fatalf("password %q does not have the shape XXXX-XXXX-XXXX-XXXX in Crockford base32", pw)
		}
	}
}

func TestPasswordSymbolsUniform(t *testing.T) {
	// Every byte value maps to one symbol, and each symbol to exactly
	// 8 byte values, so the choice is uniform over 32 symbols.
	counts := map[byte]int{}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for chunk := range slicesOf(all, passwordSymbols) {
		pw, err := NewPassword(bytes.NewReader(chunk))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []byte(strings.ReplaceAll(pw, "-", "")) {
			counts[c]++
		}
	}
	if len(counts) != 32 {
		t.Fatalf("passwords used %d distinct symbols, want 32", len(counts))
	}
	for c, n := range counts {
		if n != 8 {
			t.Errorf("symbol %q came from %d byte values, want 8", c, n)
		}
	}
	if got := math.Log2(float64(len(counts))); got != 5 {
		t.Errorf("bits per symbol = %v, want 5", got)
	}
}

func slicesOf(b []byte, n int) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for len(b) >= n {
			if !yield(b[:n]) {
				return
			}
			b = b[n:]
		}
	}
}

func TestPasswordShortRandomFails(t *testing.T) {
	_, err := NewPassword(bytes.NewReader([]byte{1, 2, 3}))
	if err == nil {
		t.Fatal("NewPassword with 3 random bytes succeeded, want an error")
	}
}

func TestNormalizePassword(t *testing.T) {
	cases := []struct{ typed, want string }{
		{"7kqm-2hxd-wb9t-4rzc", "7KQM-2HXD-WB9T-4RZC"},
		{"7KQM 2HXD WB9T 4RZC", "7KQM-2HXD-WB9T-4RZC"},
		{"oIl0-AAAA-BBBB-CCCC", "0110-AAAA-BBBB-CCCC"},
	}
	for _, c := range cases {
		if got := NormalizePassword(c.typed); got != c.want {
			t.Errorf("NormalizePassword(%q) = %q, want %q", c.typed, got, c.want)
		}
	}
}

func TestSealRejectsWeakPassword(t *testing.T) {
	_, err := Seal(Document{Text: "x"}, "ABCD-EFGH", rand.Reader)
	if !errors.Is(err, ErrWeakPassword) {
		t.Fatalf("Seal with an 8-symbol password: err = %v, want ErrWeakPassword", err)
	}
}
