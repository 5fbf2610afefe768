package cache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultIdleTimeout is how long the client may go without input before
// it locks, unless the user or policy sets another value.
const DefaultIdleTimeout = 10 * time.Minute

// LockState is whether the vault is open. The UI shows message content
// only in StateUnlocked.
type LockState int

const (
	StateUnlocked LockState = iota
	StateLocked
)

func (s LockState) String() string {
	if s == StateLocked {
		return "locked"
	}
	return "unlocked"
}

// LockReason is the cause of a lock state change.
type LockReason int

const (
	ReasonUnlock     LockReason = iota // the user unlocked the vault
	ReasonIdle                         // no input for the idle timeout
	ReasonManual                       // LockNow, for example a lock button
	ReasonSleep                        // the machine is going to sleep
	ReasonScreenLock                   // the session's screen locked
)

func (r LockReason) String() string {
	switch r {
	case ReasonUnlock:
		return "unlock"
	case ReasonIdle:
		return "idle"
	case ReasonManual:
		return "manual"
	case ReasonSleep:
		return "sleep"
	case ReasonScreenLock:
		return "screen lock"
	}
	return fmt.Sprintf("LockReason(%d)", int(r))
}

// LockChange is one change of the lock state.
type LockChange struct {
	State  LockState
	Reason LockReason
	Time   time.Time
	// Err is set when locking the vault failed. The state is still
	// StateLocked because the keys are wiped before anything can fail.
	Err error
}

// Locker is the resource a LockManager locks. *Vault implements it.
type Locker interface {
	Lock() error
}

// Clock is the time source of the manager, replaced in tests.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a timer from Clock.AfterFunc.
type Timer interface {
	Stop() bool
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }
func (systemClock) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(d, f)
}

// SessionEvent is a signal from the OS session that must lock the client
// at once.
type SessionEvent int

const (
	SessionSleep SessionEvent = iota
	SessionScreenLock
)

// SessionWatcher reports OS sleep and screen lock. Watch calls fn for each
// event until ctx ends. It returns an error at once when the OS offers no
// such signals; the manager then relies on the idle timeout alone.
type SessionWatcher interface {
	Watch(ctx context.Context, fn func(SessionEvent)) error
}

// ErrIdleTimeout is wrapped when an idle timeout is out of range.
var ErrIdleTimeout = errors.New("cache: invalid idle timeout")

// LockManagerOptions configure a LockManager.
type LockManagerOptions struct {
	// Idle is the idle timeout; zero means DefaultIdleTimeout, cut to
	// MaxIdle when that is lower.
	Idle time.Duration
	// MaxIdle is the policy's maximum idle timeout; zero means none.
	MaxIdle time.Duration
	// Clock is the time source; nil means the system clock.
	Clock Clock
	// Watcher reports sleep and screen lock; nil means none.
	Watcher SessionWatcher
}

// LockManager locks the vault after an idle timeout, on request, and when
// the OS reports sleep or a screen lock, and sends each change to its
// subscribers. It is safe for concurrent use. Lock the vault through
// LockNow rather than Vault.Lock, so subscribers learn of the change.
type LockManager struct {
	locker  Locker
	clock   Clock
	maxIdle time.Duration
	cancel  context.CancelFunc
	watched chan struct{}

	// transition serialises lock and unlock, so subscribers see changes
	// in the order they happened.
	transition sync.Mutex

	mu           sync.Mutex
	idle         time.Duration
	state        LockState
	lastActivity time.Time
	timer        Timer
	subscribers  map[int]chan LockChange
	nextID       int
	watchErr     error
	closed       bool
}

// NewLockManager starts a manager for locker, which must be unlocked now.
func NewLockManager(locker Locker, opts LockManagerOptions) (*LockManager, error) {
	if opts.Clock == nil {
		opts.Clock = systemClock{}
	}
	if opts.MaxIdle < 0 {
		return nil, fmt.Errorf("%w: maximum %v is negative", ErrIdleTimeout, opts.MaxIdle)
	}
	idle := opts.Idle
	if idle == 0 {
		idle = DefaultIdleTimeout
		if opts.MaxIdle > 0 && opts.MaxIdle < idle {
			idle = opts.MaxIdle
		}
	}
	m := &LockManager{
		locker:      locker,
		clock:       opts.Clock,
		maxIdle:     opts.MaxIdle,
		subscribers: make(map[int]chan LockChange),
		watched:     make(chan struct{}),
	}
	if err := m.checkIdle(idle); err != nil {
		return nil, err
	}
	m.idle = idle
	m.lastActivity = m.clock.Now()
	m.arm(idle)

	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	go m.watch(ctx, opts.Watcher)
	return m, nil
}

func (m *LockManager) checkIdle(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%w: %v must be positive", ErrIdleTimeout, d)
	}
	if m.maxIdle > 0 && d > m.maxIdle {
		return fmt.Errorf("%w: %v is above the maximum %v set by policy; choose a shorter timeout", ErrIdleTimeout, d, m.maxIdle)
	}
	return nil
}

func (m *LockManager) watch(ctx context.Context, w SessionWatcher) {
	defer close(m.watched)
	if w == nil {
		return
	}
	err := w.Watch(ctx, func(ev SessionEvent) {
		reason := ReasonSleep
		if ev == SessionScreenLock {
			reason = ReasonScreenLock
		}
		m.lock(reason)
	})
	if err != nil && ctx.Err() == nil {
		m.mu.Lock()
		m.watchErr = err
		m.mu.Unlock()
	}
}

// WatchErr returns why sleep and screen-lock signals are not watched, or
// nil while they are (or while no watcher was given).
func (m *LockManager) WatchErr() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.watchErr
}

// arm starts the idle timer; the caller holds m.mu.
func (m *LockManager) arm(d time.Duration) {
	if m.timer != nil {
		m.timer.Stop()
	}
	m.timer = m.clock.AfterFunc(d, m.expire)
}

// expire runs when the idle timer fires. Activity only records a time,
// so the timer checks whether the whole timeout really passed and
// re-arms for the rest otherwise.
func (m *LockManager) expire() {
	m.mu.Lock()
	if m.closed || m.state == StateLocked {
		m.mu.Unlock()
		return
	}
	rest := m.idle - m.clock.Now().Sub(m.lastActivity)
	if rest > 0 {
		m.arm(rest)
		m.mu.Unlock()
		return
	}
	m.mu.Unlock()
	m.lock(ReasonIdle)
}

// Activity records user input. Call it on every key press and pointer
// event; it is cheap.
func (m *LockManager) Activity() {
	m.mu.Lock()
	m.lastActivity = m.clock.Now()
	m.mu.Unlock()
}

// LockNow locks the vault at once.
func (m *LockManager) LockNow() error { return m.lock(ReasonManual) }

func (m *LockManager) lock(reason LockReason) error {
	m.transition.Lock()
	defer m.transition.Unlock()

	m.mu.Lock()
	if m.closed || m.state == StateLocked {
		m.mu.Unlock()
		return nil
	}
	m.state = StateLocked
	if m.timer != nil {
		m.timer.Stop()
		m.timer = nil
	}
	m.mu.Unlock()

	err := m.locker.Lock()
	m.publish(LockChange{State: StateLocked, Reason: reason, Time: m.clock.Now(), Err: err})
	return err
}

// Unlocked records that the vault was unlocked and restarts the idle
// timer.
func (m *LockManager) Unlocked() {
	m.transition.Lock()
	defer m.transition.Unlock()

	m.mu.Lock()
	if m.closed || m.state == StateUnlocked {
		m.mu.Unlock()
		return
	}
	m.state = StateUnlocked
	m.lastActivity = m.clock.Now()
	m.arm(m.idle)
	m.mu.Unlock()
	m.publish(LockChange{State: StateUnlocked, Reason: ReasonUnlock, Time: m.clock.Now()})
}

// SetIdleTimeout changes the idle timeout. It returns an error wrapping
// ErrIdleTimeout when d is not positive or above the policy maximum.
func (m *LockManager) SetIdleTimeout(d time.Duration) error {
	if err := m.checkIdle(d); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.idle = d
	if m.state == StateUnlocked && !m.closed {
		rest := d - m.clock.Now().Sub(m.lastActivity)
		m.arm(max(rest, 0))
	}
	return nil
}

// IdleTimeout returns the current idle timeout.
func (m *LockManager) IdleTimeout() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.idle
}

// State returns the current lock state.
func (m *LockManager) State() LockState {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state
}

// Subscribe returns a channel of lock changes and a function that ends
// the subscription. The channel holds only the latest change: a slow
// reader misses intermediate changes but always receives the newest state.
func (m *LockManager) Subscribe() (<-chan LockChange, func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ch := make(chan LockChange, 1)
	id := m.nextID
	m.nextID++
	m.subscribers[id] = ch
	return ch, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if _, ok := m.subscribers[id]; ok {
			delete(m.subscribers, id)
			close(ch)
		}
	}
}

func (m *LockManager) publish(c LockChange) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ch := range m.subscribers {
		select {
		case <-ch: // drop the stale change
		default:
		}
		ch <- c
	}
}

// Close stops the timer and the session watcher and ends every
// subscription. It does not lock the vault.
func (m *LockManager) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	if m.timer != nil {
		m.timer.Stop()
	}
	for id, ch := range m.subscribers {
		delete(m.subscribers, id)
		close(ch)
	}
	m.mu.Unlock()
	m.cancel()
	<-m.watched
}
