package ui

import (
	"net/mail"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"securemail/account"
	"securemail/audit"
	"securemail/client"
	"securemail/compose"
	"securemail/internal/testenv"
)

const uncertainReason = "the submission was cut off after the server received the whole message"

// heldClient returns an unlocked fake whose outbox holds an uncertain
// message (ID 7) and a rejected one (ID 9).
func heldClient() *fakeClient {
	c := newFakeClient()
	created := time.Date(2026, 3, 2, 9, 30, 0, 0, time.Local)
	c.held = []HeldMessage{
		{ID: 7, Account: "dr.rivera@clinic.example", Recipients: []string{"lab@lab.example", "ward@clinic.example"},
			Created: created, Uncertain: true, Reason: uncertainReason},
		{ID: 9, Account: "dr.rivera@clinic.example", Recipients: []string{"old@partner.example"},
			Created: created.Add(time.Hour), Reason: `recipient "old@partner.example" rejected: SMTP error 550: no such user`},
	}
	return c
}

// openOutbox unlocks a shell over c and opens the Outbox window.
func openOutbox(t *testing.T, c *fakeClient) (*Shell, *outboxView) {
	t.Helper()
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	s.showOutbox()
	if s.outbox == nil {
		t.Fatal("showOutbox opened no Outbox window")
	}
	return s, s.outbox
}

func TestOutboxViewListsHeld(t *testing.T) {
	c := heldClient()
	_, v := openOutbox(t, c)

	if len(v.held) != 2 {
		t.Fatalf("Outbox window lists %d messages, want 2", len(v.held))
	}
	if line := HeldLine(v.held[0]); !strings.HasPrefix(line, "May have arrived · 2026-03-02 09:30 · to lab@lab.example, ward@clinic.example") {
		t.Errorf("line of the uncertain message = %q", line)
	}
	if line := HeldLine(v.held[1]); !strings.HasPrefix(line, "Rejected · ") {
		t.Errorf("line of the rejected message = %q", line)
	}
	if !v.sendAgain.Disabled() || !v.discard.Disabled() {
		t.Error("buttons enabled before a message is selected")
	}

	v.list.Select(1)
	if v.sendAgain.Disabled() || v.discard.Disabled() {
		t.Error("buttons disabled with a message selected")
	}
	if !strings.Contains(v.detail.Text, "SMTP error 550: no such user") {
		t.Errorf("detail of the rejected message lacks the server's reply: %q", v.detail.Text)
	}
	v.list.Select(0)
	if !strings.Contains(v.detail.Text, "may already have arrived") {
		t.Errorf("detail of the uncertain message does not warn: %q", v.detail.Text)
	}
}

func TestOutboxSendAgainAsksFirst(t *testing.T) {
	c := heldClient()
	s, v := openOutbox(t, c)
	v.list.Select(0)

	test.Tap(v.sendAgain)
	p := v.prompt
	if p == nil {
		t.Fatal("Send again sent without a confirmation")
	}
	if p.cancel.Importance != widget.HighImportance || p.action.Importance == widget.HighImportance {
		t.Error("Cancel is not the default button")
	}
	if v.win.Canvas().Focused() != p.cancel {
		t.Error("Cancel does not have the focus")
	}
	if text := screenText(v.win); !strings.Contains(text, "may already have arrived") || !strings.Contains(text, "receive it twice") {
		t.Errorf("confirmation does not warn of a second delivery:\n%s", text)
	}

	test.Tap(p.cancel)
	if len(c.resent) != 0 {
		t.Fatalf("Cancel sent the message again: %v", c.resent)
	}
	if v.prompt != nil {
		t.Error("confirmation still open after Cancel")
	}

	test.Tap(v.sendAgain)
	test.Tap(v.prompt.action)
	if len(c.resent) != 1 || c.resent[0] != 7 {
		t.Fatalf("SendAgain calls = %v, want [7]", c.resent)
	}
	if len(v.held) != 1 || v.held[0].ID != 9 {
		t.Errorf("list after sending again = %+v, want only message 9", v.held)
	}
	if !s.mail.status.held.Visible() || s.mail.status.held.Text != "1 message needs your decision" {
		t.Errorf("status bar notice after sending again = %q, visible %v", s.mail.status.held.Text, s.mail.status.held.Visible())
	}
}

func TestOutboxDiscardAsksFirst(t *testing.T) {
	c := heldClient()
	_, v := openOutbox(t, c)
	v.list.Select(1)

	test.Tap(v.discard)
	p := v.prompt
	if p == nil {
		t.Fatal("Discard acted without a confirmation")
	}
	if p.cancel.Importance != widget.HighImportance {
		t.Error("Cancel is not the default button")
	}
	if text := screenText(v.win); !strings.Contains(text, "cannot be undone") {
		t.Errorf("confirmation does not say that discarding is final:\n%s", text)
	}
	test.Tap(p.action)
	if len(c.discarded) != 1 || c.discarded[0] != 9 {
		t.Fatalf("DiscardHeld calls = %v, want [9]", c.discarded)
	}
	if len(c.resent) != 0 {
		t.Errorf("Discard sent a message again: %v", c.resent)
	}
	if len(v.held) != 1 || v.held[0].ID != 7 {
		t.Errorf("list after discarding = %+v, want only message 7", v.held)
	}
}

func TestHeldNoticeOpensOutbox(t *testing.T) {
	c := heldClient()
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)

	notice := s.mail.status.held
	if !notice.Visible() {
		t.Fatal("no status bar notice after a sync with held messages")
	}
	if notice.Text != "2 messages need your decision" {
		t.Errorf("notice = %q", notice.Text)
	}
	test.Tap(notice)
	if s.outbox == nil || len(s.children) != 1 {
		t.Fatalf("the notice opened %d windows", len(s.children))
	}
	s.showOutbox()
	if len(s.children) != 1 {
		t.Errorf("opening the outbox twice made %d windows", len(s.children))
	}
	s.children[0].Close()
	if s.outbox != nil {
		t.Error("closed Outbox window still tracked")
	}
}

func TestHeldNoticeHiddenWhenNone(t *testing.T) {
	c := newFakeClient()
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	if s.mail.status.held.Visible() {
		t.Errorf("notice %q shown with no held message", s.mail.status.held.Text)
	}
}

func TestHeldPromptUncertainGolden(t *testing.T) {
	test.NewTempApp(t)
	p := newHeldPrompt(&Shell{}, heldClient().held[0], true, func(bool) {})
	assertGolden(t, "held_prompt_uncertain.xml", p.root, fyne.NewSize(560, 260))
}

func TestHeldPromptDiscardGolden(t *testing.T) {
	test.NewTempApp(t)
	p := newHeldPrompt(&Shell{}, heldClient().held[1], false, func(bool) {})
	assertGolden(t, "held_prompt_discard.xml", p.root, fyne.NewSize(560, 200))
}

// TestOutboxWindowOverRealStack has Postfix reject a recipient for good,
// and discards the held message through the status bar notice and the
// Outbox window over the real client.
func TestOutboxWindowOverRealStack(t *testing.T) {
	st := testenv.Stack(t)
	me := st.User(t, "gui3@lab.test")
	c, err := client.Create(e2eOptions(t, st, "held"), []byte("held passphrase 2026"), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Lock("test over") })
	if err := c.AddAccount(client.Account{
		Address: me.Address,
		IMAP:    account.Endpoint{Host: st.ServerName, Port: st.Ports.IMAPS, Security: account.ImplicitTLS},
		SMTP:    account.Endpoint{Host: st.ServerName, Port: st.Ports.Submissions, Security: account.ImplicitTLS},
	}, me.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GenerateKey("Rosa Lind", me.Address, false); err != nil {
		t.Fatal(err)
	}

	// Postfix in the stack rejects domains it does not serve with a 5xx.
	d := &compose.Draft{
		From:    mail.Address{Address: me.Address},
		To:      []mail.Address{{Address: "someone@example.org"}},
		Subject: "Appointment",
		Body:    "Your appointment is confirmed.\n",
	}
	report, err := c.Review(d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(me.Address, d, report, compose.Answers{Confirmed: report.Confirmations()}); err != nil {
		t.Fatal(err)
	}

	s, _ := newTestShellOver(t, WrapClient(c), Options{})
	s.startSync()
	notice := s.mail.status.held
	if !notice.Visible() || notice.Text != "1 message needs your decision" {
		t.Fatalf("status bar notice = %q, visible %v; status %q", notice.Text, notice.Visible(), s.mail.status.label.Text)
	}
	test.Tap(notice)
	v := s.outbox
	if v == nil || len(v.held) != 1 {
		t.Fatalf("Outbox window does not list the rejected message")
	}
	if v.held[0].Uncertain {
		t.Error("a rejected message is listed as uncertain")
	}
	if !strings.Contains(v.held[0].Reason, "SMTP error 5") {
		t.Errorf("reason = %q, want the server's 5xx reply", v.held[0].Reason)
	}

	v.list.Select(0)
	test.Tap(v.discard)
	test.Tap(v.prompt.action)
	if len(v.held) != 0 {
		t.Errorf("Outbox window after discarding lists %+v", v.held)
	}
	if held, err := c.HeldMessages(); err != nil || len(held) != 0 {
		t.Errorf("held messages after discarding = %+v, %v", held, err)
	}
	if notice.Visible() {
		t.Errorf("status bar notice %q still shown after discarding", notice.Text)
	}
	records, err := c.AuditRecords(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if last := records[len(records)-1]; last.Kind != audit.KindMessageDiscarded || last.Reason != "failed" {
		t.Errorf("last audit entry = %s (%s), want message.discarded (failed)", last.Kind, last.Reason)
	}
}

func TestHeldPromptEscapeCancels(t *testing.T) {
	test.NewTempApp(t)
	var got []bool
	p := newHeldPrompt(&Shell{}, heldClient().held[1], false, func(confirmed bool) { got = append(got, confirmed) })

	for _, b := range []*activityButton{p.cancel, p.action} {
		got = nil
		b.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		if len(got) != 1 || got[0] {
			t.Errorf("Escape on %s gave %v, want [false]", b.Text, got)
		}
	}
}

func TestOutboxWithdrawQueued(t *testing.T) {
	c := heldClient()
	c.queued = []HeldMessage{{ID: 11, Account: "dr.rivera@clinic.example", Recipients: []string{"wrong@partner.example"},
		Created: time.Date(2026, 3, 2, 11, 0, 0, 0, time.Local), Queued: true, Reason: "connection refused"}}
	_, v := openOutbox(t, c)

	if len(v.held) != 3 {
		t.Fatalf("Outbox window lists %d messages, want the 2 held and the queued one", len(v.held))
	}
	if line := HeldLine(v.held[2]); !strings.HasPrefix(line, "Waiting to send · ") {
		t.Errorf("line of the queued message = %q", line)
	}
	v.list.Select(2)
	if !v.sendAgain.Disabled() {
		t.Error("Send again is enabled for a queued message")
	}
	if v.discard.Disabled() || v.discard.Text != "Withdraw" {
		t.Errorf("the second button is %q, disabled %v; want Withdraw, enabled", v.discard.Text, v.discard.Disabled())
	}
	if !strings.Contains(v.detail.Text, "not been sent yet") || !strings.Contains(v.detail.Text, "connection refused") {
		t.Errorf("detail of the queued message = %q", v.detail.Text)
	}

	test.Tap(v.discard)
	p := v.prompt
	if p == nil {
		t.Fatal("Withdraw acted without a confirmation")
	}
	if p.cancel.Importance != widget.HighImportance {
		t.Error("Cancel is not the default button")
	}
	if text := screenText(v.win); !strings.Contains(text, "never sent") {
		t.Errorf("confirmation does not say the message is never sent:\n%s", text)
	}
	test.Tap(p.action)
	if len(c.withdrawn) != 1 || c.withdrawn[0] != 11 {
		t.Fatalf("Withdraw calls = %v, want [11]", c.withdrawn)
	}
	if len(c.discarded) != 0 {
		t.Errorf("withdrawing called DiscardHeld: %v", c.discarded)
	}
	if len(v.held) != 2 {
		t.Errorf("list after withdrawing = %+v, want the 2 held messages", v.held)
	}

	// Selecting a held message again gives the Discard button back.
	v.list.Select(1)
	if v.discard.Text != "Discard" || v.sendAgain.Disabled() {
		t.Errorf("buttons for a held message after a queued one: %q, send again disabled %v", v.discard.Text, v.sendAgain.Disabled())
	}
}
