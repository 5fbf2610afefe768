package testenv

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/zalando/go-keyring"
)

func randomToken(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("read random bytes: %v", err)
	}
	return hex.EncodeToString(b)
}

func testMessage(from, to, subject, body string) []byte {
	return []byte(strings.Join([]string{
		"From: " + from,
		"To: " + to,
		"Subject: " + subject,
		"Date: " + time.Now().Format(time.RFC1123Z),
		"Message-ID: <" + subject + "@clinic.test>",
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=utf-8",
		"",
		body,
		"",
	}, "\r\n"))
}

// submit sends msg from user to the recipients through Postfix submission
// with STARTTLS and AUTH PLAIN, verifying the server certificate.
func submit(t *testing.T, s *MailStack, user User, to []string, msg []byte) error {
	t.Helper()
	c, err := smtp.DialStartTLS(s.Addr(s.Ports.Submission), s.TLSConfig())
	if err != nil {
		return fmt.Errorf("dial submission: %w", err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", user.Address, user.Password)); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	if err := c.SendMail(user.Address, to, bytes.NewReader(msg)); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return c.Quit()
}

// waitForSubject polls user's INBOX over IMAPS until a message with the
// given subject arrives, and returns its full text.
func waitForSubject(t *testing.T, s *MailStack, user User, subject string) []byte {
	t.Helper()
	c, err := imapclient.DialTLS(s.Addr(s.Ports.IMAPS), &imapclient.Options{TLSConfig: s.TLSConfig()})
	if err != nil {
		t.Fatalf("dial IMAPS: %v", err)
	}
	defer c.Close()
	if err := c.Login(user.Address, user.Password).Wait(); err != nil {
		t.Fatalf("IMAP login as %s: %v", user.Address, err)
	}

	criteria := &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: subject}}}
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			t.Fatalf("select INBOX: %v", err)
		}
		data, err := c.UIDSearch(criteria, nil).Wait()
		if err != nil {
			t.Fatalf("search INBOX: %v", err)
		}
		if uids := data.AllUIDs(); len(uids) > 0 {
			section := &imap.FetchItemBodySection{Peek: true}
			msgs, err := c.Fetch(imap.UIDSetNum(uids[0]), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
			if err != nil {
				t.Fatalf("fetch UID %d: %v", uids[0], err)
			}
			if len(msgs) != 1 {
				t.Fatalf("fetch UID %d returned %d messages, expected 1", uids[0], len(msgs))
			}
			return msgs[0].FindBodySection(section)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message with subject %q in %s's INBOX after 15 s; see the Postfix log %s", subject, user.Address, s.Logs["postfix"])
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestStackDeliversSubmission(t *testing.T) {
	s := Stack(t)
	alice := s.User(t, "alice@clinic.test")
	bob := s.User(t, "bob@clinic.test")

	subject := "stack-test-" + randomToken(t)
	msg := testMessage(alice.Address, bob.Address, subject, "Potassium 4.1 mmol/L.")
	if err := submit(t, s, alice, []string{bob.Address}, msg); err != nil {
		t.Fatalf("submit through Postfix: %v", err)
	}

	got := waitForSubject(t, s, bob, subject)
	if !bytes.Contains(got, []byte("Potassium 4.1 mmol/L.")) {
		t.Errorf("delivered message lacks the body; got:\n%s", got)
	}
	if !bytes.Contains(got, []byte("Received: ")) {
		t.Errorf("delivered message has no Received header; got:\n%s", got)
	}
}

func TestStackSubmissionsImplicitTLS(t *testing.T) {
	s := Stack(t)
	carol := s.User(t, "carol@lab.test")
	alice := s.User(t, "alice@clinic.test")

	c, err := smtp.DialTLS(s.Addr(s.Ports.Submissions), s.TLSConfig())
	if err != nil {
		t.Fatalf("dial submissions: %v", err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", carol.Address, carol.Password)); err != nil {
		t.Fatalf("auth as %s: %v", carol.Address, err)
	}
	subject := "stack-tls-" + randomToken(t)
	if err := c.SendMail(carol.Address, []string{alice.Address}, bytes.NewReader(testMessage(carol.Address, alice.Address, subject, "Referral attached."))); err != nil {
		t.Fatalf("send: %v", err)
	}
	if err := c.Quit(); err != nil {
		t.Errorf("quit: %v", err)
	}
	waitForSubject(t, s, alice, subject)
}

func TestStackRejectsOutsideDomain(t *testing.T) {
	s := Stack(t)
	alice := s.User(t, "alice@clinic.test")

	err := submit(t, s, alice, []string{"someone@example.org"}, testMessage(alice.Address, "someone@example.org", "outside", "x"))
	var smtpErr *smtp.SMTPError
	if !errors.As(err, &smtpErr) {
		t.Fatalf("submit to example.org: got %v, expected an SMTP rejection", err)
	}
	if smtpErr.Code < 500 {
		t.Errorf("rejection code = %d, expected a permanent 5xx", smtpErr.Code)
	}
}

func TestStackRejectsWrongPassword(t *testing.T) {
	s := Stack(t)
	alice := s.User(t, "alice@clinic.test")

	// A separate loopback source address keeps Dovecot's delay after a
	// failed login away from the other tests.
	c, err := imapclient.DialTLS(s.Addr(s.Ports.IMAPS), &imapclient.Options{
		TLSConfig: s.TLSConfig(),
		Dialer:    DialerFrom("127.0.0.3"),
	})
	if err != nil {
		t.Fatalf("dial IMAPS: %v", err)
	}
	defer c.Close()
	if err := c.Login(alice.Address, alice.Password+"x").Wait(); err == nil {
		t.Fatal("IMAP login with a wrong password succeeded")
	}
}

func TestStackCertificateNamesLocalhost(t *testing.T) {
	s := Stack(t)

	cfg := s.TLSConfig()
	cfg.ServerName = "wrong.test"
	conn, err := tls.Dial("tcp", s.Addr(s.Ports.IMAPS), cfg)
	if err == nil {
		conn.Close()
		t.Fatal("TLS handshake for wrong.test succeeded; the certificate must name only localhost and 127.0.0.1")
	}
	var hostErr x509.HostnameError
	if !errors.As(err, &hostErr) {
		t.Errorf("handshake error = %v, expected a host name mismatch", err)
	}
}

func TestKeyringRoundTrip(t *testing.T) {
	Keyring(t)

	service := "securemail-testenv-" + randomToken(t)
	const user = "device-secret"
	secret := randomToken(t)
	if err := keyring.Set(service, user, secret); err != nil {
		t.Fatalf("keyring set: %v", err)
	}
	t.Cleanup(func() { _ = keyring.Delete(service, user) })

	got, err := keyring.Get(service, user)
	if err != nil {
		t.Fatalf("keyring get: %v", err)
	}
	if got != secret {
		t.Errorf("keyring get = %q, expected %q", got, secret)
	}
	if err := keyring.Delete(service, user); err != nil {
		t.Fatalf("keyring delete: %v", err)
	}
	if _, err := keyring.Get(service, user); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("keyring get after delete: got %v, expected ErrNotFound", err)
	}
}

func TestStackRejectsPlaintextLogin(t *testing.T) {
	s := Stack(t)
	alice := s.User(t, "alice@clinic.test")

	// From 127.0.0.2 Dovecot sees a remote client, so ssl=required applies.
	c, err := imapclient.DialInsecure(s.Addr(s.Ports.IMAP), &imapclient.Options{Dialer: DialerFrom("127.0.0.2")})
	if err != nil {
		t.Fatalf("dial IMAP: %v", err)
	}
	defer c.Close()
	if err := c.Login(alice.Address, alice.Password).Wait(); err == nil {
		t.Fatal("IMAP login without TLS succeeded; Dovecot must require STARTTLS")
	}
}

func TestStackIMAPStartTLS(t *testing.T) {
	s := Stack(t)
	alice := s.User(t, "alice@clinic.test")

	c, err := imapclient.DialStartTLS(s.Addr(s.Ports.IMAP), &imapclient.Options{
		TLSConfig: s.TLSConfig(),
		Dialer:    DialerFrom("127.0.0.2"),
	})
	if err != nil {
		t.Fatalf("dial IMAP with STARTTLS: %v", err)
	}
	defer c.Close()
	if err := c.Login(alice.Address, alice.Password).Wait(); err != nil {
		t.Fatalf("IMAP login after STARTTLS: %v", err)
	}
	if err := c.Logout().Wait(); err != nil {
		t.Errorf("logout: %v", err)
	}
}
