package pgp

import (
	"encoding/hex"
	"strings"
	"sync"

	"github.com/ProtonMail/go-crypto/openpgp"

	"securemail/crypto"
)

// KeyFinder supplies keys to OpenEntity and OpenInline. The key store
// implements it; KeyRing is a simple in-memory implementation.
type KeyFinder interface {
	// DecryptionKeys returns the unlocked secret keys that may decrypt
	// a message.
	DecryptionKeys() []*Key
	// PublicKeysByID returns the keys whose primary key or subkey has the
	// 64-bit key ID.
	PublicKeysByID(keyID uint64) []*Key
	// PublicKeysByFingerprint returns the keys whose primary key or
	// subkey has the fingerprint (upper-case hex, no spaces).
	PublicKeysByFingerprint(fingerprint string) []*Key
	// PublicKeysByAddress returns the keys with a user ID for the
	// address.
	PublicKeysByAddress(address string) []*Key
}

// KeyRing is an in-memory KeyFinder, safe for concurrent use.
type KeyRing struct {
	mu   sync.RWMutex
	keys []*Key
}

// NewKeyRing returns a key ring holding keys.
func NewKeyRing(keys ...*Key) *KeyRing {
	return &KeyRing{keys: append([]*Key(nil), keys...)}
}

// Add adds keys to the ring.
func (r *KeyRing) Add(keys ...*Key) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keys = append(r.keys, keys...)
}

// Keys returns every key in the ring.
func (r *KeyRing) Keys() []*Key {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]*Key(nil), r.keys...)
}

// DecryptionKeys returns the private, unlocked keys in the ring.
func (r *KeyRing) DecryptionKeys() []*Key {
	return r.filter(func(k *Key) bool { return k.IsPrivate() && !k.IsLocked() })
}

// PublicKeysByID returns the keys with a primary key or subkey of that ID.
func (r *KeyRing) PublicKeysByID(keyID uint64) []*Key {
	return r.filter(func(k *Key) bool { return k.hasKeyID(keyID) })
}

// PublicKeysByFingerprint returns the keys with a primary key or subkey of
// that fingerprint.
func (r *KeyRing) PublicKeysByFingerprint(fingerprint string) []*Key {
	raw, err := hex.DecodeString(strings.ReplaceAll(fingerprint, " ", ""))
	if err != nil {
		return nil
	}
	return r.filter(func(k *Key) bool { return k.hasFingerprint(raw) })
}

// PublicKeysByAddress returns the keys with a user ID for the address.
func (r *KeyRing) PublicKeysByAddress(address string) []*Key {
	return r.filter(func(k *Key) bool { return k.MatchesAddress(address) })
}

func (r *KeyRing) filter(keep func(*Key) bool) []*Key {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []*Key
	for _, k := range r.keys {
		if keep(k) {
			out = append(out, k)
		}
	}
	return out
}

// finderKeyRing adapts a KeyFinder to go-crypto's openpgp.KeyRing. It
// looks keys up lazily, so only the keys a message names are fetched.
type finderKeyRing struct {
	finder KeyFinder
}

func (f finderKeyRing) KeysById(id uint64) []openpgp.Key {
	return entitiesOf(f.candidates(id)).KeysById(id)
}

func (f finderKeyRing) KeysByIdUsage(id uint64, usage byte) []openpgp.Key {
	return entitiesOf(f.candidates(id)).KeysByIdUsage(id, usage)
}

func (f finderKeyRing) DecryptionKeys() []openpgp.Key {
	return entitiesOf(f.finder.DecryptionKeys()).DecryptionKeys()
}

// candidates returns the secret keys first, so that a message encrypted
// to our own key finds the secret part, then the public keys with the ID.
func (f finderKeyRing) candidates(id uint64) []*Key {
	var out []*Key
	for _, k := range f.finder.DecryptionKeys() {
		if k.hasKeyID(id) {
			out = append(out, k)
		}
	}
	return append(out, f.finder.PublicKeysByID(id)...)
}

func entitiesOf(keys []*Key) openpgp.EntityList {
	list := make(openpgp.EntityList, 0, len(keys))
	for _, k := range keys {
		if k != nil {
			list = append(list, k.entity())
		}
	}
	return list
}

// SignerMatchesAddress reports whether the key that made a good signature
// has a user ID for address (the message's From address), so that the
// caller can set crypto.Signature.MatchesFrom. It looks the key up by the
// verified fingerprint in sig and returns false for any state other than
// GoodSignature.
func SignerMatchesAddress(sig crypto.Signature, keys KeyFinder, address string) bool {
	if sig.State != crypto.GoodSignature || sig.Fingerprint == "" {
		return false
	}
	for _, k := range keys.PublicKeysByFingerprint(sig.Fingerprint) {
		if k.Fingerprint() == sig.Fingerprint && k.MatchesAddress(address) {
			return true
		}
	}
	return false
}
