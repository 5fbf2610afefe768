package pgp

import (
	stdcrypto "crypto"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

const cryptoSHA256 = stdcrypto.SHA256

// KeyType selects the algorithms of a generated key.
type KeyType int

const (
	// Curve25519 is an Ed25519 primary key with a Cv25519 (ECDH)
	// encryption subkey, in the v4 format that gpg 2.2 reads.
	Curve25519 KeyType = iota
	// RSA4096 is an RSA-4096 primary key with an RSA-4096 encryption
	// subkey.
	RSA4096
)

// UserID is one identity to bind to a generated key.
type UserID struct {
	Name  string
	Email string
}

// KeyOptions are the settings for GenerateKey. A nil *KeyOptions means a
// Curve25519 key without expiry, created now.
type KeyOptions struct {
	Type KeyType
	// MoreUserIDs are bound to the key after the primary user ID.
	MoreUserIDs []UserID
	// Lifetime is how long the key and its subkeys are valid; 0 means no
	// expiry.
	Lifetime time.Duration
	// SigningSubkey adds a separate signing subkey, so the primary key is
	// only used to certify.
	SigningSubkey bool
	// Now is the creation time; the zero value means time.Now().
	Now time.Time
}

// GenerateKey creates a secret key with the primary user ID
// "name <email>". The returned key is unlocked; export it with ArmorSecret
// and wipe it when done.
func GenerateKey(name, email string, opts *KeyOptions) (*Key, error) {
	if opts == nil {
		opts = &KeyOptions{}
	}
	if email == "" {
		return nil, fmt.Errorf("pgp: generate key: an email address is required")
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}

	config := packetConfig(now)
	switch opts.Type {
	case Curve25519:
		config.Algorithm = packet.PubKeyAlgoEdDSA
		config.Curve = packet.Curve25519
	case RSA4096:
		config.Algorithm = packet.PubKeyAlgoRSA
		config.RSABits = 4096
	default:
		return nil, fmt.Errorf("pgp: generate key: unknown key type %d", opts.Type)
	}
	if opts.Lifetime < 0 || opts.Lifetime.Seconds() > math.MaxUint32 {
		return nil, fmt.Errorf("pgp: generate key: lifetime %s is out of range (0 to 136 years)", opts.Lifetime)
	}
	config.KeyLifetimeSecs = uint32(opts.Lifetime / time.Second)

	e, err := openpgp.NewEntity(name, "", email, config)
	if err != nil {
		return nil, fmt.Errorf("pgp: generate key for %q: %w", email, err)
	}
	for _, uid := range opts.MoreUserIDs {
		if err := e.AddUserId(uid.Name, "", uid.Email, config); err != nil {
			return nil, fmt.Errorf("pgp: add user ID %q: %w", uid.Email, err)
		}
	}
	if opts.SigningSubkey {
		if err := e.AddSigningSubkey(config); err != nil {
			return nil, fmt.Errorf("pgp: add signing subkey: %w", err)
		}
	}
	setSubkeyLifetime(e, config)

	return newKey(e)
}

// setSubkeyLifetime gives the encryption subkey that NewEntity creates the
// key's lifetime too, so that it does not outlive the primary key in
// software that checks subkeys alone.
func setSubkeyLifetime(e *openpgp.Entity, config *packet.Config) {
	if config.KeyLifetimeSecs == 0 {
		return
	}
	for i := range e.Subkeys {
		sub := &e.Subkeys[i]
		if sub.Sig.KeyLifetimeSecs != nil && *sub.Sig.KeyLifetimeSecs != 0 {
			continue
		}
		lifetime := config.KeyLifetimeSecs
		sub.Sig.KeyLifetimeSecs = &lifetime
		// Re-sign the binding with the lifetime included. On failure the
		// old binding stays valid, and the primary key's expiry still
		// limits the subkey.
		_ = sub.Sig.SignKey(sub.PublicKey, e.PrivateKey, config)
	}
}

func sortStrings(s []string) { sort.Strings(s) }
