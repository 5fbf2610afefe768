package client

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"testing"
	"time"

	"securemail/audit"
	"securemail/cache"
	"securemail/compose"
)

// TestAttackRemoveAccountWithQueuedMail removes an account while its
// outbox has a queued message and a failed one. Either the removal is
// rejected while messages wait, or every message of the account leaves
// the outbox with a message-discarded record. A message must never stay
// queued for an account that no longer exists, unseen and unaudited,
// to be sent when the same address is added again.
func TestAttackRemoveAccountWithQueuedMail(t *testing.T) {
	const (
		senderAddr = "rosa@clinic.test"
		keyedAddr  = "omar@clinic.test"
	)
	sender, _ := attackSender(t, testPolicy(t), senderAddr, keyedAddr)
	draft := &compose.Draft{
		From:    mail.Address{Address: senderAddr},
		To:      []mail.Address{{Address: keyedAddr}},
		Subject: "Rota",
		Body:    "The rota for March is attached to the ward board.\n",
	}
	report, err := sender.Review(draft)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sender.Send(senderAddr, draft, report, confirmAll(report)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	putOutboxItem(t, sender, cache.OutboxFailed, time.Now(), "failed-1@clinic.test", "server said no", []byte("sealed"))

	if err := sender.RemoveAccount(senderAddr); err != nil {
		if !errors.Is(err, ErrOutboxNotEmpty) {
			t.Errorf("RemoveAccount with waiting messages: %v, expected ErrOutboxNotEmpty", err)
		}
		for _, want := range []string{"has 1 queued and 1 held messages", "securemail sync", "securemail outbox", "Outbox window"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("RemoveAccount error %q lacks %q", err, want)
			}
		}
		accounts, err := sender.Accounts()
		if err != nil {
			t.Fatal(err)
		}
		if len(accounts) != 1 || accounts[0].ID != senderAddr {
			t.Fatalf("the rejected removal left the accounts %+v, expected %s", accounts, senderAddr)
		}
		return
	}

	s, err := sender.current()
	if err != nil {
		t.Fatal(err)
	}
	pending, err := s.store.OutboxPending(time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	held, err := s.store.OutboxHeld()
	if err != nil {
		t.Fatal(err)
	}
	left := len(pending) + len(held)
	discarded := countAuditEvents(t, sender, audit.KindMessageDiscarded)
	if left > 0 || discarded < 2 {
		// The next flush neither sends nor holds them: FlushOutbox only
		// walks the accounts that exist.
		flushErr := sender.FlushOutbox(context.Background())
		t.Errorf("RemoveAccount leaves %d queued and %d held messages of the removed account "+
			"in the outbox with %d message-discarded records; FlushOutbox then returns %v and never reports them",
			len(pending), len(held), discarded, flushErr)
	}
}

// TestRemoveAccountAfterOutboxDrained removes an account once its held
// message is discarded and its queued one has left the outbox. Messages
// of another account and sent ones must not block the removal.
func TestRemoveAccountAfterOutboxDrained(t *testing.T) {
	c, _ := newProfile(t, "remove-drained", testPolicy(t))
	addHeldAccount(t, c)
	raw := []byte("sealed")
	now := time.Now()
	queued := putOutboxItem(t, c, cache.OutboxQueued, now, "<q@clinic.test>", "", raw)
	// A retry due in an hour is still in the outbox.
	s, err := c.current()
	if err != nil {
		t.Fatal(err)
	}
	later := outboxItem(t, c, putOutboxItem(t, c, cache.OutboxQueued, now, "<later@clinic.test>", "", raw))
	later.NextAttempt = now.Add(time.Hour)
	if err := s.store.OutboxUpdate(later); err != nil {
		t.Fatal(err)
	}
	held := putOutboxItem(t, c, cache.OutboxUncertain, now, "<u@clinic.test>", "cut off", raw)
	putOutboxItem(t, c, cache.OutboxDone, now, "<d@clinic.test>", "", raw)
	other := &cache.OutboxItem{Account: "other@clinic.test", MessageID: "<o@clinic.test>", From: "other@clinic.test",
		Recipients: []string{"lab@lab.test"}, Raw: raw, State: cache.OutboxQueued, Created: now}
	if err := s.store.OutboxAdd(other); err != nil {
		t.Fatal(err)
	}

	err = c.RemoveAccount(heldAccount)
	if !errors.Is(err, ErrOutboxNotEmpty) {
		t.Fatalf("RemoveAccount with 2 queued and 1 held message: %v, expected ErrOutboxNotEmpty", err)
	}
	if !strings.Contains(err.Error(), "has 2 queued and 1 held messages") {
		t.Errorf("RemoveAccount error %q does not count 2 queued and 1 held message", err)
	}

	for _, id := range []int64{queued, later.ID} {
		if err := s.store.OutboxDelete(id); err != nil {
			t.Fatal(err)
		}
	}
	err = c.RemoveAccount(heldAccount)
	if !errors.Is(err, ErrOutboxNotEmpty) {
		t.Fatalf("RemoveAccount with 1 held message: %v, expected ErrOutboxNotEmpty", err)
	}
	if strings.Contains(err.Error(), "queued") || strings.Contains(err.Error(), "securemail sync") {
		t.Errorf("RemoveAccount error %q mentions queued messages, but none are left", err)
	}

	if err := c.DiscardHeld(held); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveAccount(heldAccount); err != nil {
		t.Fatalf("RemoveAccount with only sent messages and another account's: %v", err)
	}
	if accounts, err := c.Accounts(); err != nil || len(accounts) != 0 {
		t.Errorf("accounts after the removal: %+v, %v; expected none", accounts, err)
	}
}
