package client

import (
	"fmt"
	"io/fs"
	"strings"

	"securemail/audit"
	"securemail/crypto"
	"securemail/crypto/pgp"
)

// RevokeKey revokes one of the user's OpenPGP keys, for example after a
// laptop was lost, and returns the armored revocation certificate to
// publish or send to correspondents. The key stays in the vault, marked
// revoked, so that mail encrypted to it can still be read. It no longer
// signs, and correspondents who import it see the revocation.
func (c *Client) RevokeKey(fingerprint string, reason pgp.RevocationReason, text string) (string, error) {
	s, err := c.current()
	if err != nil {
		return "", err
	}
	keys, err := s.ownPGP()
	if err != nil {
		return "", err
	}
	var key *pgp.Key
	for _, k := range keys {
		if strings.EqualFold(k.Fingerprint(), fingerprint) {
			key = k
		}
	}
	if key == nil {
		return "", fmt.Errorf("client: no own OpenPGP key %s: %w", fingerprint, fs.ErrNotExist)
	}

	now := c.opts.Now()
	cert, err := key.RevocationCertificate(reason, text, now)
	if err != nil {
		return "", fmt.Errorf("client: making the revocation certificate: %w", err)
	}
	if err := key.ApplyRevocation([]byte(cert)); err != nil {
		return "", fmt.Errorf("client: applying the revocation: %w", err)
	}

	raw, err := key.Serialize()
	if err != nil {
		return "", err
	}
	err = s.own.Put(crypto.SchemeOpenPGP, key.Fingerprint(), raw)
	clear(raw)
	if err != nil {
		return "", err
	}
	pub, err := key.ToPublic()
	if err != nil {
		return "", err
	}
	pubRaw, err := pub.Serialize()
	if err != nil {
		return "", err
	}
	for _, addr := range key.Emails() {
		cand := crypto.Candidate{Fingerprint: key.Fingerprint(), Public: pubRaw, Source: "revoked"}
		if err := s.trust.Bind(crypto.SchemeOpenPGP, addr, cand, crypto.TrustVerified); err != nil {
			return "", err
		}
	}

	info := pgpInfo(pub, true, crypto.TrustVerified)
	k := auditKey(info)
	k.Trust = "revoked"
	c.record(audit.KeyEvent(audit.KindKeyChanged, k))
	return cert, nil
}
