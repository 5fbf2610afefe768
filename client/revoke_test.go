package client

import (
	"strings"
	"testing"

	"securemail/crypto/pgp"
)

func TestRevokeKeyStopsSigning(t *testing.T) {
	c, _ := newProfile(t, "revoke", testPolicy(t))
	info, err := c.GenerateKey("Rosa Lind", "rosa@clinic.test", false)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := c.RevokeKey(info.Fingerprint, pgp.RevocationCompromise, "laptop lost")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cert, "BEGIN PGP PUBLIC KEY BLOCK") && !strings.Contains(cert, "BEGIN PGP SIGNATURE") {
		t.Errorf("revocation certificate is not armored: %.60q", cert)
	}

	s, err := c.current()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := s.signingKey("rosa@clinic.test", c.opts.Now())
	if err != nil {
		t.Fatal(err)
	}
	if signer != nil {
		t.Error("a revoked key is still offered for signing")
	}

	// The revocation survives locking: it is stored, not only in memory.
	if err := c.Lock(LockManual); err != nil {
		t.Fatal(err)
	}
	if err := c.Unlock([]byte("correct horse revoke")); err != nil {
		t.Fatal(err)
	}
	s, _ = c.current()
	keys, err := s.ownPGP()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || !keys[0].Revoked(c.opts.Now()) {
		t.Errorf("stored key revoked = %v, want true", len(keys) == 1 && keys[0].Revoked(c.opts.Now()))
	}
	if _, err := c.RevokeKey("0000", pgp.RevocationNoReason, ""); err == nil {
		t.Error("revoked a key the user does not have")
	}
	if err := c.AuditErr(); err != nil {
		t.Errorf("audit: %v", err)
	}
}
