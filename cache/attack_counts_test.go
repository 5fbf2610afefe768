package cache

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// recount counts the folder's messages and those without \Seen from the
// UID states, matching the flag without regard to case as IMAP system
// flags are (RFC 3501 section 2.3.2) and as the message list does.
func recount(t *testing.T, s *Store, account, folder string) (total, unread int) {
	t.Helper()
	states, err := s.UIDStates(account, folder)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range states {
		total++
		seen := false
		for _, f := range st.Flags {
			if strings.EqualFold(f, `\Seen`) {
				seen = true
			}
		}
		if !seen {
			unread++
		}
	}
	return total, unread
}

// checkCounts compares the counts Folders reports for every folder of
// account with a recount.
func checkCounts(t *testing.T, s *Store, account, step string) {
	t.Helper()
	folders, err := s.Folders(account)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range folders {
		total, unread := recount(t, s, account, f.Name)
		if f.Total != total {
			t.Errorf("%s: folder %s total %d, recount %d", step, f.Name, f.Total, total)
		}
		if f.Unread != unread {
			t.Errorf("%s: folder %s unread %d, recount %d", step, f.Name, f.Unread, unread)
		}
	}
}

// TestAttackFolderCountsEveryPath changes messages and flags through every
// store method that can, with flags in odd case and keywords that contain
// \Seen, and compares the kept counts with a recount after each step.
func TestAttackFolderCountsEveryPath(t *testing.T) {
	s := newTestStore(t)
	put := func(folder string, uid uint32, flags ...string) {
		t.Helper()
		raw := buildMail(mailOptions{Subject: "count", Body: "body"})
		mustPut(t, s, &Message{Account: "a", Folder: folder, UID: uid, Flags: flags, Raw: raw})
	}
	setFlags := func(folder string, uid uint32, flags ...string) {
		t.Helper()
		if err := s.SetFlags("a", folder, uid, flags, 9); err != nil {
			t.Fatal(err)
		}
	}

	put("INBOX", 1)
	put("INBOX", 2, `\Seen`)
	put("INBOX", 3, `\SEEN`, `\Flagged`)
	put("INBOX", 4, `$\seenX`)
	put("INBOX", 5, `\Seen2`, `X\Seen`)
	put("Archive", 1, `\seen`)
	checkCounts(t, s, "a", "after inserts")

	put("INBOX", 1, `\Seen`)
	put("INBOX", 2)
	put("INBOX", 3, `\Flagged`, `\sEeN`)
	checkCounts(t, s, "a", "after replacing with other flags")

	setFlags("INBOX", 4, `\SEEN`)
	setFlags("INBOX", 5, `$\seenX`, `\Answered`)
	setFlags("INBOX", 1)
	setFlags("INBOX", 1)
	setFlags("Archive", 1, `\Seen`, `\Seen`)
	checkCounts(t, s, "a", "after SetFlags")

	if err := s.DeleteMessages("a", "INBOX", []uint32{2, 4, 99}); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, s, "a", "after DeleteMessages")

	if err := s.ResetFolder("a", "INBOX", 77); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, s, "a", "after ResetFolder")
	put("INBOX", 1)
	checkCounts(t, s, "a", "after a put into the reset folder")

	if err := s.DeleteFolder("a", "Archive"); err != nil {
		t.Fatal(err)
	}
	put("Archive", 1)
	checkCounts(t, s, "a", "after DeleteFolder and a new put")

	if err := s.PutFolder(Folder{Account: "a", Name: "INBOX", UIDValidity: 77, Total: 500, Unread: 400}); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, s, "a", "after PutFolder with counts")
}

// TestAttackFolderCountsHostileFlags stores flags a hostile server could
// send, because go-imap accepts any byte from 0xA0 up in an atom: a
// keyword with a no-break space before \Seen, and \Seen spelled with
// U+017F, which strings.EqualFold matches to "s". The unread count must agree with the
// flags that UIDStates and the message list decode.
func TestAttackFolderCountsHostileFlags(t *testing.T) {
	s := newTestStore(t)
	raw := buildMail(mailOptions{Subject: "count", Body: "body"})
	mustPut(t, s, &Message{Account: "a", Folder: "INBOX", UID: 1, Flags: []string{"x\u00a0\\Seen"}, Raw: raw})
	mustPut(t, s, &Message{Account: "a", Folder: "INBOX", UID: 2, Flags: []string{"\\\u017feen"}, Raw: raw})
	checkCounts(t, s, "a", "after hostile flags")
}

// TestAttackCountsAfterMigrationFromV4 writes messages with mixed flags
// in two folders at schema version 4, before the count columns existed,
// migrates, and compares the counts with a recount.
func TestAttackCountsAfterMigrationFromV4(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	db, err := openDB(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(t.Context(), db, 4); err != nil {
		t.Fatal(err)
	}
	key := bytes.Repeat([]byte{7}, 32)
	ks, _ := newKeySet(bytes.Clone(key))
	old := &Store{db: db, keys: ks}
	raw := buildMail(mailOptions{Subject: "count", Body: "body"})
	flagSets := [][]string{nil, {`\Seen`}, {`\SEEN`, `\Flagged`}, {`$\seenX`}, {`\seen`}}
	for i, flags := range flagSets {
		for _, folder := range []string{"INBOX", "Archive"} {
			putAtVersion(t, old, 4, &Message{Account: "a", Folder: folder, UID: uint32(i + 1), Flags: flags, Raw: raw})
		}
	}
	if err := old.DeleteMessages("a", "Archive", []uint32{1}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	ks2, _ := newKeySet(bytes.Clone(key))
	s := &Store{}
	if err := s.attach(path, ks2); err != nil {
		t.Fatal(err)
	}
	defer s.detach()
	checkCounts(t, s, "a", "after migrating from version 4")
	if err := s.SetFlags("a", "INBOX", 1, []string{`\Seen`}, 2); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, s, "a", "after SetFlags on a migrated row")
}
