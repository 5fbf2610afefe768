package discovery

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
)

// maxKeyBytes caps a downloaded key block. Real certificates with many
// signatures stay far below it; the cap stops a hostile server from making
// us parse megabytes of padding.
const maxKeyBytes = 512 << 10

var (
	// ErrNotFound means the source responded and has no key for the
	// address.
	ErrNotFound = errors.New("discovery: no key published for this address")
	// ErrNoMatchingUserID means a key was returned but none of its user
	// IDs carries the address that was looked up.
	ErrNoMatchingUserID = errors.New("discovery: key has no user ID for the address")
)

// Key is one public key found for an address.
type Key struct {
	// Fingerprint is the primary key's fingerprint in upper-case hex.
	Fingerprint string
	// Public is the binary (unarmored) transferable public key.
	Public []byte
	// Source names where it came from: "wkd-advanced", "wkd-direct",
	// "vks" or "autocrypt".
	Source string
}

// normalizeAddress returns the lower-case addr-spec of s, which may carry
// a display name.
func normalizeAddress(s string) (string, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", fmt.Errorf("discovery: invalid address %q: %w", s, err)
	}
	return strings.ToLower(a.Address), nil
}

// keysForAddress parses binary or armored key material and keeps the
// public keys that have a user ID with the given address.
func keysForAddress(data []byte, address, source string) ([]Key, error) {
	if len(data) > maxKeyBytes {
		return nil, fmt.Errorf("discovery: key block of %d bytes from %s is over the %d byte limit", len(data), source, maxKeyBytes)
	}
	entities, err := readEntities(data)
	if err != nil {
		return nil, fmt.Errorf("discovery: invalid key from %s: %w", source, err)
	}

	var keys []Key
	for _, e := range entities {
		if !hasAddress(e, address) {
			continue
		}
		var buf bytes.Buffer
		if err := e.Serialize(&buf); err != nil {
			return nil, fmt.Errorf("discovery: re-encoding key from %s: %w", source, err)
		}
		keys = append(keys, Key{
			Fingerprint: strings.ToUpper(fmt.Sprintf("%x", e.PrimaryKey.Fingerprint)),
			Public:      buf.Bytes(),
			Source:      source,
		})
	}
	if len(keys) == 0 {
		return nil, ErrNoMatchingUserID
	}
	return keys, nil
}

func readEntities(data []byte) (openpgp.EntityList, error) {
	trimmed := bytes.TrimSpace(data)
	if bytes.HasPrefix(trimmed, []byte("-----BEGIN PGP")) {
		block, err := armor.Decode(bytes.NewReader(trimmed))
		if err != nil {
			return nil, err
		}
		return openpgp.ReadKeyRing(io.LimitReader(block.Body, maxKeyBytes))
	}
	return openpgp.ReadKeyRing(bytes.NewReader(data))
}

func hasAddress(e *openpgp.Entity, address string) bool {
	for _, id := range e.Identities {
		if id.UserId == nil {
			continue
		}
		if strings.EqualFold(id.UserId.Email, address) {
			return true
		}
	}
	return false
}
