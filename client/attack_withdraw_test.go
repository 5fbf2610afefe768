package client

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"securemail/audit"
	"securemail/cache"
)

// TestAttackWithdrawRejectsUnqueued withdraws items in every state but
// Queued. Each may already be at the server, so Withdraw must reject it,
// keep it, and record no withdrawal.
func TestAttackWithdrawRejectsUnqueued(t *testing.T) {
	c, _ := newProfile(t, "withdraw-states", testPolicy(t))
	addHeldAccount(t, c)
	states := map[string]cache.OutboxState{
		"submitting": cache.OutboxSubmitting,
		"submitted":  cache.OutboxSubmitted,
		"uncertain":  cache.OutboxUncertain,
		"failed":     cache.OutboxFailed,
	}
	for name, state := range states {
		id := putOutboxItem(t, c, state, time.Now(), "<"+name+"@clinic.test>", "", []byte("x"))
		if err := c.Withdraw(id); !errors.Is(err, ErrNotQueued) {
			t.Errorf("Withdraw of a %s message: %v, expected ErrNotQueued", name, err)
		}
		if got := outboxItem(t, c, id).State; got != state {
			t.Errorf("the %s message is in state %d after a rejected Withdraw", name, got)
		}
	}
	if n := countAuditEvents(t, c, audit.KindMessageDiscarded); n != 0 {
		t.Errorf("%d message.discarded entries after only rejected withdrawals, expected 0", n)
	}
}

// TestAttackWithdrawDuringFlush withdraws queued messages while a flush
// sends them through the real stack. A message whose withdrawal
// succeeded must never reach the recipient, and one whose withdrawal
// was rejected must.
func TestAttackWithdrawDuringFlush(t *testing.T) {
	sender, recipient := stackClients(t, "withdraw-race")
	var items []*cache.OutboxItem
	for range 4 {
		items = append(items, queueStackMessage(t, sender, stackRecipient, "withdraw-race", cache.OutboxQueued))
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	withdrawn := make([]error, len(items))
	// The first goes before the flush starts, so the case of a
	// withdrawal that wins is always checked.
	withdrawn[0] = sender.Withdraw(items[0].ID)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := sender.FlushOutbox(ctx); err != nil {
			t.Errorf("flush: %v", err)
		}
	})
	for i := 1; i < len(items); i++ {
		wg.Go(func() { withdrawn[i] = sender.Withdraw(items[i].ID) })
	}
	wg.Wait()

	var sent []string
	for i, err := range withdrawn {
		switch {
		case err == nil:
		case errors.Is(err, ErrNotQueued):
			sent = append(sent, items[i].MessageID)
		default:
			t.Fatalf("Withdraw of item %d: %v", items[i].ID, err)
		}
	}
	for _, id := range sent {
		waitForMessage(t, recipient, stackRecipient, "INBOX", id)
	}
	// Give a withdrawn message that went out anyway time to arrive.
	time.Sleep(2 * time.Second)
	if _, err := recipient.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	list, err := recipient.List(stackRecipient, "INBOX", 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	arrived := map[string]bool{}
	for _, m := range list {
		arrived["<"+m.MessageID+">"] = true
	}
	for i, err := range withdrawn {
		if err == nil && arrived[items[i].MessageID] {
			t.Errorf("message %s was withdrawn and still reached the recipient", items[i].MessageID)
		}
	}
	t.Logf("%d of %d messages withdrawn before the flush sent them", len(items)-len(sent), len(items))
	if n := countAuditEvents(t, sender, audit.KindMessageDiscarded); n != len(items)-len(sent) {
		t.Errorf("%d message.discarded entries for %d withdrawals", n, len(items)-len(sent))
	}
}
