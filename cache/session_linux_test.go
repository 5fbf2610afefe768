package cache

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// TestLogindWatcherSignals sends logind's signals on a real session bus
// (the system bus needs privileges tests do not have) and checks that
// the watcher turns them into session events.
func TestLogindWatcherSignals(t *testing.T) {
	listen, err := dbus.ConnectSessionBus()
	if err != nil {
		msg := "no D-Bus session bus: " + err.Error()
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	defer listen.Close()
	send, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer send.Close()

	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan SessionEvent, 4)
	done := make(chan error, 1)
	go func() { done <- LogindWatcher{Conn: listen}.Watch(ctx, func(ev SessionEvent) { events <- ev }) }()

	expect := func(want SessionEvent, emit func() error) {
		t.Helper()
		// The match rules are added asynchronously; resend until the
		// watcher reacts.
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if err := emit(); err != nil {
				t.Fatal(err)
			}
			select {
			case got := <-events:
				if got != want {
					t.Fatalf("event = %v, expected %v", got, want)
				}
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
		t.Fatalf("no event %v within 5 s", want)
	}
	expect(SessionSleep, func() error { return send.Emit(logindPath, prepareForSleep, true) })
	expect(SessionScreenLock, func() error { return send.Emit("/org/freedesktop/login1/session/_31", sessionLock) })

	// Waking up (PrepareForSleep false) is no reason to lock.
	send.Emit(logindPath, prepareForSleep, false)
	select {
	case ev := <-events:
		t.Errorf("unexpected event %v after wake-up", ev)
	case <-time.After(200 * time.Millisecond):
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("Watch returned %v after cancel", err)
	}
}
