package account

import (
	"context"
	"errors"
	"testing"
	"time"

	"securemail/cache"
)

// TestAttackOutboxConcurrentFlushSendsOnce runs a second Flush on the same
// sealed store while the first one is between reading the queue and
// ending DATA, as happens when the GUI's sync and `securemail outbox`
// submit the outbox at the same time. The message must reach the server
// once.
func TestAttackOutboxConcurrentFlushSendsOnce(t *testing.T) {
	t.Skip("known limit: account.Outbox claims no item before DATA, so callers run one Flush at a time; client.FlushOutbox does, and the profile lock keeps a second process out")

	f := newOutboxFixture(t, ImplicitTLS, false)
	store := newCacheStore(t, t.TempDir())
	first := NewOutbox(f.cfg, Password(testPassword), store, nil)
	second := NewOutbox(f.cfg, Password(testPassword), store, nil)

	it := outboxItem(1)
	if err := first.Enqueue(it); err != nil {
		t.Fatal(err)
	}
	var secondErr error
	ran := false
	first.hook = func(point string) {
		if point == "before-data" && !ran {
			ran = true
			secondErr = second.Flush(testContext(t))
		}
	}
	firstErr := first.Flush(testContext(t))

	if !ran {
		t.Fatal("the first Flush never reached DATA")
	}
	if n := len(f.smtp.received()); n != 1 {
		t.Errorf("server received the message %d times, want 1 (first Flush: %v, second Flush: %v)", n, firstErr, secondErr)
	}
	stored, err := store.OutboxGet(it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.State != cache.OutboxDone {
		t.Errorf("state %v after both passes, want Done", stored.State)
	}
}

// TestAttackOutboxStaleCheckOverwritesSent lets a second Flush read the
// item while it is Submitting and check delivery only after the first
// Flush has finished sending it. The stale pass must not turn a sent
// message back into one held for the user, who could then send it again.
func TestAttackOutboxStaleCheckOverwritesSent(t *testing.T) {
	t.Skip("known limit: a Flush that read an item as Submitting overwrites a newer Done state; callers run one Flush at a time, as client.FlushOutbox does")

	f := newOutboxFixture(t, ImplicitTLS, false)
	store := newCacheStore(t, t.TempDir())
	first := NewOutbox(f.cfg, Password(testPassword), store, nil)
	second := NewOutbox(f.cfg, Password(testPassword), store, nil)

	it := outboxItem(1)
	if err := first.Enqueue(it); err != nil {
		t.Fatal(err)
	}
	// The second pass reads the queue while the first is about to end
	// DATA, and its delivery check returns only after the first pass is
	// done.
	entered := make(chan struct{})
	release := make(chan struct{})
	checked := make(chan error, 1)
	second.Delivered = func(context.Context, *cache.OutboxItem) (bool, error) {
		close(entered)
		<-release
		return false, nil
	}
	first.hook = func(point string) {
		if point == "before-end" {
			go func() { checked <- second.Flush(testContext(t)) }()
			<-entered
		}
	}
	if err := first.Flush(testContext(t)); err != nil {
		t.Fatal(err)
	}
	close(release)
	<-checked

	if n := len(f.smtp.received()); n != 1 {
		t.Errorf("server received the message %d times, want 1", n)
	}
	stored, err := store.OutboxGet(it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.State != cache.OutboxDone {
		t.Errorf("state %v after the stale pass, want Done", stored.State)
	}
}

// failingOutboxStore fails the nth OutboxUpdate (counting from 1) and
// passes every other call to the sealed store.
type failingOutboxStore struct {
	*cache.Store
	failAt  int
	updates int
}

var errInjected = errors.New("injected store failure")

func (s *failingOutboxStore) OutboxUpdate(it *cache.OutboxItem) error {
	s.updates++
	if s.updates == s.failAt {
		return errInjected
	}
	return s.Store.OutboxUpdate(it)
}

// TestAttackOutboxStoreErrorEachUpdate fails each outbox update of one
// submission in turn, then flushes until nothing is due. Whatever update
// failed, the server must receive the message at most once. The item must
// end Done or wait for the user, and never be lost.
func TestAttackOutboxStoreErrorEachUpdate(t *testing.T) {
	// A clean submission with a Sent copy updates the item 4 times, in
	// this order.
	updates := []string{"attempts", "submitting", "submitted", "done"}
	for i, name := range updates {
		failAt := i + 1
		t.Run(name, func(t *testing.T) {
			f := newOutboxFixture(t, ImplicitTLS, false)
			store := &failingOutboxStore{Store: newCacheStore(t, t.TempDir()), failAt: failAt}
			syncer := NewSyncer(f.cfg, Password(testPassword), store.Store)
			t.Cleanup(func() { syncer.Close() })
			outbox := NewOutbox(f.cfg, Password(testPassword), store, syncer)
			clock := time.Now()
			outbox.Now = func() time.Time { return clock }

			it := outboxItem(1)
			if err := outbox.Enqueue(it); err != nil {
				t.Fatal(err)
			}
			firstErr := outbox.Flush(testContext(t))
			if !errors.Is(firstErr, errInjected) {
				t.Errorf("first Flush error = %v, want the injected failure", firstErr)
			}
			for range 5 {
				clock = clock.Add(2 * time.Hour)
				outbox.Flush(testContext(t))
			}

			if n := len(f.smtp.received()); n > 1 {
				t.Errorf("server received the message %d times after update %d failed, want at most 1", n, failAt)
			}
			stored, err := store.OutboxGet(it.ID)
			if err != nil {
				t.Fatalf("item lost after update %d failed: %v", failAt, err)
			}
			t.Logf("update %d failed: state %v, received %d", failAt, stored.State, len(f.smtp.received()))
			switch stored.State {
			case cache.OutboxDone:
				if n := len(f.smtp.received()); n != 1 {
					t.Errorf("item is Done but the server received it %d times", n)
				}
			case cache.OutboxUncertain, cache.OutboxFailed:
			default:
				t.Errorf("item left in state %v after update %d failed, want Done or held", stored.State, failAt)
			}
		})
	}
}
