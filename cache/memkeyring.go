package cache

import (
	"fmt"
	"sync"
)

// MemoryKeyring is a Keyring that keeps secrets in process memory only.
// It serves the demo, whose throw-away profile is deleted at exit, and
// tests that are not about the OS keyring. A real profile must use the OS
// keyring: with this one, the vault cannot be opened after a restart.
type MemoryKeyring struct {
	mu      sync.Mutex
	secrets map[string]string
}

func memoryKey(service, user string) string { return service + "\x00" + user }

// Get returns the secret, or an error wrapping ErrKeyringEntryMissing.
func (k *MemoryKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.secrets[memoryKey(service, user)]
	if !ok {
		return "", fmt.Errorf("memory keyring %s/%s: %w", service, user, ErrKeyringEntryMissing)
	}
	return v, nil
}

// Set stores secret, replacing any earlier one.
func (k *MemoryKeyring) Set(service, user, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.secrets == nil {
		k.secrets = map[string]string{}
	}
	k.secrets[memoryKey(service, user)] = secret
	return nil
}

// Delete removes the secret; a missing one is not an error.
func (k *MemoryKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.secrets, memoryKey(service, user))
	return nil
}

// Clear removes every secret, as a user deleting the entries by hand
// would.
func (k *MemoryKeyring) Clear() {
	k.mu.Lock()
	defer k.mu.Unlock()
	clear(k.secrets)
}
