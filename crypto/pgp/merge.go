package pgp

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// ErrOtherKey is returned by MergePublic when the two copies have
// different primary keys.
var ErrOtherKey = errors.New("pgp: the copies are of different keys")

// MaxMergedKeySize is the largest key MergePublic returns, the limit
// that key discovery sets for a fetched key. Without it, copies that
// each add other user IDs or signatures would grow the stored key
// without end, and every opened message parses it.
const MaxMergedKeySize = 512 << 10

// MergePublic returns the stored public key plus what a newer copy of it
// adds: self-signatures (a later expiry date), revocations, user IDs and
// subkeys, each signed by the primary key. Nothing is ever
// removed, so a copy without a revocation cannot undo it, and
// certifications by other keys in the seen copy are dropped. go-crypto
// checks every self-signature and revocation of both copies while
// reading them, and of the result, so a copy with a forged signature is
// rejected as a whole.
func MergePublic(stored, seen []byte) ([]byte, error) {
	old, err := readPublicEntity(stored)
	if err != nil {
		return nil, fmt.Errorf("pgp: merge: stored copy: %w", err)
	}
	newer, err := readPublicEntity(seen)
	if err != nil {
		return nil, fmt.Errorf("pgp: merge: new copy: %w", err)
	}
	if !bytes.Equal(old.PrimaryKey.Fingerprint, newer.PrimaryKey.Fingerprint) {
		return nil, fmt.Errorf("%w: %X and %X", ErrOtherKey, old.PrimaryKey.Fingerprint, newer.PrimaryKey.Fingerprint)
	}
	primary := old.PrimaryKey

	old.Revocations = appendNewSignatures(old.Revocations, newer.Revocations, primary)
	old.Signatures = appendNewSignatures(old.Signatures, newer.Signatures, primary)
	for name, id := range newer.Identities {
		if have, ok := old.Identities[name]; ok {
			have.Signatures = appendNewSignatures(have.Signatures, id.Signatures, primary)
			continue
		}
		id.Signatures = appendNewSignatures(nil, id.Signatures, primary)
		old.Identities[name] = id
	}
	for _, sub := range newer.Subkeys {
		i := subkeyIndex(old, sub.PublicKey.Fingerprint)
		if i < 0 {
			old.Subkeys = append(old.Subkeys, sub)
			continue
		}
		have := &old.Subkeys[i]
		have.Revocations = appendNewSignatures(have.Revocations, sub.Revocations, primary)
		// Serialize writes one binding signature per subkey, the one
		// go-crypto selected as the latest valid one.
		if sub.Sig.CreationTime.After(have.Sig.CreationTime) {
			have.Sig = sub.Sig
		}
	}

	var out bytes.Buffer
	if err := old.Serialize(&out); err != nil {
		return nil, fmt.Errorf("pgp: merge: write the merged key: %w", err)
	}
	if out.Len() > MaxMergedKeySize {
		return nil, fmt.Errorf("pgp: merge: the merged key of %d bytes is over the limit of %d bytes, so the stored copy stays: %w",
			out.Len(), MaxMergedKeySize, ErrTooLarge)
	}
	if _, err := readPublicEntity(out.Bytes()); err != nil {
		return nil, fmt.Errorf("pgp: merge: the merged key does not read back: %w", err)
	}
	return out.Bytes(), nil
}

// readPublicEntity reads exactly one public key, binary or armored.
func readPublicEntity(data []byte) (*openpgp.Entity, error) {
	keys, err := ReadKeys(data)
	if err != nil {
		return nil, err
	}
	if len(keys) != 1 {
		return nil, fmt.Errorf("%w: %d keys where one was expected", ErrMalformed, len(keys))
	}
	if keys[0].IsPrivate() {
		return nil, fmt.Errorf("%w: a secret key where a public key was expected", ErrMalformed)
	}
	return keys[0].entity(), nil
}

// appendNewSignatures returns have with the signatures of extra that the
// primary key issued and that have does not already contain.
func appendNewSignatures(have, extra []*packet.Signature, primary *packet.PublicKey) []*packet.Signature {
	seen := make(map[string]bool, len(have))
	for _, sig := range have {
		seen[signatureBytes(sig)] = true
	}
	for _, sig := range extra {
		if !sig.CheckKeyIdOrFingerprint(primary) {
			continue
		}
		b := signatureBytes(sig)
		if b == "" || seen[b] {
			continue
		}
		seen[b] = true
		have = append(have, sig)
	}
	return have
}

// signatureBytes returns the serialized signature, or "" when it cannot
// be written.
func signatureBytes(sig *packet.Signature) string {
	var b bytes.Buffer
	if err := sig.Serialize(&b); err != nil {
		return ""
	}
	return b.String()
}

func subkeyIndex(e *openpgp.Entity, fingerprint []byte) int {
	for i, sub := range e.Subkeys {
		if bytes.Equal(sub.PublicKey.Fingerprint, fingerprint) {
			return i
		}
	}
	return -1
}
