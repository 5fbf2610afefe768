package account

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"securemail/cache"
	"securemail/internal/testenv"
)

// The stack tests use spare users, each for one purpose, and their own
// folders and Message-IDs, so that other packages using the same stack
// do not disturb what they check.
const (
	stackSender   = "spare5@clinic.test"
	stackReceiver = "spare6@clinic.test"
	stackSyncUser = "spare7@lab.test"
)

func stackConfig(st *testenv.MailStack, user testenv.User, imapSec, smtpSec Security) *Config {
	imapPort, smtpPort := st.Ports.IMAPS, st.Ports.Submissions
	if imapSec == StartTLS {
		imapPort = st.Ports.IMAP
	}
	if smtpSec == StartTLS {
		smtpPort = st.Ports.Submission
	}
	return &Config{
		ID:       user.Address,
		Address:  user.Address,
		Username: user.Address,
		IMAP:     Endpoint{Host: st.Host, Port: imapPort, Security: imapSec},
		SMTP:     Endpoint{Host: st.Host, Port: smtpPort, Security: smtpSec},
		TLS:      TLSOptions{RootCAs: st.RootCAs(), ServerName: st.ServerName},
	}
}

func uniqueID(t testing.TB) string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// stackFolder creates a folder of its own for one test on the server and
// deletes it afterwards.
func stackFolder(t *testing.T, cfg *Config, cred Credentials) string {
	t.Helper()
	name := "t-" + uniqueID(t)
	client, err := DialIMAP(testContext(t), cfg, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if err := client.Create(name, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if c, err := DialIMAP(ctx, cfg, cred, nil); err == nil {
			c.Delete(name).Wait()
			c.Close()
		}
	})
	return name
}

func appendRaw(t testing.TB, client *imapclient.Client, folder string, raw []byte, flags ...imap.Flag) {
	t.Helper()
	cmd := client.Append(folder, int64(len(raw)), &imap.AppendOptions{Flags: flags})
	cmd.Write(raw)
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

// syncFixture is a folder of its own on the server for one sync test,
// owned by the sync test user, with a second connection that plays
// another client of the same mailbox.
type syncFixture struct {
	stack  *testenv.MailStack
	user   testenv.User
	cfg    *Config
	cred   Credentials
	folder string
	other  *imapclient.Client
}

// newSyncFixture creates the folder and opens the other client's
// connection, both over security sec, and closes both at the test's end.
func newSyncFixture(t *testing.T, sec Security) *syncFixture {
	t.Helper()
	st := testenv.Stack(t)
	user := st.User(t, stackSyncUser)
	f := &syncFixture{stack: st, user: user, cfg: stackConfig(st, user, sec, sec), cred: Password(user.Password)}
	f.folder = stackFolder(t, f.cfg, f.cred)
	other, err := DialIMAP(testContext(t), f.cfg, f.cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	f.other = other
	return f
}

// fill appends n messages to the folder and returns their ids. Message i
// has a body of about size(i) bytes, and its id, one word made of prefix,
// i and a random suffix, is in its subject and its Message-ID.
func (f *syncFixture) fill(t *testing.T, n int, prefix string, size func(i int) int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("%s%d%s", prefix, i, uniqueID(t))
		appendRaw(t, f.other, f.folder, stackMessage("a@clinic.test", f.user.Address, ids[i], size(i)))
	}
	return ids
}

func stackMessage(from, to, id string, size int) []byte {
	body := bytes.Repeat([]byte("Stack test line of plain text.\r\n"), size/32+1)
	return []byte("From: " + from + "\r\nTo: " + to + "\r\nSubject: stack " + id +
		"\r\nDate: " + time.Now().Format(time.RFC1123Z) +
		"\r\nMessage-ID: <" + id + "@clinic.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n" + string(body))
}

func TestStackSendAndReceive(t *testing.T) {
	st := testenv.Stack(t)
	sender, receiver := st.User(t, stackSender), st.User(t, stackReceiver)
	for _, security := range []Security{ImplicitTLS, StartTLS} {
		t.Run(security.String(), func(t *testing.T) {
			id := uniqueID(t)
			raw := stackMessage(sender.Address, receiver.Address, id, 2000)
			sendCfg := stackConfig(st, sender, security, security)
			store := newMemStore()
			syncer := NewSyncer(sendCfg, Password(sender.Password), store)
			defer syncer.Close()
			outbox := NewOutbox(sendCfg, Password(sender.Password), store, syncer)
			it := &cache.OutboxItem{MessageID: "<" + id + "@clinic.test>", From: sender.Address,
				Recipients: []string{receiver.Address}, Raw: raw, SentCopy: raw}
			if err := outbox.Enqueue(it); err != nil {
				t.Fatal(err)
			}
			if err := outbox.Flush(testContext(t)); err != nil {
				t.Fatal(err)
			}
			if got, _ := store.OutboxGet(it.ID); got.State != cache.OutboxDone {
				t.Fatalf("outbox state %v (%s), want Done", got.State, got.LastError)
			}
			if found, err := syncer.HasMessageID(testContext(t), RoleSent, it.MessageID); err != nil || !found {
				t.Errorf("Sent copy not on the server: %v", err)
			}

			recvCfg := stackConfig(st, receiver, security, security)
			recvStore := newMemStore()
			recv := NewSyncer(recvCfg, Password(receiver.Password), recvStore)
			defer recv.Close()
			deadline := time.Now().Add(15 * time.Second)
			for {
				if _, err := recv.SyncFolder(testContext(t), "INBOX", nil); err != nil {
					t.Fatal(err)
				}
				if found, _ := recvStore.HasMessageID(recvCfg.ID, it.MessageID); found {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("message did not arrive in the receiver's INBOX within 15 s")
				}
				time.Sleep(200 * time.Millisecond)
			}
			for _, m := range recvStore.messages(recvCfg.ID, "INBOX") {
				if rawMessageID(m.Raw) == it.MessageID && !bytes.Contains(m.Raw, raw[bytes.Index(raw, []byte("\r\n\r\n")):]) {
					t.Error("received body differs from the sent one")
				}
			}
		})
	}
}

func TestStackWrongPassword(t *testing.T) {
	st := testenv.Stack(t)
	user := st.User(t, stackSyncUser)
	// Dovecot delays further logins from an address after a failure, so
	// each attempt dials from its own loopback address.
	for i, security := range []Security{ImplicitTLS, StartTLS} {
		cfg := stackConfig(st, user, security, security)
		cfg.Dialer = testenv.DialerFrom(fmt.Sprintf("127.0.0.%d", 30+2*i))
		if _, err := DialIMAP(testContext(t), cfg, Password("wrong"), nil); err == nil || !strings.Contains(err.Error(), "login") {
			t.Errorf("IMAP %v with a wrong password: err = %v", security, err)
		}
		cfg.Dialer = testenv.DialerFrom(fmt.Sprintf("127.0.0.%d", 31+2*i))
		if _, err := DialSMTP(testContext(t), cfg, Password("wrong")); err == nil || !strings.Contains(err.Error(), "authentication") {
			t.Errorf("SMTP %v with a wrong password: err = %v", security, err)
		}
	}
}

// TestStackPlaintextRefused shows that the stack's IMAP port rejects a
// plaintext login from another address, and that DialIMAP from that
// address logs in because it always upgrades first.
func TestStackPlaintextRefused(t *testing.T) {
	st := testenv.Stack(t)
	user := st.User(t, stackSyncUser)
	plain, err := imapclient.DialInsecure(st.Addr(st.Ports.IMAP), &imapclient.Options{Dialer: testenv.DialerFrom("127.0.0.2")})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if err := plain.Login(user.Address, user.Password).Wait(); err == nil {
		t.Fatal("the stack accepted a plaintext LOGIN from 127.0.0.2; the refusal tests below prove nothing")
	}

	cfg := stackConfig(st, user, StartTLS, StartTLS)
	cfg.Dialer = testenv.DialerFrom("127.0.0.2")
	client, err := DialIMAP(testContext(t), cfg, Password(user.Password), nil)
	if err != nil {
		t.Fatalf("DialIMAP with STARTTLS from 127.0.0.2: %v", err)
	}
	client.Close()
}

// TestStackStartTLSStripped puts a proxy in front of the IMAP and
// submission ports that rejects STARTTLS, as an attacker on the path
// would. The client must stop and never send the password.
func TestStackStartTLSStripped(t *testing.T) {
	st := testenv.Stack(t)
	user := st.User(t, stackSyncUser)

	imapProxy := startStripProxy(t, st.Addr(st.Ports.IMAP), "imap")
	smtpProxy := startStripProxy(t, st.Addr(st.Ports.Submission), "smtp")
	cfg := stackConfig(st, user, StartTLS, StartTLS)
	cfg.IMAP.Port = imapProxy.port
	cfg.SMTP.Port = smtpProxy.port

	if _, err := DialIMAP(testContext(t), cfg, Password(user.Password), nil); err == nil {
		t.Error("DialIMAP succeeded although STARTTLS was rejected")
	}
	if _, err := DialSMTP(testContext(t), cfg, Password(user.Password)); err == nil {
		t.Error("DialSMTP succeeded although STARTTLS was stripped")
	}
	for _, p := range []*stripProxy{imapProxy, smtpProxy} {
		if seen := p.clientText(); strings.Contains(seen, user.Password) || strings.Contains(strings.ToUpper(seen), "LOGIN") || strings.Contains(strings.ToUpper(seen), "AUTH") {
			t.Errorf("%s proxy saw credentials or a login command in plaintext: %q", p.kind, seen)
		}
	}
}

func TestStackWrongHostCertificate(t *testing.T) {
	st := testenv.Stack(t)
	user := st.User(t, stackSyncUser)
	proxy := startWrongCertProxy(t, st, st.Addr(st.Ports.IMAPS), "mail.attacker.test")
	cfg := stackConfig(st, user, ImplicitTLS, ImplicitTLS)
	cfg.IMAP.Port = proxy
	_, err := DialIMAP(testContext(t), cfg, Password(user.Password), nil)
	var hostErr x509HostnameError
	if !errors.As(err, &hostErr) {
		t.Fatalf("DialIMAP through a proxy with a certificate for another host: err = %v, want a hostname error", err)
	}
}

func TestStackSyncFolder(t *testing.T) {
	f := newSyncFixture(t, ImplicitTLS)
	cfg, cred, folder, other := f.cfg, f.cred, f.folder, f.other
	f.fill(t, 20, "s", func(i int) int { return 500 * i })

	store := newMemStore()
	s := NewSyncer(cfg, cred, store)
	defer s.Close()
	mustSyncFolder(t, s, folder)
	assertConverged(t, other, store, cfg.ID, folder)
	state := store.Data.Folders[folderKey(cfg.ID, folder)]
	if state.HighestModSeq == 0 {
		t.Error("HIGHESTMODSEQ not recorded although Dovecot offers CONDSTORE")
	}

	// Flags changed and a message expunged by another client arrive
	// through CHANGEDSINCE and UID SEARCH.
	if _, err := other.Select(folder, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	other.Store(imap.UIDSetNum(3, 4), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged}, Silent: true}, nil).Close()
	other.Store(imap.UIDSetNum(5), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close()
	if err := other.Expunge().Close(); err != nil {
		t.Fatal(err)
	}
	puts := store.Data.Puts
	report := mustSyncFolder(t, s, folder)
	if report.FlagChanges != 2 || report.Expunged != 1 || store.Data.Puts != puts {
		t.Errorf("second sync: %d flag changes, %d expunged, %d new puts; want 2, 1, 0", report.FlagChanges, report.Expunged, store.Data.Puts-puts)
	}
	assertConverged(t, other, store, cfg.ID, folder)

	// Local changes go to the server.
	if err := s.MarkRead(testContext(t), folder, []uint32{1, 2}, true); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(testContext(t), folder, []uint32{6}); err != nil {
		t.Fatal(err)
	}
	assertConverged(t, other, store, cfg.ID, folder)
}

func TestStackUIDValidityChange(t *testing.T) {
	f := newSyncFixture(t, StartTLS)
	user, cfg, cred, folder, other := f.user, f.cfg, f.cred, f.folder, f.other
	f.fill(t, 1, "u", func(int) int { return 100 })

	store := newMemStore()
	s := NewSyncer(cfg, cred, store)
	defer s.Close()
	mustSyncFolder(t, s, folder)
	before := store.Data.Folders[folderKey(cfg.ID, folder)].UIDValidity

	if err := other.Delete(folder).Wait(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // Dovecot's UIDVALIDITY is a timestamp in seconds
	if err := other.Create(folder, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	replacement := stackMessage("a@clinic.test", user.Address, "u2-"+uniqueID(t), 100)
	appendRaw(t, other, folder, replacement)

	mustSyncFolder(t, s, folder)
	after := store.Data.Folders[folderKey(cfg.ID, folder)].UIDValidity
	if after == before {
		t.Fatalf("UIDVALIDITY stayed %d after the folder was created again", before)
	}
	msgs := store.messages(cfg.ID, folder)
	if len(msgs) != 1 || msgs[1] == nil || !bytes.Equal(msgs[1].Raw, replacement) {
		t.Errorf("after the UIDVALIDITY change the cache has UIDs %v, want only the replacement", keys(msgs))
	}
}

func mustSyncFolder(t *testing.T, s *Syncer, folder string) *Report {
	t.Helper()
	report, err := s.SyncFolder(testContext(t), folder, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.Err(); err != nil {
		t.Fatal(err)
	}
	return report
}

// assertConverged compares the cached folder with the server: the same
// UIDs, flags and bytes.
func assertConverged(t *testing.T, client *imapclient.Client, store *memStore, account, folder string) {
	t.Helper()
	if _, err := client.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := client.Fetch(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, &imap.FetchOptions{
		UID: true, Flags: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	cached := store.messages(account, folder)
	if len(cached) != len(msgs) {
		t.Errorf("cache has %d messages, server %d", len(cached), len(msgs))
	}
	for _, m := range msgs {
		c := cached[uint32(m.UID)]
		if c == nil {
			t.Errorf("UID %d missing from the cache", m.UID)
			continue
		}
		if c.HeaderOnly || !bytes.Equal(c.Raw, m.BodySection[0].Bytes) {
			t.Errorf("UID %d cached bytes differ from the server (header only %v)", m.UID, c.HeaderOnly)
		}
		if !sameFlags(c.Flags, flagStrings(m.Flags)) {
			t.Errorf("UID %d flags %v, server %v", m.UID, c.Flags, m.Flags)
		}
	}
	client.Unselect().Wait()
}
