package account

import (
	"context"
	"testing"
	"time"
)

func TestWatchReportsNewMail(t *testing.T) {
	ca := newTestCA(t)
	server := startMemIMAP(t, ca, ImplicitTLS)
	store := newMemStore()
	cfg := testConfig(ca, server.addr, ImplicitTLS)
	cfg.ReadTimeout = 200 * time.Millisecond // must not end IDLE
	s := NewSyncer(cfg, Password(testPassword), store)
	defer s.Close()

	ctx, cancel := context.WithTimeout(testContext(t), 20*time.Second)
	defer cancel()
	changed := make(chan struct{}, 10)
	done := make(chan error, 1)
	go func() {
		done <- NewSyncer(cfg, Password(testPassword), store).Watch(ctx, "INBOX", func() { changed <- struct{}{} })
	}()

	time.Sleep(500 * time.Millisecond) // past the read timeout, inside IDLE
	server.appendMessage(t, "INBOX", testMessage(1, 100))
	select {
	case <-changed:
	case err := <-done:
		t.Fatalf("Watch ended before reporting the change: %v", err)
	case <-ctx.Done():
		t.Fatal("no change reported within 20 s of new mail")
	}
	if _, err := s.SyncFolder(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	if len(store.messages("acct", "INBOX")) != 1 {
		t.Error("new mail not in the store after the sync Watch asked for")
	}

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not return after its context ended")
	}
}
