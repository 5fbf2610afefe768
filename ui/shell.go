package ui

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"securemail/account"
)

// Title is the main window's title, which the GUI smoke test looks for.
const Title = "SecureMail"

// draftAutosave is the autosave interval of compose windows. The idle
// lock fires after at least a minute without input (the policy's
// minimum), so a draft is saved before that lock closes the window. A
// lock on sleep or screen lock can still lose the last interval.
const draftAutosave = 20 * time.Second

// IdleLock is the idle timer that locks the vault, and *AutoLock over
// cache.LockManager implements it. The shell reports pointer moves,
// shortcuts, keys on the focused widget (see activity.go) and keys on a
// canvas without focus to Activity.
type IdleLock interface {
	Activity()
	LockNow() error
	// Unlocked restarts the idle timer after an unlock.
	Unlocked()
}

// Options configure a Shell.
type Options struct {
	Log *slog.Logger
	// Idle is nil when no idle lock is wired, as in most widget tests.
	Idle IdleLock
	// Banner, when not empty, is shown above the lists. The demo uses it
	// to state that its data is invented.
	Banner string
	// StartPassphrase, when not empty, unlocks a locked vault while Run
	// opens the window, as if typed in the unlock screen. Run clears it.
	// A wrong one leaves the unlock screen with its message.
	StartPassphrase []byte
}

// Shell owns the main window and switches its content between the
// first-run, unlock and mail screens. Screens that show mail exist only
// while the vault is unlocked.
type Shell struct {
	app    fyne.App
	win    fyne.Window
	client Client
	opts   Options
	log    *slog.Logger

	mail *mailScreen // nil while locked
	// outbox is the open Outbox window's view, or nil. Used on the UI
	// goroutine only.
	outbox *outboxView
	// children are the extra windows (compose, keys, settings and the
	// others), which lock closes. Used on the UI goroutine only.
	children []fyne.Window

	// background runs work off the UI goroutine; tests replace it with a
	// synchronous call.
	background func(func())
	// deliverSyncEnd hands the end of a sync to the UI goroutine. It is
	// fyne.Do, which the real driver runs later and the test driver at
	// once, so tests replace it to run the callback late as well.
	deliverSyncEnd func(func())
	// autosaveEvery is how often an open compose window saves a changed
	// draft; zero turns autosave off, as the widget tests do.
	autosaveEvery time.Duration

	syncMu     sync.Mutex
	syncing    bool
	cancelSync context.CancelFunc
}

// NewShell builds the main window over client. Call Start to show the
// first screen.
func NewShell(a fyne.App, client Client, opts Options) *Shell {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	s := &Shell{app: a, client: client, opts: opts, log: opts.Log}
	s.background = func(f func()) { go f() }
	s.deliverSyncEnd = fyne.Do
	s.autosaveEvery = draftAutosave
	s.win = a.NewWindow(Title)
	s.win.Resize(fyne.NewSize(1200, 760))
	s.installShortcuts()
	return s
}

// Window returns the main window.
func (s *Shell) Window() fyne.Window { return s.win }

// Start shows the first screen: first run without a vault, the unlock
// screen when locked, and the mail screen otherwise. It runs on the UI
// goroutine.
func (s *Shell) Start() {
	switch {
	case !s.client.Created():
		s.setContent(newFirstRun(s).root)
	case s.client.Locked():
		s.showUnlock("")
	default:
		s.showMail()
	}
}

// setContent replaces the window content and wraps it in the layer that
// reports pointer activity to the idle lock.
func (s *Shell) setContent(content fyne.CanvasObject) {
	s.win.SetContent(newActivityLayer(content, s.activity))
}

func (s *Shell) activity() {
	if s.opts.Idle != nil {
		s.opts.Idle.Activity()
	}
}

// awaitUnlock shows the unlock screen in its unlocking state until done
// delivers the result of an unlock that runs elsewhere, and then shows
// the mail screen or the reason it failed.
func (s *Shell) awaitUnlock(done <-chan error) {
	u := newUnlockScreen(s, "")
	s.setContent(u.root)
	u.begin()
	s.background(func() {
		err := <-done
		fyne.Do(func() { u.finish(s, err) })
	})
}

func (s *Shell) showUnlock(message string) {
	s.setContent(newUnlockScreen(s, message).root)
}

func (s *Shell) showMail() {
	s.mail = newMailScreen(s)
	s.setContent(s.mail.root)
	s.mail.loadFolders()
}

// unlocked runs after a successful unlock or first run.
func (s *Shell) unlocked() {
	if s.opts.Idle != nil {
		s.opts.Idle.Unlocked()
	}
	s.log.Info("vault unlocked")
	s.showMail()
	s.startSync()
}

// LockNow locks the vault at once and shows the unlock screen. It runs
// on the UI goroutine.
func (s *Shell) LockNow() {
	var err error
	if s.opts.Idle != nil {
		err = s.opts.Idle.LockNow()
	} else {
		err = s.client.Lock("manual")
	}
	if err != nil {
		s.log.Error("locking the vault failed", "error", err)
	}
	s.showLocked("Locked.")
}

// Locked shows the unlock screen after the vault was locked elsewhere,
// for example by the idle timer. It may be called from any goroutine.
func (s *Shell) Locked(message string) {
	fyne.Do(func() { s.showLocked(message) })
}

// showLocked rebuilds the window content from scratch so that no widget
// that showed mail survives, closes the other windows, and drops every
// reference to opened messages.
func (s *Shell) showLocked(message string) {
	// Close removes each window from s.children, so iterate over a copy.
	for _, w := range slices.Clone(s.children) {
		w.Close()
	}
	s.children = nil
	s.mail = nil
	if s.cancelSync != nil {
		s.cancelSync()
	}
	s.app.Clipboard().SetContent("")
	s.showUnlock(message)
	s.log.Info("vault locked, content removed from screen")
}

// addChild tracks a secondary window so that lock closes it. onClosed
// runs when the window closes.
func (s *Shell) addChild(w fyne.Window, onClosed ...func()) {
	s.children = append(s.children, w)
	w.SetOnClosed(func() {
		for _, f := range onClosed {
			f()
		}
		for i, c := range s.children {
			if c == w {
				s.children = append(s.children[:i], s.children[i+1:]...)
				break
			}
		}
	})
}

// startSync runs one sync in the background with progress in the status
// bar and a notification without content when new mail arrived.
func (s *Shell) startSync() {
	s.syncMu.Lock()
	if s.syncing || s.mail == nil {
		s.syncMu.Unlock()
		return
	}
	s.syncing = true
	s.syncMu.Unlock()

	status := s.mail.status
	ctx, cancel := context.WithCancel(context.Background())
	s.cancelSync = cancel
	s.background(func() {
		defer cancel()
		n, err := s.client.Sync(ctx, func(p account.Progress) {
			fyne.Do(func() { status.syncProgress(p) })
		})
		// Read ctx now: the deferred cancel runs before the UI goroutine
		// gets to the callback below, so ctx.Err() is always set there.
		cancelled := ctx.Err() != nil
		// The sync submitted the outbox, which may have held messages.
		var held []HeldMessage
		var heldErr error
		if !cancelled {
			held, heldErr = s.client.HeldMessages()
		}
		s.syncMu.Lock()
		s.syncing = false
		s.syncMu.Unlock()
		if err != nil {
			s.log.Error("sync failed", "error", err)
		} else {
			s.log.Info("sync finished", "new", n)
		}
		if heldErr != nil {
			s.log.Error("listing held outbox messages failed", "error", heldErr)
		}
		s.deliverSyncEnd(func() {
			status.syncDone(n, err)
			if !cancelled && heldErr == nil {
				status.setHeld(len(held))
			}
			if s.outbox != nil {
				s.outbox.load()
			}
			// A sync that failed for one account still stored the
			// others' mail, and the list's row count comes from the
			// folder totals, so reload them after every sync that was
			// not cancelled by a lock.
			if s.mail != nil && !cancelled {
				s.mail.loadFolders()
			}
			if n > 0 {
				s.notifyNewMail(n)
			}
		})
	})
}

// refreshHeldNotice updates the status bar's count of held outbox
// messages. It runs on the UI goroutine.
func (s *Shell) refreshHeldNotice() {
	if s.mail == nil {
		return
	}
	status := s.mail.status
	s.background(func() {
		held, err := s.client.HeldMessages()
		if err != nil {
			s.log.Error("listing held outbox messages failed", "error", err)
			return
		}
		fyne.Do(func() { status.setHeld(len(held)) })
	})
}

// newActivityEntry returns an entry that reports typing and focus to the
// idle lock. Every text field of the GUI uses it, because Fyne delivers
// keys to the focused widget only.
func newActivityEntry(s *Shell) *activityEntry {
	e := &activityEntry{onActivity: s.activity}
	e.ExtendBaseWidget(e)
	return e
}

// newPasswordEntry returns an activity entry that hides what is typed.
func newPasswordEntry(s *Shell) *activityEntry {
	e := newActivityEntry(s)
	e.Password = true
	return e
}
