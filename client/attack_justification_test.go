package client

import (
	"net/mail"
	"strings"
	"testing"

	"securemail/audit"
	"securemail/compose"
	"securemail/policy"
)

// sendWithJustification reviews and sends a message with a record
// number from a fresh profile, with justification in the review answers.
func sendWithJustification(t *testing.T, eff *policy.Effective, justification string) *Client {
	t.Helper()
	const (
		senderAddr = "rosa@clinic.test"
		keyedAddr  = "omar@clinic.test"
	)
	sender, _ := attackSender(t, eff, senderAddr, keyedAddr)
	draft := &compose.Draft{
		From:    mail.Address{Address: senderAddr},
		To:      []mail.Address{{Address: keyedAddr}},
		Subject: "Referral",
		Body:    "Please see MRN: 4477120 on Monday.\n",
	}
	report, err := sender.Review(draft)
	if err != nil {
		t.Fatal(err)
	}
	if !report.NeedsJustification {
		t.Fatalf("review of a record number asks for no justification: %+v", report.Findings)
	}
	answers := confirmAll(report)
	answers.Justification = justification
	if _, err := sender.Send(senderAddr, draft, report, answers); err != nil {
		t.Fatalf("Send: %v", err)
	}
	return sender
}

// TestAttackSendLongJustificationAudited sends a message whose
// justification is a pasted note of 2,500 bytes. The message is queued,
// so the trail must record it, with the justification shortened if need
// be, and never drop the record.
func TestAttackSendLongJustificationAudited(t *testing.T) {
	note := strings.Repeat("Consultant asked for the full history before the ward round. ", 41)
	if len(note) <= 2000 {
		t.Fatalf("note is %d bytes, expected more than the trail's 2,000-byte field", len(note))
	}
	sender := sendWithJustification(t, testPolicy(t), note)

	if n := countAuditEvents(t, sender, audit.KindMessageSent); n != 1 {
		t.Errorf("trail has %d message-sent records, expected 1; audit error %v", n, sender.AuditErr())
	}
	if err := sender.AuditErr(); err != nil {
		t.Errorf("audit error after the send: %v", err)
	}
}

// TestAttackSendJustificationMasked sends with a justification that
// repeats the record number in full-width digits, as a Japanese input
// method types it, and with the policy's own record-number pattern in
// Arabic-Indic digits. The trail must keep neither number.
func TestAttackSendJustificationMasked(t *testing.T) {
	eff := testPolicy(t)
	if err := eff.Set("phi.mrnPatterns", []string{`\bMR\d{7}\b`}, policy.SourceUser); err != nil {
		t.Fatal(err)
	}
	const justification = "MRN: ４４７７１２０ is MR٤٤٧٧١٢٠ in the old system"
	sender := sendWithJustification(t, eff, justification)

	rec, ok := lastAuditEvent(t, sender, audit.KindMessageSent)
	if !ok {
		t.Fatalf("no message-sent record; audit error %v", sender.AuditErr())
	}
	for _, number := range []string{"４４７７１２０", "٤٤٧٧١٢٠"} {
		if strings.Contains(rec.Justification, number) {
			t.Errorf("trail justification %q contains the record number %q", rec.Justification, number)
		}
	}
}
