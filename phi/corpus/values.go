package corpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// values makes identifier values, valid and invalid, from one random
// source so that a seed fixes the whole corpus.
type values struct{ rng *rand.Rand }

func (v values) pick(list []string) string { return list[v.rng.IntN(len(list))] }

func (v values) digits(n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + v.rng.IntN(10)))
	}
	return b.String()
}

func (v values) digitRange(lo, hi int) int { return lo + v.rng.IntN(hi-lo+1) }

// ssn returns a number that the SSA rules allow.
func (v values) ssn() string {
	area := v.digitRange(1, 899)
	if area == 666 {
		area = 667
	}
	s := fmt.Sprintf("%03d-%02d-%04d", area, v.digitRange(1, 99), v.digitRange(1, 9999))
	if s == "078-05-1120" || s == "219-09-9999" || s == "123-45-6789" {
		return "524-71-3309"
	}
	return s
}

// invalidSSN returns a number in SSN format that the SSA never issues.
func (v values) invalidSSN() string {
	switch v.rng.IntN(6) {
	case 0:
		return fmt.Sprintf("000-%02d-%04d", v.digitRange(1, 99), v.digitRange(1, 9999))
	case 1:
		return fmt.Sprintf("666-%02d-%04d", v.digitRange(1, 99), v.digitRange(1, 9999))
	case 2:
		return fmt.Sprintf("%03d-%02d-%04d", v.digitRange(900, 999), v.digitRange(1, 99), v.digitRange(1, 9999))
	case 3:
		return fmt.Sprintf("%03d-00-%04d", v.digitRange(1, 665), v.digitRange(1, 9999))
	case 4:
		return fmt.Sprintf("%03d-%02d-0000", v.digitRange(1, 665), v.digitRange(1, 99))
	}
	return v.pick([]string{"078-05-1120", "219-09-9999", "123-45-6789"})
}

func (v values) phoneParts() (string, string, string) {
	area := fmt.Sprintf("%d%d%d", v.digitRange(2, 9), v.digitRange(0, 9), v.digitRange(0, 9))
	if area[1] == '1' && area[2] == '1' {
		area = area[:2] + "2"
	}
	exchange := fmt.Sprintf("%d%s", v.digitRange(2, 9), v.digits(2))
	return area, exchange, v.digits(4)
}

// phone returns a North American number in one of the usual layouts.
func (v values) phone() string {
	a, e, n := v.phoneParts()
	switch v.rng.IntN(6) {
	case 0:
		return fmt.Sprintf("(%s) %s-%s", a, e, n)
	case 1:
		return fmt.Sprintf("%s-%s-%s", a, e, n)
	case 2:
		return fmt.Sprintf("%s.%s.%s", a, e, n)
	case 3:
		return fmt.Sprintf("+1 %s %s %s", a, e, n)
	case 4:
		return fmt.Sprintf("1-%s-%s-%s", a, e, n)
	}
	return fmt.Sprintf("%s %s %s", a, e, n)
}

// npiCheckDigit computes the Luhn check digit over 80840 and nine digits.
func npiCheckDigit(base string) byte {
	full := "80840" + base
	sum := 0
	for k := len(full) - 1; k >= 0; k-- {
		d := int(full[k] - '0')
		if (len(full)-1-k)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

func (v values) npi() string {
	base := fmt.Sprintf("%d%s", v.digitRange(1, 2), v.digits(8))
	return base + string(npiCheckDigit(base))
}

func (v values) invalidNPI() string {
	good := v.npi()
	wrong := byte('0' + (int(good[9]-'0')+1+v.rng.IntN(9))%10)
	return good[:9] + string(wrong)
}

func (v values) dea(valid bool) string {
	types := "ABFGMPR"
	d := v.digits(6)
	sum := int(d[0]-'0') + int(d[2]-'0') + int(d[4]-'0') + 2*(int(d[1]-'0')+int(d[3]-'0')+int(d[5]-'0'))
	check := sum % 10
	if !valid {
		check = (check + 1 + v.rng.IntN(9)) % 10
	}
	initial := byte('A' + v.rng.IntN(26))
	return fmt.Sprintf("%c%c%s%d", types[v.rng.IntN(len(types))], initial, d, check)
}

const mbiLetters = "ACDEFGHJKMNPQRTUVWXY"

// mbi returns a Medicare Beneficiary Identifier, valid or with one of the
// excluded letters S, L, O, I, B or Z in a letter position.
func (v values) mbi(valid bool) string {
	letter := func() byte { return mbiLetters[v.rng.IntN(len(mbiLetters))] }
	either := func() byte {
		if v.rng.IntN(2) == 0 {
			return letter()
		}
		return byte('0' + v.rng.IntN(10))
	}
	digit := func() byte { return byte('0' + v.rng.IntN(10)) }
	b := []byte{byte('1' + v.rng.IntN(9)), letter(), either(), digit(), letter(), either(),
		digit(), letter(), letter(), digit(), digit()}
	if !valid {
		b[[]int{1, 4, 7, 8}[v.rng.IntN(4)]] = "SLOIBZ"[v.rng.IntN(6)]
	}
	s := string(b)
	if v.rng.IntN(2) == 0 {
		return s[:4] + "-" + s[4:7] + "-" + s[7:]
	}
	return s
}

func (v values) icd10() string {
	letters := "ABCDEFGHIJKLMNOPQRSTVWXYZ"
	code := fmt.Sprintf("%c%s", letters[v.rng.IntN(len(letters))], v.digits(2))
	return code + "." + v.digits(1+v.rng.IntN(2))
}

func (v values) name() string {
	name := v.pick(givenNames) + " " + v.pick(familyNames)
	if v.rng.IntN(4) == 0 {
		parts := strings.SplitN(name, " ", 2)
		return strings.ToUpper(parts[1]) + ", " + strings.ToUpper(parts[0])
	}
	return name
}

func (v values) email() string {
	local := strings.ToLower(v.pick(givenNames)) + "." + strings.ToLower(strings.ReplaceAll(v.pick(familyNames), "'", ""))
	if v.rng.IntN(3) == 0 {
		local += v.digits(2)
	}
	return local + "@" + v.pick(domains)
}

func (v values) url() string {
	return fmt.Sprintf("https://portal.%s/records?patient=%s", v.pick(domains), v.digits(6))
}

func (v values) ipv4() string {
	return fmt.Sprintf("%d.%d.%d.%d", v.digitRange(1, 223), v.rng.IntN(256), v.rng.IntN(256), v.digitRange(1, 254))
}

func (v values) ipv6() string {
	return fmt.Sprintf("2001:db8:%x:%x::%x", v.rng.IntN(0xffff), v.rng.IntN(0xffff), v.digitRange(1, 0xffff))
}

// date returns a valid date in one of the usual layouts.
func (v values) date() string {
	y, m, d := v.digitRange(1930, 2025), v.digitRange(1, 12), v.digitRange(1, 28)
	months := []string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	switch v.rng.IntN(5) {
	case 0:
		return fmt.Sprintf("%02d/%02d/%d", m, d, y)
	case 1:
		return fmt.Sprintf("%d-%02d-%02d", y, m, d)
	case 2:
		return fmt.Sprintf("%s %d, %d", months[m-1], d, y)
	case 3:
		return fmt.Sprintf("%d %s %d", d, months[m-1], y)
	}
	return fmt.Sprintf("%d/%d/%02d", m, d, y%100)
}

func (v values) mrn() string     { return v.digits(v.digitRange(6, 10)) }
func (v values) account() string { return v.digits(4) + "-" + v.digits(4) + "-" + v.digits(2) }
func (v values) plan() string {
	return string(rune('A'+v.rng.IntN(26))) + string(rune('A'+v.rng.IntN(26))) + v.digits(9)
}
func (v values) license() string { return v.pick([]string{"MD", "RN", "DO", "PA"}) + v.digits(6) }
func (v values) serial() string  { return "SN-" + v.digits(7) + string(rune('A'+v.rng.IntN(26))) }

// street returns a house number and a street name with its type.
func (v values) street() string {
	return fmt.Sprintf("%d %s %s", v.digitRange(1, 9999), v.pick(streetNames), v.pick(streetTypes))
}

func (v values) zip() string {
	if v.rng.IntN(4) == 0 {
		return v.digits(5) + "-" + v.digits(4)
	}
	return v.digits(5)
}
