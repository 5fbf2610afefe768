package account

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func syncOK(t *testing.T, s *Syncer) *Report {
	t.Helper()
	report, err := s.Sync(testContext(t), nil)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if err := report.Err(); err != nil {
		t.Fatalf("Sync report: %v", err)
	}
	return report
}

func TestSyncFetchesAllFolders(t *testing.T) {
	for _, security := range []Security{ImplicitTLS, StartTLS} {
		t.Run(security.String(), func(t *testing.T) {
			ca := newTestCA(t)
			server := startMemIMAP(t, ca, security)
			for i := 1; i <= 5; i++ {
				server.appendMessage(t, "INBOX", testMessage(i, 100*i))
			}
			server.appendMessage(t, "Sent", testMessage(6, 10), imap.FlagSeen)

			store := newMemStore()
			var last Progress
			s := NewSyncer(testConfig(ca, server.addr, security), Password(testPassword), store)
			defer s.Close()
			report, err := s.Sync(testContext(t), func(p Progress) { last = p })
			if err != nil {
				t.Fatal(err)
			}
			if err := report.Err(); err != nil {
				t.Fatal(err)
			}

			inbox := store.messages("acct", "INBOX")
			if len(inbox) != 5 {
				t.Fatalf("INBOX has %d cached messages, want 5", len(inbox))
			}
			for uid, m := range inbox {
				if m.HeaderOnly {
					t.Errorf("UID %d is header only after a full sync", uid)
				}
				if !bytes.Equal(m.Raw, testMessage(int(uid), 100*int(uid))) {
					t.Errorf("UID %d raw differs from the server copy", uid)
				}
			}
			sent := store.messages("acct", "Sent")
			if len(sent) != 1 || sent[1] == nil || !strings.Contains(strings.Join(sent[1].Flags, " "), `\Seen`) {
				t.Errorf("Sent = %+v, want UID 1 with \\Seen", sent)
			}
			if report.Headers != 6 || report.Bodies != 6 {
				t.Errorf("report headers %d bodies %d, want 6 and 6", report.Headers, report.Bodies)
			}
			if last.FoldersDone != 5 || last.FoldersTotal != 5 || last.Messages != 12 || last.Bytes == 0 {
				t.Errorf("last progress = %+v", last)
			}

			roles := map[string]string{}
			folders, _ := store.Folders("acct")
			for _, f := range folders {
				roles[f.Name] = f.Role
			}
			want := map[string]string{"INBOX": RoleInbox, "Sent": RoleSent, "Drafts": RoleDrafts, "Trash": RoleTrash, "Archive": RoleArchive}
			for name, role := range want {
				if roles[name] != role {
					t.Errorf("folder %s role %q, want %q", name, roles[name], role)
				}
			}
		})
	}
}

func TestSyncIsIncremental(t *testing.T) {
	ca := newTestCA(t)
	server := startMemIMAP(t, ca, ImplicitTLS)
	for i := 1; i <= 3; i++ {
		server.appendMessage(t, "INBOX", testMessage(i, 50))
	}
	store := newMemStore()
	s := NewSyncer(testConfig(ca, server.addr, ImplicitTLS), Password(testPassword), store)
	defer s.Close()
	syncOK(t, s)
	puts := store.Data.Puts

	report := syncOK(t, s)
	if report.Headers != 0 || report.Bodies != 0 || store.Data.Puts != puts {
		t.Errorf("second sync fetched %d headers, %d bodies: want none", report.Headers, report.Bodies)
	}

	server.appendMessage(t, "INBOX", testMessage(4, 50))
	report = syncOK(t, s)
	if report.Headers != 1 || report.Bodies != 1 {
		t.Errorf("third sync fetched %d headers, %d bodies: want 1 and 1", report.Headers, report.Bodies)
	}
}

func TestSyncFlagsAndExpunge(t *testing.T) {
	ca := newTestCA(t)
	server := startMemIMAP(t, ca, ImplicitTLS)
	for i := 1; i <= 3; i++ {
		server.appendMessage(t, "INBOX", testMessage(i, 50))
	}
	store := newMemStore()
	cfg := testConfig(ca, server.addr, ImplicitTLS)
	s := NewSyncer(cfg, Password(testPassword), store)
	defer s.Close()
	syncOK(t, s)

	// Another client marks UID 2 read and deletes UID 3.
	other, err := DialIMAP(testContext(t), cfg, Password(testPassword), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := other.Store(imap.UIDSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := other.Store(imap.UIDSetNum(3), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := other.Expunge().Close(); err != nil {
		t.Fatal(err)
	}

	report := syncOK(t, s)
	inbox := store.messages("acct", "INBOX")
	if len(inbox) != 2 || inbox[3] != nil {
		t.Errorf("INBOX UIDs after expunge = %v, want 1 and 2", keys(inbox))
	}
	if inbox[2] == nil || !sameFlags(inbox[2].Flags, []string{`\Seen`}) {
		t.Errorf("UID 2 flags = %v, want [\\Seen]", inbox[2])
	}
	if report.Expunged != 1 || report.FlagChanges != 1 {
		t.Errorf("report expunged %d flag changes %d, want 1 and 1", report.Expunged, report.FlagChanges)
	}
}

func keys[V any](m map[uint32]V) []uint32 {
	var out []uint32
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestSyncUIDValidityChange(t *testing.T) {
	ca := newTestCA(t)
	server := startMemIMAP(t, ca, ImplicitTLS)
	if err := server.user.Create("Lab", nil); err != nil {
		t.Fatal(err)
	}
	server.appendMessage(t, "Lab", testMessage(1, 50))
	server.appendMessage(t, "Lab", testMessage(2, 50))
	store := newMemStore()
	s := NewSyncer(testConfig(ca, server.addr, ImplicitTLS), Password(testPassword), store)
	defer s.Close()
	syncOK(t, s)
	before := store.Data.Folders[folderKey("acct", "Lab")].UIDValidity

	// Deleting and creating the folder again gives it a new UIDVALIDITY
	// and reuses UID 1 for another message.
	if err := server.user.Delete("Lab"); err != nil {
		t.Fatal(err)
	}
	if err := server.user.Create("Lab", nil); err != nil {
		t.Fatal(err)
	}
	server.appendMessage(t, "Lab", testMessage(7, 50))
	syncOK(t, s)

	after := store.Data.Folders[folderKey("acct", "Lab")].UIDValidity
	if after == before {
		t.Fatalf("UIDVALIDITY in the store did not change from %d", before)
	}
	lab := store.messages("acct", "Lab")
	if len(lab) != 1 || lab[1] == nil || !bytes.Equal(lab[1].Raw, testMessage(7, 50)) {
		t.Errorf("Lab after UIDVALIDITY change = %v, want only the new message as UID 1", keys(lab))
	}
	if lab[1] != nil && lab[1].UIDValidity != after {
		t.Errorf("message UIDVALIDITY %d, want %d", lab[1].UIDValidity, after)
	}
}

func TestSyncSizeLimitKeepsHeader(t *testing.T) {
	ca := newTestCA(t)
	server := startMemIMAP(t, ca, ImplicitTLS)
	server.appendMessage(t, "INBOX", testMessage(1, 100))
	server.appendMessage(t, "INBOX", testMessage(2, 5000))
	store := newMemStore()
	cfg := testConfig(ca, server.addr, ImplicitTLS)
	cfg.MaxBodySize = 1000
	s := NewSyncer(cfg, Password(testPassword), store)
	defer s.Close()
	syncOK(t, s)

	inbox := store.messages("acct", "INBOX")
	if inbox[1] == nil || inbox[1].HeaderOnly {
		t.Errorf("small message should have its body")
	}
	if inbox[2] == nil || !inbox[2].HeaderOnly || inbox[2].Size < 5000 {
		t.Errorf("large message should be header only with its size, got %+v", inbox[2])
	}
	if inbox[2] != nil && !bytes.HasSuffix(inbox[2].Raw, []byte("\r\n\r\n")) {
		t.Errorf("header-only raw does not end with the header's blank line")
	}
}

func TestDialWrongHostCertificate(t *testing.T) {
	ca := newTestCA(t)
	for _, security := range []Security{ImplicitTLS, StartTLS} {
		server := startMemIMAPWithCert(t, ca, security, "mail.other.test")
		cfg := testConfig(ca, server.addr, security)
		_, err := DialIMAP(testContext(t), cfg, Password(testPassword), nil)
		var hostErr x509HostnameError
		if err == nil || !errors.As(err, &hostErr) {
			t.Errorf("%v: DialIMAP with a certificate for another host: err = %v, want a hostname error", security, err)
		}
	}
}

func TestDialTLSVersionFloor(t *testing.T) {
	ca := newTestCA(t)
	server := startMemIMAP(t, ca, ImplicitTLS)
	cfg := testConfig(ca, server.addr, ImplicitTLS)
	cfg.TLS.MinVersion = tls.VersionTLS10 // below the floor: ignored
	client, err := DialIMAP(testContext(t), cfg, Password(testPassword), nil)
	if err != nil {
		t.Fatal(err)
	}
	client.Close()
	if got := cfg.tlsConfig("localhost").MinVersion; got != tls.VersionTLS12 {
		t.Errorf("MinVersion = %x, want TLS 1.2", got)
	}
}

func TestDialUntrustedCertificate(t *testing.T) {
	ca := newTestCA(t)
	server := startMemIMAP(t, ca, ImplicitTLS)
	cfg := testConfig(newTestCA(t), server.addr, ImplicitTLS) // trusts another CA
	if _, err := DialIMAP(testContext(t), cfg, Password(testPassword), nil); err == nil {
		t.Fatal("DialIMAP trusted a certificate from an unknown CA")
	}
}

func TestDialWrongPassword(t *testing.T) {
	ca := newTestCA(t)
	server := startMemIMAP(t, ca, StartTLS)
	cfg := testConfig(ca, server.addr, StartTLS)
	_, err := DialIMAP(testContext(t), cfg, Password("wrong"), nil)
	if err == nil || !strings.Contains(err.Error(), "login") {
		t.Fatalf("DialIMAP with a wrong password: err = %v, want a login error", err)
	}
}

// TestDialWithoutStartTLS checks that a server without STARTTLS never
// receives the password, because the dial fails before LOGIN.
func TestDialWithoutStartTLS(t *testing.T) {
	ca := newTestCA(t)
	m := startMemIMAP(t, ca, ImplicitTLS) // only for its user database
	sawLogin := make(chan struct{}, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return loginSpy{Session: m.server.NewSession(), saw: sawLogin}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       discardLogger{},
	})
	go server.Serve(ln)
	defer server.Close()

	cfg := testConfig(ca, ln.Addr().(*net.TCPAddr), StartTLS)
	if _, err := DialIMAP(testContext(t), cfg, Password(testPassword), nil); err == nil {
		t.Fatal("DialIMAP succeeded against a server without STARTTLS")
	}
	select {
	case <-sawLogin:
		t.Fatal("the server received LOGIN over plaintext")
	default:
	}
}

type loginSpy struct {
	imapserver.Session
	saw chan struct{}
}

func (s loginSpy) Login(username, password string) error {
	s.saw <- struct{}{}
	return s.Session.Login(username, password)
}
