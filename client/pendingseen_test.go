package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-imap/v2"

	"securemail/account"
	"securemail/internal/testenv"
)

// cuttingProxy forwards TCP connections on loopback to target, but
// closes the first cut connections as soon as they arrive, as a network
// that drops does.
type cuttingProxy struct {
	port     int
	accepted atomic.Int32
}

func startCuttingProxy(t *testing.T, target string, cut int32) *cuttingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &cuttingProxy{port: ln.Addr().(*net.TCPAddr).Port}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			if p.accepted.Add(1) <= cut {
				conn.Close()
				continue
			}
			go forward(conn, target)
		}
	}()
	return p
}

func forward(client net.Conn, target string) {
	defer client.Close()
	server, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer server.Close()
	go func() {
		io.Copy(server, client)
		server.Close()
	}()
	io.Copy(client, server)
}

// TestSyncReportsUnsentReadMarks marks a message read while the
// connection to the server drops, syncs while the replay of the mark
// drops again but the sync's own connection works, and syncs once more
// with a working network. The first sync must report the mark as not
// yet sent, with its cause, and the second must send it.
func TestSyncReportsUnsentReadMarks(t *testing.T) {
	st := testenv.Stack(t)
	const addr = markReadUser
	user := st.User(t, addr)
	c, id, messageID := cachedStackMessage(t, st, "mark-unsent")

	// The connections of MarkRead and of the replay are cut. The sync's
	// own connection and every later one are forwarded.
	proxy := startCuttingProxy(t, st.Addr(st.Ports.IMAPS), 2)
	err := c.AddAccount(Account{
		Address: addr,
		IMAP:    account.Endpoint{Host: st.ServerName, Port: proxy.port, Security: account.ImplicitTLS},
		SMTP:    account.Endpoint{Host: st.ServerName, Port: st.Ports.Submission, Security: account.StartTLS},
	}, user.Password)
	if err != nil {
		t.Fatal(err)
	}
	err = c.MarkRead(id)
	if err == nil || !strings.Contains(err.Error(), "next sync") {
		t.Fatalf("MarkRead over a cut connection: %v, expected an error saying the next sync marks it", err)
	}
	// A damaged mark beside it is deleted and must not be counted.
	s, err := c.current()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.PutRecord(pendingSeenKind, "damaged", []byte(`{"a":`)); err != nil {
		t.Fatal(err)
	}

	rep, err := c.Sync(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var unsent *ReadMarksError
	if !errors.As(rep.Errors[addr], &unsent) {
		t.Fatalf("sync report error of %s = %v, expected a *ReadMarksError", addr, rep.Errors[addr])
	}
	if unsent.Unsent != 1 {
		t.Errorf("report counts %d unsent read marks, expected 1", unsent.Unsent)
	}
	if unsent.Account != addr {
		t.Errorf("report names account %q, expected %q", unsent.Account, addr)
	}
	if len(unsent.Causes) != 1 {
		t.Errorf("report has %d causes, expected 1", len(unsent.Causes))
	}
	if msg := rep.Errors[addr].Error(); !strings.Contains(msg, "1 read mark not yet sent") {
		t.Errorf("report message %q does not say that 1 read mark is not yet sent", msg)
	}
	if r := rep.Accounts[addr]; r == nil || r.Folders == 0 || r.Err() != nil {
		t.Errorf("the sync itself should have worked after the replay failed: %+v", r)
	}
	if got := proxy.accepted.Load(); got < 3 {
		t.Errorf("proxy accepted %d connections, expected MarkRead's, the replay's and the sync's", got)
	}
	if keys, _ := s.store.ListRecords(pendingSeenKind); len(keys) != 1 {
		t.Errorf("%d read marks stored after the failed replay, expected 1", len(keys))
	}
	if flags := serverFlags(t, st, user, messageID); slices.Contains(flags, imap.FlagSeen) {
		t.Fatal("the server has \\Seen although every connection that could set it was cut")
	}

	rep, err = c.Sync(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := rep.Errors[addr]; e != nil {
		t.Fatalf("sync with a working network: %v", e)
	}
	if flags := serverFlags(t, st, user, messageID); !slices.Contains(flags, imap.FlagSeen) {
		t.Errorf("server flags %v after the second sync lack \\Seen", flags)
	}
	if keys, _ := s.store.ListRecords(pendingSeenKind); len(keys) != 0 {
		t.Errorf("%d read marks stored after they reached the server, expected 0", len(keys))
	}
}

func TestReadMarksErrorMessage(t *testing.T) {
	cause := errors.New("account: failed to connect to IMAP server")
	for _, tc := range []struct {
		unsent int
		want   string
	}{
		{1, "1 read mark not yet sent to the server: account: failed to connect to IMAP server; the next sync tries again"},
		{3, "3 read marks not yet sent to the server: account: failed to connect to IMAP server; the next sync tries again"},
	} {
		causes := make([]error, tc.unsent)
		for i := range causes {
			causes[i] = cause
		}
		e := &ReadMarksError{Account: "a@clinic.test", Unsent: tc.unsent, Causes: causes}
		if got := e.Error(); got != tc.want {
			t.Errorf("Error() = %q, expected %q", got, tc.want)
		}
		if !errors.Is(e, cause) {
			t.Errorf("a *ReadMarksError of %d marks does not wrap its cause", tc.unsent)
		}
	}
}

// TestReplayStopsWhenServerUnreachable stores read marks in three
// folders of an account whose server refuses connections. The replay
// must try once, not once per folder, and count every mark as unsent.
func TestReplayStopsWhenServerUnreachable(t *testing.T) {
	c, _ := newProfile(t, "replay-unreachable", testPolicy(t))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there now
	const addr = "rosa@clinic.test"
	if err := c.AddAccount(Account{Address: addr, IMAP: accountEndpoint("127.0.0.1", port), SMTP: accountEndpoint("127.0.0.1", port)}, "pw"); err != nil {
		t.Fatal(err)
	}
	s, err := c.current()
	if err != nil {
		t.Fatal(err)
	}
	for _, folder := range []string{"INBOX", "Archive", "Lab results"} {
		p := pendingSeen{Account: addr, Folder: folder, UIDValidity: 7, UID: 1}
		raw, _ := json.Marshal(p)
		if err := s.store.PutRecord(pendingSeenKind, p.key(), raw); err != nil {
			t.Fatal(err)
		}
	}

	rep, err := c.Sync(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var unsent *ReadMarksError
	if !errors.As(rep.Errors[addr], &unsent) {
		t.Fatalf("sync against a closed port: %v, want a *ReadMarksError in the report", rep.Errors[addr])
	}
	if unsent.Unsent != 3 {
		t.Errorf("%d marks counted unsent, want 3", unsent.Unsent)
	}
	if len(unsent.Causes) != 1 {
		t.Errorf("%d connection attempts failed, want 1: %v", len(unsent.Causes), unsent.Causes)
	}
}
