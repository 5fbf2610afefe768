package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"securemail/crypto"
)

func TestUnlockWrongPassphrase(t *testing.T) {
	c := newFakeClient()
	s, _ := newTestShell(t, c, Options{})

	unlockShell(t, s, "wrong passphrase")
	if !c.Locked() {
		t.Fatal("vault unlocked with a wrong passphrase")
	}
	if got := screenText(s.win); !strings.Contains(got, "Wrong passphrase") {
		t.Errorf("unlock screen does not say the passphrase was wrong:\n%s", got)
	}
	if s.mail != nil {
		t.Error("mail screen built while locked")
	}
}

func TestUnlockShowsFolders(t *testing.T) {
	c := newFakeClient()
	s, _ := newTestShell(t, c, Options{})

	unlockShell(t, s, c.passphrase)
	if c.Locked() {
		t.Fatal("vault still locked after the right passphrase")
	}
	if s.mail == nil {
		t.Fatal("no mail screen after unlock")
	}
	got := screenText(s.win)
	if !strings.Contains(got, "INBOX (2)") {
		t.Errorf("folder list lacks the unread count INBOX (2):\n%s", got)
	}
	if !strings.Contains(got, "Result 0") {
		t.Errorf("message list lacks the newest message:\n%s", got)
	}
}

func TestLockRemovesContent(t *testing.T) {
	c := newFakeClient()
	c.messages[1] = encryptedSignedMessage("Potassium 6.1 mmol/L, repeat tomorrow.")
	s, a := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	s.mail.messageList.Select(0)
	if got := screenText(s.win); !strings.Contains(got, "Potassium") {
		t.Fatalf("message text not shown before the lock:\n%s", got)
	}
	windowsBefore := len(a.Driver().AllWindows())
	s.newCompose(nil)
	if len(s.children) != 1 {
		t.Fatalf("compose window not tracked: %d children", len(s.children))
	}

	s.runAction("lock now")

	if !c.Locked() {
		t.Error("vault not locked by the lock shortcut")
	}
	got := screenText(s.win)
	for _, secret := range []string{"Potassium", "Result 0", "INBOX"} {
		if strings.Contains(got, secret) {
			t.Errorf("%q still on screen after lock", secret)
		}
	}
	if s.mail != nil {
		t.Error("mail screen still referenced after lock")
	}
	if len(s.children) != 0 {
		t.Errorf("%d secondary windows left open after lock", len(s.children))
	}
	if got := len(a.Driver().AllWindows()); got != windowsBefore {
		t.Errorf("%d windows open after lock, want %d as before compose opened", got, windowsBefore)
	}
}

// manualIdle is an idle lock driven by a manual clock, standing in for
// cache.LockManager with an injected clock.
type manualIdle struct {
	mu       sync.Mutex
	now      time.Time
	last     time.Time
	timeout  time.Duration
	unlocked bool
	onLock   func()
}

func (m *manualIdle) Activity() { m.mu.Lock(); m.last = m.now; m.mu.Unlock() }
func (m *manualIdle) Unlocked() { m.mu.Lock(); m.last, m.unlocked = m.now, true; m.mu.Unlock() }
func (m *manualIdle) LockNow() error {
	m.mu.Lock()
	m.unlocked = false
	m.mu.Unlock()
	m.onLock()
	return nil
}

// advance moves the clock and locks when the idle timeout has passed.
func (m *manualIdle) advance(d time.Duration) {
	m.mu.Lock()
	m.now = m.now.Add(d)
	expired := m.unlocked && m.now.Sub(m.last) >= m.timeout
	if expired {
		m.unlocked = false
	}
	m.mu.Unlock()
	if expired {
		m.onLock()
	}
}

func TestIdleTimeoutLocks(t *testing.T) {
	c := newFakeClient()
	idle := &manualIdle{now: time.Unix(0, 0), timeout: 5 * time.Minute}
	var s *Shell
	idle.onLock = func() {
		c.Lock("idle")
		s.Locked("Locked after 5 minutes without activity.")
	}
	s, _ = newTestShell(t, c, Options{Idle: idle})
	unlockShell(t, s, c.passphrase)

	idle.advance(4 * time.Minute)
	test.MoveMouse(s.win.Canvas(), fyne.NewPos(300, 300))
	idle.advance(4 * time.Minute)
	if s.mail == nil {
		t.Fatal("locked although the mouse moved within the timeout")
	}

	idle.advance(2 * time.Minute)
	if s.mail != nil {
		t.Fatal("mail screen still shown after the idle timeout")
	}
	if got := screenText(s.win); !strings.Contains(got, "without activity") || strings.Contains(got, "Result 0") {
		t.Errorf("screen after idle lock:\n%s", got)
	}
}

func TestTypingCountsAsActivity(t *testing.T) {
	c := newFakeClient()
	idle := &manualIdle{now: time.Unix(0, 0), timeout: time.Minute}
	var s *Shell
	idle.onLock = func() { s.Locked("") }
	s, _ = newTestShell(t, c, Options{Idle: idle})
	unlockShell(t, s, c.passphrase)

	idle.advance(50 * time.Second)
	test.Type(s.mail.search, "lab")
	idle.advance(50 * time.Second)
	if s.mail == nil {
		t.Error("typing in the search field did not reset the idle timer")
	}
}

func TestShortcutsNavigate(t *testing.T) {
	c := newFakeClient()
	for i := int64(1); i <= 3; i++ {
		c.messages[i] = plainMessage("text")
	}
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	s.mail.messageList.Select(0)

	s.runAction("next message")
	if s.mail.selected != 1 {
		t.Errorf("next message selected row %d, want 1", s.mail.selected)
	}
	s.runAction("previous message")
	if s.mail.selected != 0 {
		t.Errorf("previous message selected row %d, want 0", s.mail.selected)
	}
	s.runAction("delete")
	if len(c.deleted) != 1 || c.deleted[0] != 1 {
		t.Errorf("delete removed %v, want [1]", c.deleted)
	}

	shortcut := &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	s.win.Canvas().(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut(shortcut)
	if len(s.children) != 1 {
		t.Errorf("Ctrl+N opened %d windows, want 1 compose window", len(s.children))
	}
}

func TestNotificationHasNoContent(t *testing.T) {
	n := newMailNotification(3)
	if n.Content != "3 new messages" {
		t.Errorf("notification content = %q", n.Content)
	}
	if n.Title != Title {
		t.Errorf("notification title = %q", n.Title)
	}
}

func TestSyncShowsProgressAndNotifies(t *testing.T) {
	c := newFakeClient()
	c.syncNew = 2
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)

	s.startSync()
	if got := s.mail.status.label.Text; got != "Sync complete: 2 new messages" {
		t.Errorf("status bar = %q", got)
	}
	test.AssertNotificationSent(t, newMailNotification(2), s.startSync)
}

func plainMessage(body string) *crypto.Message {
	return &crypto.Message{Root: &crypto.Part{MediaType: "text/plain", Body: []byte(body)}}
}

func encryptedSignedMessage(body string) *crypto.Message {
	status := crypto.PartStatus{
		Encryption: crypto.Encryption{Scheme: crypto.SchemeOpenPGP, Algorithm: "AES-256", IntegrityProtected: true},
		Signature: crypto.Signature{State: crypto.GoodSignature, Scheme: crypto.SchemeOpenPGP,
			Signer: "lab@lab.example", Fingerprint: "0123456789ABCDEF0123456789ABCDEF01234567", MatchesFrom: true},
	}
	m := &crypto.Message{
		Root:       &crypto.Part{MediaType: "text/plain", Body: []byte(body), Status: status},
		Encryption: crypto.CoverageFull,
		Signature:  crypto.CoverageFull,
	}
	m.Header.Set("From", "Lab <lab@lab.example>")
	m.Header.Set("Subject", "Result")
	m.Header.Set("Message-Id", "<r1@lab.example>")
	return m
}
