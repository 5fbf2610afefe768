package client

import (
	"bytes"
	"context"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"securemail/account"
	"securemail/audit"
	"securemail/compose"
	"securemail/crypto"
	"securemail/internal/testenv"
)

// stackAccount adds the stack user address to c as its account.
func stackAccount(t *testing.T, c *Client, st *testenv.MailStack, address string) {
	t.Helper()
	u := st.User(t, address)
	err := c.AddAccount(Account{
		Address: u.Address,
		IMAP:    account.Endpoint{Host: st.ServerName, Port: st.Ports.IMAPS, Security: account.ImplicitTLS},
		SMTP:    account.Endpoint{Host: st.ServerName, Port: st.Ports.Submission, Security: account.StartTLS},
	}, u.Password)
	if err != nil {
		t.Fatal(err)
	}
}

// waitForMessage syncs c until a message whose outer Message-ID is id
// arrives in folder, and returns its cache id.
func waitForMessage(t *testing.T, c *Client, accountID, folder, id string) int64 {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		rep, err := c.Sync(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if e := rep.Errors[accountID]; e != nil {
			t.Logf("sync %s: %v", accountID, e)
		}
		list, err := c.List(accountID, folder, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range list {
			if s.MessageID == strings.Trim(id, "<>") {
				return s.ID
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("message %s never arrived in %s/%s", id, accountID, folder)
	return 0
}

func TestSendEncryptedThroughRealStack(t *testing.T) {
	st := testenv.Stack(t)
	qpdf := testenv.RequireCommand(t, "qpdf")
	const (
		senderAddr = "client1@clinic.test"
		keyedAddr  = "client2@clinic.test"
		keylessAdr = "client3@lab.test"
		marker     = "Xq7marker"
	)
	eff := testPolicy(t)

	sender, _ := newProfile(t, "sender", eff)
	keyed, _ := newProfile(t, "keyed", eff)
	keyless, _ := newProfile(t, "keyless", eff)
	for c, addr := range map[*Client]string{sender: senderAddr, keyed: keyedAddr, keyless: keylessAdr} {
		c.opts.TLSRoots = st.RootCAs()
		stackAccount(t, c, st, addr)
	}

	senderKey, err := sender.GenerateKey("Rosa Lind", senderAddr, false)
	if err != nil {
		t.Fatal(err)
	}
	keyedKey, err := keyed.GenerateKey("Omar Haddad", keyedAddr, false)
	if err != nil {
		t.Fatal(err)
	}
	exchange := func(from, to *Client, fp string) {
		armored, err := from.ExportPublicKey(fp)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := to.ImportOpenPGP([]byte(armored), nil); err != nil {
			t.Fatal(err)
		}
	}
	exchange(keyed, sender, keyedKey.Fingerprint)
	exchange(sender, keyed, senderKey.Fingerprint)

	draft := &compose.Draft{
		From:    mail.Address{Name: "Rosa Lind", Address: senderAddr},
		To:      []mail.Address{{Name: "Omar Haddad", Address: keyedAddr}, {Address: keylessAdr}},
		Subject: "HbA1c result " + marker,
		Body:    "Patient: Jane Q. Example, DOB 03/14/1961, MRN: 4477120.\nHbA1c 8.2%, " + marker + " body.\n",
	}
	report, err := sender.Review(draft)
	if err != nil {
		t.Fatal(err)
	}
	methods := map[string]compose.Method{}
	for _, r := range report.Recipients {
		methods[r.Address] = r.Method
	}
	if methods[keyedAddr] != compose.MethodOpenPGP {
		t.Errorf("method for the keyed recipient = %v, want OpenPGP", methods[keyedAddr])
	}
	if methods[keylessAdr] != compose.MethodPasswordPDF {
		t.Errorf("method for the keyless recipient = %v, want a password PDF", methods[keylessAdr])
	}
	if report.Blocked() {
		t.Fatalf("review blocked the message: %+v", report.Findings)
	}
	var phiFound bool
	for _, f := range report.Findings {
		phiFound = phiFound || strings.HasPrefix(string(f.Kind), "phi")
	}
	if !phiFound {
		t.Errorf("no PHI finding for a body with a DOB and an MRN: %+v", report.Findings)
	}

	// Sending without the confirmations must fail.
	if _, err := sender.Send(senderAddr, draft, report, compose.Answers{}); err == nil {
		t.Fatal("sent without the confirmations the review asked for")
	}
	sealed, err := sender.Send(senderAddr, draft, report, compose.Answers{
		Confirmed:     report.Confirmations(),
		Justification: "Results requested by the treating endocrinologist.",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sealed.Passwords) != 1 || sealed.Passwords[0].Recipient != keylessAdr {
		t.Fatalf("passwords = %+v, want one for %s", sealed.Passwords, keylessAdr)
	}
	for _, e := range sealed.Envelopes {
		if bytes.Contains(e.Raw, []byte(marker)) {
			t.Errorf("envelope for %v carries the marker in the clear", e.Recipients)
		}
		if bytes.Contains(e.Raw, []byte(sealed.Passwords[0].Password)) {
			t.Errorf("envelope for %v carries the PDF password", e.Recipients)
		}
	}
	if err := sender.FlushOutbox(context.Background()); err != nil {
		t.Fatalf("flushing the outbox: %v", err)
	}

	// The recipient with a key reads it decrypted, signed and with the
	// protected subject.
	id := waitForMessage(t, keyed, keyedAddr, "INBOX", messageIDFor(t, sealed, keyedAddr))
	opened, err := keyed.OpenMessage(id)
	if err != nil {
		t.Fatal(err)
	}
	if opened.Encryption != crypto.CoverageFull {
		t.Errorf("encryption coverage = %v, want full", opened.Encryption)
	}
	if opened.Signature != crypto.CoverageFull {
		t.Errorf("signature coverage = %v, want full; problems %v", opened.Signature, opened.Problems)
	}
	if got := opened.Header.Get("Subject"); got != draft.Subject {
		t.Errorf("subject = %q, want the protected %q", got, draft.Subject)
	}
	if ac := opened.Outer.Get("Autocrypt"); !strings.Contains(ac, "addr="+senderAddr) {
		t.Errorf("Autocrypt header = %q, want one advertising the sender's key", ac)
	}
	if got := opened.Outer.Get("Subject"); strings.Contains(got, marker) {
		t.Errorf("outer subject %q leaks the real one", got)
	}
	leaves := opened.Root.Leaves()
	if len(leaves) == 0 || !bytes.Contains(leaves[0].Body, []byte(marker+" body")) {
		t.Errorf("decrypted body lacks the text: %+v", leaves)
	}
	if sig := leaves[0].Status.Signature; !sig.MatchesFrom || sig.Fingerprint != senderKey.Fingerprint {
		t.Errorf("signature = %+v, want the sender's key matching From", sig)
	}

	// The recipient without a key gets a PDF that qpdf opens with the
	// password and nothing else.
	id = waitForMessage(t, keyless, keylessAdr, "INBOX", messageIDFor(t, sealed, keylessAdr))
	opened, err = keyless.OpenMessage(id)
	if err != nil {
		t.Fatal(err)
	}
	var pdf []byte
	for _, l := range opened.Root.Leaves() {
		if l.MediaType == "application/pdf" {
			pdf = l.Body
		}
		if bytes.Contains(l.Body, []byte(marker)) {
			t.Errorf("part %s of the PDF mail carries the marker in the clear", l.MediaType)
		}
	}
	if pdf == nil {
		t.Fatal("no PDF in the message to the recipient without a key")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "copy.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "plain.pdf")
	if err := exec.Command(qpdf, "--decrypt", in, out).Run(); err == nil {
		t.Error("qpdf opened the PDF without the password")
	}
	if msg, err := exec.Command(qpdf, "--password="+sealed.Passwords[0].Password, "--decrypt", in, out).CombinedOutput(); err != nil {
		t.Fatalf("qpdf with the password: %v: %s", err, msg)
	}

	// Deleting moves the message off the server's INBOX, so a new sync
	// does not bring it back.
	pdfID := messageIDFor(t, sealed, keylessAdr)
	if err := keyless.DeleteMessage(id); err != nil {
		t.Fatalf("deleting the PDF mail: %v", err)
	}
	if _, err := keyless.Sync(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	inbox, err := keyless.List(keylessAdr, "INBOX", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, sum := range inbox {
		if sum.MessageID == strings.Trim(pdfID, "<>") {
			t.Error("the deleted message came back to the INBOX with the next sync")
		}
	}

	// The sender's Sent folder holds a copy the sender can read.
	id = waitForMessage(t, sender, senderAddr, "Sent", sealed.MessageID)
	opened, err = sender.OpenMessage(id)
	if err != nil {
		t.Fatal(err)
	}
	if opened.Encryption != crypto.CoverageFull {
		t.Errorf("Sent copy encryption coverage = %v, want full", opened.Encryption)
	}

	// The audit trail names the methods and no subject or body text.
	var buf bytes.Buffer
	if _, err := sender.ExportAudit(&buf, audit.FormatJSONLines, time.Time{}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte(marker)) {
		t.Error("the audit trail contains message text")
	}
	if !bytes.Contains(buf.Bytes(), []byte(`"password-pdf"`)) || !bytes.Contains(buf.Bytes(), []byte(`"openpgp"`)) {
		t.Errorf("the audit trail lacks the methods per recipient: %s", buf.Bytes())
	}
	for _, c := range []*Client{sender, keyed, keyless} {
		if err := c.AuditErr(); err != nil {
			t.Errorf("audit append failed: %v", err)
		}
	}
}

// messageIDFor returns the Message-ID of the envelope that went to addr.
func messageIDFor(t *testing.T, s *compose.Sealed, addr string) string {
	t.Helper()
	for _, e := range s.Envelopes {
		for _, r := range e.Recipients {
			if r == addr {
				if id := messageIDOf(e.Raw); id != "" {
					return id
				}
				return s.MessageID
			}
		}
	}
	t.Fatalf("no envelope for %s", addr)
	return ""
}
