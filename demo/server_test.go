package demo

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

func startServer(t *testing.T) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatalf("start demo servers: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close demo servers: %v", err)
		}
	})
	return s
}

func TestDemoInboxSeeded(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	seeds, err := SeedMessages()
	if err != nil {
		t.Fatalf("read seed messages: %v", err)
	}
	got, err := s.Mailbox().List(ctx, "INBOX")
	if err != nil {
		t.Fatalf("list INBOX over TLS: %v", err)
	}
	if len(got) != len(seeds) {
		t.Fatalf("INBOX has %d messages, expected the %d seeded ones", len(got), len(seeds))
	}

	bySubject := make(map[string]bool)
	encrypted := 0
	for i, m := range got {
		bySubject[m.Subject] = true
		if m.Encrypted {
			encrypted++
		}
		if i > 0 && m.Date.After(got[i-1].Date) {
			t.Errorf("message %d (%s) is newer than the one before it; the list must be newest first", i, m.Date)
		}
	}
	for _, subject := range []string{
		"Lab results ready (order 4471-A)",
		"Re: Referral for cardiology review",
		"Action required: confirm your mailbox password today",
	} {
		if !bySubject[subject] {
			t.Errorf("INBOX lacks the seeded message %q", subject)
		}
	}
	if encrypted != 3 {
		t.Errorf("INBOX has %d encrypted messages, expected 3 (two lab results and the handover)", encrypted)
	}
}

func TestDemoFoldersInboxFirst(t *testing.T) {
	s := startServer(t)
	folders, err := s.Mailbox().Folders(context.Background())
	if err != nil {
		t.Fatalf("list folders: %v", err)
	}
	if len(folders) != 1+len(extraFolders) {
		t.Fatalf("got %d folders, expected %d", len(folders), 1+len(extraFolders))
	}
	if folders[0].Name != "INBOX" || folders[0].Role != "inbox" {
		t.Errorf("first folder = %q (role %q), expected INBOX", folders[0].Name, folders[0].Role)
	}
	if folders[0].Unread != folders[0].Total-1 {
		t.Errorf("INBOX unread = %d of %d, expected all but the newsletter", folders[0].Unread, folders[0].Total)
	}
}

func sendAsOwner(s *Server, password string, to []string, msg string) error {
	c, err := smtp.DialTLS(s.SMTPAddr, s.TLSConfig())
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", s.Username, password)); err != nil {
		return err
	}
	if err := c.SendMail(s.Username, to, strings.NewReader(msg)); err != nil {
		return err
	}
	return c.Quit()
}

func TestDemoSMTPDeliversToOwner(t *testing.T) {
	s := startServer(t)
	msg := "From: " + s.Username + "\r\nTo: " + s.Username + "\r\nSubject: Note to self\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n\r\nCall the lab.\r\n"
	if err := sendAsOwner(s, s.Password, []string{s.Username}, msg); err != nil {
		t.Fatalf("send to the owner: %v", err)
	}

	got, err := s.Mailbox().List(context.Background(), "INBOX")
	if err != nil {
		t.Fatalf("list INBOX: %v", err)
	}
	if len(got) == 0 || got[0].Subject != "Note to self" {
		t.Fatalf("newest INBOX message is not the one just sent: %+v", got)
	}
}

func TestDemoSMTPRejects(t *testing.T) {
	s := startServer(t)
	msg := "Subject: x\r\n\r\nx\r\n"

	var smtpErr *smtp.SMTPError
	err := sendAsOwner(s, s.Password, []string{"stranger@elsewhere.example"}, msg)
	if !errors.As(err, &smtpErr) || smtpErr.Code != 550 {
		t.Errorf("send to a non-demo address: got %v, expected a 550 rejection", err)
	}
	err = sendAsOwner(s, s.Password+"x", []string{s.Username}, msg)
	if !errors.As(err, &smtpErr) || smtpErr.Code != 535 {
		t.Errorf("send with a wrong password: got %v, expected a 535 rejection", err)
	}
}

func TestDemoContactsHaveKeys(t *testing.T) {
	d, err := LoadDirectory()
	if err != nil {
		t.Fatalf("load directory: %v", err)
	}
	for _, p := range d.People() {
		for _, name := range []string{p.OpenPGPPublicKey, p.OpenPGPSecretKey, p.SMIMECertificate, p.SMIMESecretKey} {
			if name == "" {
				continue
			}
			data, err := ReadFile(name)
			if err != nil {
				t.Errorf("key file of %s: %v", p.Address, err)
				continue
			}
			if !bytes.Contains(data, []byte("-----BEGIN ")) {
				t.Errorf("key file %s of %s is not armored or PEM", name, p.Address)
			}
		}
	}
	if d.Owner.OpenPGPSecretKey == "" {
		t.Error("the demo owner has no OpenPGP secret key, so the encrypted lab results cannot be read")
	}
}
