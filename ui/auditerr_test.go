package ui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"securemail/account"
	"securemail/cache"
	"securemail/client"
)

// lockableKeyring is a keyring whose writes fail once locked is set, as
// an OS keyring locked during a session rejects them.
type lockableKeyring struct {
	cache.Keyring
	locked atomic.Bool
}

func (k *lockableKeyring) Set(service, user, secret string) error {
	if k.locked.Load() {
		return cache.ErrKeyringLocked
	}
	return k.Keyring.Set(service, user, secret)
}

// TestSyncReportsAuditFailure locks the keyring, so the audit trail
// fails to raise its anchor when the profile is unlocked again. The
// adapter's sync error, which the status bar shows, must carry it.
func TestSyncReportsAuditFailure(t *testing.T) {
	keyring := &lockableKeyring{Keyring: &cache.MemoryKeyring{}}
	opts := client.WithKDF(client.Options{Dir: t.TempDir(), Policy: e2ePolicy(t), Keyring: keyring, NoDiscovery: true}, e2eKDF)
	passphrase := []byte("audit failure passphrase")
	c, err := client.Create(opts, passphrase, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Lock("test over") })
	adapter := WrapClient(c)

	if _, err := adapter.Sync(context.Background(), func(account.Progress) {}); err != nil {
		t.Fatalf("sync before any audit failure: %v", err)
	}

	keyring.locked.Store(true)
	if err := c.Lock(client.LockManual); err != nil {
		t.Fatal(err)
	}
	if err := c.Unlock(passphrase); err != nil {
		t.Fatal(err)
	}
	_, err = adapter.Sync(context.Background(), func(account.Progress) {})
	if err == nil {
		t.Fatal("sync after a failed audit append returned no error")
	}
	if !strings.Contains(err.Error(), "the audit trail is missing an entry") {
		t.Errorf("sync error %q does not report the failed audit append", err)
	}
	if !strings.Contains(err.Error(), "audit anchor") {
		t.Errorf("sync error %q does not give the cause", err)
	}
}
