package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"securemail/account"
	"securemail/audit"
	"securemail/cache"
	"securemail/compose"
	"securemail/crypto"
	"securemail/policy"
)

// fakeClient is an in-memory Client for widget tests. Every method
// records its calls so that tests can check what the screens asked for.
type fakeClient struct {
	mu sync.Mutex

	created, locked bool
	passphrase      string
	accounts        []string
	removeErr       error
	folders         []cache.Folder
	// total is the message count of every folder; rows are made up from
	// their index so that a folder of 100,000 costs no memory.
	total     int
	listCalls int
	messages  map[int64]*crypto.Message
	deleted   []int64
	keys      []KeyEntry
	keyStatus map[string]compose.KeyStatus
	report    *compose.Report
	sent      []compose.Answers
	sentDraft *compose.Draft
	drafts    map[int64]*compose.Draft
	settings  []policy.Setting
	setCalls  map[string]any
	records   []audit.Record
	consents  []compose.Consent
	presets   map[string]policy.AccountPreset
	addedReq  []AccountRequest
	lockCalls []string
	syncNew   int
	held      []HeldMessage
	queued    []HeldMessage
	resent    []int64
	discarded []int64
	withdrawn []int64
	// markedRead lists the ids passed to MarkRead, and markReadErr is
	// the error MarkRead returns.
	markedRead  []int64
	markReadErr error
	// senderWarnings maps a sender domain to the warning SenderWarning
	// returns for it, and senderWarningErr is its error for the others.
	senderWarnings   map[string]string
	senderWarningErr error
	// syncAdds is the number of messages each Sync adds to the INBOX, and
	// syncErr the error it returns, as when one account failed.
	syncAdds int
	syncErr  error
}

func newFakeClient() *fakeClient {
	return &fakeClient{
		created:    true,
		locked:     true,
		passphrase: "correct horse battery",
		accounts:   []string{"dr.rivera@clinic.example"},
		folders: []cache.Folder{
			{Account: "dr.rivera@clinic.example", Name: "INBOX", Role: "inbox", Total: 3, Unread: 2},
			{Account: "dr.rivera@clinic.example", Name: "Sent", Role: "sent", Total: 1},
		},
		total:     3,
		messages:  map[int64]*crypto.Message{},
		keyStatus: map[string]compose.KeyStatus{},
		drafts:    map[int64]*compose.Draft{},
		setCalls:  map[string]any{},
		presets:   map[string]policy.AccountPreset{},
	}
}

func (f *fakeClient) Created() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.created }
func (f *fakeClient) Create(p []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created, f.locked, f.passphrase = true, false, string(p)
	return nil
}
func (f *fakeClient) Locked() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.locked }
func (f *fakeClient) Unlock(p []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if string(p) != f.passphrase {
		return fmt.Errorf("unlock: %w", cache.ErrWrongPassphrase)
	}
	f.locked = false
	return nil
}
func (f *fakeClient) Lock(reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.locked = true
	f.lockCalls = append(f.lockCalls, reason)
	return nil
}

func (f *fakeClient) checkUnlocked() error {
	if f.locked {
		return cache.ErrLocked
	}
	return nil
}

func (f *fakeClient) Folders() ([]cache.Folder, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.folders), f.checkUnlocked()
}

func (f *fakeClient) List(acct, folder string, offset, limit int) ([]cache.Summary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listCalls++
	if err := f.checkUnlocked(); err != nil {
		return nil, err
	}
	var out []cache.Summary
	for i := offset; i < min(offset+limit, f.total); i++ {
		out = append(out, fakeSummary(acct, folder, i))
	}
	return out, nil
}

func fakeSummary(acct, folder string, i int) cache.Summary {
	return cache.Summary{
		ID: int64(i + 1), Account: acct, Folder: folder, UID: uint32(i + 1),
		Date: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).Add(-time.Duration(i) * time.Minute),
		From: fmt.Sprintf("sender%d@lab.example", i), To: []string{"Ward 7 <ward7@clinic.example>"},
		Subject: fmt.Sprintf("Result %d", i), Encrypted: i%2 == 0,
	}
}

func (f *fakeClient) Search(q cache.Query) ([]cache.Summary, error) {
	var out []cache.Summary
	for i := 0; i < f.total; i++ {
		s := fakeSummary("dr.rivera@clinic.example", "INBOX", i)
		if strings.Contains(strings.ToLower(s.Subject), strings.ToLower(strings.Join(q.Prefixes, " "))) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *fakeClient) OpenMessage(id int64) (*crypto.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.checkUnlocked(); err != nil {
		return nil, err
	}
	m, ok := f.messages[id]
	if !ok {
		return nil, fmt.Errorf("message %d: %w", id, cache.ErrNotFound)
	}
	return m, nil
}

func (f *fakeClient) SenderWarning(from string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for domain, warning := range f.senderWarnings {
		if strings.HasSuffix(from, "@"+domain+">") || strings.HasSuffix(from, "@"+domain) {
			return warning, nil
		}
	}
	return "", f.senderWarningErr
}

func (f *fakeClient) MarkRead(id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.markedRead = append(f.markedRead, id)
	return f.markReadErr
}

func (f *fakeClient) SaveAttachment(int64, *crypto.Part, string) error { return nil }
func (f *fakeClient) Delete(id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, id)
	return nil
}

func (f *fakeClient) Sync(ctx context.Context, progress func(account.Progress)) (int, error) {
	progress(account.Progress{Folder: "INBOX", FoldersTotal: 2, MessagesTotal: 4, Messages: 2})
	f.mu.Lock()
	defer f.mu.Unlock()
	f.total += f.syncAdds
	f.folders[0].Total += f.syncAdds
	f.folders[0].Unread += f.syncAdds
	return f.syncNew, f.syncErr
}

func (f *fakeClient) Identity() string { return "dr.rivera@clinic.example" }
func (f *fakeClient) RecipientKeys(address string) (compose.KeyStatus, compose.KeyStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.keyStatus[address], compose.KeyStatus{}
}
func (f *fakeClient) Review(d *compose.Draft) (*compose.Report, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.report == nil {
		return nil, errors.New("review: no report in this test")
	}
	return f.report, nil
}
func (f *fakeClient) Send(d *compose.Draft, r *compose.Report, a compose.Answers) (*compose.Sealed, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, a)
	f.sentDraft = d
	return &compose.Sealed{MessageID: "m1@clinic.example"}, nil
}
func (f *fakeClient) SaveDraft(id int64, d *compose.Draft) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id == 0 {
		id = int64(len(f.drafts) + 1)
	}
	f.drafts[id] = d
	return id, nil
}

func (f *fakeClient) Keys() ([]KeyEntry, error) { return f.keys, nil }
func (f *fakeClient) GenerateKey(name, email string) (KeyEntry, error) {
	e := KeyEntry{Own: true, Scheme: crypto.SchemeOpenPGP, Addresses: []string{email}, Fingerprint: "AAAA1111BBBB2222CCCC3333DDDD4444EEEE5555"}
	f.mu.Lock()
	f.keys = append(f.keys, e)
	f.mu.Unlock()
	return e, nil
}
func (f *fakeClient) ImportOpenPGP([]byte, []byte) ([]KeyEntry, error) { return nil, nil }
func (f *fakeClient) ImportPKCS12([]byte, []byte) (KeyEntry, error)    { return KeyEntry{}, nil }
func (f *fakeClient) ExportPublicKey(string) ([]byte, error)           { return []byte("key"), nil }
func (f *fakeClient) VerifyFingerprint(address, fp string) error {
	for i, k := range f.keys {
		if slices.Contains(k.Addresses, address) {
			if k.Fingerprint != fp {
				return crypto.ErrFingerprintMismatch
			}
			f.keys[i].Trust = crypto.TrustVerified
			return nil
		}
	}
	return fmt.Errorf("no key for %s", address)
}
func (f *fakeClient) Revoke(string) error { return nil }

func (f *fakeClient) Accounts() []string { return f.accounts }
func (f *fakeClient) Preset(address string) (policy.AccountPreset, bool) {
	_, domain, _ := strings.Cut(address, "@")
	p, ok := f.presets[domain]
	return p, ok
}
func (f *fakeClient) AddAccount(ctx context.Context, req AccountRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addedReq = append(f.addedReq, AccountRequest{Address: req.Address, IMAP: req.IMAP, SMTP: req.SMTP})
	return nil
}

// RemoveAccount removes address, or fails with removeErr when it is set.
func (f *fakeClient) RemoveAccount(address string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.removeErr != nil {
		return f.removeErr
	}
	i := slices.Index(f.accounts, address)
	if i < 0 {
		return fmt.Errorf("no account %s", address)
	}
	f.accounts = slices.Delete(f.accounts, i, i+1)
	return nil
}

func (f *fakeClient) Settings() []policy.Setting { return f.settings }
func (f *fakeClient) SetSetting(path string, v any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setCalls[path] = v
	return nil
}

func (f *fakeClient) AuditRecords(from, to time.Time) ([]audit.Record, error) { return f.records, nil }
func (f *fakeClient) VerifyAudit() (audit.Report, error) {
	return audit.Report{Entries: len(f.records)}, nil
}

func (f *fakeClient) Consents() ([]compose.Consent, error) { return f.consents, nil }

func (f *fakeClient) HeldMessages() ([]HeldMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.held), f.checkUnlocked()
}

// SendAgain and DiscardHeld remove the message from the held list, as
// the real outbox does.
func (f *fakeClient) SendAgain(id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resent = append(f.resent, id)
	return f.removeHeld(id)
}

func (f *fakeClient) DiscardHeld(id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.discarded = append(f.discarded, id)
	return f.removeHeld(id)
}

func (f *fakeClient) QueuedMessages() ([]HeldMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.queued), f.checkUnlocked()
}

// Withdraw removes the message from the queued list.
func (f *fakeClient) Withdraw(id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, q := range f.queued {
		if q.ID == id {
			f.withdrawn = append(f.withdrawn, id)
			f.queued = slices.Delete(f.queued, i, i+1)
			return nil
		}
	}
	return fmt.Errorf("no queued message %d", id)
}

func (f *fakeClient) removeHeld(id int64) error {
	for i, h := range f.held {
		if h.ID == id {
			f.held = slices.Delete(f.held, i, i+1)
			return nil
		}
	}
	return fmt.Errorf("outbox message %d not found", id)
}
func (f *fakeClient) RecordConsent(address string, expires time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.consents = append(f.consents, compose.Consent{Address: address, RecordedBy: "dr.rivera@clinic.example", RecordedAt: time.Now(), Expires: expires})
	return nil
}

// newTestShell builds a shell over a fake client on the test driver. Its
// background work runs synchronously, so a tap's effects are complete
// when Tap returns.
func newTestShell(t *testing.T, c *fakeClient, opts Options) (*Shell, fyne.App) {
	t.Helper()
	return newTestShellOver(t, c, opts)
}

func newTestShellOver(t *testing.T, c Client, opts Options) (*Shell, fyne.App) {
	t.Helper()
	a := test.NewTempApp(t)
	s := NewShell(a, c, opts)
	s.background = func(f func()) { f() }
	// A ticker would call fyne.Do from its own goroutine, which the test
	// driver runs at once and so races with the test.
	s.autosaveEvery = 0
	s.win.Resize(fyne.NewSize(1200, 760))
	s.Start()
	return s, a
}

// unlockShell types the passphrase into the unlock screen.
func unlockShell(t *testing.T, s *Shell, pass string) {
	t.Helper()
	u := findUnlock(t, s)
	test.Type(u, pass)
	u.OnSubmitted(pass)
}

func findUnlock(t *testing.T, s *Shell) *activityEntry {
	t.Helper()
	var found *activityEntry
	walk(s.win.Content(), func(o fyne.CanvasObject) {
		if e, ok := o.(*activityEntry); ok && e.Password && found == nil {
			found = e
		}
	})
	if found == nil {
		t.Fatal("no passphrase entry on screen")
	}
	return found
}

// walk calls fn for o and every object below it, including widget
// internals.
func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	fn(o)
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			walk(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			walk(c, fn)
		}
	}
}

// screenText returns all text rendered in the window, for checks that
// something is or is not on screen.
func screenText(w fyne.Window) string {
	return test.RenderToMarkup(w.Canvas())
}

func testLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
