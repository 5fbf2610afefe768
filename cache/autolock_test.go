package cache

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeClock fires timers only when Advance moves past their deadline.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	clock   *fakeClock
	at      time.Time
	fn      func()
	stopped bool
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, at: c.now.Add(d), fn: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

// Advance moves the clock and runs the timers that became due, in order,
// including timers they arm.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *fakeTimer
		for _, t := range c.timers {
			if !t.stopped && !t.at.After(end) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		next.stopped = true
		c.now = next.at
		c.mu.Unlock()
		next.fn()
	}
}

type countingLocker struct {
	mu    sync.Mutex
	locks int
	err   error
}

func (l *countingLocker) Lock() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.locks++
	return l.err
}

func (l *countingLocker) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.locks
}

func newTestManager(t *testing.T, opts LockManagerOptions) (*LockManager, *countingLocker, *fakeClock) {
	t.Helper()
	clock := newFakeClock()
	opts.Clock = clock
	locker := &countingLocker{}
	m, err := NewLockManager(locker, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m, locker, clock
}

func TestAutoLockIdle(t *testing.T) {
	m, locker, clock := newTestManager(t, LockManagerOptions{})
	changes, _ := m.Subscribe()

	clock.Advance(9 * time.Minute)
	m.Activity()
	clock.Advance(9 * time.Minute)
	if locker.count() != 0 || m.State() != StateUnlocked {
		t.Fatalf("locked after 9 idle minutes (activity in between)")
	}
	clock.Advance(time.Minute)
	if locker.count() != 1 || m.State() != StateLocked {
		t.Fatalf("not locked 10 minutes after the last activity: %d locks", locker.count())
	}
	c := <-changes
	if c.State != StateLocked || c.Reason != ReasonIdle {
		t.Errorf("change = %+v", c)
	}

	clock.Advance(time.Hour)
	if locker.count() != 1 {
		t.Errorf("locked again while locked")
	}
	m.Unlocked()
	if c := <-changes; c.State != StateUnlocked || c.Reason != ReasonUnlock {
		t.Errorf("change after unlock = %+v", c)
	}
	clock.Advance(10 * time.Minute)
	if locker.count() != 2 {
		t.Errorf("idle timer did not restart after unlock")
	}
}

func TestAutoLockPolicyMaximum(t *testing.T) {
	m, locker, clock := newTestManager(t, LockManagerOptions{MaxIdle: 5 * time.Minute})
	if m.IdleTimeout() != 5*time.Minute {
		t.Errorf("idle timeout = %v, expected the policy maximum 5m", m.IdleTimeout())
	}
	if err := m.SetIdleTimeout(6 * time.Minute); !errors.Is(err, ErrIdleTimeout) {
		t.Errorf("SetIdleTimeout above the maximum: %v", err)
	}
	if err := m.SetIdleTimeout(0); !errors.Is(err, ErrIdleTimeout) {
		t.Errorf("SetIdleTimeout(0): %v", err)
	}
	if err := m.SetIdleTimeout(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Minute)
	if locker.count() != 1 {
		t.Errorf("shorter timeout did not apply at once")
	}
	_, err := NewLockManager(locker, LockManagerOptions{Idle: time.Hour, MaxIdle: time.Minute, Clock: clock})
	if !errors.Is(err, ErrIdleTimeout) {
		t.Errorf("NewLockManager above the maximum: %v", err)
	}
}

func TestAutoLockNow(t *testing.T) {
	m, locker, _ := newTestManager(t, LockManagerOptions{})
	locker.err = errors.New("close failed")
	changes, cancel := m.Subscribe()
	if err := m.LockNow(); err == nil {
		t.Errorf("LockNow hid the locker's error")
	}
	c := <-changes
	if c.State != StateLocked || c.Reason != ReasonManual || c.Err == nil {
		t.Errorf("change = %+v", c)
	}
	cancel()
	if _, ok := <-changes; ok {
		t.Errorf("channel still open after cancel")
	}
}

func TestAutoLockSlowSubscriberSeesLatest(t *testing.T) {
	m, _, _ := newTestManager(t, LockManagerOptions{})
	changes, _ := m.Subscribe()
	m.LockNow()
	m.Unlocked()
	m.LockNow()
	if c := <-changes; c.State != StateLocked {
		t.Errorf("latest change = %+v, expected locked", c)
	}
	select {
	case c := <-changes:
		t.Errorf("stale change delivered: %+v", c)
	default:
	}
}

// chanWatcher is a SessionWatcher fed by a channel.
type chanWatcher struct {
	events chan SessionEvent
	err    error
}

func (w chanWatcher) Watch(ctx context.Context, fn func(SessionEvent)) error {
	if w.err != nil {
		return w.err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-w.events:
			fn(ev)
		}
	}
}

func TestAutoLockSessionEvents(t *testing.T) {
	w := chanWatcher{events: make(chan SessionEvent)}
	m, locker, _ := newTestManager(t, LockManagerOptions{Watcher: w})
	changes, _ := m.Subscribe()

	w.events <- SessionSleep
	if c := <-changes; c.Reason != ReasonSleep {
		t.Errorf("change = %+v, expected sleep", c)
	}
	m.Unlocked()
	<-changes
	w.events <- SessionScreenLock
	if c := <-changes; c.Reason != ReasonScreenLock {
		t.Errorf("change = %+v, expected screen lock", c)
	}
	if locker.count() != 2 {
		t.Errorf("locks = %d, expected 2", locker.count())
	}
}

func TestAutoLockWithoutSessionSignals(t *testing.T) {
	m, locker, clock := newTestManager(t, LockManagerOptions{Watcher: chanWatcher{err: errors.New("no bus")}})
	deadline := time.Now().Add(5 * time.Second)
	for m.WatchErr() == nil && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if m.WatchErr() == nil {
		t.Fatal("WatchErr is nil after the watcher failed")
	}
	clock.Advance(DefaultIdleTimeout)
	if locker.count() != 1 {
		t.Errorf("idle lock does not work without session signals")
	}
}

func TestAutoLockLocksVault(t *testing.T) {
	v, _ := newTestVault(t)
	clock := newFakeClock()
	m, err := NewLockManager(v, LockManagerOptions{Clock: clock, Idle: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	clock.Advance(time.Minute)
	if !v.Locked() {
		t.Fatal("vault still unlocked after the idle timeout")
	}
	if _, err := v.Store().List("a", "INBOX", 0, 1); !errors.Is(err, ErrLocked) {
		t.Errorf("store answered while locked: %v", err)
	}
}
