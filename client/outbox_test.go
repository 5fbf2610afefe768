package client

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"

	"securemail/account"
	"securemail/audit"
	"securemail/cache"
	"securemail/internal/testenv"
)

const heldAccount = "rosa@clinic.test"

// addHeldAccount adds an account whose servers are never dialled.
func addHeldAccount(t *testing.T, c *Client) {
	t.Helper()
	err := c.AddAccount(Account{Address: heldAccount, IMAP: accountEndpoint("127.0.0.1", 9), SMTP: accountEndpoint("127.0.0.1", 9)}, "pw")
	if err != nil {
		t.Fatal(err)
	}
}

// putOutboxItem stores an outbox item in state st straight in the sealed
// store, as account.Outbox leaves it, and returns its id.
func putOutboxItem(t *testing.T, c *Client, st cache.OutboxState, created time.Time, messageID, lastError string, raw []byte) int64 {
	t.Helper()
	s, err := c.current()
	if err != nil {
		t.Fatal(err)
	}
	it := &cache.OutboxItem{
		Account:    heldAccount,
		MessageID:  messageID,
		From:       heldAccount,
		Recipients: []string{"lab@lab.test", "omar@clinic.test"},
		Raw:        raw,
		State:      st,
		Created:    created,
		LastError:  lastError,
	}
	if err := s.store.OutboxAdd(it); err != nil {
		t.Fatal(err)
	}
	return it.ID
}

func outboxItem(t *testing.T, c *Client, id int64) *cache.OutboxItem {
	t.Helper()
	s, err := c.current()
	if err != nil {
		t.Fatal(err)
	}
	it, err := s.store.OutboxGet(id)
	if err != nil {
		t.Fatalf("reading outbox item %d: %v", id, err)
	}
	return it
}

// lastAuditEvent returns the newest audit record of kind.
func lastAuditEvent(t *testing.T, c *Client, kind audit.Kind) (audit.Record, bool) {
	t.Helper()
	records, err := c.AuditRecords(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for i := len(records) - 1; i >= 0; i-- {
		if records[i].Kind == kind {
			return records[i], true
		}
	}
	return audit.Record{}, false
}

// countAuditEvents returns how many entries of kind the trail has.
func countAuditEvents(t *testing.T, c *Client, kind audit.Kind) int {
	t.Helper()
	records, err := c.AuditRecords(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range records {
		if r.Kind == kind {
			n++
		}
	}
	return n
}

func TestHeldMessagesListsFailedAndUncertain(t *testing.T) {
	c, _ := newProfile(t, "held-list", testPolicy(t))
	addHeldAccount(t, c)
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	raw := []byte("Subject: Biopsy Xq7held\r\n\r\nbody Xq7held\r\n")
	putOutboxItem(t, c, cache.OutboxQueued, base, "<q@clinic.test>", "", raw)
	uncertain := putOutboxItem(t, c, cache.OutboxUncertain, base.Add(2*time.Minute), "<u@clinic.test>", account.ErrUncertain.Error(), raw)
	failed := putOutboxItem(t, c, cache.OutboxFailed, base.Add(time.Minute), "<f@clinic.test>", "recipient rejected: 550 no such user", raw)
	putOutboxItem(t, c, cache.OutboxDone, base, "<d@clinic.test>", "", raw)

	held, err := c.HeldMessages()
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 2 {
		t.Fatalf("HeldMessages returned %d items, want 2: %+v", len(held), held)
	}
	if held[0].ID != failed || held[1].ID != uncertain {
		t.Errorf("held ids = %d, %d, want %d, %d (oldest first)", held[0].ID, held[1].ID, failed, uncertain)
	}
	if held[0].State != HeldFailed || held[1].State != HeldUncertain {
		t.Errorf("held states = %v, %v, want failed, uncertain", held[0].State, held[1].State)
	}
	if held[0].Reason != "recipient rejected: 550 no such user" {
		t.Errorf("failed reason = %q", held[0].Reason)
	}
	if held[1].Reason != account.ErrUncertain.Error() {
		t.Errorf("uncertain reason = %q", held[1].Reason)
	}
	if !held[0].Created.Equal(base.Add(time.Minute)) {
		t.Errorf("created = %v, want %v", held[0].Created, base.Add(time.Minute))
	}
	if held[0].Account != heldAccount || len(held[0].Recipients) != 2 {
		t.Errorf("account %q, recipients %v", held[0].Account, held[0].Recipients)
	}
	if strings.Contains(fmt.Sprintf("%+v", held), "Xq7held") {
		t.Error("HeldMessages carries message text")
	}
}

func TestSendAgainRequeuesUncertain(t *testing.T) {
	c, _ := newProfile(t, "held-again", testPolicy(t))
	addHeldAccount(t, c)
	id := putOutboxItem(t, c, cache.OutboxUncertain, time.Now(), "<again@clinic.test>", account.ErrUncertain.Error(), []byte("x"))

	if err := c.SendAgain(id); err != nil {
		t.Fatal(err)
	}
	it := outboxItem(t, c, id)
	if it.State != cache.OutboxQueued {
		t.Errorf("state after SendAgain = %d, want Queued", it.State)
	}
	if it.LastError != "" {
		t.Errorf("last error after SendAgain = %q, want empty", it.LastError)
	}
	if held, _ := c.HeldMessages(); len(held) != 0 {
		t.Errorf("HeldMessages after SendAgain = %+v, want none", held)
	}

	rec, ok := lastAuditEvent(t, c, audit.KindMessageResendRequested)
	if !ok {
		t.Fatal("no message.resend_requested entry in the audit trail")
	}
	if rec.MessageID != "<again@clinic.test>" {
		t.Errorf("audit Message-ID = %q", rec.MessageID)
	}
	if rec.Reason != "uncertain" {
		t.Errorf("audit reason = %q, want uncertain", rec.Reason)
	}
	if rec.Account != heldAccount {
		t.Errorf("audit account = %q", rec.Account)
	}
	if len(rec.Recipients) != 0 {
		t.Errorf("audit entry names recipients: %v", rec.Recipients)
	}
	if err := c.AuditErr(); err != nil {
		t.Errorf("audit error: %v", err)
	}
}

func TestSendAgainRejectsItemNotHeld(t *testing.T) {
	c, _ := newProfile(t, "held-queued", testPolicy(t))
	addHeldAccount(t, c)
	id := putOutboxItem(t, c, cache.OutboxSubmitting, time.Now(), "<busy@clinic.test>", "", []byte("x"))

	if err := c.SendAgain(id); !errors.Is(err, ErrNotHeld) {
		t.Errorf("SendAgain of a submitting item: %v, want ErrNotHeld", err)
	}
	if err := c.DiscardHeld(id); !errors.Is(err, ErrNotHeld) {
		t.Errorf("DiscardHeld of a submitting item: %v, want ErrNotHeld", err)
	}
	if it := outboxItem(t, c, id); it.State != cache.OutboxSubmitting {
		t.Errorf("state = %d, want Submitting untouched", it.State)
	}
	if err := c.SendAgain(id + 100); !errors.Is(err, cache.ErrNotFound) {
		t.Errorf("SendAgain of a missing item: %v, want cache.ErrNotFound", err)
	}
	if err := c.DiscardHeld(id + 100); !errors.Is(err, cache.ErrNotFound) {
		t.Errorf("DiscardHeld of a missing item: %v, want cache.ErrNotFound", err)
	}
	if _, ok := lastAuditEvent(t, c, audit.KindMessageResendRequested); ok {
		t.Error("a rejected SendAgain was recorded")
	}
	if _, ok := lastAuditEvent(t, c, audit.KindMessageDiscarded); ok {
		t.Error("a rejected DiscardHeld was recorded")
	}
}

func TestDiscardHeldDeletesFailed(t *testing.T) {
	c, _ := newProfile(t, "held-discard", testPolicy(t))
	addHeldAccount(t, c)
	id := putOutboxItem(t, c, cache.OutboxFailed, time.Now(), "bare-id@clinic.test", "550 rejected", []byte("x"))
	keep := putOutboxItem(t, c, cache.OutboxUncertain, time.Now(), "<keep@clinic.test>", "", []byte("x"))

	if err := c.DiscardHeld(id); err != nil {
		t.Fatal(err)
	}
	s, _ := c.current()
	if _, err := s.store.OutboxGet(id); !errors.Is(err, cache.ErrNotFound) {
		t.Errorf("outbox item after DiscardHeld: %v, want cache.ErrNotFound", err)
	}
	held, err := c.HeldMessages()
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 1 || held[0].ID != keep {
		t.Errorf("HeldMessages after DiscardHeld = %+v, want only %d", held, keep)
	}

	rec, ok := lastAuditEvent(t, c, audit.KindMessageDiscarded)
	if !ok {
		t.Fatal("no message.discarded entry in the audit trail")
	}
	if rec.MessageID != "<bare-id@clinic.test>" {
		t.Errorf("audit Message-ID = %q, want it in angle brackets", rec.MessageID)
	}
	if rec.Reason != "failed" {
		t.Errorf("audit reason = %q, want failed", rec.Reason)
	}
}

func TestHeldStateString(t *testing.T) {
	for st, want := range map[HeldState]string{HeldFailed: "failed", HeldUncertain: "uncertain", 0: "HeldState(0)"} {
		if got := st.String(); got != want {
			t.Errorf("HeldState(%d).String() = %q, want %q", int(st), got, want)
		}
	}
}

// TestSendAgainThroughRealStack holds a message as an interrupted
// submission would leave it, sends it again on request, and checks that
// Postfix delivers it to the recipient's INBOX.
func TestSendAgainThroughRealStack(t *testing.T) {
	sender, recipient := stackClients(t, "held")
	it := queueStackMessage(t, sender, stackRecipient, "held", cache.OutboxUncertain)
	messageID := it.MessageID

	// A flush leaves a held item alone.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := sender.FlushOutbox(ctx); err != nil {
		t.Fatalf("flush before the decision: %v", err)
	}
	if held, _ := sender.HeldMessages(); len(held) != 1 {
		t.Fatalf("held messages before the decision = %+v, want the one", held)
	}

	if err := sender.SendAgain(it.ID); err != nil {
		t.Fatal(err)
	}
	if err := sender.FlushOutbox(ctx); err != nil {
		t.Fatalf("flush after SendAgain: %v", err)
	}
	if got := outboxItem(t, sender, it.ID).State; got != cache.OutboxDone {
		t.Errorf("state after the flush = %d, want Done", got)
	}
	waitForMessage(t, recipient, stackRecipient, "INBOX", messageID)
}

// TestConcurrentFlushSendsOnce runs four FlushOutbox calls at once on a
// queued message, as the GUI's sync and a send can, and expects one copy
// at the recipient.
func TestConcurrentFlushSendsOnce(t *testing.T) {
	sender, recipient := stackClients(t, "flush")
	messageID := queueStackMessage(t, sender, stackRecipient, "flush", cache.OutboxQueued).MessageID

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := sender.FlushOutbox(ctx); err != nil {
				t.Errorf("flush: %v", err)
			}
		})
	}
	wg.Wait()

	waitForMessage(t, recipient, stackRecipient, "INBOX", messageID)
	// Give a second copy time to be delivered before counting.
	time.Sleep(2 * time.Second)
	if _, err := recipient.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	list, err := recipient.List(stackRecipient, "INBOX", 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	copies := 0
	for _, m := range list {
		if m.MessageID == strings.Trim(messageID, "<>") {
			copies++
		}
	}
	if copies != 1 {
		t.Errorf("the recipient has %d copies, expected 1", copies)
	}
}

// TestRejectedMessageRecordedAsHeld queues a message to a domain Postfix
// rejects with 550: the flush holds it as failed and the audit trail
// records message.held, so it does not read as plainly sent.
func TestRejectedMessageRecordedAsHeld(t *testing.T) {
	sender, _ := stackClients(t, "rejected")
	it := queueStackMessage(t, sender, "someone@example.org", "rejected", cache.OutboxQueued)
	messageID := it.MessageID

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := sender.FlushOutbox(ctx); err == nil {
		t.Fatal("flush of a rejected message reported no error")
	}
	if got := outboxItem(t, sender, it.ID).State; got != cache.OutboxFailed {
		t.Fatalf("state after the rejection = %d, want Failed", got)
	}
	rec, ok := lastAuditEvent(t, sender, audit.KindMessageHeld)
	if !ok {
		t.Fatal("no message.held entry after the rejection")
	}
	if rec.Reason != "failed" || rec.MessageID != messageID {
		t.Errorf("message.held entry = %+v, want reason failed and Message-ID %s", rec, messageID)
	}

	// A second flush must not record the same held message again.
	sender.FlushOutbox(ctx)
	if n := countAuditEvents(t, sender, audit.KindMessageHeld); n != 1 {
		t.Errorf("%d message.held entries after a second flush, want 1", n)
	}
}

// The test stack users of the outbox stack tests.
const (
	stackSender    = "client1@clinic.test"
	stackRecipient = "client2@clinic.test"
)

// stackClients returns two unlocked profiles with accounts on the test
// stack: stackSender's and stackRecipient's.
func stackClients(t *testing.T, name string) (sender, recipient *Client) {
	t.Helper()
	st := testenv.Stack(t)
	eff := testPolicy(t)
	sender, _ = newProfile(t, name+"-sender", eff)
	recipient, _ = newProfile(t, name+"-recipient", eff)
	for c, addr := range map[*Client]string{sender: stackSender, recipient: stackRecipient} {
		c.opts.TLSRoots = st.RootCAs()
		stackAccount(t, c, st, addr)
	}
	return sender, recipient
}

// queueStackMessage puts a plain message from stackSender to to, with a
// new Message-ID starting with tag, into c's outbox in state.
func queueStackMessage(t *testing.T, c *Client, to, tag string, state cache.OutboxState) *cache.OutboxItem {
	t.Helper()
	messageID := fmt.Sprintf("<%s-%d@clinic.test>", tag, time.Now().UnixNano())
	raw := []byte("From: " + stackSender + "\r\nTo: " + to + "\r\nSubject: " + tag + " test\r\n" +
		"Message-ID: " + messageID + "\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\n\r\noutbox test\r\n")
	s, err := c.current()
	if err != nil {
		t.Fatal(err)
	}
	it := &cache.OutboxItem{Account: stackSender, MessageID: messageID, From: stackSender,
		Recipients: []string{to}, Raw: raw, State: state, Created: time.Now()}
	if state == cache.OutboxUncertain {
		it.LastError = account.ErrUncertain.Error()
	}
	if err := s.store.OutboxAdd(it); err != nil {
		t.Fatal(err)
	}
	return it
}

func TestOutboxMissingID(t *testing.T) {
	c, _ := newProfile(t, "outbox-missing", testPolicy(t))
	addHeldAccount(t, c)
	for name, act := range map[string]func(int64) error{"DiscardHeld": c.DiscardHeld, "SendAgain": c.SendAgain} {
		err := act(999)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s(999) = %v, expected an error wrapping fs.ErrNotExist", name, err)
			continue
		}
		if got, want := err.Error(), "client: no message 999 in the outbox; securemail outbox lists them"; got != want {
			t.Errorf("%s(999) error = %q, expected %q", name, got, want)
		}
	}
}

func TestWithdrawDeletesQueued(t *testing.T) {
	c, _ := newProfile(t, "withdraw", testPolicy(t))
	addHeldAccount(t, c)
	id := putOutboxItem(t, c, cache.OutboxQueued, time.Now(), "<wrong-address@clinic.test>", "", []byte("x"))
	held := putOutboxItem(t, c, cache.OutboxFailed, time.Now(), "<held@clinic.test>", "550 rejected", []byte("x"))

	queued, err := c.QueuedMessages()
	if err != nil {
		t.Fatal(err)
	}
	if len(queued) != 1 || queued[0].ID != id || queued[0].Account != heldAccount {
		t.Fatalf("QueuedMessages = %+v, want only %d of %s", queued, id, heldAccount)
	}

	if err := c.Withdraw(id); err != nil {
		t.Fatal(err)
	}
	s, _ := c.current()
	if _, err := s.store.OutboxGet(id); !errors.Is(err, cache.ErrNotFound) {
		t.Errorf("outbox item after Withdraw: %v, want cache.ErrNotFound", err)
	}
	rec, ok := lastAuditEvent(t, c, audit.KindMessageDiscarded)
	if !ok {
		t.Fatal("no message.discarded entry in the audit trail")
	}
	if rec.Reason != "queued" || rec.MessageID != "<wrong-address@clinic.test>" {
		t.Errorf("audit entry reason %q, Message-ID %q; want queued and the withdrawn message", rec.Reason, rec.MessageID)
	}

	if err := c.Withdraw(id); !errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), "file does not exist") {
		t.Errorf("Withdraw of a withdrawn message: %v, want a missing-message error without fs wording", err)
	}
	if err := c.Withdraw(held); !errors.Is(err, ErrNotQueued) {
		t.Errorf("Withdraw of a held message: %v, want ErrNotQueued", err)
	}
	if _, err := s.store.OutboxGet(held); err != nil {
		t.Errorf("the held message is gone after a refused Withdraw: %v", err)
	}
}

// TestFlushSendsEachAccountThroughItsOwnServer queues a message for a
// second account whose server cannot be reached. A flush must not submit
// it through the first account's server and login: it stays queued for
// its own account.
func TestFlushSendsEachAccountThroughItsOwnServer(t *testing.T) {
	sender, _ := stackClients(t, "two-accounts")
	const second = "spare9@clinic.test"
	if err := sender.AddAccount(Account{Address: second, IMAP: accountEndpoint("127.0.0.1", 9), SMTP: accountEndpoint("127.0.0.1", 9)}, "pw"); err != nil {
		t.Fatal(err)
	}
	it := queueStackMessage(t, sender, stackRecipient, "second-account", cache.OutboxQueued)
	it.Account, it.From = second, second
	s, err := sender.current()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.OutboxUpdate(it); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := sender.FlushOutbox(ctx); err == nil {
		t.Error("flush reported no error, although the second account's server cannot be reached")
	}
	if got := outboxItem(t, sender, it.ID); got.State != cache.OutboxQueued {
		t.Errorf("state of the second account's message after the flush = %d, want queued for its own server", got.State)
	}
}
