package compose

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"securemail/internal/testenv"
)

// TestSendThroughPostfixAndDovecot submits what Seal makes through the
// real Postfix and reads it back from Dovecot: the recipient with a key
// gets PGP/MIME that gpg decrypts, and the one without gets a PDF that
// qpdf opens with the password. It uses spare accounts because it adds
// mail to their inboxes, and finds its own message by Message-ID.
func TestSendThroughPostfixAndDovecot(t *testing.T) {
	stack := testenv.Stack(t)
	const (
		senderAddress = "spare5@clinic.test"
		keyed         = "spare8@lab.test"
		keyless       = "spare6@clinic.test"
	)
	env, _, keyedHome := interopEnv(t, senderAddress, keyed)
	env.Policy.InternalDomains = []string{"clinic.test"}
	env.Hostname = "clinic.test"
	env.Now = time.Now

	d := &Draft{
		From:    addr("Spare Five <" + senderAddress + ">"),
		To:      addrs(keyed, keyless),
		Subject: "Lab results",
		Body:    "Potassium 4.1 mmol/L, within range.\n",
	}
	r, err := Review(d, env)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Seal(d, r, confirmAll(r), env)
	if err != nil {
		t.Fatal(err)
	}

	sender := stack.User(t, senderAddress)
	for _, e := range s.Envelopes {
		submit(t, stack, sender, e)
	}

	pgpRaw := fetchByMessageID(t, stack, stack.User(t, keyed), s.MessageID)
	if !bytes.Contains(pgpRaw, []byte("multipart/encrypted")) || bytes.Contains(pgpRaw, []byte("Potassium")) {
		t.Errorf("message delivered to %s is not PGP/MIME or shows the body", keyed)
	}
	inner := keyedHome.decryptPGPMIME(t, pgpRaw)
	if !strings.Contains(inner, "Potassium 4.1 mmol/L") || !strings.Contains(inner, "Subject: Lab results") {
		t.Errorf("gpg output lacks the body or subject:\n%s", inner)
	}

	pdfRaw := fetchByMessageID(t, stack, stack.User(t, keyless), s.MessageID)
	if bytes.Contains(pdfRaw, []byte("Potassium")) || bytes.Contains(pdfRaw, []byte(s.Passwords[0].Password)) {
		t.Errorf("message delivered to %s shows the body or the password", keyless)
	}
	text := openPDF(t, pdfAttachment(t, pdfRaw), s.Passwords[0].Password)
	if !strings.Contains(text, "Potassium 4.1 mmol/L") {
		t.Errorf("PDF delivered to %s lacks the body:\n%s", keyless, text)
	}
}

// submit sends one envelope through the stack's submission port with
// STARTTLS and AUTH PLAIN.
func submit(t *testing.T, stack *testenv.MailStack, user testenv.User, e Envelope) {
	t.Helper()
	c, err := smtp.DialStartTLS(stack.Addr(stack.Ports.Submission), stack.TLSConfig())
	if err != nil {
		t.Fatalf("dial submission: %v", err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", user.Address, user.Password)); err != nil {
		t.Fatalf("AUTH as %s: %v", user.Address, err)
	}
	if err := c.SendMail(user.Address, e.Recipients, bytes.NewReader(e.Raw)); err != nil {
		t.Fatalf("submit to %v: %v", e.Recipients, err)
	}
	if err := c.Quit(); err != nil {
		t.Fatalf("QUIT: %v", err)
	}
}

// fetchByMessageID waits up to 20 s for a message with the Message-ID
// in the user's INBOX and returns it.
func fetchByMessageID(t *testing.T, stack *testenv.MailStack, user testenv.User, messageID string) []byte {
	t.Helper()
	c, err := imapclient.DialTLS(stack.Addr(stack.Ports.IMAPS), &imapclient.Options{TLSConfig: stack.TLSConfig()})
	if err != nil {
		t.Fatalf("dial IMAPS: %v", err)
	}
	defer c.Close()
	if err := c.Login(user.Address, user.Password).Wait(); err != nil {
		t.Fatalf("LOGIN as %s: %v", user.Address, err)
	}

	criteria := &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-Id", Value: messageID}}}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatalf("SELECT INBOX: %v", err)
		}
		data, err := c.UIDSearch(criteria, nil).Wait()
		if err != nil {
			t.Fatalf("UID SEARCH: %v", err)
		}
		if uids := data.AllUIDs(); len(uids) > 0 {
			section := &imap.FetchItemBodySection{Peek: true}
			msgs, err := c.Fetch(imap.UIDSetNum(uids[0]), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
			if err != nil || len(msgs) == 0 {
				t.Fatalf("FETCH: %v", err)
			}
			return msgs[0].FindBodySection(section)
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %s did not reach %s within 20 s; see the Postfix log in %s", messageID, user.Address, stack.Dir)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
