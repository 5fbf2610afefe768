package client

import (
	"bytes"
	"context"
	"errors"
	"net/mail"
	"testing"
	"time"

	"securemail/audit"
	"securemail/cache"
	"securemail/compose"
	"securemail/crypto"
)

// TestAttackLockedClientRejectsWork calls every method that needs the
// vault after Lock and checks that each returns ErrLocked, and that the
// private keys loaded before the lock are wiped.
func TestAttackLockedClientRejectsWork(t *testing.T) {
	c, opts := newProfile(t, "locked", testPolicy(t))
	key, err := c.GenerateKey("Rosa Lind", "rosa@clinic.test", false)
	if err != nil {
		t.Fatal(err)
	}
	addAccount(t, c, "rosa@clinic.test")
	id := putRawMessage(t, c, []byte("From: a@lab.test\r\nSubject: s\r\nMessage-ID: <lock@x>\r\n\r\nbody\r\n"))
	draft := &compose.Draft{From: mail.Address{Address: "rosa@clinic.test"}, To: []mail.Address{{Address: "x@lab.test"}},
		Subject: "s", Body: "b\n"}
	report, err := c.Review(draft)
	if err != nil {
		t.Fatal(err)
	}

	s, err := c.current()
	if err != nil {
		t.Fatal(err)
	}
	held, err := s.ownPGP()
	if err != nil || len(held) != 1 {
		t.Fatalf("own keys before the lock: %d, %v", len(held), err)
	}
	if !held[0].IsPrivate() {
		t.Fatal("the loaded own key has no private part")
	}
	store := s.store

	if err := c.Lock(LockManual); err != nil {
		t.Fatal(err)
	}

	if held[0].IsPrivate() {
		t.Error("a private key loaded before the lock still has its private part")
	}
	if _, err := store.GetRecord("account", "rosa@clinic.test"); !errors.Is(err, cache.ErrLocked) {
		t.Errorf("the store kept from before the lock: GetRecord = %v, want cache.ErrLocked", err)
	}
	if _, err := s.ownPGP(); err == nil {
		t.Error("the session kept from before the lock loads private keys again")
	}

	calls := map[string]func() error{
		"OpenMessage": func() error { _, err := c.OpenMessage(id); return err },
		"List":        func() error { _, err := c.List(localAccount, "INBOX", 0, 10); return err },
		"Search":      func() error { _, err := c.Search(cache.Query{Words: []string{"body"}}); return err },
		"Folders":     func() error { _, err := c.Folders(localAccount); return err },
		"Accounts":    func() error { _, err := c.Accounts(); return err },
		"AddAccount": func() error {
			return c.AddAccount(Account{Address: "b@clinic.test", IMAP: accountEndpoint("127.0.0.1", 1), SMTP: accountEndpoint("127.0.0.1", 1)}, "pw")
		},
		"Sync":            func() error { _, err := c.Sync(context.Background(), nil); return err },
		"FlushOutbox":     func() error { return c.FlushOutbox(context.Background()) },
		"HeldMessages":    func() error { _, err := c.HeldMessages(); return err },
		"SendAgain":       func() error { return c.SendAgain(1) },
		"DiscardHeld":     func() error { return c.DiscardHeld(1) },
		"Review":          func() error { _, err := c.Review(draft); return err },
		"Send":            func() error { _, err := c.Send("rosa@clinic.test", draft, report, confirmAll(report)); return err },
		"GenerateKey":     func() error { _, err := c.GenerateKey("x", "x@clinic.test", false); return err },
		"ExportPublicKey": func() error { _, err := c.ExportPublicKey(key.Fingerprint); return err },
		"Keys":            func() error { _, err := c.Keys(); return err },
		"ImportOpenPGP":   func() error { _, err := c.ImportOpenPGP([]byte("x"), nil); return err },
		"ImportPKCS12":    func() error { _, err := c.ImportPKCS12([]byte("x"), "x"); return err },
		"ImportCert":      func() error { _, err := c.ImportCertificate([]byte("x")); return err },
		"VerifyFinger":    func() error { return c.VerifyFingerprint(crypto.SchemeOpenPGP, "a@b.test", "AA") },
		"AcceptChanged":   func() error { return c.AcceptChangedKey(crypto.SchemeOpenPGP, "a@b.test", "AA") },
		"AddContact":      func() error { return c.AddContact("A", "a@b.test") },
		"Contacts":        func() error { _, err := c.Contacts(); return err },
		"RecordConsent":   func() error { return c.RecordConsent("rosa@clinic.test", "p@lab.test", "N", time.Time{}) },
		"Consents":        func() error { _, err := c.Consents(); return err },
		"RevokeConsent":   func() error { return c.RevokeConsent("p@lab.test") },
		"VerifyAudit":     func() error { _, err := c.VerifyAudit(); return err },
		"ExportAudit": func() error {
			_, err := c.ExportAudit(&bytes.Buffer{}, audit.FormatJSONLines, time.Time{}, time.Time{})
			return err
		},
		"AuditRecords":     func() error { _, err := c.AuditRecords(time.Time{}, time.Time{}); return err },
		"ForwardAudit":     func() error { _, err := c.ForwardAudit(context.Background(), "host"); return err },
		"ChangePassphrase": func() error { return c.ChangePassphrase([]byte("wrong"), []byte("new")) },
	}
	for name, call := range calls {
		err := call()
		if name == "ChangePassphrase" {
			// Rewrapping needs the old passphrase, not an open vault; a
			// wrong one must still fail.
			if err == nil {
				t.Errorf("%s with a wrong passphrase succeeded", name)
			}
			continue
		}
		if !errors.Is(err, ErrLocked) {
			t.Errorf("%s after Lock: %v, want ErrLocked", name, err)
		}
	}
	if !c.Locked() {
		t.Error("a call after Lock unlocked the client")
	}

	// After unlocking again, everything works and the key is back.
	reopened, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := reopened.Unlock([]byte("correct horse locked")); err != nil {
		t.Fatal(err)
	}
	defer reopened.Lock(LockManual)
	if _, err := reopened.ExportPublicKey(key.Fingerprint); err != nil {
		t.Errorf("ExportPublicKey after unlocking again: %v", err)
	}
}
