package cache

import (
	"path/filepath"
	"testing"
)

func TestSetSummarySubjectSealed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "profile")
	v, err := Create(dir, "default", []byte("correct horse"), ModeDeviceSecret, testOptions(newMemKeyring()))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	s := v.Store()
	id := mustPut(t, s, &Message{Account: "acct-1", Folder: "INBOX", UID: 1, Encrypted: true,
		Raw: buildMail(mailOptions{Subject: "[...]", From: "lab@lab.example", MessageID: "<r1@lab.example>"})})

	before, err := s.List("acct-1", "INBOX", 0, 10)
	if err != nil || len(before) != 1 {
		t.Fatalf("List before the change: %d rows, %v", len(before), err)
	}
	const subject = "QUETZALSUBJECT potassium recheck"
	if err := s.SetSummarySubject(id, subject); err != nil {
		t.Fatalf("SetSummarySubject: %v", err)
	}

	rows, err := s.List("acct-1", "INBOX", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("%d rows, want 1", len(rows))
	}
	if rows[0].Subject != subject {
		t.Errorf("listed subject %q, want %q", rows[0].Subject, subject)
	}
	if rows[0].From != before[0].From {
		t.Errorf("From changed from %q to %q", before[0].From, rows[0].From)
	}
	if rows[0].MessageID != before[0].MessageID {
		t.Errorf("Message-ID changed from %q to %q", before[0].MessageID, rows[0].MessageID)
	}
	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	scanForMarkers(t, []string{"QUETZALSUBJECT"}, dir)
}

func TestSetSummarySubjectUnknownMessage(t *testing.T) {
	s := newTestStore(t)
	wantErr(t, s.SetSummarySubject(99, "x"), ErrNotFound)
}
