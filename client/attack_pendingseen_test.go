package client

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"securemail/account"
	"securemail/internal/testenv"
)

// adminSession is a direct IMAP session of a stack user, for changing
// the server behind the client's back.
type adminSession struct {
	t  *testing.T
	ic *imapclient.Client
}

func dialAdmin(t *testing.T, st *testenv.MailStack, user testenv.User) *adminSession {
	t.Helper()
	ic, err := imapclient.DialTLS(st.Addr(st.Ports.IMAPS), &imapclient.Options{TLSConfig: st.TLSConfig()})
	if err != nil {
		t.Fatalf("dialing IMAPS: %v", err)
	}
	t.Cleanup(func() { ic.Close() })
	if err := ic.Login(user.Address, user.Password).Wait(); err != nil {
		t.Fatalf("logging in as %s: %v", user.Address, err)
	}
	return &adminSession{t: t, ic: ic}
}

// appendTo stores an unread message with messageID in folder and
// returns its UID and the folder's UIDVALIDITY.
func (a *adminSession) appendTo(folder, messageID string) (uid, validity uint32) {
	a.t.Helper()
	raw := "From: lab@lab.test\r\nTo: " + markReadUser + "\r\nSubject: Potassium\r\n" +
		"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <" + messageID + ">\r\n" +
		"Content-Type: text/plain\r\n\r\nPlease call the lab.\r\n"
	cmd := a.ic.Append(folder, int64(len(raw)), nil)
	if _, err := cmd.Write([]byte(raw)); err != nil {
		a.t.Fatalf("appending to %s: %v", folder, err)
	}
	if err := cmd.Close(); err != nil {
		a.t.Fatalf("appending to %s: %v", folder, err)
	}
	data, err := cmd.Wait()
	if err != nil {
		a.t.Fatalf("appending to %s: %v", folder, err)
	}
	return uint32(data.UID), data.UIDValidity
}

func (a *adminSession) run(what string, cmd interface{ Wait() error }) {
	a.t.Helper()
	if err := cmd.Wait(); err != nil {
		a.t.Fatalf("%s: %v", what, err)
	}
}

// flags returns the server's flags of the message with messageID in
// folder.
func (a *adminSession) flags(folder, messageID string) []imap.Flag {
	a.t.Helper()
	if _, err := a.ic.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		a.t.Fatalf("selecting %s: %v", folder, err)
	}
	defer func() { a.ic.Unselect().Wait() }()
	criteria := &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: messageID}}}
	found, err := a.ic.UIDSearch(criteria, nil).Wait()
	if err != nil {
		a.t.Fatalf("searching %s for %s: %v", folder, messageID, err)
	}
	uids := found.AllUIDs()
	if len(uids) != 1 {
		a.t.Fatalf("%s has %d messages with Message-ID %s, expected 1", folder, len(uids), messageID)
	}
	msgs, err := a.ic.Fetch(imap.UIDSetNum(uids[0]), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil || len(msgs) != 1 {
		a.t.Fatalf("fetching the flags of UID %d: %d messages, %v", uids[0], len(msgs), err)
	}
	return msgs[0].Flags
}

// goOffline points the stack account of c at a closed loopback port.
func goOffline(t *testing.T, c *Client, user testenv.User) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().(*net.TCPAddr).Port
	l.Close()
	offline := account.Endpoint{Host: "127.0.0.1", Port: closed, Security: account.ImplicitTLS}
	if err := c.AddAccount(Account{Address: user.Address, IMAP: offline, SMTP: offline}, user.Password); err != nil {
		t.Fatal(err)
	}
}

// markReadOffline caches the message messageID of folder in a new
// profile and marks it read while the server cannot be reached.
func markReadOffline(t *testing.T, st *testenv.MailStack, user testenv.User, name, folder, messageID string) *Client {
	t.Helper()
	c, _ := newProfile(t, name, testPolicy(t))
	c.opts.TLSRoots = st.RootCAs()
	stackAccount(t, c, st, user.Address)
	id := waitForMessage(t, c, user.Address, folder, messageID)

	goOffline(t, c, user)
	if err := c.MarkRead(id); err == nil || !strings.Contains(err.Error(), "next sync") {
		t.Fatalf("MarkRead offline: %v, expected an error saying the next sync marks it", err)
	}
	return c
}

func pendingSeenCount(t *testing.T, c *Client) int {
	t.Helper()
	s, err := c.current()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := s.store.ListRecords(pendingSeenKind)
	if err != nil {
		t.Fatal(err)
	}
	return len(keys)
}

// TestAttackPendingSeenAfterUIDValidityChange marks a message read
// offline, then the folder is deleted and created again on the server, so
// its UIDVALIDITY changes and the mark's UID now names another, unread
// message. The replay must not mark that message read.
func TestAttackPendingSeenAfterUIDValidityChange(t *testing.T) {
	st := testenv.Stack(t)
	user := st.User(t, markReadUser)
	admin := dialAdmin(t, st, user)
	stamp := time.Now().UnixNano()
	folder := fmt.Sprintf("Results%d", stamp)
	first := fmt.Sprintf("first-%d@lab.test", stamp)
	second := fmt.Sprintf("second-%d@lab.test", stamp)

	admin.run("creating "+folder, admin.ic.Create(folder, nil))
	t.Cleanup(func() { admin.ic.Delete(folder).Wait() })
	firstUID, firstValidity := admin.appendTo(folder, first)
	c := markReadOffline(t, st, user, "pending-validity", folder, first)

	// The folder is created again while the client is offline.
	admin.run("deleting "+folder, admin.ic.Delete(folder))
	admin.run("creating "+folder, admin.ic.Create(folder, nil))
	secondUID, secondValidity := admin.appendTo(folder, second)
	if secondValidity == firstValidity {
		t.Fatalf("UIDVALIDITY of the new %s is %d again; the test needs a change", folder, firstValidity)
	}
	if secondUID != firstUID {
		t.Fatalf("the new message has UID %d, expected %d to reuse the old UID", secondUID, firstUID)
	}

	stackAccount(t, c, st, user.Address)
	if _, err := c.Sync(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(admin.flags(folder, second), imap.FlagSeen) {
		t.Errorf("the offline read mark of UID %d (UIDVALIDITY %d) was replayed against the new "+
			"folder (UIDVALIDITY %d) and marked another, unread message read on the server",
			firstUID, firstValidity, secondValidity)
	}
	if n := pendingSeenCount(t, c); n != 0 {
		t.Errorf("%d read marks still pending after the folder changed", n)
	}
}

// TestAttackPendingSeenMessageMoved marks a message read offline, then
// another client moves it to a second folder. The replay must not fail
// the sync or keep the mark forever, and must mark no other message.
func TestAttackPendingSeenMessageMoved(t *testing.T) {
	st := testenv.Stack(t)
	user := st.User(t, markReadUser)
	admin := dialAdmin(t, st, user)
	stamp := time.Now().UnixNano()
	folder := fmt.Sprintf("Moved%d", stamp)
	archive := fmt.Sprintf("Archive%d", stamp)
	moved := fmt.Sprintf("moved-%d@lab.test", stamp)
	other := fmt.Sprintf("other-%d@lab.test", stamp)

	for _, f := range []string{folder, archive} {
		admin.run("creating "+f, admin.ic.Create(f, nil))
		t.Cleanup(func() { admin.ic.Delete(f).Wait() })
	}
	uid, _ := admin.appendTo(folder, moved)
	c := markReadOffline(t, st, user, "pending-moved", folder, moved)

	if _, err := admin.ic.Select(folder, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ic.Move(imap.UIDSetNum(imap.UID(uid)), archive).Wait(); err != nil {
		t.Fatalf("moving UID %d to %s: %v", uid, archive, err)
	}
	admin.run("unselecting "+folder, admin.ic.Unselect())
	admin.appendTo(folder, other)

	stackAccount(t, c, st, user.Address)
	rep, err := c.Sync(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := rep.Errors[user.Address]; e != nil {
		t.Errorf("sync after the move: %v", e)
	}
	if slices.Contains(admin.flags(folder, other), imap.FlagSeen) {
		t.Errorf("the replay marked the later message %s read", other)
	}
	if n := pendingSeenCount(t, c); n != 0 {
		t.Errorf("%d read marks still pending after the replay", n)
	}
}

// TestAttackPendingSeenDamagedRecords stores pending marks that are not
// valid JSON, name an account that was removed, or name a folder that
// does not exist. A sync must still succeed, and no record may stay
// behind to be read again on every sync.
func TestAttackPendingSeenDamagedRecords(t *testing.T) {
	st := testenv.Stack(t)
	user := st.User(t, markReadUser)
	c, _ := newProfile(t, "pending-damaged", testPolicy(t))
	c.opts.TLSRoots = st.RootCAs()
	stackAccount(t, c, st, user.Address)
	s, err := c.current()
	if err != nil {
		t.Fatal(err)
	}
	records := map[string]string{
		"damaged":         `{"a":`,
		"removed account": `{"a":"gone@clinic.test","f":"INBOX","v":1,"u":1}`,
		"missing folder":  `{"a":"` + user.Address + `","f":"NoSuchFolder","v":0,"u":1}`,
	}
	for key, raw := range records {
		if err := s.store.PutRecord(pendingSeenKind, key, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}

	rep, err := c.Sync(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := rep.Errors[user.Address]; e != nil {
		t.Errorf("sync with damaged read marks: %v", e)
	}
	left, err := s.store.ListRecords(pendingSeenKind)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("read marks %q stay in the store after a sync, so every later sync reads them again", left)
	}
}

// TestAttackPendingSeenManyMarks replays 300 offline read marks,
// one of them for a real message and the rest for UIDs the server no
// longer has. The sync must succeed, the real message must be marked,
// and no mark may remain. The replay's duration is logged, not checked.
func TestAttackPendingSeenManyMarks(t *testing.T) {
	const marks = 300
	st := testenv.Stack(t)
	user := st.User(t, markReadUser)
	c, id, messageID := cachedStackMessage(t, st, "pending-thousand")
	goOffline(t, c, user)
	if err := c.MarkRead(id); err == nil {
		t.Fatal("MarkRead offline succeeded")
	}

	s, err := c.current()
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.store.Message(id)
	if err != nil {
		t.Fatal(err)
	}
	for i := range marks - 1 {
		gone := *m
		gone.UID = 4_000_000 + uint32(i)
		if err := notePendingSeen(s, &gone); err != nil {
			t.Fatal(err)
		}
	}
	if n := pendingSeenCount(t, c); n != marks {
		t.Fatalf("%d marks pending, expected %d", n, marks)
	}

	stackAccount(t, c, st, user.Address)
	start := time.Now()
	rep, err := c.Sync(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sync with %d pending marks took %v", marks, time.Since(start))
	if e := rep.Errors[user.Address]; e != nil {
		t.Errorf("sync with %d pending marks: %v", marks, e)
	}
	if flags := serverFlags(t, st, user, messageID); !slices.Contains(flags, imap.FlagSeen) {
		t.Errorf("server flags %v after the replay lack \\Seen", flags)
	}
	if n := pendingSeenCount(t, c); n != 0 {
		t.Errorf("%d of %d marks still pending after the replay", n, marks)
	}
}
