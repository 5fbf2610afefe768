package pgp

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	gopenpgp "github.com/ProtonMail/gopenpgp/v2/crypto"
)

// Key is one OpenPGP transferable key (a certificate, optionally with its
// secret key material). A Key is safe for concurrent reads. Wipe and
// ApplyRevocation change it, so they must not run concurrently with other
// use.
type Key struct {
	key *gopenpgp.Key
}

func newKey(e *openpgp.Entity) (*Key, error) {
	k, err := gopenpgp.NewKeyFromEntity(e)
	if err != nil {
		return nil, fmt.Errorf("pgp: wrap key: %w", err)
	}
	return &Key{key: k}, nil
}

func (k *Key) entity() *openpgp.Entity { return k.key.GetEntity() }

// ReadKeys parses one or more keys, armored ("-----BEGIN PGP ...") or
// binary, public or secret. Secret keys stay locked until Unlock.
func ReadKeys(data []byte) ([]*Key, error) {
	if len(data) > MaxEntitySize {
		return nil, fmt.Errorf("pgp: key data of %d bytes: %w", len(data), ErrTooLarge)
	}

	var list openpgp.EntityList
	var err error
	if isArmored(data) {
		list, err = readArmoredKeyRings(data)
	} else {
		list, err = openpgp.ReadKeyRing(bytes.NewReader(data))
	}
	if err != nil {
		return nil, fmt.Errorf("pgp: read keys: %w: %w", ErrMalformed, err)
	}

	keys := make([]*Key, 0, len(list))
	for _, e := range list {
		k, err := newKey(e)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// ReadKey parses exactly one key, armored or binary.
func ReadKey(data []byte) (*Key, error) {
	keys, err := ReadKeys(data)
	if err != nil {
		return nil, err
	}
	if len(keys) != 1 {
		return nil, fmt.Errorf("pgp: read key: found %d keys, expected 1: %w", len(keys), ErrMalformed)
	}
	return keys[0], nil
}

// readArmoredKeyRings reads every armored key block in data, because
// exported key files often hold several blocks one after the other.
func readArmoredKeyRings(data []byte) (openpgp.EntityList, error) {
	var list openpgp.EntityList
	for _, armored := range splitArmorBlocks(data) {
		block, err := armor.Decode(bytes.NewReader(armored))
		if err != nil {
			return nil, err
		}
		if block.Type != openpgp.PublicKeyType && block.Type != openpgp.PrivateKeyType {
			return nil, fmt.Errorf("armor block is %q, not a key", block.Type)
		}
		keys, err := openpgp.ReadKeyRing(block.Body)
		if err != nil {
			return nil, err
		}
		list = append(list, keys...)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("no key block found")
	}
	return list, nil
}

// splitArmorBlocks returns each "-----BEGIN PGP" block of data, from its
// first line to the end of its "-----END PGP" line. go-crypto's
// armor.Decode buffers ahead, so it cannot read several blocks from one
// reader.
func splitArmorBlocks(data []byte) [][]byte {
	var blocks [][]byte
	for {
		start := bytes.Index(data, []byte("-----BEGIN PGP"))
		if start < 0 {
			return blocks
		}
		end := bytes.Index(data[start:], []byte("-----END PGP"))
		if end < 0 {
			return append(blocks, data[start:])
		}
		end += start
		if eol := bytes.IndexByte(data[end:], '\n'); eol >= 0 {
			end += eol + 1
		} else {
			end = len(data)
		}
		blocks = append(blocks, data[start:end])
		data = data[end:]
	}
}

func isArmored(data []byte) bool {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	return bytes.HasPrefix(trimmed, []byte("-----BEGIN PGP"))
}

// Fingerprint returns the primary key's fingerprint as upper-case hex
// without spaces.
func (k *Key) Fingerprint() string {
	return strings.ToUpper(hex.EncodeToString(k.entity().PrimaryKey.Fingerprint))
}

// KeyID returns the primary key's 64-bit key ID.
func (k *Key) KeyID() uint64 { return k.entity().PrimaryKey.KeyId }

// hasKeyID reports whether the primary key or a subkey has the key ID.
func (k *Key) hasKeyID(id uint64) bool {
	e := k.entity()
	if e.PrimaryKey.KeyId == id {
		return true
	}
	for _, sub := range e.Subkeys {
		if sub.PublicKey.KeyId == id {
			return true
		}
	}
	return false
}

// hasFingerprint reports whether the primary key or a subkey has the
// fingerprint, given as raw bytes.
func (k *Key) hasFingerprint(fingerprint []byte) bool {
	e := k.entity()
	if bytes.Equal(e.PrimaryKey.Fingerprint, fingerprint) {
		return true
	}
	for _, sub := range e.Subkeys {
		if bytes.Equal(sub.PublicKey.Fingerprint, fingerprint) {
			return true
		}
	}
	return false
}

// UserIDs returns the key's user IDs ("Name <address>"), the primary one
// first and the rest sorted.
func (k *Key) UserIDs() []string {
	e := k.entity()
	var ids []string
	primary := e.PrimaryIdentity()
	if primary != nil {
		ids = append(ids, primary.Name)
	}
	var rest []string
	for name, id := range e.Identities {
		if id != primary {
			rest = append(rest, name)
		}
	}
	sortStrings(rest)
	return append(ids, rest...)
}

// PrimaryUserID returns the primary user ID, or "" when the key has none.
func (k *Key) PrimaryUserID() string {
	if id := k.entity().PrimaryIdentity(); id != nil {
		return id.Name
	}
	return ""
}

// Emails returns the addresses in the key's user IDs, lower-cased, in the
// order of UserIDs and without duplicates.
func (k *Key) Emails() []string {
	var out []string
	seen := map[string]bool{}
	for _, uid := range k.UserIDs() {
		addr := addressOfUserID(uid)
		if addr == "" || seen[addr] {
			continue
		}
		seen[addr] = true
		out = append(out, addr)
	}
	return out
}

// MatchesAddress reports whether one of the key's user IDs contains the
// address. The address may be bare or in "Name <address>" form, and the
// comparison ignores case.
func (k *Key) MatchesAddress(address string) bool {
	want := normalizeAddress(address)
	if want == "" {
		return false
	}
	for _, have := range k.Emails() {
		if have == want {
			return true
		}
	}
	return false
}

// addressOfUserID extracts the lower-cased address of a user ID, which is
// usually "Name (comment) <address>" but may be a bare address.
func addressOfUserID(uid string) string {
	if open := strings.LastIndexByte(uid, '<'); open >= 0 {
		if end := strings.IndexByte(uid[open:], '>'); end > 0 {
			return normalizeAddress(uid[open+1 : open+end])
		}
	}
	if strings.Contains(uid, "@") && !strings.ContainsAny(uid, " \t") {
		return normalizeAddress(uid)
	}
	return ""
}

func normalizeAddress(address string) string {
	address = strings.TrimSpace(address)
	if parsed, err := mail.ParseAddress(address); err == nil {
		address = parsed.Address
	}
	if !strings.Contains(address, "@") {
		return ""
	}
	return strings.ToLower(address)
}

// IsPrivate reports whether the key contains secret key material.
func (k *Key) IsPrivate() bool { return k.key.IsPrivate() }

// IsLocked reports whether the secret key material is encrypted with a
// passphrase. A public key is not locked.
func (k *Key) IsLocked() bool {
	if !k.IsPrivate() {
		return false
	}
	locked, err := k.key.IsLocked()
	return err == nil && locked
}

// Unlock returns an unlocked copy of a locked secret key. The receiver is
// left unchanged, and the caller wipes the copy when done with it.
func (k *Key) Unlock(passphrase []byte) (*Key, error) {
	if !k.IsPrivate() {
		return nil, fmt.Errorf("pgp: unlock key %s: it is a public key: %w", k.Fingerprint(), ErrKeyUnusable)
	}
	if !k.IsLocked() {
		unlocked, err := k.key.Copy()
		if err != nil {
			return nil, fmt.Errorf("pgp: copy key %s: %w", k.Fingerprint(), err)
		}
		return &Key{key: unlocked}, nil
	}
	unlocked, err := k.key.Unlock(passphrase)
	if err != nil {
		return nil, fmt.Errorf("pgp: unlock key %s: check the passphrase: %w", k.Fingerprint(), ErrBadPassphrase)
	}
	return &Key{key: unlocked}, nil
}

// ToPublic returns a copy of the key without secret key material.
func (k *Key) ToPublic() (*Key, error) {
	pub, err := k.key.ToPublic()
	if err != nil {
		return nil, fmt.Errorf("pgp: copy public key %s: %w", k.Fingerprint(), err)
	}
	return &Key{key: pub}, nil
}

// ArmorPublic returns the armored public key ("PGP PUBLIC KEY BLOCK").
func (k *Key) ArmorPublic() (string, error) {
	s, err := k.key.GetArmoredPublicKeyWithCustomHeaders("", "")
	if err != nil {
		return "", fmt.Errorf("pgp: armor public key %s: %w", k.Fingerprint(), err)
	}
	return s, nil
}

// ArmorSecret returns the armored secret key ("PGP PRIVATE KEY BLOCK")
// locked with passphrase. An empty passphrase is rejected, so an exported
// secret key is never unprotected. A locked key is exported as it is, with
// the passphrase it already has, and passphrase must unlock it.
func (k *Key) ArmorSecret(passphrase []byte) (string, error) {
	if !k.IsPrivate() {
		return "", fmt.Errorf("pgp: export secret key %s: it is a public key: %w", k.Fingerprint(), ErrKeyUnusable)
	}
	if len(passphrase) == 0 {
		return "", fmt.Errorf("pgp: export secret key %s: a passphrase is required", k.Fingerprint())
	}

	locked := k.key
	if k.IsLocked() {
		check, err := k.Unlock(passphrase)
		if err != nil {
			return "", err
		}
		check.Wipe()
	} else {
		var err error
		locked, err = k.key.Lock(passphrase)
		if err != nil {
			return "", fmt.Errorf("pgp: lock key %s: %w", k.Fingerprint(), err)
		}
	}

	s, err := locked.ArmorWithCustomHeaders("", "")
	if err != nil {
		return "", fmt.Errorf("pgp: armor secret key %s: %w", k.Fingerprint(), err)
	}
	return s, nil
}

// Serialize returns the binary transferable key, secret if the key is
// private (locked or not, as it is in memory).
func (k *Key) Serialize() ([]byte, error) {
	b, err := k.key.Serialize()
	if err != nil {
		return nil, fmt.Errorf("pgp: serialize key %s: %w", k.Fingerprint(), err)
	}
	return b, nil
}

// Wipe overwrites the secret key material in memory with zeros and drops
// it, leaving a public key. Copies made earlier by Unlock are not affected.
//
// NOTE: for RSA keys that have signed or decrypted, Go's crypto/rsa keeps
// a second copy of the secret values in an unexported field
// (Precomputed.fips, Go 1.24 and later), which gopenpgp cannot reach.
func (k *Key) Wipe() {
	if k == nil || k.key == nil || !k.key.IsPrivate() {
		return
	}
	k.key.ClearPrivateParams()
}

// CreatedAt returns the primary key's creation time.
func (k *Key) CreatedAt() time.Time { return k.entity().PrimaryKey.CreationTime }

// ExpiresAt returns when the primary key expires, or the zero time when it
// does not.
func (k *Key) ExpiresAt() time.Time {
	sig, _ := k.entity().PrimarySelfSignature()
	if sig == nil || sig.KeyLifetimeSecs == nil || *sig.KeyLifetimeSecs == 0 {
		return time.Time{}
	}
	return k.CreatedAt().Add(time.Duration(*sig.KeyLifetimeSecs) * time.Second)
}

// Expired reports whether the primary key or its primary self-signature
// has expired at now. A key without a valid self-signature counts as
// expired.
func (k *Key) Expired(now time.Time) bool {
	e := k.entity()
	sig, _ := e.PrimarySelfSignature()
	if sig == nil {
		return true
	}
	return e.PrimaryKey.KeyExpired(sig, now) || sig.SigExpired(now)
}

// Revoked reports whether the primary key, or its primary user ID, is
// revoked at now.
func (k *Key) Revoked(now time.Time) bool {
	e := k.entity()
	if e.Revoked(now) {
		return true
	}
	_, identity := e.PrimarySelfSignature()
	return identity != nil && identity.Revoked(now)
}

// CanEncrypt reports whether the key has a valid encryption key (primary
// or subkey) at now: not expired and not revoked.
func (k *Key) CanEncrypt(now time.Time) bool {
	_, ok := k.entity().EncryptionKey(now)
	return ok
}

// CanSign reports whether the key has a valid signing key at now and its
// secret part is present.
func (k *Key) CanSign(now time.Time) bool {
	sk, ok := k.entity().SigningKey(now)
	return ok && sk.PrivateKey != nil && !sk.PrivateKey.Dummy() && !sk.PrivateKey.Encrypted
}

// encryptionEntity returns the entity for encrypting to k, or an error
// naming the key when it has no usable encryption key at now.
func (k *Key) encryptionEntity(now time.Time) (*openpgp.Entity, error) {
	if !k.CanEncrypt(now) {
		return nil, fmt.Errorf("pgp: key %s has no valid encryption key at %s (expired, revoked or missing): %w",
			k.Fingerprint(), now.UTC().Format(time.RFC3339), ErrKeyUnusable)
	}
	return k.entity(), nil
}

// signingEntity returns the entity for signing with k, or an error naming
// the key when it is public, locked, expired or revoked at now.
func (k *Key) signingEntity(now time.Time) (*openpgp.Entity, error) {
	if !k.IsPrivate() {
		return nil, fmt.Errorf("pgp: sign with key %s: it is a public key: %w", k.Fingerprint(), ErrKeyUnusable)
	}
	if k.IsLocked() {
		return nil, fmt.Errorf("pgp: sign with key %s: unlock it first: %w", k.Fingerprint(), ErrKeyUnusable)
	}
	if !k.CanSign(now) {
		return nil, fmt.Errorf("pgp: key %s has no valid signing key at %s (expired, revoked or missing): %w",
			k.Fingerprint(), now.UTC().Format(time.RFC3339), ErrKeyUnusable)
	}
	return k.entity(), nil
}

// writeArmored armors one block of packets.
func writeArmored(blockType string, body []byte) (string, error) {
	return string(armorEncode(blockType, body)), nil
}

// readArmoredOrBinary returns the packet bytes of an armored block of the
// given type, or data itself when it is not armored.
func readArmoredOrBinary(data []byte, blockType string) ([]byte, error) {
	if !isArmored(data) {
		return data, nil
	}
	block, err := armor.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("pgp: decode armor: %w: %w", ErrMalformed, err)
	}
	if block.Type != blockType {
		return nil, fmt.Errorf("pgp: armor block is %q, expected %q: %w", block.Type, blockType, ErrMalformed)
	}
	body, err := readAllSized(io.LimitReader(block.Body, MaxEntitySize+1), len(data)*3/4)
	if err != nil {
		return nil, fmt.Errorf("pgp: decode armor: %w: %w", ErrMalformed, err)
	}
	return body, nil
}

// packetConfig returns the go-crypto configuration used for every
// operation: a fixed clock at now, AES-256, SHA-256, and the
// decompression limit.
func packetConfig(now time.Time) *packet.Config {
	limit := int64(MaxPlaintextSize)
	return &packet.Config{
		Time:                       func() time.Time { return now },
		DefaultHash:                cryptoSHA256,
		DefaultCipher:              packet.CipherAES256,
		MaxDecompressedMessageSize: &limit,
	}
}
