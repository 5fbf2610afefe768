package discovery

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// PreferEncrypt is the Autocrypt prefer-encrypt attribute.
type PreferEncrypt int

const (
	NoPreference PreferEncrypt = iota
	Mutual
)

// Autocrypt is one parsed Autocrypt (or Autocrypt-Gossip) header.
type Autocrypt struct {
	Address       string
	PreferEncrypt PreferEncrypt
	// KeyData is the binary public key from the keydata attribute.
	KeyData []byte
}

var errIgnoredHeader = errors.New("discovery: Autocrypt header ignored")

// ParseAutocrypt parses the value of one Autocrypt header. It returns an
// error wrapping the reason for every header that Autocrypt Level 1 tells
// clients to ignore: a missing addr or keydata, an unknown critical attribute
// (one whose name does not start with "_"), or invalid base64.
func ParseAutocrypt(value string) (Autocrypt, error) {
	var ac Autocrypt
	seen := map[string]bool{}
	for _, field := range strings.Split(value, ";") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		name, val, ok := strings.Cut(field, "=")
		if !ok {
			return Autocrypt{}, fmt.Errorf("%w: attribute %q has no value", errIgnoredHeader, field)
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if seen[name] {
			return Autocrypt{}, fmt.Errorf("%w: attribute %q repeated", errIgnoredHeader, name)
		}
		seen[name] = true

		switch {
		case name == "addr":
			ac.Address = strings.ToLower(strings.TrimSpace(val))
		case name == "prefer-encrypt":
			if strings.TrimSpace(val) == "mutual" {
				ac.PreferEncrypt = Mutual
			}
		case name == "keydata":
			clean := strings.Map(func(r rune) rune {
				if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
					return -1
				}
				return r
			}, val)
			data, err := base64.StdEncoding.DecodeString(clean)
			if err != nil {
				return Autocrypt{}, fmt.Errorf("%w: keydata is not valid base64: %v", errIgnoredHeader, err)
			}
			ac.KeyData = data
		case strings.HasPrefix(name, "_"):
			// Non-critical attributes may be ignored.
		default:
			return Autocrypt{}, fmt.Errorf("%w: unknown critical attribute %q", errIgnoredHeader, name)
		}
	}
	if ac.Address == "" || len(ac.KeyData) == 0 {
		return Autocrypt{}, fmt.Errorf("%w: addr and keydata are required", errIgnoredHeader)
	}
	return ac, nil
}

// FromHeaders picks the Autocrypt header that applies to a message sent
// by from. As Autocrypt Level 1 requires, it finds nothing when no header
// or more than one valid header is for that address. The returned key has
// been checked to carry a user ID with the address.
func FromHeaders(from string, values []string) (Autocrypt, Key, error) {
	addr, err := normalizeAddress(from)
	if err != nil {
		return Autocrypt{}, Key{}, err
	}
	var found []Autocrypt
	for _, v := range values {
		ac, err := ParseAutocrypt(v)
		if err != nil || ac.Address != addr {
			continue
		}
		found = append(found, ac)
	}
	switch len(found) {
	case 0:
		return Autocrypt{}, Key{}, ErrNotFound
	case 1:
	default:
		return Autocrypt{}, Key{}, fmt.Errorf("%w: %d headers for %s", errIgnoredHeader, len(found), addr)
	}

	keys, err := keysForAddress(found[0].KeyData, addr, "autocrypt")
	if err != nil {
		return Autocrypt{}, Key{}, err
	}
	return found[0], keys[0], nil
}

// FormatAutocrypt returns the value of an Autocrypt header for address and
// the binary public key, folded so that no line exceeds 78 characters.
func FormatAutocrypt(address string, pref PreferEncrypt, public []byte) (string, error) {
	addr, err := normalizeAddress(address)
	if err != nil {
		return "", err
	}
	if len(public) == 0 {
		return "", fmt.Errorf("discovery: no key data for the Autocrypt header of %s", addr)
	}
	var sb strings.Builder
	sb.WriteString("addr=" + addr + ";")
	if pref == Mutual {
		sb.WriteString(" prefer-encrypt=mutual;")
	}
	sb.WriteString(" keydata=")
	encoded := base64.StdEncoding.EncodeToString(public)
	const width = 72
	for i := 0; i < len(encoded); i += width {
		end := min(i+width, len(encoded))
		sb.WriteString("\r\n ")
		sb.WriteString(encoded[i:end])
	}
	return sb.String(), nil
}
