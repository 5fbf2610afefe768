package phi

// validSSN applies the Social Security Administration's rules to nine
// digits: no area 000, 666 or 900-999, no group 00, no serial 0000, and
// not one of the numbers that were published in advertising.
func validSSN(d string) bool {
	if len(d) != 9 || !allDigits(d) {
		return false
	}
	area, group, serial := atoi(d[:3]), atoi(d[3:5]), atoi(d[5:])
	if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 {
		return false
	}
	switch d {
	case "078051120", "219099999", "123456789":
		return false
	}
	return true
}

// validNANP reports whether an area code and exchange follow the North
// American Numbering Plan: both start with 2-9, and the area code is not
// an N11 service code.
func validNANP(area, exchange string) bool {
	if len(area) != 3 || len(exchange) != 3 || area[0] < '2' || exchange[0] < '2' {
		return false
	}
	return !(area[1] == '1' && area[2] == '1')
}

// validNPI checks the ten-digit National Provider Identifier. Its last
// digit is a Luhn check digit over the prefix 80840 and the first nine
// digits. The prefix adds a constant 24 to the Luhn sum.
func validNPI(d string) bool {
	if len(d) != 10 || !allDigits(d) {
		return false
	}
	sum := 24
	for k := 8; k >= 0; k-- {
		v := int(d[k] - '0')
		if (8-k)%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	check := (10 - sum%10) % 10
	return check == int(d[9]-'0')
}

// deaRegistrantTypes are the letters that start DEA numbers, one per
// registrant type (practitioners, mid-level practitioners, distributors,
// manufacturers and others).
// NOTE: the set was written from general knowledge, not from a DEA
// document; a number starting with another letter is not detected.
const deaRegistrantTypes = "ABCDEFGHJKLMPRSTUX"

// validDEA checks a DEA registration number: a registrant-type letter, the
// registrant's last-name initial (or 9 for a business), and seven digits
// of which the last is (d1+d3+d5 + 2*(d2+d4+d6)) mod 10.
func validDEA(s string) bool {
	if len(s) != 9 || !isUpper(s[0]) || !containsByte(deaRegistrantTypes, s[0]) {
		return false
	}
	if !isUpper(s[1]) && s[1] != '9' {
		return false
	}
	d := s[2:]
	if !allDigits(d) {
		return false
	}
	sum := int(d[0]-'0') + int(d[2]-'0') + int(d[4]-'0') +
		2*(int(d[1]-'0')+int(d[3]-'0')+int(d[5]-'0'))
	return sum%10 == int(d[6]-'0')
}

func containsByte(set string, c byte) bool {
	for k := 0; k < len(set); k++ {
		if set[k] == c {
			return true
		}
	}
	return false
}

// validMBI checks the 11 characters of a Medicare Beneficiary Identifier
// (dashes removed). CMS fixes each position: 1 is a digit 1-9; 2, 5, 8 and
// 9 are letters; 4, 7, 10 and 11 are digits; 3 and 6 are a letter or a
// digit. The letters S, L, O, I, B and Z are never used.
func validMBI(s string) bool {
	if len(s) != 11 || s[0] < '1' || s[0] > '9' {
		return false
	}
	for k := 1; k < 11; k++ {
		c := s[k]
		switch k {
		case 1, 4, 7, 8:
			if !mbiLetter(c) {
				return false
			}
		case 3, 6, 9, 10:
			if !isDigit(c) {
				return false
			}
		default:
			if !mbiLetter(c) && !isDigit(c) {
				return false
			}
		}
	}
	return true
}

func mbiLetter(c byte) bool {
	return isUpper(c) && !containsByte("SLOIBZ", c)
}

// icd10Letters3 are the ICD-10-CM categories whose third character is a
// letter; every other category is a letter and two digits.
var icd10Letters3 = map[string]bool{
	"C4A": true, "C7A": true, "C7B": true, "D3A": true, "M1A": true,
	"O9A": true, "Z3A": true,
}

// validICD10Category reports whether s has the form of an ICD-10-CM
// category: a letter, a digit, then a digit or one of the few letters in
// icd10Letters3. Chapter U is reserved for special use, and only U07
// (COVID-19) and U09 (post COVID-19 condition) are in use.
func validICD10Category(s string) bool {
	if len(s) != 3 || !isUpper(s[0]) || !isDigit(s[1]) {
		return false
	}
	if s[0] == 'U' {
		return s == "U07" || s == "U09"
	}
	if isDigit(s[2]) {
		return true
	}
	return icd10Letters3[s]
}

// validICD10Subcode reports whether s can follow the dot of an ICD-10-CM
// code: one to four digits or capital letters (the seventh character of
// injury codes is a letter, as in S72.001A).
func validICD10Subcode(s string) bool {
	if len(s) < 1 || len(s) > 4 {
		return false
	}
	for k := 0; k < len(s); k++ {
		if !isDigit(s[k]) && !isUpper(s[k]) {
			return false
		}
	}
	return true
}
