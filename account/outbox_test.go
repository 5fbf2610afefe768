package account

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"securemail/cache"
)

func outboxItem(n int) *cache.OutboxItem {
	raw := testMessage(n, 200)
	return &cache.OutboxItem{
		MessageID:  "<" + strconv.Itoa(n) + "@example.test>",
		From:       testUser,
		Recipients: []string{"bob@example.test"},
		Raw:        raw,
		SentCopy:   raw,
	}
}

type outboxFixture struct {
	ca     *testCA
	imap   *memIMAP
	smtp   *memSMTP
	cfg    *Config
	store  *memStore
	syncer *Syncer
	outbox *Outbox
}

func newOutboxFixture(t *testing.T, security Security, requireTLS bool) *outboxFixture {
	f := &outboxFixture{ca: newTestCA(t)}
	f.imap = startMemIMAP(t, f.ca, ImplicitTLS)
	f.smtp = startMemSMTP(t, f.ca, security, requireTLS)
	f.cfg = testConfig(f.ca, f.imap.addr, ImplicitTLS)
	f.cfg.SMTP = Endpoint{Host: "localhost", Port: f.smtp.addr.Port, Security: security}
	f.store = newMemStore()
	f.syncer = NewSyncer(f.cfg, Password(testPassword), f.store)
	t.Cleanup(func() { f.syncer.Close() })
	f.outbox = NewOutbox(f.cfg, Password(testPassword), f.store, f.syncer)
	return f
}

func TestOutboxSubmitsAndFilesSentCopy(t *testing.T) {
	for _, security := range []Security{ImplicitTLS, StartTLS} {
		t.Run(security.String(), func(t *testing.T) {
			f := newOutboxFixture(t, security, false)
			it := outboxItem(1)
			if err := f.outbox.Enqueue(it); err != nil {
				t.Fatal(err)
			}
			if err := f.outbox.Flush(testContext(t)); err != nil {
				t.Fatal(err)
			}

			got := f.smtp.received()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			if !bytes.Equal(got[0].raw, it.Raw) || got[0].from != testUser || got[0].to[0] != "bob@example.test" {
				t.Errorf("received message differs: from %q to %v", got[0].from, got[0].to)
			}
			stored, _ := f.store.OutboxGet(it.ID)
			if stored.State != cache.OutboxDone || stored.Attempts != 1 {
				t.Errorf("item state %v attempts %d, want Done after 1", stored.State, stored.Attempts)
			}
			found, err := f.syncer.HasMessageID(testContext(t), RoleSent, it.MessageID)
			if err != nil || !found {
				t.Errorf("Sent copy not found by Message-ID: %v", err)
			}

			// A second flush finds nothing due and sends nothing.
			if err := f.outbox.Flush(testContext(t)); err != nil {
				t.Fatal(err)
			}
			if n := len(f.smtp.received()); n != 1 {
				t.Errorf("server received %d messages after a second flush, want 1", n)
			}
		})
	}
}

func TestOutboxPermanentFailure(t *testing.T) {
	f := newOutboxFixture(t, ImplicitTLS, false)
	f.smtp.rejectRcpt = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	it := outboxItem(1)
	f.outbox.Enqueue(it)
	err := f.outbox.Flush(testContext(t))
	if err == nil || !strings.Contains(err.Error(), "bob@example.test") {
		t.Fatalf("Flush error = %v, want the rejected recipient named", err)
	}
	stored, _ := f.store.OutboxGet(it.ID)
	if stored.State != cache.OutboxFailed || !strings.Contains(stored.LastError, "550") {
		t.Errorf("item state %v error %q, want Failed with the 550 reply", stored.State, stored.LastError)
	}
}

func TestOutboxTemporaryFailureBacksOff(t *testing.T) {
	f := newOutboxFixture(t, ImplicitTLS, false)
	f.smtp.rejectRcpt = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	f.outbox.Now = func() time.Time { return now }
	it := outboxItem(1)
	f.outbox.Enqueue(it)
	if err := f.outbox.Flush(testContext(t)); err == nil {
		t.Fatal("Flush succeeded against a 451 reply")
	}
	stored, _ := f.store.OutboxGet(it.ID)
	if stored.State != cache.OutboxQueued || !stored.NextAttempt.Equal(now.Add(time.Minute)) {
		t.Fatalf("item state %v next attempt %v, want Queued in one minute", stored.State, stored.NextAttempt)
	}

	// Not due yet: nothing happens.
	f.smtp.rejectRcpt = nil
	f.outbox.Flush(testContext(t))
	if n := len(f.smtp.received()); n != 0 {
		t.Fatalf("sent %d messages before the backoff ended", n)
	}
	now = now.Add(2 * time.Minute)
	if err := f.outbox.Flush(testContext(t)); err != nil {
		t.Fatal(err)
	}
	stored, _ = f.store.OutboxGet(it.ID)
	if n := len(f.smtp.received()); n != 1 || stored.State != cache.OutboxDone || stored.Attempts != 2 {
		t.Errorf("after backoff: %d sent, state %v, attempts %d; want 1, Done, 2", n, stored.State, stored.Attempts)
	}
}

func TestOutboxBackoffGrows(t *testing.T) {
	o := &Outbox{}
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute}
	for i, w := range want {
		if got := o.backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := o.backoff(30); got != time.Hour {
		t.Errorf("backoff(30) = %v, want the one-hour cap", got)
	}
}

func TestOutboxRequireTLS(t *testing.T) {
	f := newOutboxFixture(t, StartTLS, true)
	f.outbox.RequireTLS = RequireTLSIfOffered
	f.outbox.Enqueue(outboxItem(1))
	if err := f.outbox.Flush(testContext(t)); err != nil {
		t.Fatal(err)
	}
	if got := f.smtp.requireTLS; len(got) != 1 || !got[0] {
		t.Errorf("REQUIRETLS on MAIL FROM = %v, want [true]", got)
	}

	g := newOutboxFixture(t, StartTLS, false)
	g.outbox.RequireTLS = RequireTLSAlways
	it := outboxItem(2)
	g.outbox.Enqueue(it)
	if err := g.outbox.Flush(testContext(t)); err == nil {
		t.Fatal("Flush sent without REQUIRETLS although policy demands it")
	}
	stored, _ := g.store.OutboxGet(it.ID)
	if stored.State != cache.OutboxFailed || len(g.smtp.received()) != 0 {
		t.Errorf("state %v with %d sent, want Failed and none", stored.State, len(g.smtp.received()))
	}
}

// TestOutboxInterruptedSubmission covers a crash after the item was marked
// Submitting: the next flush checks the delivery, and an item it cannot
// find waits for the user instead of being sent again.
func TestOutboxInterruptedSubmission(t *testing.T) {
	cases := []struct {
		name      string
		delivered bool
		wantSent  int
		wantState cache.OutboxState
	}{
		{"arrived", true, 0, cache.OutboxDone},
		{"not found", false, 0, cache.OutboxUncertain},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newOutboxFixture(t, ImplicitTLS, false)
			it := outboxItem(1)
			f.outbox.Enqueue(it)
			it.State = cache.OutboxSubmitting
			it.Attempts = 1
			f.store.OutboxUpdate(it)
			var checked bool
			f.outbox.Delivered = func(_ context.Context, got *cache.OutboxItem) (bool, error) {
				checked = got.MessageID == it.MessageID
				return tc.delivered, nil
			}

			err := f.outbox.Flush(testContext(t))
			if tc.delivered && err != nil {
				t.Fatal(err)
			}
			if !tc.delivered && !errors.Is(err, ErrUncertain) {
				t.Errorf("Flush error = %v, want ErrUncertain", err)
			}
			if !checked {
				t.Error("delivery check was not asked")
			}
			if n := len(f.smtp.received()); n != tc.wantSent {
				t.Errorf("sent %d, want %d", n, tc.wantSent)
			}
			stored, _ := f.store.OutboxGet(it.ID)
			if stored.State != tc.wantState {
				t.Errorf("state %v, want %v", stored.State, tc.wantState)
			}
		})
	}
}

// TestOutboxSendAgain holds an uncertain item until the user sends it
// again, and rejects requeueing an item that is not held.
func TestOutboxSendAgain(t *testing.T) {
	f := newOutboxFixture(t, ImplicitTLS, false)
	it := outboxItem(1)
	f.outbox.Enqueue(it)
	it.State = cache.OutboxUncertain
	f.store.OutboxUpdate(it)

	if err := f.outbox.Flush(testContext(t)); err != nil {
		t.Fatal(err)
	}
	if n := len(f.smtp.received()); n != 0 {
		t.Fatalf("sent %d before the user decided, want 0", n)
	}
	if err := f.outbox.SendAgain(it.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.outbox.Flush(testContext(t)); err != nil {
		t.Fatal(err)
	}
	if n := len(f.smtp.received()); n != 1 {
		t.Errorf("sent %d after SendAgain, want 1", n)
	}
	stored, _ := f.store.OutboxGet(it.ID)
	if stored.State != cache.OutboxDone {
		t.Errorf("state %v, want Done", stored.State)
	}
	if err := f.outbox.SendAgain(it.ID); err == nil {
		t.Error("SendAgain requeued a message that was already sent")
	}
}

func TestOutboxDeliveryCheckError(t *testing.T) {
	f := newOutboxFixture(t, ImplicitTLS, false)
	it := outboxItem(1)
	f.outbox.Enqueue(it)
	it.State = cache.OutboxSubmitting
	f.store.OutboxUpdate(it)
	f.outbox.Delivered = func(context.Context, *cache.OutboxItem) (bool, error) {
		return false, errors.New("server down")
	}
	if err := f.outbox.Flush(testContext(t)); err == nil {
		t.Fatal("Flush reported no error")
	}
	stored, _ := f.store.OutboxGet(it.ID)
	if stored.State != cache.OutboxSubmitting || len(f.smtp.received()) != 0 {
		t.Errorf("state %v with %d sent, want Submitting and none", stored.State, len(f.smtp.received()))
	}
}

func TestOutboxEnqueueChecks(t *testing.T) {
	f := newOutboxFixture(t, ImplicitTLS, false)
	noID := outboxItem(1)
	noID.MessageID = ""
	if err := f.outbox.Enqueue(noID); err == nil {
		t.Error("Enqueue accepted an item without Message-ID")
	}
	badCopy := outboxItem(2)
	badCopy.SentCopy = []byte("Subject: x\r\n\r\nno id")
	if err := f.outbox.Enqueue(badCopy); err == nil {
		t.Error("Enqueue accepted a Sent copy without the Message-ID")
	}
}

func TestSMTPWrongPassword(t *testing.T) {
	f := newOutboxFixture(t, StartTLS, false)
	_, err := DialSMTP(testContext(t), f.cfg, Password("wrong"))
	if err == nil || !strings.Contains(err.Error(), "authentication") {
		t.Fatalf("DialSMTP with a wrong password: err = %v", err)
	}
}

func TestSMTPWrongHostCertificate(t *testing.T) {
	ca := newTestCA(t)
	for _, security := range []Security{ImplicitTLS, StartTLS} {
		server := startMemSMTP(t, ca, security, false)
		cfg := testConfig(ca, server.addr, ImplicitTLS)
		cfg.SMTP = Endpoint{Host: "127.0.0.1", Port: server.addr.Port, Security: security}
		cfg.TLS.RootCAs = newTestCA(t).pool // another CA
		if _, err := DialSMTP(testContext(t), cfg, Password(testPassword)); err == nil {
			t.Errorf("%v: DialSMTP trusted a certificate from an unknown CA", security)
		}
	}
}
