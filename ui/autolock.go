package ui

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"securemail/cache"
)

// AutoLock wires cache.LockManager to the shell: the shell reports key
// presses and pointer moves to Activity, and when the manager locks the
// vault (idle timeout, sleep, screen lock or Lock now) the shell drops
// the mail screen. The manager starts at the first unlock, because it
// expects an unlocked vault.
type AutoLock struct {
	vault Vault
	opts  cache.LockManagerOptions
	log   *slog.Logger
	// onLocked shows the unlock screen; Run sets it to Shell.Locked.
	onLocked func(message string)

	mu  sync.Mutex
	mgr *cache.LockManager
}

// NewAutoLock returns an idle lock for vault with the timeout in opts.
// Call SetOnLocked before the first unlock.
func NewAutoLock(vault Vault, opts cache.LockManagerOptions, log *slog.Logger) *AutoLock {
	return &AutoLock{vault: vault, opts: opts, log: log}
}

// SetOnLocked sets the function that shows the lock screen. It may be
// called from any goroutine.
func (l *AutoLock) SetOnLocked(fn func(message string)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.onLocked = fn
}

// vaultLocker lets the manager lock the vault.
type vaultLocker struct{ v Vault }

func (v vaultLocker) Lock() error { return v.v.Lock("lock manager") }

func (l *AutoLock) manager() *cache.LockManager {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mgr
}

func (l *AutoLock) Activity() {
	if m := l.manager(); m != nil {
		m.Activity()
	}
}

func (l *AutoLock) LockNow() error {
	if m := l.manager(); m != nil {
		return m.LockNow()
	}
	return l.vault.Lock("manual")
}

// Unlocked starts the manager at the first unlock and restarts its idle
// timer at every later one.
func (l *AutoLock) Unlocked() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.mgr != nil {
		l.mgr.Unlocked()
		return
	}
	m, err := cache.NewLockManager(vaultLocker{l.vault}, l.opts)
	if err != nil {
		// NOTE: an invalid timeout leaves the vault without an idle
		// lock; the policy validation rejects such timeouts first.
		l.log.Error("idle lock not started", "error", err)
		return
	}
	l.mgr = m
	changes, _ := m.Subscribe()
	go l.watch(changes)
}

// watch turns lock changes into the lock screen.
func (l *AutoLock) watch(changes <-chan cache.LockChange) {
	for c := range changes {
		if c.State != cache.StateLocked {
			continue
		}
		if c.Err != nil {
			l.log.Error("locking the vault failed", "reason", c.Reason.String(), "error", c.Err)
		}
		l.log.Info("vault locked", "reason", c.Reason.String())
		l.mu.Lock()
		fn := l.onLocked
		idle := l.mgr.IdleTimeout()
		l.mu.Unlock()
		if fn != nil {
			fn(lockMessage(c.Reason, idle))
		}
	}
}

func lockMessage(r cache.LockReason, idle time.Duration) string {
	switch r {
	case cache.ReasonIdle:
		return fmt.Sprintf("Locked after %s without activity.", idleText(idle))
	case cache.ReasonSleep:
		return "Locked because the computer went to sleep."
	case cache.ReasonScreenLock:
		return "Locked because the screen was locked."
	default:
		return "Locked."
	}
}

// idleText writes an idle timeout in words, such as "1 minute" or
// "2 minutes 30 seconds", rounded to the second.
func idleText(d time.Duration) string {
	d = d.Round(time.Second)
	minutes := int(d / time.Minute)
	seconds := int(d % time.Minute / time.Second)
	var parts []string
	if minutes > 0 {
		parts = append(parts, countText(minutes, "minute"))
	}
	if seconds > 0 || minutes == 0 {
		parts = append(parts, countText(seconds, "second"))
	}
	return strings.Join(parts, " ")
}

// countText returns n with unit, in the plural unless n is 1.
func countText(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// Close stops the manager.
func (l *AutoLock) Close() {
	if m := l.manager(); m != nil {
		m.Close()
	}
}
