package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"securemail/cache"
)

// manualClock is a cache.Clock that moves only when the test advances it.
type manualClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*manualTimer
}

type manualTimer struct {
	clock   *manualClock
	at      time.Time
	f       func()
	stopped bool
}

func (c *manualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *manualClock) AfterFunc(d time.Duration, f func()) cache.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &manualTimer{clock: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *manualTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

// advance moves the clock by d and fires the timers that are due.
func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*manualTimer
	for _, t := range c.timers {
		if !t.stopped && !t.at.After(c.now) {
			t.stopped = true
			due = append(due, t)
		}
	}
	c.mu.Unlock()
	for _, t := range due {
		t.f()
	}
}

func TestAutoLockWithLockManager(t *testing.T) {
	c := newFakeClient()
	clock := &manualClock{now: time.Unix(1_700_000_000, 0)}
	auto := NewAutoLock(c, cache.LockManagerOptions{Idle: 5 * time.Minute, Clock: clock}, nil)
	auto.log = testLogger()
	s, _ := newTestShell(t, c, Options{Idle: auto})
	// The test driver runs fyne.Do at once on the calling goroutine, not
	// on a UI goroutine, so the lock messages come back to the test
	// goroutine, which then changes the screen as fyne.Do would.
	locks := make(chan string, 4)
	auto.SetOnLocked(func(m string) { locks <- m })
	t.Cleanup(auto.Close)
	nextLock := func() string {
		select {
		case m := <-locks:
			return m
		case <-time.After(5 * time.Second):
			t.Fatal("timed out waiting for the lock")
			return ""
		}
	}

	unlockShell(t, s, c.passphrase)
	clock.advance(4 * time.Minute)
	test.MoveMouse(s.win.Canvas(), fyne.NewPos(200, 200))
	clock.advance(4 * time.Minute)
	if c.Locked() {
		t.Fatal("locked although the pointer moved within the timeout")
	}

	clock.advance(2 * time.Minute)
	message := nextLock()
	if !c.Locked() {
		t.Error("vault not locked after the idle timeout")
	}
	if message != "Locked after 5 minutes without activity." {
		t.Errorf("lock message = %q", message)
	}
	s.showLocked(message)
	if got := screenText(s.win); strings.Contains(got, "Result 0") || !strings.Contains(got, "without activity") {
		t.Errorf("screen after the idle lock:\n%s", got)
	}

	unlockShell(t, s, c.passphrase)
	if c.Locked() || s.mail == nil {
		t.Fatal("unlock after the idle lock failed")
	}
	s.runAction("lock now")
	if got := nextLock(); got != "Locked." {
		t.Errorf("lock now message = %q", got)
	}
	if !c.Locked() || s.mail != nil {
		t.Error("lock now left the vault or the mail screen open")
	}
}

func TestIdleTextInWords(t *testing.T) {
	for _, tc := range []struct {
		idle time.Duration
		want string
	}{
		{time.Minute, "1 minute"},
		{5 * time.Minute, "5 minutes"},
		{90 * time.Second, "1 minute 30 seconds"},
		{2*time.Minute + time.Second, "2 minutes 1 second"},
		{45 * time.Second, "45 seconds"},
		{59*time.Second + 600*time.Millisecond, "1 minute"},
		{0, "0 seconds"},
	} {
		if got := idleText(tc.idle); got != tc.want {
			t.Errorf("idleText(%v) = %q, want %q", tc.idle, got, tc.want)
		}
	}
}
