package client

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"securemail/account"
	"securemail/internal/testenv"
)

// TestReadingLogsInOnce marks two messages read one after the other and
// deletes one, through a loopback proxy that counts connections. The
// three changes must share one connection and so one login.
func TestReadingLogsInOnce(t *testing.T) {
	st := testenv.Stack(t)
	user := st.User(t, markReadUser)
	c, first, firstID := cachedStackMessage(t, st, "ops-first")

	secondID := fmt.Sprintf("ops-second-%d@lab.test", time.Now().UnixNano())
	appendRaw(t, st, user, []byte("From: lab@lab.test\r\nTo: "+markReadUser+"\r\nSubject: Sodium\r\n"+
		"Date: Mon, 02 Mar 2026 10:05:00 +0000\r\nMessage-ID: <"+secondID+">\r\n"+
		"Content-Type: text/plain\r\n\r\nSodium is normal.\r\n"))
	second, ok := syncUntil(t, c, markReadUser, []string{secondID}, 30*time.Second)[secondID]
	if !ok {
		t.Fatalf("message %s never reached the cache", secondID)
	}

	proxy := startCuttingProxy(t, st.Addr(st.Ports.IMAPS), 0)
	err := c.AddAccount(Account{
		Address: markReadUser,
		IMAP:    account.Endpoint{Host: st.ServerName, Port: proxy.port, Security: account.ImplicitTLS},
		SMTP:    account.Endpoint{Host: st.ServerName, Port: st.Ports.Submission, Security: account.StartTLS},
	}, user.Password)
	if err != nil {
		t.Fatal(err)
	}

	if err := c.MarkRead(first); err != nil {
		t.Fatal(err)
	}
	if err := c.MarkRead(second); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteMessage(second); err != nil {
		t.Fatal(err)
	}
	if got := proxy.accepted.Load(); got != 1 {
		t.Errorf("two read marks and a delete opened %d connections, expected 1", got)
	}
	if flags := serverFlags(t, st, user, firstID); !slices.Contains(flags, imap.FlagSeen) {
		t.Errorf("the first message has flags %v on the server, expected \\Seen", flags)
	}

	// Locking closes the connection; a change after unlocking dials anew.
	if err := c.Lock(LockManual); err != nil {
		t.Fatal(err)
	}
	if err := c.Unlock([]byte("correct horse ops-first")); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteMessage(first); err != nil {
		t.Fatal(err)
	}
	if got := proxy.accepted.Load(); got != 2 {
		t.Errorf("a delete after locking and unlocking made %d connections in all, expected 2", got)
	}
}
