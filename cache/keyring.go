package cache

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// Keyring is the part of the OS keyring the vault uses. SystemKeyring is
// the real one; tests may pass their own.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// Keyring errors. SystemKeyring wraps every failure in one of them.
var (
	// ErrKeyringUnavailable means no OS keyring responded. On Linux that
	// is no Secret Service on the session bus.
	ErrKeyringUnavailable = errors.New("cache: the OS keyring is not reachable; start the Secret Service (for example gnome-keyring) and retry")
	// ErrKeyringLocked means the keyring is there but locked.
	ErrKeyringLocked = errors.New("cache: the OS keyring is locked; unlock it (usually by logging in again) and retry")
	// ErrKeyringEntryMissing means the keyring has no device secret for
	// this profile, for example after the entry was deleted by hand.
	ErrKeyringEntryMissing = errors.New("cache: the OS keyring has no device secret for this profile; the vault cannot be opened on this machine without it")
)

// SystemKeyring is the OS keyring through zalando/go-keyring, with a time
// limit on each call, because go-keyring waits without a limit for the
// result of a Secret Service prompt that may never be shown.
type SystemKeyring struct {
	// Timeout bounds each call; zero means 15 seconds.
	Timeout time.Duration
}

func (k SystemKeyring) call(op string, fn func() error) error {
	timeout := k.Timeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return classifyKeyringError(op, err)
	case <-timer.C:
		return fmt.Errorf("%w: %s timed out after %v", ErrKeyringUnavailable, op, timeout)
	}
}

// classifyKeyringError maps go-keyring's errors, which are plain D-Bus
// errors on Linux, to the vault's typed errors.
func classifyKeyringError(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return fmt.Errorf("%w (%s)", ErrKeyringEntryMissing, op)
	case isLockedError(err):
		return fmt.Errorf("%w (%s: %v)", ErrKeyringLocked, op, err)
	default:
		return fmt.Errorf("%w (%s: %v)", ErrKeyringUnavailable, op, err)
	}
}

// isLockedError recognises a locked collection. go-keyring v0.2.8 reports
// it as "failed to unlock correct collection" when the unlock prompt is
// dismissed or cannot be shown, and the Secret Service as IsLocked.
func isLockedError(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "failed to unlock") ||
		strings.Contains(msg, "org.freedesktop.Secret.Error.IsLocked") ||
		strings.Contains(msg, "Cannot create an item in a locked collection")
}

// Get returns the secret stored for service and user.
func (k SystemKeyring) Get(service, user string) (string, error) {
	var secret string
	err := k.call("read", func() error {
		var err error
		secret, err = keyring.Get(service, user)
		return err
	})
	return secret, err
}

// Set stores secret for service and user, replacing an earlier one.
func (k SystemKeyring) Set(service, user, secret string) error {
	return k.call("write", func() error { return keyring.Set(service, user, secret) })
}

// Delete removes the secret for service and user.
func (k SystemKeyring) Delete(service, user string) error {
	return k.call("delete", func() error { return keyring.Delete(service, user) })
}
