package phi

// streetSuffixes are the street types that end a street address, in
// full and as the usual postal abbreviations.
var streetSuffixes = map[string]bool{}

func init() {
	for _, w := range []string{
		"Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd",
		"Lane", "Ln", "Drive", "Dr", "Court", "Ct", "Way", "Place", "Pl",
		"Terrace", "Ter", "Circle", "Cir", "Parkway", "Pkwy", "Highway", "Hwy",
		"Square", "Sq", "Trail", "Trl", "Loop", "Pike", "Row", "Alley",
	} {
		streetSuffixes[w] = true
	}
}

// streetAbbreviations are the suffixes whose trailing period belongs to
// the address rather than ending a sentence.
var streetAbbreviations = map[string]bool{
	"St": true, "Ave": true, "Rd": true, "Blvd": true, "Ln": true, "Dr": true,
	"Ct": true, "Pl": true, "Ter": true, "Cir": true, "Pkwy": true, "Hwy": true,
	"Sq": true, "Trl": true,
}

var streetDirections = map[string]bool{
	"N": true, "S": true, "E": true, "W": true, "NE": true, "NW": true,
	"SE": true, "SW": true, "North": true, "South": true, "East": true,
	"West": true,
}

// streetAddress reports "1234 N Oak Ridge Rd" starting at the house
// number [i, end): one to four capitalized or ordinal words ending with a
// street suffix, optionally followed by "Apt 4B" or "Suite 200".
func (t *textScan) streetAddress(i, end int) {
	s := t.text
	p := end
	addrEnd := -1
	for words := 0; words < 5; words++ {
		if p >= len(s) || s[p] != ' ' {
			break
		}
		wStart := p + 1
		wEnd := alnumEnd(s, wStart)
		w := s[wStart:wEnd]
		if words > 0 && streetSuffixes[w] {
			addrEnd = wEnd
			if wEnd < len(s) && s[wEnd] == '.' && streetAbbreviations[w] {
				addrEnd++
			}
			break
		}
		if !streetWord(w) {
			break
		}
		p = wEnd
	}
	if addrEnd < 0 {
		return
	}
	addrEnd = unitDesignator(s, addrEnd)
	t.add(KindAddress, CategoryIdentifier, i, addrEnd, prioStructured, "")
}

func streetWord(w string) bool {
	if streetDirections[w] {
		return true
	}
	if len(w) >= 3 && isDigit(w[0]) {
		return isOrdinalSuffix(w[len(w)-2:]) && allDigits(w[:len(w)-2])
	}
	if len(w) < 2 || !isUpper(w[0]) {
		return false
	}
	for k := 1; k < len(w); k++ {
		if !isLower(w[k]) {
			return false
		}
	}
	return !nameStopWords[w]
}

// unitDesignator extends an address over ", Apt 4B", " Suite 200" or
// " #12" right after p.
func unitDesignator(s string, p int) int {
	q := p
	if q < len(s) && s[q] == ',' {
		q++
	}
	if q >= len(s) || s[q] != ' ' {
		return p
	}
	q++
	if q < len(s) && s[q] == '#' {
		vEnd := alnumEnd(s, q+1)
		if vEnd > q+1 {
			return vEnd
		}
		return p
	}
	wEnd := alnumEnd(s, q)
	switch s[q:wEnd] {
	case "Apt", "Apartment", "Suite", "Ste", "Unit", "Room", "Rm", "Floor", "Fl":
	default:
		return p
	}
	if wEnd < len(s) && s[wEnd] == '.' {
		wEnd++
	}
	if wEnd+1 < len(s) && s[wEnd] == ' ' && isAlnum(s[wEnd+1]) {
		return alnumEnd(s, wEnd+1)
	}
	return p
}
