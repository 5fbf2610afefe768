package cache

import (
	"bytes"
	"path/filepath"
	"strings"
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

// listSubjects returns the listed subject of each message of the folder,
// by UID.
func listSubjects(t *testing.T, s *Store, account, folder string) map[uint32]string {
	t.Helper()
	rows, err := s.List(account, folder, 0, 0)
	if err != nil {
		t.Fatalf("List %s/%s: %v", account, folder, err)
	}
	out := make(map[uint32]string, len(rows))
	for _, r := range rows {
		out[r.UID] = r.Subject
	}
	return out
}

// headerOf returns the header section of raw with its blank line.
func headerOf(raw []byte) []byte {
	return raw[:strings.Index(string(raw), "\r\n\r\n")+4]
}

// TestProtectedSubjectSurvivesRestore sets the protected subject of a
// message and stores the same message again in every way sync does. It
// stores it in place, after a UIDVALIDITY reset first as a header and
// then whole, and under a new UID in another folder after a move. A
// lock and unlock comes between the first and the others.
func TestProtectedSubjectSurvivesRestore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "profile")
	v, err := Create(dir, "default", []byte("correct horse"), ModeDeviceSecret, testOptions(newMemKeyring()))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	s := v.Store()
	raw := buildMail(mailOptions{Subject: "[...]", From: "lab@lab.example", MessageID: "<r1@lab.example>",
		Body: "-----BEGIN PGP MESSAGE-----\r\nsealed\r\n-----END PGP MESSAGE-----"})
	m := &Message{Account: "acct-1", Folder: "INBOX", UIDValidity: 1, UID: 1, Encrypted: true, Raw: raw}
	id := mustPut(t, s, m)
	const subject = "QUETZALSUBJECT potassium recheck"
	if err := s.SetSummarySubject(id, subject); err != nil {
		t.Fatalf("SetSummarySubject: %v", err)
	}

	mustPut(t, s, m)
	if got := listSubjects(t, s, "acct-1", "INBOX")[1]; got != subject {
		t.Errorf("stored again in place: subject %q, expected %q", got, subject)
	}

	// Unlocking again must find the kept subjects in the database.
	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	if err := v.Unlock([]byte("correct horse")); err != nil {
		t.Fatal(err)
	}
	s = v.Store()
	if err := s.ResetFolder("acct-1", "INBOX", 2); err != nil {
		t.Fatal(err)
	}
	again := &Message{Account: "acct-1", Folder: "INBOX", UIDValidity: 2, UID: 5, Encrypted: true, Raw: headerOf(raw), HeaderOnly: true}
	mustPut(t, s, again)
	if got := listSubjects(t, s, "acct-1", "INBOX")[5]; got != "[...]" {
		t.Errorf("header only after a reset: subject %q, expected the outer %q", got, "[...]")
	}
	again.Raw, again.HeaderOnly = raw, false
	mustPut(t, s, again)
	if got := listSubjects(t, s, "acct-1", "INBOX")[5]; got != subject {
		t.Errorf("whole message after a reset: subject %q, expected %q", got, subject)
	}

	moved := &Message{Account: "acct-1", Folder: "Archive", UIDValidity: 9, UID: 3, Encrypted: true, Raw: bytes.Clone(raw)}
	mustPut(t, s, moved)
	if got := listSubjects(t, s, "acct-1", "Archive")[3]; got != subject {
		t.Errorf("moved to another folder: subject %q, expected %q", got, subject)
	}

	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	scanForMarkers(t, []string{"QUETZALSUBJECT"}, dir)
}

// TestProtectedSubjectNotInherited stores messages that share the
// Message-ID of a message with a protected subject but not its content
// or account, as a hostile sender can: none may show that subject.
func TestProtectedSubjectNotInherited(t *testing.T) {
	s := newTestStore(t)
	opts := mailOptions{Subject: "[...]", From: "lab@lab.example", MessageID: "<r1@lab.example>",
		Body: "-----BEGIN PGP MESSAGE-----\r\ngenuine\r\n-----END PGP MESSAGE-----"}
	genuine := buildMail(opts)
	id := mustPut(t, s, &Message{Account: "acct-1", Folder: "INBOX", UID: 1, Encrypted: true, Raw: genuine})
	const subject = "potassium recheck"
	if err := s.SetSummarySubject(id, subject); err != nil {
		t.Fatalf("SetSummarySubject: %v", err)
	}

	opts.Body = "-----BEGIN PGP MESSAGE-----\r\nforged\r\n-----END PGP MESSAGE-----"
	forged := buildMail(opts)
	for _, tc := range []struct {
		name string
		m    *Message
	}{
		{"other content", &Message{Account: "acct-1", Folder: "INBOX", UID: 2, Encrypted: true, Raw: forged}},
		{"same header, other body", &Message{Account: "acct-1", Folder: "INBOX", UID: 3, Encrypted: true,
			Raw: append(headerOf(genuine), "forged\r\n"...)}},
		{"same header only", &Message{Account: "acct-1", Folder: "INBOX", UID: 4, Encrypted: true,
			Raw: headerOf(genuine), HeaderOnly: true}},
		{"same content, other account", &Message{Account: "acct-2", Folder: "INBOX", UID: 1, Encrypted: true, Raw: genuine}},
	} {
		mustPut(t, s, tc.m)
		if got := listSubjects(t, s, tc.m.Account, "INBOX")[tc.m.UID]; got != "[...]" {
			t.Errorf("%s: subject %q, expected the outer %q", tc.name, got, "[...]")
		}
	}

	// A forged copy that replaces the genuine row must not keep the
	// subject either.
	mustPut(t, s, &Message{Account: "acct-1", Folder: "INBOX", UID: 1, Encrypted: true, Raw: forged})
	if got := listSubjects(t, s, "acct-1", "INBOX")[1]; got != "[...]" {
		t.Errorf("forged copy in the genuine row: subject %q, expected the outer %q", got, "[...]")
	}
}

// TestUnlockDropsSubjectsOfDeletedMessages deletes one of two messages
// with kept subjects. Unlocking again must drop the deleted message's
// subject and keep the other.
func TestUnlockDropsSubjectsOfDeletedMessages(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "profile")
	v, err := Create(dir, "default", []byte("correct horse"), ModeDeviceSecret, testOptions(newMemKeyring()))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	s := v.Store()
	for uid, messageID := range map[uint32]string{1: "<gone@lab.example>", 2: "<kept@lab.example>"} {
		raw := buildMail(mailOptions{Subject: "[...]", From: "lab@lab.example", MessageID: messageID, Body: "sealed"})
		id := mustPut(t, s, &Message{Account: "acct-1", Folder: "INBOX", UIDValidity: 1, UID: uid, Encrypted: true, Raw: raw})
		if err := s.SetSummarySubject(id, "Potassium "+messageID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteMessages("acct-1", "INBOX", []uint32{1}); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		var n int
		if err := v.Store().db.QueryRow(`SELECT count(*) FROM protected_subjects`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 2 {
		t.Fatalf("%d kept subjects before the unlock, want 2", n)
	}

	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	if err := v.Unlock([]byte("correct horse")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Lock() })
	if n := count(); n != 1 {
		t.Errorf("%d kept subjects after the unlock, want only the one of the cached message", n)
	}
	if got := listSubjects(t, v.Store(), "acct-1", "INBOX")[2]; got != "Potassium <kept@lab.example>" {
		t.Errorf("subject of the cached message after the unlock = %q", got)
	}
}
