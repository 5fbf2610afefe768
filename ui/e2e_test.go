package ui

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"securemail/account"
	"securemail/cache"
	"securemail/client"
	"securemail/compose"
	"securemail/internal/testenv"
	"securemail/policy"
)

// e2eKDF keeps each unlock fast; the vault's own tests check the
// default cost.
var e2eKDF = cache.KDFParams{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

// e2ePolicy lets the review ask for confirmations and a justification
// where the built-in policy would block, as a clinic's IT would set it.
func e2ePolicy(t *testing.T) *policy.Effective {
	t.Helper()
	eff, report := policy.Load(policy.Locations{})
	if len(report.Rejections) > 0 {
		t.Fatalf("built-in policy rejected: %v", report.Rejections)
	}
	for path, v := range map[string]any{
		"phi.actions.high":          "justify",
		"phi.actions.moderate":      "warn",
		"encryption.allowedMethods": []string{"openpgp", "smime", "password-pdf"},
		"internalDomains":           []string{"clinic.test"},
		"recipientReview.lookalike": "warn",
	} {
		if err := eff.Set(path, v, policy.SourceUser); err != nil {
			t.Fatalf("set %s: %v", path, err)
		}
	}
	return eff
}

func e2eOptions(t *testing.T, st *testenv.MailStack, name string) client.Options {
	return client.WithKDF(client.Options{
		Dir: t.TempDir(), Name: name, Policy: e2ePolicy(t), Keyring: &cache.MemoryKeyring{},
		TLSRoots: st.RootCAs(), NoDiscovery: true,
	}, e2eKDF)
}

// TestEndToEndWithDovecotAndPostfix drives the GUI code through a
// clinician's day on the real mail stack: first run, sync, reading an
// encrypted and signed result, an encrypted reply with PHI to a list
// that includes a lookalike address, and the idle lock.
func TestEndToEndWithDovecotAndPostfix(t *testing.T) {
	st := testenv.Stack(t)
	me, colleague := st.User(t, "gui1@clinic.test"), st.User(t, "gui2@clinic.test")
	const lookalike = "gui2@c1inic.test"
	marker := fmt.Sprintf("K%d", time.Now().UnixNano())

	// The colleague uses the client without the GUI.
	peer, err := client.Create(e2eOptions(t, st, "peer"), []byte("peer passphrase 1234"), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Lock("test over") })
	if err := peer.AddAccount(client.Account{
		Address: colleague.Address,
		IMAP:    account.Endpoint{Host: st.ServerName, Port: st.Ports.IMAPS, Security: account.ImplicitTLS},
		SMTP:    account.Endpoint{Host: st.ServerName, Port: st.Ports.Submissions, Security: account.ImplicitTLS},
	}, colleague.Password); err != nil {
		t.Fatal(err)
	}
	peerKey, err := peer.GenerateKey("Omar Haddad", colleague.Address, false)
	if err != nil {
		t.Fatal(err)
	}

	// First run through the GUI.
	adapter, err := NewClientAdapter(e2eOptions(t, st, "me"))
	if err != nil {
		t.Fatal(err)
	}
	clock := &manualClock{now: time.Now()}
	auto := NewAutoLock(adapter, cache.LockManagerOptions{Idle: 5 * time.Minute, Clock: clock}, testLogger())
	locks := make(chan string, 4)
	auto.SetOnLocked(func(m string) { locks <- m })
	t.Cleanup(auto.Close)
	s, _ := newTestShellOver(t, adapter, Options{Idle: auto})
	t.Cleanup(func() {
		if c := adapter.Client(); c != nil {
			c.Lock("test over")
		}
	})

	fields := entries(s.win)
	test.Type(fields[0], "rosa lind passphrase 2026")
	test.Type(fields[1], "rosa lind passphrase 2026")
	test.Tap(findButton(t, s.win, "Create vault"))
	fields = entries(s.win)
	if len(fields) != 4 {
		t.Fatalf("account step has %d fields, want address, password, IMAP and SMTP:\n%s", len(fields), screenText(s.win))
	}
	test.Type(fields[0], me.Address)
	test.Type(fields[1], me.Password)
	test.Type(fields[2], fmt.Sprintf("%s:%d", st.ServerName, st.Ports.IMAPS))
	test.Type(fields[3], fmt.Sprintf("%s:%d", st.ServerName, st.Ports.Submissions))
	test.Tap(findButton(t, s.win, "Add account"))
	test.Type(entries(s.win)[0], "Rosa Lind")
	test.Tap(findButton(t, s.win, "Create a new key"))
	test.Tap(findButton(t, s.win, "Skip: I have no S/MIME certificate"))
	if s.mail == nil {
		t.Fatalf("first run did not reach the mail screen:\n%s", screenText(s.win))
	}

	// Exchange public keys, as colleagues do once.
	myKeys, err := adapter.Keys()
	if err != nil || len(myKeys) != 1 {
		t.Fatalf("own keys after first run = %v, %v", myKeys, err)
	}
	mine, err := adapter.ExportPublicKey(myKeys[0].Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := peer.ImportOpenPGP(mine, nil); err != nil {
		t.Fatal(err)
	}
	theirs, err := peer.ExportPublicKey(peerKey.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adapter.ImportOpenPGP([]byte(theirs), nil); err != nil {
		t.Fatal(err)
	}

	// The colleague sends an encrypted and signed lab result.
	result := &compose.Draft{
		From:    mail.Address{Name: "Omar Haddad", Address: colleague.Address},
		To:      []mail.Address{{Name: "Rosa Lind", Address: me.Address}},
		Subject: "Potassium result " + marker,
		Body:    "Potassium 6.1 mmol/L, please repeat tomorrow. " + marker + "\n",
	}
	resultID := sendFrom(t, peer, colleague.Address, result)

	// Sync in the GUI until the result arrives, then open it. The list
	// shows the outer subject, which header protection hides, so the
	// row is found by Message-ID.
	row := waitForRow(t, s, resultID)
	s.mail.messageList.Select(row)
	screen := screenText(s.win)
	for _, want := range []string{"Encrypted with OpenPGP", "Signed by", "verified", "Potassium 6.1 mmol/L"} {
		if !strings.Contains(screen, want) {
			t.Errorf("opened result lacks %q:\n%s", want, screen)
		}
	}

	// Reply with PHI and a lookalike address in Cc.
	cw := s.mail.reply(Reply)
	if cw == nil || len(s.children) != 1 {
		t.Fatalf("reply opened %d windows", len(s.children))
	}
	test.Type(cw.cc.entry, lookalike+",")
	cw.body.SetText("Repeat potassium for MRN: 4477120, DOB 03/14/1961, hyperkalemia (E87.5). " + marker + "\n\n" + cw.body.Text)
	if got := cw.to.chips[0].button.Text; got != colleague.Address+" · OpenPGP" {
		t.Errorf("colleague chip = %q, want the OpenPGP key shown", got)
	}
	cw.review()
	p := cw.prompt
	if p == nil {
		t.Fatalf("no review prompt; compose status %q", cw.status.Text)
	}
	review := test.RenderObjectToMarkup(p.root)
	if !strings.Contains(review, "c1inic.test") {
		t.Errorf("review lacks the lookalike finding:\n%s", review)
	}
	if len(p.report.PHI.Findings) == 0 || !strings.Contains(review, "Protected health information") {
		t.Errorf("review lacks the PHI findings:\n%s", review)
	}
	if !p.send.Disabled() {
		t.Error("Send enabled before the findings were confirmed")
	}
	for _, ch := range p.confirms {
		test.Tap(ch)
	}
	if p.justification != nil {
		test.Type(p.justification, "Urgent result for the covering physician.")
	}
	if p.send.Disabled() {
		t.Fatalf("Send still disabled after every answer:\n%s", review)
	}
	test.Tap(p.send)
	if len(s.children) != 0 {
		t.Fatalf("compose window still open after Send; status %q", cw.status.Text)
	}

	// Submit through the GUI's sync, which flushes the outbox. The copy
	// for the lookalike domain cannot be delivered by this stack, so its
	// error is expected; the colleague's copy must arrive.
	s.startSync()
	id := waitForSubject(t, peer, colleague.Address, "Re: Potassium result "+marker)
	opened, err := peer.OpenMessage(id)
	if err != nil {
		t.Fatalf("colleague cannot open the reply: %v", err)
	}
	if text := MessageText(opened.Message); !strings.Contains(text, "Repeat potassium") || !strings.Contains(text, "> Potassium 6.1") {
		t.Errorf("decrypted reply text:\n%s", text)
	}
	if opened.Encryption.String() != "full" {
		t.Errorf("reply encryption coverage = %v, want full", opened.Encryption)
	}

	// Step away: the idle lock removes everything from the screen.
	clock.advance(6 * time.Minute)
	select {
	case m := <-locks:
		s.showLocked(m)
	case <-time.After(10 * time.Second):
		t.Fatal("no idle lock after the timeout")
	}
	if !adapter.Locked() {
		t.Error("vault open after the idle timeout")
	}
	if got := screenText(s.win); strings.Contains(got, marker) || !strings.Contains(got, "SecureMail is locked") {
		t.Errorf("screen after the idle lock:\n%s", got)
	}
}

// sendFrom reviews, seals and submits d, and returns its Message-ID.
func sendFrom(t *testing.T, c *client.Client, accountID string, d *compose.Draft) string {
	t.Helper()
	report, err := c.Review(d)
	if err != nil {
		t.Fatal(err)
	}
	if report.Blocked() {
		t.Fatalf("review blocked the message: %+v", report.Findings)
	}
	sealed, err := c.Send(accountID, d, report, compose.Answers{Confirmed: report.Confirmations(), Justification: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.FlushOutbox(ctx); err != nil {
		t.Fatal(err)
	}
	return strings.Trim(sealed.MessageID, "<>")
}

// waitForRow syncs through the GUI until the message with messageID is
// in the selected folder, and returns its row.
func waitForRow(t *testing.T, s *Shell, messageID string) int {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		s.startSync()
		for i := 0; i < s.mail.rowCount; i++ {
			if sum, ok := s.mail.summaryAt(i); ok && sum.MessageID == messageID {
				return i
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	folders, err := s.client.Folders()
	t.Logf("folders %+v, %v; current %d, rows %d", folders, err, s.mail.current, s.mail.rowCount)
	t.Fatalf("message %s never arrived; status %q", messageID, s.mail.status.label.Text)
	return -1
}

// waitForSubject syncs c until a message whose protected subject is
// subject arrives, opening each new message to read its subject.
func waitForSubject(t *testing.T, c *client.Client, accountID, subject string) int64 {
	t.Helper()
	checked := map[int64]bool{}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := c.Sync(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		list, err := c.List(accountID, "INBOX", 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, sum := range list {
			if checked[sum.ID] {
				continue
			}
			checked[sum.ID] = true
			m, err := c.OpenMessage(sum.ID)
			if err == nil && m.Header.Get("Subject") == subject {
				return sum.ID
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("%q never arrived for %s", subject, accountID)
	return 0
}

// TestAddAccountChecksLogin adds an account through the adapter with a
// wrong password: the login is tried first, so the error names the
// server that refused it and nothing is saved.
func TestAddAccountChecksLogin(t *testing.T) {
	st := testenv.Stack(t)
	user := st.User(t, "gui3@lab.test")
	adapter, err := NewClientAdapter(e2eOptions(t, st, "check"))
	if err != nil {
		t.Fatal(err)
	}
	if err := adapter.Create([]byte("check passphrase 2026")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { adapter.Client().Lock("test over") })

	req := AccountRequest{
		Address:  user.Address,
		Password: []byte("not the password"),
		IMAP:     fmt.Sprintf("%s:%d", st.ServerName, st.Ports.IMAPS),
		SMTP:     fmt.Sprintf("%s:%d", st.ServerName, st.Ports.Submissions),
	}
	err = adapter.AddAccount(t.Context(), req)
	if err == nil || !strings.Contains(err.Error(), "IMAP server") {
		t.Fatalf("AddAccount with a wrong password: %v, expected an error naming the IMAP server", err)
	}
	if accounts, _ := adapter.Client().Accounts(); len(accounts) != 0 {
		t.Errorf("an account that failed its login check was saved: %+v", accounts)
	}

	req.Password = []byte(user.Password)
	if err := adapter.AddAccount(t.Context(), req); err != nil {
		t.Fatalf("AddAccount with the right password: %v", err)
	}

	// The Accounts window removes by address.
	if err := adapter.RemoveAccount(strings.ToUpper(user.Address)); err != nil {
		t.Fatalf("RemoveAccount: %v", err)
	}
	if got := adapter.Accounts(); len(got) != 0 {
		t.Errorf("accounts after RemoveAccount = %v, want none", got)
	}
	if err := adapter.RemoveAccount(user.Address); err == nil {
		t.Error("removing an account twice succeeded")
	}
}
