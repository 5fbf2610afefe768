package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"securemail/account"
	"securemail/cache"
	"securemail/crypto"
	"securemail/crypto/pgp"
	"securemail/internal/testenv"
)

func TestMarkReadReachesServer(t *testing.T) {
	st := testenv.Stack(t)
	const addr = markReadUser
	user := st.User(t, addr)
	c, id, messageID := cachedStackMessage(t, st, "mark-read")
	before := folderUnread(t, c, addr, "INBOX")
	if before == 0 {
		t.Fatal("INBOX has no unread message before MarkRead")
	}

	if err := c.MarkRead(id); err != nil {
		t.Fatalf("MarkRead: %v", err)
	}

	s, err := c.current()
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.store.Message(id)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(m.Flags, `\Seen`) {
		t.Errorf("cached flags %v lack \\Seen", m.Flags)
	}
	if after := folderUnread(t, c, addr, "INBOX"); after != before-1 {
		t.Errorf("INBOX unread count %d after MarkRead, want %d", after, before-1)
	}
	if flags := serverFlags(t, st, user, messageID); !slices.Contains(flags, imap.FlagSeen) {
		t.Errorf("server flags %v lack \\Seen", flags)
	}
	// A second call finds \Seen in the cache and changes nothing.
	if err := c.MarkRead(id); err != nil {
		t.Errorf("MarkRead of a read message: %v", err)
	}
}

func TestMarkReadUnknownMessage(t *testing.T) {
	c, _ := newProfile(t, "mark-read-unknown", testPolicy(t))
	err := c.MarkRead(424242)
	if !errors.Is(err, cache.ErrNotFound) {
		t.Errorf("MarkRead of an unknown id = %v, want an error wrapping cache.ErrNotFound", err)
	}
}

// folderUnread returns the cached unread count of one folder.
func folderUnread(t *testing.T, c *Client, accountID, name string) int {
	t.Helper()
	folders, err := c.Folders(accountID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range folders {
		if f.Name == name {
			return f.Unread
		}
	}
	t.Fatalf("no folder %s in account %s", name, accountID)
	return 0
}

// serverFlags returns the flags the server has for the INBOX message
// with the given Message-ID.
func serverFlags(t *testing.T, st *testenv.MailStack, user testenv.User, messageID string) []imap.Flag {
	t.Helper()
	ic, err := imapclient.DialTLS(st.Addr(st.Ports.IMAPS), &imapclient.Options{TLSConfig: st.TLSConfig()})
	if err != nil {
		t.Fatalf("dialing IMAPS: %v", err)
	}
	defer ic.Close()
	if err := ic.Login(user.Address, user.Password).Wait(); err != nil {
		t.Fatalf("logging in as %s: %v", user.Address, err)
	}
	if _, err := ic.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	criteria := &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: messageID}}}
	found, err := ic.UIDSearch(criteria, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	uids := found.AllUIDs()
	if len(uids) != 1 {
		t.Fatalf("server has %d messages with Message-ID %s, want 1", len(uids), messageID)
	}
	msgs, err := ic.Fetch(imap.UIDSetNum(uids[0]), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("fetching the flags of UID %d: %d messages, %v", uids[0], len(msgs), err)
	}
	return msgs[0].Flags
}

func TestOpenMessageStoresProtectedSubject(t *testing.T) {
	c, _ := newProfile(t, "protected-subject", testPolicy(t))
	own, err := c.GenerateKey("Local", localAccount, false)
	if err != nil {
		t.Fatal(err)
	}
	armored, err := c.ExportPublicKey(own.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	public, err := pgp.ReadKey([]byte(armored))
	if err != nil {
		t.Fatal(err)
	}

	const subject = "Potassium 6.1, please recheck"
	payload := "Content-Type: text/plain; charset=utf-8; hp=\"cipher\"\r\nFrom: lab@lab.test\r\n" +
		"Subject: " + subject + "\r\n\r\nPlease recheck tomorrow.\r\n"
	encrypted, err := pgp.EncryptEntity([]byte(payload), []*pgp.Key{public}, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	outer := "From: lab@lab.test\r\nTo: " + localAccount + "\r\nSubject: [...]\r\n" +
		"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <protected-subject@lab.test>\r\nMIME-Version: 1.0\r\n"
	raw, err := crypto.Assemble(mustHeader(outer), encrypted)
	if err != nil {
		t.Fatal(err)
	}
	encID := putRawMessage(t, c, raw)
	// An unencrypted, unsigned message whose protected-header part is
	// authenticated by nothing keeps its outer subject.
	forged := putRawMessage(t, c, []byte("From: mallory@lab.test\r\nTo: "+localAccount+"\r\nSubject: Outer subject\r\n"+
		"Message-ID: <forged-subject@lab.test>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=\"f\"; protected-headers=\"v1\"\r\n\r\n"+
		"--f\r\nContent-Type: text/plain; protected-headers=\"v1\"; hp=\"cipher\"\r\nSubject: Forged subject\r\n\r\nx\r\n--f--\r\n"))

	for _, id := range []int64{encID, forged} {
		if _, err := c.OpenMessage(id); err != nil {
			t.Fatalf("OpenMessage %d: %v", id, err)
		}
	}

	rows, err := c.List(localAccount, "INBOX", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	subjects := map[int64]string{}
	for _, r := range rows {
		subjects[r.ID] = r.Subject
	}
	if got := subjects[encID]; got != subject {
		t.Errorf("encrypted message lists subject %q after opening, want %q", got, subject)
	}
	if got := subjects[forged]; got != "Outer subject" {
		t.Errorf("unauthenticated protected subject reached the list: %q", got)
	}
}

// TestMarkReadOfflineReachesServerOnSync marks a message read while its
// server cannot be reached: the mark stays in the cache and reaches the
// server with the next sync.
func TestMarkReadOfflineReachesServerOnSync(t *testing.T) {
	st := testenv.Stack(t)
	const addr = markReadUser
	user := st.User(t, addr)
	c, id, messageID := cachedStackMessage(t, st, "mark-offline")

	// Offline: the account now points at a closed port on loopback.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().(*net.TCPAddr).Port
	l.Close()
	offline := account.Endpoint{Host: "127.0.0.1", Port: closed, Security: account.ImplicitTLS}
	if err := c.AddAccount(Account{Address: addr, IMAP: offline, SMTP: offline}, user.Password); err != nil {
		t.Fatal(err)
	}
	err = c.MarkRead(id)
	if err == nil || !strings.Contains(err.Error(), "next sync") {
		t.Fatalf("MarkRead offline: %v, expected an error saying the next sync marks it", err)
	}
	if flags := serverFlags(t, st, user, messageID); slices.Contains(flags, imap.FlagSeen) {
		t.Fatal("the server has \\Seen although it could not be reached")
	}

	stackAccount(t, c, st, addr)
	rep, err := c.Sync(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := rep.Errors[addr]; e != nil {
		t.Fatalf("sync after coming back online: %v", e)
	}
	if flags := serverFlags(t, st, user, messageID); !slices.Contains(flags, imap.FlagSeen) {
		t.Errorf("server flags %v after the sync lack \\Seen", flags)
	}
	s, err := c.current()
	if err != nil {
		t.Fatal(err)
	}
	if keys, _ := s.store.ListRecords(pendingSeenKind); len(keys) != 0 {
		t.Errorf("%d read marks still pending after they reached the server", len(keys))
	}
}

// markReadUser is the test stack user of the mark-read tests.
const markReadUser = "spare4@clinic.test"

// cachedStackMessage makes a profile with markReadUser's account, puts a
// new unread message into that user's INBOX on the server, and syncs
// until it is cached. It returns the profile, the message's cache id and
// its Message-ID without angle brackets.
func cachedStackMessage(t *testing.T, st *testenv.MailStack, name string) (*Client, int64, string) {
	t.Helper()
	user := st.User(t, markReadUser)
	c, _ := newProfile(t, name, testPolicy(t))
	c.opts.TLSRoots = st.RootCAs()
	stackAccount(t, c, st, markReadUser)

	messageID := fmt.Sprintf("%s-%d@lab.test", name, time.Now().UnixNano())
	raw := "From: lab@lab.test\r\nTo: " + markReadUser + "\r\nSubject: Potassium\r\n" +
		"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <" + messageID + ">\r\n" +
		"Content-Type: text/plain\r\n\r\nPlease call the lab.\r\n"
	appendRaw(t, st, user, []byte(raw))
	id, ok := syncUntil(t, c, markReadUser, []string{messageID}, 30*time.Second)[messageID]
	if !ok {
		t.Fatalf("message %s never reached the cache", messageID)
	}
	return c, id, messageID
}
