package phi

import "net/netip"

// maxURLLen caps a URL finding; longer runs are cut there.
const maxURLLen = 2048

// email reads the address around the '@' at at and returns where
// scanning continues.
func (t *textScan) email(at int) int {
	s := t.text
	start := at
	for start > 0 && at-start < 64 && isLocalPartByte(s[start-1]) {
		start--
	}
	for start < at && (s[start] == '.' || s[start] == '-') {
		start++
	}
	if start == at {
		return at + 1
	}

	end, dots := at+1, 0
	for end < len(s) && end-at < 255 && (isAlnum(s[end]) || s[end] == '-' || (s[end] == '.' && end+1 < len(s) && isAlnum(s[end+1]))) {
		if s[end] == '.' {
			dots++
		}
		end++
	}
	if dots == 0 || end == at+1 {
		return at + 1
	}

	tld := end
	for tld > at && s[tld-1] != '.' {
		tld--
	}
	if end-tld < 2 || hasDigit(s[tld:end]) {
		return at + 1
	}
	t.add(KindEmail, CategoryIdentifier, start, end, prioStructured, "")
	return end
}

func isLocalPartByte(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

// url reads a URL that starts with the scheme or "www" at start.
func (t *textScan) url(start int) int {
	s := t.text
	p := alnumEnd(s, start)
	switch {
	case p+3 <= len(s) && s[p:p+3] == "://":
		p += 3
	case s[start:p] == "www" || s[start:p] == "WWW":
		if p+1 >= len(s) || s[p] != '.' || !isAlnum(s[p+1]) {
			return p
		}
	default:
		return p
	}
	hostStart := p
	for p < len(s) && p-start < maxURLLen && isURLByte(s[p]) {
		p++
	}
	for p > hostStart && isTrailingPunct(s[p-1]) {
		p--
	}
	if p == hostStart {
		return p
	}
	t.add(KindURL, CategoryIdentifier, start, p, prioStructured, "")
	return p
}

func isURLByte(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '<', '>', '"', '\'', '`', '{', '}', '|', '\\', '^':
		return false
	}
	return true
}

func isTrailingPunct(c byte) bool {
	switch c {
	case '.', ',', ';', ':', '!', '?', ')', ']':
		return true
	}
	return false
}

// ipv6 tries an IPv6 address around the ':' at colon. Addresses are at
// most 45 characters long, which bounds the work per colon.
func (t *textScan) ipv6(colon int) int {
	s := t.text
	if colon+1 >= len(s) || !(isHex(s[colon+1]) || s[colon+1] == ':') {
		return colon + 1
	}
	start := colon
	for start > 0 && colon-start < 45 && (isHex(s[start-1]) || s[start-1] == ':') {
		start--
	}
	if start > 0 && (isAlnum(s[start-1]) || s[start-1] == '.') {
		return colon + 1
	}

	end := colon
	for end < len(s) && end-start < 45 && (isHex(s[end]) || s[end] == ':' || s[end] == '.') {
		end++
	}
	for end > colon && s[end-1] == '.' {
		end--
	}
	if end < len(s) && isAlnum(s[end]) {
		return colon + 1
	}

	candidate := s[start:end]
	colons := 0
	for k := 0; k < len(candidate); k++ {
		if candidate[k] == ':' {
			colons++
		}
	}
	if colons < 2 {
		return colon + 1
	}
	addr, err := netip.ParseAddr(candidate)
	if err != nil || !addr.Is6() {
		return colon + 1
	}
	t.add(KindIP, CategoryIdentifier, start, end, prioStructured, "")
	return end
}

func isHex(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// parenPhone reads "(555) 123-4567" or "(555)123-4567" at the '(' at i.
func (t *textScan) parenPhone(i int) int {
	s := t.text
	if i+5 > len(s) || digitEnd(s, i+1) != i+4 || s[i+4] != ')' {
		return i + 1
	}
	p := i + 5
	if p < len(s) && s[p] == ' ' {
		p++
	}
	mid := digitEnd(s, p)
	if mid-p != 3 || mid >= len(s) || (s[mid] != '-' && s[mid] != '.' && s[mid] != ' ') {
		return i + 1
	}
	end := digitEnd(s, mid+1)
	if end-(mid+1) != 4 || (end < len(s) && isAlnum(s[end])) {
		return i + 1
	}
	if !validNANP(s[i+1:i+4], s[p:mid]) {
		return i + 1
	}
	t.phone(i, end)
	return end
}

// plusPhone reads an international number "+44 20 7946 0000" or
// "+1 (555) 123-4567" at the '+' at i: 8 to 15 digits (the E.164 maximum)
// in groups separated by single spaces, dashes, dots or parentheses.
func (t *textScan) plusPhone(i int) int {
	s := t.text
	if i+1 >= len(s) || s[i+1] < '1' || s[i+1] > '9' || (i > 0 && isAlnum(s[i-1])) {
		return i + 1
	}
	p, digits, end := i+1, 0, i+1
	for p < len(s) {
		c := s[p]
		switch {
		case isDigit(c):
			digits++
			p++
			end = p
			continue
		case (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') &&
			p+1 < len(s) && (isDigit(s[p+1]) || s[p+1] == '(' || (c == ')' && s[p+1] == ' ')):
			p++
			continue
		}
		break
	}
	if digits < 8 || digits > 15 || (end < len(s) && isAlnum(s[end])) {
		return i + 1
	}
	t.phone(i, end)
	return end
}
