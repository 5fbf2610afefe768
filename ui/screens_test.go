package ui

import (
	"encoding/json"
	"errors"
	"net/mail"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"securemail/audit"
	"securemail/compose"
	"securemail/crypto"
	"securemail/policy"
)

// findButton returns the button with text on the window, or fails.
func findButton(t *testing.T, w fyne.Window, text string) *activityButton {
	t.Helper()
	var found *activityButton
	walk(w.Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*activityButton); ok && b.Text == text && found == nil {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no button %q on screen:\n%s", text, screenText(w))
	}
	return found
}

func entries(w fyne.Window) []*activityEntry {
	var out []*activityEntry
	walk(w.Content(), func(o fyne.CanvasObject) {
		if e, ok := o.(*activityEntry); ok {
			out = append(out, e)
		}
	})
	return out
}

func TestFirstRunCreatesVaultAccountAndKey(t *testing.T) {
	c := newFakeClient()
	c.created, c.locked = false, true
	c.presets["clinic.example"] = policy.AccountPreset{Name: "Clinic mail"}
	s, _ := newTestShell(t, c, Options{})

	fields := entries(s.win)
	if len(fields) != 2 {
		t.Fatalf("passphrase step has %d fields, want 2", len(fields))
	}
	test.Type(fields[0], "short")
	if got := screenText(s.win); !strings.Contains(got, "Too short") {
		t.Errorf("no strength hint for a short passphrase")
	}
	test.Type(fields[1], "other")
	test.Tap(findButton(t, s.win, "Create vault"))
	if c.Created() {
		t.Fatal("vault created with mismatched passphrases")
	}
	fields[0].SetText("")
	fields[1].SetText("")
	test.Type(fields[0], "four unrelated words here")
	test.Type(fields[1], "four unrelated words here")
	test.Tap(findButton(t, s.win, "Create vault"))
	if !c.Created() || c.passphrase != "four unrelated words here" {
		t.Fatal("vault not created with the typed passphrase")
	}

	fields = entries(s.win)
	test.Type(fields[0], "dr.rivera@clinic.example")
	if got := screenText(s.win); !strings.Contains(got, "Servers set by your organisation: Clinic mail") {
		t.Errorf("preset not applied for a managed domain:\n%s", got)
	}
	test.Type(fields[1], "mail password")
	test.Tap(findButton(t, s.win, "Add account"))
	if len(c.addedReq) != 1 || c.addedReq[0].Address != "dr.rivera@clinic.example" || c.addedReq[0].IMAP != "" {
		t.Fatalf("account request = %+v, want the address with preset servers", c.addedReq)
	}

	test.Type(entries(s.win)[0], "Dr Ana Rivera")
	test.Tap(findButton(t, s.win, "Create a new key"))
	if len(c.keys) != 1 || c.keys[0].Addresses[0] != "dr.rivera@clinic.example" {
		t.Fatalf("keys after first run = %+v", c.keys)
	}
	test.Tap(findButton(t, s.win, "Skip: I have no S/MIME certificate"))
	if s.mail == nil {
		t.Error("first run did not end in the mail screen")
	}
}

func TestPassphraseHint(t *testing.T) {
	tests := map[string]string{
		"":                          "Use at least",
		"abc":                       "Too short",
		"abcdefghijkl":              "Weak",
		"Abcdefgh1234":              "Fair",
		"four unrelated words here": "Strong",
	}
	for in, want := range tests {
		if got := PassphraseHint(in); !strings.HasPrefix(got, want) {
			t.Errorf("PassphraseHint(%q) = %q, want prefix %q", in, got, want)
		}
	}
}

func TestComposeChipsAndSend(t *testing.T) {
	c := newFakeClient()
	c.keyStatus["lab@lab.example"] = compose.KeyStatus{State: compose.KeyUsable, Fingerprint: "AB"}
	c.report = lookalikeReport()
	c.report.NeedsJustification = false
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)

	cw := s.newCompose(nil)
	test.Type(cw.to.entry, "lab@lab.example, lab@1ab.example,")
	if len(cw.to.chips) != 2 {
		t.Fatalf("%d chips, want 2", len(cw.to.chips))
	}
	if got := cw.to.chips[0].button.Text; got != "lab@lab.example · OpenPGP" {
		t.Errorf("chip with a usable key reads %q", got)
	}
	if got := cw.to.chips[1].button.Text; got != "lab@1ab.example · no key" {
		t.Errorf("chip without a key reads %q", got)
	}
	if got := cw.indicator.Text; !strings.HasPrefix(got, "Encrypted and signed.") || !strings.Contains(got, "1 recipient has no usable key") {
		t.Errorf("encryption indicator = %q", got)
	}
	test.Type(cw.subject, "Potassium")
	test.Type(cw.body, "MRN 12344821 potassium 6.1")

	cw.saveDraft()
	if len(c.drafts) != 1 || cw.draftID != 1 {
		t.Errorf("draft not saved: %d drafts, id %d", len(c.drafts), cw.draftID)
	}

	cw.review()
	if len(c.sent) != 0 {
		t.Fatal("message sent before the review was answered")
	}
	overlays := cw.win.Canvas().Overlays().List()
	if len(overlays) != 1 {
		t.Fatalf("%d overlays after Send, want the review dialog", len(overlays))
	}
	if f, ok := cw.win.Canvas().Focused().(*activityButton); !ok || f.Text != "Cancel" {
		t.Errorf("focused widget in the review is %T, want the Cancel button", cw.win.Canvas().Focused())
	}
	review := test.RenderObjectToMarkup(overlays[0])
	if !strings.Contains(review, "1ab.example looks like lab.example") || !strings.Contains(review, "MRN ••••4821") {
		t.Errorf("review dialog lacks the lookalike or PHI finding")
	}
}

func TestComposeSendAfterConfirm(t *testing.T) {
	c := newFakeClient()
	c.report = lookalikeReport()
	c.report.NeedsJustification = false
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	cw := s.newCompose(&compose.Draft{To: []mail.Address{{Address: "lab@lab.example"}}, Subject: "x"})

	p := newReviewPrompt(s, c.report, func(a *compose.Answers) {
		if a != nil {
			cw.sendReviewed(cw.draft(), c.report, *a)
		}
	})
	for _, ch := range p.confirms {
		test.Tap(ch)
	}
	test.Tap(p.send)
	if len(c.sent) != 1 || len(c.sent[0].Confirmed) != 2 {
		t.Fatalf("sent answers = %+v", c.sent)
	}
	if c.sentDraft.To[0].Address != "lab@lab.example" {
		t.Errorf("sent draft to %v", c.sentDraft.To)
	}
}

func TestReplyQuotesOnlyWhatSenderSaw(t *testing.T) {
	m := &crypto.Message{Encryption: crypto.CoveragePartial, Root: &crypto.Part{MediaType: "multipart/mixed", Children: []*crypto.Part{
		{MediaType: "text/plain", Body: []byte("Please reply with a quote.")},
		{MediaType: "text/plain", Body: []byte("secret decrypted text"),
			Status: crypto.PartStatus{Encryption: crypto.Encryption{Scheme: crypto.SchemeOpenPGP}}},
	}}}
	m.Header.Set("From", "attacker@evil.example")
	m.Header.Set("To", "dr.rivera@clinic.example, nurse@clinic.example")
	m.Header.Set("Subject", "Question")
	m.Header.Set("Message-Id", "<q1@evil.example>")

	d := NewReplyDraft(ReplyAll, m, "dr.rivera@clinic.example")
	if strings.Contains(d.Body, "secret decrypted text") {
		t.Error("reply quotes an encrypted part of a partly encrypted message")
	}
	if !strings.Contains(d.Body, "> Please reply with a quote.") {
		t.Errorf("reply lacks the unencrypted part:\n%s", d.Body)
	}
	if d.Subject != "Re: Question" || d.InReplyTo != "q1@evil.example" {
		t.Errorf("reply subject %q, In-Reply-To %q", d.Subject, d.InReplyTo)
	}
	if len(d.To) != 1 || d.To[0].Address != "attacker@evil.example" {
		t.Errorf("reply To = %v", d.To)
	}
	if len(d.Cc) != 1 || d.Cc[0].Address != "nurse@clinic.example" {
		t.Errorf("reply-all Cc = %v, want the other recipient without self", d.Cc)
	}
	if !d.ReplyAll || len(d.OriginalRecipients) != 3 {
		t.Errorf("ReplyAll %v, OriginalRecipients %v", d.ReplyAll, d.OriginalRecipients)
	}

	m.Encryption = crypto.CoverageFull
	if d := NewReplyDraft(Forward, m, "dr.rivera@clinic.example"); !strings.Contains(d.Body, "secret decrypted text") || d.Subject != "Fwd: Question" {
		t.Errorf("forward of a fully encrypted message: subject %q, body %q", d.Subject, d.Body)
	}
}

// TestReplyDropsInvalidReferences replies to a message whose Message-ID
// and References are not valid msg-ids: the reply leaves them out, so it
// still passes the review.
func TestReplyDropsInvalidReferences(t *testing.T) {
	m := &crypto.Message{Root: &crypto.Part{MediaType: "text/plain", Body: []byte("Hello")}}
	m.Header.Set("From", "lab@lab.example")
	m.Header.Set("Subject", "Result")
	m.Header.Set("Message-Id", "<bad id with spaces@lab.example>")
	m.Header.Set("References", "<old@lab.example> <x\"y@lab.example>")

	d := NewReplyDraft(Reply, m, "dr.rivera@clinic.example")
	if d.InReplyTo != "" || len(d.References) != 0 {
		t.Errorf("reply to an invalid Message-ID: In-Reply-To %q, References %q; expected none", d.InReplyTo, d.References)
	}

	m.Header.Set("Message-Id", "<good@lab.example>")
	d = NewReplyDraft(Reply, m, "dr.rivera@clinic.example")
	if d.InReplyTo != "good@lab.example" || strings.Join(d.References, " ") != "old@lab.example good@lab.example" {
		t.Errorf("reply: In-Reply-To %q, References %q; expected the valid IDs only", d.InReplyTo, d.References)
	}
}

func TestKeyManagerVerifiesFingerprint(t *testing.T) {
	c := newFakeClient()
	c.keys = []KeyEntry{
		{Own: true, Scheme: crypto.SchemeOpenPGP, Addresses: []string{"dr.rivera@clinic.example"}, Fingerprint: "AAAA"},
		{Scheme: crypto.SchemeOpenPGP, Addresses: []string{"lab@lab.example"}, Fingerprint: "0123456789ABCDEF",
			Trust: crypto.TrustFirstUse, Changed: true, Expires: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)},
	}
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	s.showKeys()
	w := s.children[0]

	got := screenText(w)
	if !strings.Contains(got, "KEY CHANGED") || !strings.Contains(got, "0123 4567 89AB CDEF") {
		t.Errorf("key list lacks the changed key or its grouped fingerprint:\n%s", got)
	}
	if line := KeySummary(c.keys[1]); !strings.Contains(line, "expires 2027-01-02") || !strings.Contains(line, "trusted on first use") {
		t.Errorf("KeySummary = %q", line)
	}

	if err := c.VerifyFingerprint("lab@lab.example", "FFFF"); !errors.Is(err, crypto.ErrFingerprintMismatch) {
		t.Errorf("mismatch error = %v", err)
	}
}

func TestSettingsMarkManaged(t *testing.T) {
	c := newFakeClient()
	c.settings = []policy.Setting{
		{Path: "idleLock.minutes", Value: json.RawMessage("5"), Source: policy.SourceDefault, Locked: true, LockedBy: "/etc/securemail/policy.json"},
		{Path: "remoteContent.allowed", Value: json.RawMessage("false")},
	}
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)

	form := settingsForm(s, c.settings, widget.NewLabel(""))
	if form.Items[0].HintText != managedNote {
		t.Errorf("locked setting hint = %q, want %q", form.Items[0].HintText, managedNote)
	}
	if e := form.Items[0].Widget.(*activityEntry); !e.Disabled() {
		t.Error("locked setting is editable")
	}
	check := form.Items[1].Widget.(*activityCheck)
	if check.Disabled() || form.Items[1].HintText != "" {
		t.Error("unlocked setting is disabled or marked managed")
	}
	test.Tap(check)
	if v, ok := c.setCalls["remoteContent.allowed"]; !ok || v != true {
		t.Errorf("SetSetting calls = %v", c.setCalls)
	}
}

func TestAuditTrailFilters(t *testing.T) {
	c := newFakeClient()
	now := time.Now()
	c.records = []audit.Record{
		{Seq: 1, Time: now, Event: audit.Event{Kind: audit.KindVaultUnlocked}, Verified: true},
		{Seq: 2, Time: now, Event: audit.Event{Kind: "message.sent"}, Verified: false},
	}
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	a := newAuditView(s)
	a.load()

	if !strings.Contains(a.verified.Text, "The trail verifies: 2 entries") {
		t.Errorf("verification status = %q", a.verified.Text)
	}
	if len(a.shown) != 2 {
		t.Fatalf("%d records shown, want 2", len(a.shown))
	}
	a.kind.SetSelected("message.sent")
	if len(a.shown) != 1 || a.shown[0].Seq != 2 {
		t.Errorf("filter by kind shows %v", a.shown)
	}
	if line := AuditLine(a.shown[0]); !strings.Contains(line, "fails verification") {
		t.Errorf("AuditLine of an unverified record = %q", line)
	}
}

func TestConsentRecord(t *testing.T) {
	c := newFakeClient()
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	v := newConsentView(s)

	test.Type(v.address, "not an address")
	v.record()
	if len(c.consents) != 0 || !strings.Contains(v.status.Text, "invalid address") {
		t.Errorf("invalid address accepted: %q", v.status.Text)
	}
	v.address.SetText("patient@mail.example")
	v.days.SetText("30")
	v.record()
	if len(c.consents) != 1 || c.consents[0].Address != "patient@mail.example" {
		t.Fatalf("consents = %+v", c.consents)
	}
	if len(v.consents) != 1 || !strings.Contains(ConsentLine(v.consents[0]), "patient@mail.example") {
		t.Errorf("consent list not reloaded")
	}
}

func TestComposeAutosavesChangedDraft(t *testing.T) {
	c := newFakeClient()
	s, _ := newTestShell(t, c, Options{})
	unlockShell(t, s, c.passphrase)
	cw := s.newCompose(nil)

	cw.saveIfChanged()
	if len(c.drafts) != 0 {
		t.Fatalf("unchanged draft saved: %d drafts", len(c.drafts))
	}
	test.Type(cw.body, "Follow-up in two weeks.")
	cw.saveIfChanged()
	if len(c.drafts) != 1 || c.drafts[1].Body != "Follow-up in two weeks." {
		t.Fatalf("changed draft not saved: %+v", c.drafts)
	}
	cw.saveIfChanged()
	if len(c.drafts) != 1 || cw.draftID != 1 {
		t.Errorf("second autosave made a new draft: %d drafts, id %d", len(c.drafts), cw.draftID)
	}
}
