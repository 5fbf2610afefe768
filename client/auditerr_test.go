package client

import (
	"errors"
	"testing"

	"securemail/cache"
)

// writeFailingKeyring is a keyring whose writes fail once failWrites is
// set, as an OS keyring locked during a session rejects them.
type writeFailingKeyring struct {
	cache.Keyring
	failWrites bool
}

func (k *writeFailingKeyring) Set(service, user, secret string) error {
	if k.failWrites {
		return cache.ErrKeyringLocked
	}
	return k.Keyring.Set(service, user, secret)
}

// TestLockKeepsAuditFailure checks that a failed append of the
// vault-locked entry is kept for AuditErr, because the trail raises its
// anchor in the keyring on every append.
func TestLockKeepsAuditFailure(t *testing.T) {
	created, opts := newProfile(t, "lock-audit", testPolicy(t))
	if err := created.Lock(LockManual); err != nil {
		t.Fatal(err)
	}
	keyring := &writeFailingKeyring{Keyring: opts.Keyring}
	opts.Keyring = keyring
	c, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Unlock([]byte("correct horse lock-audit")); err != nil {
		t.Fatal(err)
	}
	if err := c.AuditErr(); err != nil {
		t.Fatalf("AuditErr before any failure: %v", err)
	}

	keyring.failWrites = true
	if err := c.Lock(LockManual); err != nil {
		t.Fatal(err)
	}
	if err := c.AuditErr(); !errors.Is(err, cache.ErrKeyringLocked) {
		t.Errorf("AuditErr after the vault-locked entry failed = %v, expected an error wrapping ErrKeyringLocked", err)
	}
}
