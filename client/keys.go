package client

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"securemail/audit"
	"securemail/crypto"
	"securemail/crypto/pgp"
	"securemail/crypto/smime"
)

// KeyInfo describes a key or certificate for the key manager.
type KeyInfo struct {
	Scheme      crypto.Scheme
	Fingerprint string
	UserIDs     []string // OpenPGP user IDs, or the certificate's addresses
	Created     time.Time
	Expires     time.Time // zero when the key does not expire
	Own         bool      // a key of the user, with its private part
	Trust       crypto.TrustLevel
	// Changed reports a pending different key for a contact's address.
	Changed bool
}

// keyCache holds the user's unlocked private keys while the vault is
// open. It is wiped when the vault locks.
type keyCache struct {
	mu         sync.Mutex
	loaded     bool
	closed     bool // set by wipe; a closed cache never loads again
	pgpKeys    []*pgp.Key
	identities []*smime.Identity
}

func newKeyCache() *keyCache { return &keyCache{} }

func (k *keyCache) wipe() {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, key := range k.pgpKeys {
		key.Wipe()
	}
	// NOTE: Go's crypto/rsa and crypto/ecdsa keys cannot be zeroed in
	// place; dropping them leaves them to the garbage collector.
	k.pgpKeys, k.identities, k.loaded = nil, nil, false
	k.closed = true
}

// storedIdentity is the sealed-record form of an S/MIME identity: DER
// certificates and the PKCS#8 private key, never the PKCS#12 file with
// its password.
type storedIdentity struct {
	Chain [][]byte `json:"chain"` // the certificate first
	Key   []byte   `json:"key"`
}

func (s *session) load() error {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	if s.keys.closed {
		return ErrLocked
	}
	if s.keys.loaded {
		return nil
	}
	fps, err := s.own.Fingerprints(crypto.SchemeOpenPGP)
	if err != nil {
		return err
	}
	for _, fp := range fps {
		raw, err := s.own.Get(crypto.SchemeOpenPGP, fp)
		if err != nil {
			return err
		}
		key, err := pgp.ReadKey(raw)
		clear(raw)
		if err != nil {
			return fmt.Errorf("client: stored OpenPGP key %s is unreadable: %w", fp, err)
		}
		s.keys.pgpKeys = append(s.keys.pgpKeys, key)
	}
	fps, err = s.own.Fingerprints(crypto.SchemeSMIME)
	if err != nil {
		return err
	}
	for _, fp := range fps {
		id, err := s.loadIdentity(fp)
		if err != nil {
			return err
		}
		s.keys.identities = append(s.keys.identities, id)
	}
	s.keys.loaded = true
	return nil
}

func (s *session) loadIdentity(fp string) (*smime.Identity, error) {
	raw, err := s.own.Get(crypto.SchemeSMIME, fp)
	if err != nil {
		return nil, err
	}
	defer clear(raw)
	var st storedIdentity
	if err := json.Unmarshal(raw, &st); err != nil || len(st.Chain) == 0 {
		return nil, fmt.Errorf("client: stored S/MIME identity %s is unreadable", fp)
	}
	var chain []*x509.Certificate
	for _, der := range st.Chain {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("client: stored S/MIME certificate %s is unreadable: %w", fp, err)
		}
		chain = append(chain, cert)
	}
	priv, err := x509.ParsePKCS8PrivateKey(st.Key)
	clear(st.Key)
	if err != nil {
		return nil, fmt.Errorf("client: stored S/MIME key %s is unreadable: %w", fp, err)
	}
	return smime.NewIdentity(chain[0], chain[1:], priv)
}

// ownPGP returns the user's unlocked OpenPGP keys.
func (s *session) ownPGP() ([]*pgp.Key, error) {
	if err := s.load(); err != nil {
		return nil, err
	}
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	return append([]*pgp.Key(nil), s.keys.pgpKeys...), nil
}

func (s *session) ownIdentities() ([]*smime.Identity, error) {
	if err := s.load(); err != nil {
		return nil, err
	}
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	return append([]*smime.Identity(nil), s.keys.identities...), nil
}

// signingKey returns the user's OpenPGP key for address, or nil.
func (s *session) signingKey(address string, now time.Time) (*pgp.Key, error) {
	keys, err := s.ownPGP()
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.MatchesAddress(address) && k.CanSign(now) {
			return k, nil
		}
	}
	return nil, nil
}

func (s *session) identityFor(address string) (*smime.Identity, error) {
	ids, err := s.ownIdentities()
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if smime.HasEmail(id.Certificate, address) {
			return id, nil
		}
	}
	return nil, nil
}

// GenerateKey creates an OpenPGP key for the user (Curve25519 unless rsa
// is set, then RSA-4096), stores it sealed in the vault and binds the
// address to it.
func (c *Client) GenerateKey(name, email string, rsa bool) (KeyInfo, error) {
	s, err := c.current()
	if err != nil {
		return KeyInfo{}, err
	}
	opts := &pgp.KeyOptions{Now: c.opts.Now()}
	if rsa {
		opts.Type = pgp.RSA4096
	}
	key, err := pgp.GenerateKey(name, email, opts)
	if err != nil {
		return KeyInfo{}, err
	}
	info, err := c.storeOwnPGP(s, key, "generated")
	if err != nil {
		key.Wipe()
		return KeyInfo{}, err
	}
	c.record(audit.KeyEvent(audit.KindKeyGenerated, auditKey(info)))
	return info, nil
}

func (c *Client) storeOwnPGP(s *session, key *pgp.Key, source string) (KeyInfo, error) {
	raw, err := key.Serialize()
	if err != nil {
		return KeyInfo{}, err
	}
	defer clear(raw)
	if err := s.own.Put(crypto.SchemeOpenPGP, key.Fingerprint(), raw); err != nil {
		return KeyInfo{}, err
	}
	pub, err := key.ToPublic()
	if err != nil {
		return KeyInfo{}, err
	}
	pubBytes, err := pub.Serialize()
	if err != nil {
		return KeyInfo{}, err
	}
	for _, addr := range key.Emails() {
		cand := crypto.Candidate{Fingerprint: key.Fingerprint(), Public: pubBytes, Source: source}
		if err := s.trust.Bind(crypto.SchemeOpenPGP, addr, cand, crypto.TrustVerified); err != nil {
			return KeyInfo{}, err
		}
	}
	s.keys.mu.Lock()
	if s.keys.loaded {
		s.keys.pgpKeys = append(s.keys.pgpKeys, key)
	} else {
		key.Wipe()
	}
	s.keys.mu.Unlock()
	return pgpInfo(pub, true, crypto.TrustVerified), nil
}

func pgpInfo(k *pgp.Key, own bool, trust crypto.TrustLevel) KeyInfo {
	return KeyInfo{
		Scheme: crypto.SchemeOpenPGP, Fingerprint: k.Fingerprint(), UserIDs: k.UserIDs(),
		Created: k.CreatedAt(), Expires: k.ExpiresAt(), Own: own, Trust: trust,
	}
}

// ImportOpenPGP imports armored or binary keys. Secret keys become the
// user's own (passphrase unlocks them if they are locked); public keys
// are bound to their addresses as verified, because importing a file is
// a deliberate act.
func (c *Client) ImportOpenPGP(data, passphrase []byte) ([]KeyInfo, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	keys, err := pgp.ReadKeys(data)
	if err != nil {
		return nil, err
	}
	var infos []KeyInfo
	for _, k := range keys {
		if k.IsPrivate() {
			if k.IsLocked() {
				unlocked, err := k.Unlock(passphrase)
				if err != nil {
					return infos, fmt.Errorf("client: unlocking imported key %s: %w", k.Fingerprint(), err)
				}
				k = unlocked
			}
			info, err := c.storeOwnPGP(s, k, "import")
			if err != nil {
				return infos, err
			}
			infos = append(infos, info)
			c.record(audit.KeyEvent(audit.KindKeyImported, auditKey(info)))
			continue
		}
		pub, err := k.Serialize()
		if err != nil {
			return infos, err
		}
		for _, addr := range k.Emails() {
			cand := crypto.Candidate{Fingerprint: k.Fingerprint(), Public: pub, Source: "import"}
			if err := s.trust.Bind(crypto.SchemeOpenPGP, addr, cand, crypto.TrustVerified); err != nil {
				return infos, err
			}
		}
		info := pgpInfo(k, false, crypto.TrustVerified)
		infos = append(infos, info)
		c.record(audit.KeyEvent(audit.KindKeyImported, auditKey(info)))
	}
	return infos, nil
}

// ImportPKCS12 imports the user's S/MIME identity from a PKCS#12 file.
// The private key is kept sealed as PKCS#8; the file and its password
// are not stored.
func (c *Client) ImportPKCS12(data []byte, password string) (KeyInfo, error) {
	s, err := c.current()
	if err != nil {
		return KeyInfo{}, err
	}
	id, err := smime.ImportPKCS12(data, password)
	if err != nil {
		return KeyInfo{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(id.PrivateKey)
	if err != nil {
		return KeyInfo{}, fmt.Errorf("client: encoding the S/MIME private key: %w", err)
	}
	st := storedIdentity{Chain: [][]byte{id.Certificate.Raw}, Key: keyDER}
	for _, c := range id.Chain {
		st.Chain = append(st.Chain, c.Raw)
	}
	raw, err := json.Marshal(st)
	clear(keyDER)
	if err != nil {
		return KeyInfo{}, err
	}
	fp := smime.Fingerprint(id.Certificate)
	err = s.own.Put(crypto.SchemeSMIME, fp, raw)
	clear(raw)
	if err != nil {
		return KeyInfo{}, err
	}
	for _, addr := range smime.EmailAddresses(id.Certificate) {
		cand := crypto.Candidate{Fingerprint: fp, Public: id.Certificate.Raw, Source: "import"}
		if err := s.trust.Bind(crypto.SchemeSMIME, addr, cand, crypto.TrustVerified); err != nil {
			return KeyInfo{}, err
		}
	}
	s.keys.mu.Lock()
	if s.keys.loaded {
		s.keys.identities = append(s.keys.identities, id)
	}
	s.keys.mu.Unlock()

	info := certInfo(id.Certificate, true, crypto.TrustVerified)
	c.record(audit.KeyEvent(audit.KindKeyImported, auditKey(info)))
	return info, nil
}

// ImportCertificate binds a contact's S/MIME certificates (PEM or DER).
func (c *Client) ImportCertificate(data []byte) ([]KeyInfo, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	certs, err := smime.ParseCertificates(data)
	if err != nil {
		return nil, err
	}
	var infos []KeyInfo
	for _, cert := range certs {
		fp := smime.Fingerprint(cert)
		for _, addr := range smime.EmailAddresses(cert) {
			cand := crypto.Candidate{Fingerprint: fp, Public: cert.Raw, Source: "import"}
			if err := s.trust.Bind(crypto.SchemeSMIME, addr, cand, crypto.TrustVerified); err != nil {
				return infos, err
			}
		}
		info := certInfo(cert, false, crypto.TrustVerified)
		infos = append(infos, info)
		c.record(audit.KeyEvent(audit.KindKeyImported, auditKey(info)))
	}
	return infos, nil
}

func certInfo(cert *x509.Certificate, own bool, trust crypto.TrustLevel) KeyInfo {
	return KeyInfo{
		Scheme: crypto.SchemeSMIME, Fingerprint: smime.Fingerprint(cert),
		UserIDs: smime.EmailAddresses(cert), Created: cert.NotBefore, Expires: cert.NotAfter,
		Own: own, Trust: trust,
	}
}

// ExportPublicKey returns the armored public key of one of the user's
// OpenPGP keys.
func (c *Client) ExportPublicKey(fingerprint string) (string, error) {
	s, err := c.current()
	if err != nil {
		return "", err
	}
	keys, err := s.ownPGP()
	if err != nil {
		return "", err
	}
	for _, k := range keys {
		if strings.EqualFold(k.Fingerprint(), fingerprint) {
			armored, err := k.ArmorPublic()
			if err == nil {
				c.record(audit.KeyEvent(audit.KindKeyExported, audit.KeyInfo{Type: "openpgp", Fingerprint: k.Fingerprint()}))
			}
			return armored, err
		}
	}
	return "", fmt.Errorf("client: no own OpenPGP key %s: %w", fingerprint, fs.ErrNotExist)
}

// Keys lists the user's own keys and every contact binding.
func (c *Client) Keys() ([]KeyInfo, error) {
	s, err := c.current()
	if err != nil {
		return nil, err
	}
	var out []KeyInfo
	own := map[string]bool{}
	keys, err := s.ownPGP()
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		own[k.Fingerprint()] = true
		out = append(out, pgpInfo(k, true, crypto.TrustVerified))
	}
	ids, err := s.ownIdentities()
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		own[smime.Fingerprint(id.Certificate)] = true
		out = append(out, certInfo(id.Certificate, true, crypto.TrustVerified))
	}

	bindings, err := s.trust.List()
	if err != nil {
		return nil, err
	}
	for _, b := range bindings {
		if own[b.Fingerprint] {
			continue
		}
		info := KeyInfo{Scheme: b.Scheme, Fingerprint: b.Fingerprint, UserIDs: []string{b.Address}, Trust: b.Level, Changed: b.Pending != nil}
		out = append(out, info)
	}
	return out, nil
}

// VerifyFingerprint records that the user compared fingerprint with the
// owner of address through another channel.
func (c *Client) VerifyFingerprint(scheme crypto.Scheme, address, fingerprint string) error {
	s, err := c.current()
	if err != nil {
		return err
	}
	if err := s.trust.Verify(scheme, address, fingerprint); err != nil {
		return err
	}
	c.record(audit.KeyEvent(audit.KindKeyTrusted, audit.KeyInfo{Type: schemeName(scheme), Fingerprint: fingerprint, Address: address}))
	return nil
}

// AcceptChangedKey binds the pending key for address after the user saw
// the warning that it changed.
func (c *Client) AcceptChangedKey(scheme crypto.Scheme, address, fingerprint string) error {
	s, err := c.current()
	if err != nil {
		return err
	}
	if err := s.trust.AcceptPending(scheme, address, fingerprint); err != nil {
		return err
	}
	c.record(audit.KeyEvent(audit.KindKeyChanged, audit.KeyInfo{Type: schemeName(scheme), Fingerprint: fingerprint, Address: address}))
	return nil
}

func schemeName(s crypto.Scheme) string {
	switch s {
	case crypto.SchemeOpenPGP:
		return "openpgp"
	case crypto.SchemeSMIME:
		return "smime"
	}
	return "none"
}

func auditKey(info KeyInfo) audit.KeyInfo {
	k := audit.KeyInfo{Type: schemeName(info.Scheme), Fingerprint: info.Fingerprint}
	if len(info.UserIDs) > 0 {
		k.Address = addrSpec(info.UserIDs[0])
	}
	return k
}

// mergeKeyCopies merges two copies of one bound key for the trust
// directory. An OpenPGP key gains what the newer copy adds. An S/MIME
// certificate with the same fingerprint is the same certificate.
func mergeKeyCopies(scheme crypto.Scheme, stored, seen []byte) ([]byte, error) {
	if scheme != crypto.SchemeOpenPGP {
		return stored, nil
	}
	return pgp.MergePublic(stored, seen)
}
