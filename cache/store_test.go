package cache

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"testing"
	"time"
)

func TestFolderRoundTrip(t *testing.T) {
	s := newTestStore(t)
	in := Folder{Account: "acct-1", Name: "INBOX", Role: "inbox", UIDValidity: 7, UIDNext: 42, HighestModSeq: 1 << 40}
	if err := s.PutFolder(in); err != nil {
		t.Fatal(err)
	}
	if err := s.PutFolder(Folder{Account: "acct-1", Name: "Archive", Role: "archive"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutFolder(Folder{Account: "acct-2", Name: "INBOX"}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, &Message{Account: "acct-1", Folder: "INBOX", UID: 1, Flags: []string{`\Seen`}, Raw: buildMail(mailOptions{Subject: "a"})})
	mustPut(t, s, &Message{Account: "acct-1", Folder: "INBOX", UID: 2, Raw: buildMail(mailOptions{Subject: "b"})})

	got, err := s.Folders("acct-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("Folders returned %d folders, expected 2: %+v", len(got), got)
	}
	if got[0].Name != "Archive" || got[1].Name != "INBOX" {
		t.Errorf("folders not sorted by name: %q, %q", got[0].Name, got[1].Name)
	}
	want := in
	want.Total, want.Unread = 2, 1
	if !reflect.DeepEqual(got[1], want) {
		t.Errorf("INBOX = %+v, expected %+v", got[1], want)
	}
}

func TestPutMessageUpsert(t *testing.T) {
	s := newTestStore(t)
	m := &Message{Account: "a", Folder: "INBOX", UIDValidity: 5, UID: 10, ModSeq: 3, Flags: []string{`\Seen`}, Size: 100,
		Raw: buildMail(mailOptions{From: "Ann <ann@clinic.example>", To: "bob@clinic.example", Subject: "first version", Body: "alpha"})}
	id := mustPut(t, s, m)

	m2 := &Message{Account: "a", Folder: "INBOX", UIDValidity: 5, UID: 10, ModSeq: 4,
		Raw: buildMail(mailOptions{From: "ann@clinic.example", To: "bob@clinic.example", Subject: "second version", Body: "beta"})}
	if mustPut(t, s, m2) != id {
		t.Errorf("upsert gave id %d, expected the first id %d", m2.ID, id)
	}
	got, err := s.Message(id)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Raw, m2.Raw) {
		t.Errorf("Raw is not the second version")
	}
	if got.ModSeq != 4 || got.UIDValidity != 5 || got.Account != "a" || got.Folder != "INBOX" {
		t.Errorf("clear fields = %+v", got)
	}
	if res, _ := s.Search(Query{Words: []string{"alpha"}}); len(res) != 0 {
		t.Errorf("the replaced body is still indexed: %d hits", len(res))
	}
	if res, _ := s.Search(Query{Words: []string{"beta"}}); len(res) != 1 {
		t.Errorf("the new body is not indexed: %d hits", len(res))
	}
}

func TestUIDStatesFlagsDelete(t *testing.T) {
	s := newTestStore(t)
	for uid := uint32(1); uid <= 3; uid++ {
		mustPut(t, s, &Message{Account: "a", Folder: "INBOX", UID: uid, ModSeq: uint64(uid), HeaderOnly: uid == 3,
			Raw: buildMail(mailOptions{Subject: fmt.Sprint("m", uid)})})
	}
	if err := s.SetFlags("a", "INBOX", 2, []string{`\Seen`, `\Flagged`}, 9); err != nil {
		t.Fatal(err)
	}
	err := s.SetFlags("a", "INBOX", 99, nil, 1)
	wantErr(t, err, fs.ErrNotExist)

	if err := s.DeleteMessages("a", "INBOX", []uint32{1, 77}); err != nil {
		t.Fatal(err)
	}
	got, err := s.UIDStates("a", "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	want := []UIDState{
		{UID: 2, ModSeq: 9, Flags: []string{`\Seen`, `\Flagged`}},
		{UID: 3, ModSeq: 3, HeaderOnly: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UIDStates = %+v, expected %+v", got, want)
	}
	if st, err := s.UIDStates("a", "missing"); err != nil || len(st) != 0 {
		t.Errorf("UIDStates of a missing folder = %v, %v", st, err)
	}
}

func TestResetAndDeleteFolder(t *testing.T) {
	s := newTestStore(t)
	id := mustPut(t, s, &Message{Account: "a", Folder: "INBOX", UID: 1, Raw: buildMail(mailOptions{Subject: "zebra"})})
	if err := s.ResetFolder("a", "INBOX", 77); err != nil {
		t.Fatal(err)
	}
	_, err := s.Message(id)
	wantErr(t, err, fs.ErrNotExist)
	if res, _ := s.Search(Query{Words: []string{"zebra"}}); len(res) != 0 {
		t.Errorf("index rows of the reset folder remain: %d", len(res))
	}
	folders, _ := s.Folders("a")
	if len(folders) != 1 || folders[0].UIDValidity != 77 {
		t.Errorf("folders after reset = %+v", folders)
	}

	mustPut(t, s, &Message{Account: "a", Folder: "INBOX", UID: 1, Raw: buildMail(mailOptions{Subject: "x"})})
	if err := s.DeleteFolder("a", "INBOX"); err != nil {
		t.Fatal(err)
	}
	if folders, _ := s.Folders("a"); len(folders) != 0 {
		t.Errorf("folders after delete = %+v", folders)
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM terms`).Scan(&n)
	if n != 0 {
		t.Errorf("%d index rows remain after deleting every message", n)
	}
}

func TestListNewestFirst(t *testing.T) {
	s := newTestStore(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 5; i++ {
		mustPut(t, s, &Message{Account: "a", Folder: "INBOX", UID: uint32(i + 1), Date: base.Add(time.Duration(i) * time.Hour),
			Raw: buildMail(mailOptions{From: "Dr. Who <who@clinic.example>", To: "a@x.example, b@x.example", Subject: fmt.Sprint("msg ", i), MessageID: fmt.Sprintf("<id%d@x>", i)})})
	}
	page, err := s.List("a", "INBOX", 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 {
		t.Fatalf("List returned %d rows, expected 2", len(page))
	}
	if page[0].Subject != "msg 3" || page[1].Subject != "msg 2" {
		t.Errorf("page subjects = %q, %q; expected msg 3, msg 2", page[0].Subject, page[1].Subject)
	}
	sum := page[0]
	if sum.From != `"Dr. Who" <who@clinic.example>` {
		t.Errorf("From = %q", sum.From)
	}
	if !reflect.DeepEqual(sum.To, []string{"<a@x.example>", "<b@x.example>"}) {
		t.Errorf("To = %q", sum.To)
	}
	if sum.MessageID != "id3@x" || !sum.Date.Equal(base.Add(3*time.Hour)) || sum.Account != "a" || sum.Folder != "INBOX" {
		t.Errorf("summary = %+v", sum)
	}
}

func TestHasMessageID(t *testing.T) {
	s := newTestStore(t)
	mustPut(t, s, &Message{Account: "a", Folder: "Sent", UID: 1, Raw: buildMail(mailOptions{MessageID: "<abc@clinic.example>"})})
	for _, tc := range []struct {
		account, id string
		want        bool
	}{
		{"a", "<abc@clinic.example>", true},
		{"a", "abc@clinic.example", true},
		{"b", "<abc@clinic.example>", false},
		{"a", "<other@clinic.example>", false},
		{"a", "", false},
	} {
		got, err := s.HasMessageID(tc.account, tc.id)
		if err != nil || got != tc.want {
			t.Errorf("HasMessageID(%q, %q) = %v, %v; expected %v", tc.account, tc.id, got, err, tc.want)
		}
	}
}

func TestMalformedMessageIsKept(t *testing.T) {
	s := newTestStore(t)
	for i, raw := range [][]byte{
		nil,
		[]byte("no header at all"),
		[]byte("From: <<<broken\r\nSubject: =?bogus?Q?x?=\r\nContent-Type: multipart/mixed\r\n\r\nno boundary"),
		[]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64\r\n"),
		bytes.Repeat([]byte("A"), 100000),
	} {
		m := &Message{Account: "a", Folder: "INBOX", UID: uint32(i + 1), Raw: raw}
		id := mustPut(t, s, m)
		got, err := s.Message(id)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !bytes.Equal(got.Raw, raw) {
			t.Errorf("case %d: raw message changed", i)
		}
	}
}

func TestRecords(t *testing.T) {
	s := newTestStore(t)
	if err := s.PutRecord("pgp-key", "bob@x.example", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	s.PutRecord("pgp-key", "ann@x.example", []byte("a"))
	s.PutRecord("token", "bob@x.example", []byte("t"))
	if err := s.PutRecord("pgp-key", "bob@x.example", []byte("v2")); err != nil {
		t.Fatal(err)
	}

	got, err := s.GetRecord("pgp-key", "bob@x.example")
	if err != nil || string(got) != "v2" {
		t.Errorf("GetRecord = %q, %v; expected v2", got, err)
	}
	keys, err := s.ListRecords("pgp-key")
	if err != nil || !reflect.DeepEqual(keys, []string{"ann@x.example", "bob@x.example"}) {
		t.Errorf("ListRecords = %q, %v", keys, err)
	}
	if err := s.DeleteRecord("pgp-key", "bob@x.example"); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetRecord("pgp-key", "bob@x.example")
	wantErr(t, err, fs.ErrNotExist)
	if got, _ := s.GetRecord("token", "bob@x.example"); string(got) != "t" {
		t.Errorf("a record of another kind was touched: %q", got)
	}
}

func TestLogSequence(t *testing.T) {
	s := newTestStore(t)
	for i := 1; i <= 5; i++ {
		seq, err := s.AppendLog("audit", []byte(fmt.Sprint("entry ", i)))
		if err != nil || seq != int64(i) {
			t.Fatalf("AppendLog %d = %d, %v", i, seq, err)
		}
	}
	if seq, _ := s.AppendLog("other", []byte("x")); seq != 1 {
		t.Errorf("a second log starts at %d, expected 1", seq)
	}

	var seen []string
	err := s.ReadLog("audit", 3, func(seq int64, e []byte) error {
		seen = append(seen, fmt.Sprintf("%d:%s", seq, e))
		return nil
	})
	if err != nil || !reflect.DeepEqual(seen, []string{"3:entry 3", "4:entry 4", "5:entry 5"}) {
		t.Errorf("ReadLog = %q, %v", seen, err)
	}

	stop := errors.New("stop")
	if err := s.ReadLog("audit", 1, func(int64, []byte) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("ReadLog did not return the callback's error: %v", err)
	}

	if err := s.PruneLog("audit", 6); err != nil {
		t.Fatal(err)
	}
	n := 0
	s.ReadLog("audit", 0, func(int64, []byte) error { n++; return nil })
	if n != 0 {
		t.Errorf("%d entries left after pruning all", n)
	}
	if seq, _ := s.AppendLog("audit", []byte("after prune")); seq != 6 {
		t.Errorf("sequence after pruning every entry = %d, expected 6", seq)
	}
	s.PruneLog("audit", 6)
	if seq, _ := s.AppendLog("audit", []byte("again")); seq != 7 {
		t.Errorf("sequence after a second prune = %d, expected 7", seq)
	}
}

func TestReadLogManyPages(t *testing.T) {
	s := newTestStore(t)
	for i := 0; i < 600; i++ {
		s.AppendLog("audit", []byte{byte(i)})
	}
	var last int64
	err := s.ReadLog("audit", 1, func(seq int64, e []byte) error {
		if seq != last+1 || e[0] != byte(seq-1) {
			return fmt.Errorf("seq %d after %d", seq, last)
		}
		last = seq
		return nil
	})
	if err != nil || last != 600 {
		t.Errorf("ReadLog ended at %d: %v", last, err)
	}
}

func TestOutbox(t *testing.T) {
	s := newTestStore(t)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	a := &OutboxItem{Account: "a", MessageID: "<1@x>", From: "me@x.example", Recipients: []string{"r@y.example"},
		Raw: []byte("raw"), SentCopy: []byte("copy"), NextAttempt: now, Created: now}
	b := &OutboxItem{Account: "a", Raw: []byte("later"), NextAttempt: now.Add(time.Hour), Created: now.Add(time.Second)}
	c := &OutboxItem{Account: "a", Raw: []byte("done"), State: OutboxDone, Created: now}
	for _, it := range []*OutboxItem{a, b, c} {
		if err := s.OutboxAdd(it); err != nil {
			t.Fatal(err)
		}
	}
	due, err := s.OutboxPending(now)
	if err != nil || len(due) != 1 || due[0].ID != a.ID {
		t.Fatalf("OutboxPending = %+v, %v; expected only item %d", due, err, a.ID)
	}
	if !reflect.DeepEqual(&due[0], a) {
		t.Errorf("item = %+v, expected %+v", due[0], *a)
	}

	a.State, a.Attempts, a.LastError = OutboxSubmitted, 2, "451 try later"
	if err := s.OutboxUpdate(a); err != nil {
		t.Fatal(err)
	}
	got, err := s.OutboxGet(a.ID)
	if err != nil || got.State != OutboxSubmitted || got.Attempts != 2 || got.LastError != "451 try later" {
		t.Errorf("OutboxGet = %+v, %v", got, err)
	}
	if due, _ := s.OutboxPending(now.Add(2 * time.Hour)); len(due) != 2 {
		t.Errorf("OutboxPending later = %d items, expected 2", len(due))
	}
	if err := s.OutboxDelete(a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.OutboxGet(a.ID)
	wantErr(t, err, fs.ErrNotExist)
	wantErr(t, s.OutboxUpdate(a), fs.ErrNotExist)
}

func TestOutboxHeldItems(t *testing.T) {
	s := newTestStore(t)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var items []*OutboxItem
	for i, state := range []OutboxState{OutboxQueued, OutboxUncertain, OutboxDone, OutboxFailed, OutboxSubmitting} {
		it := &OutboxItem{Account: "a", Raw: []byte("m"), State: state, Created: now.Add(time.Duration(i) * time.Second)}
		if err := s.OutboxAdd(it); err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}

	held, err := s.OutboxHeld()
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 2 || held[0].ID != items[1].ID || held[1].ID != items[3].ID {
		t.Errorf("OutboxHeld = %+v, expected the uncertain item, then the failed one", held)
	}
	due, err := s.OutboxPending(now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range due {
		if it.State == OutboxUncertain {
			t.Errorf("OutboxPending returned uncertain item %d, which only the user may send again", it.ID)
		}
	}

	wantErr(t, s.OutboxDeleteHeld(items[0].ID), ErrNotFound)
	if _, err := s.OutboxGet(items[0].ID); err != nil {
		t.Errorf("OutboxDeleteHeld removed queued item %d: %v", items[0].ID, err)
	}
	if err := s.OutboxDeleteHeld(items[1].ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.OutboxGet(items[1].ID)
	wantErr(t, err, ErrNotFound)
}

func TestDrafts(t *testing.T) {
	s := newTestStore(t)
	id, err := s.PutDraft(0, []byte("draft one"))
	if err != nil {
		t.Fatal(err)
	}
	id2, _ := s.PutDraft(0, []byte("draft two"))
	if _, err := s.PutDraft(id, []byte("draft one, edited")); err != nil {
		t.Fatal(err)
	}
	got, err := s.Draft(id)
	if err != nil || string(got) != "draft one, edited" {
		t.Errorf("Draft = %q, %v", got, err)
	}
	ids, _ := s.Drafts()
	if len(ids) != 2 {
		t.Errorf("Drafts = %v, expected two", ids)
	}
	s.DeleteDraft(id2)
	_, err = s.Draft(id2)
	wantErr(t, err, fs.ErrNotExist)
	_, err = s.PutDraft(id2, []byte("x"))
	wantErr(t, err, fs.ErrNotExist)
}

func TestLockedStoreRejectsCalls(t *testing.T) {
	v, _ := newTestVault(t)
	s := v.Store()
	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	_, err := s.List("a", "INBOX", 0, 10)
	wantErr(t, err, ErrLocked)
	wantErr(t, s.PutRecord("k", "k", nil), ErrLocked)
	_, err = s.AppendLog("audit", nil)
	wantErr(t, err, ErrLocked)

	if err := v.Unlock([]byte("correct horse")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRecord("k", "k", []byte("v")); err != nil {
		t.Errorf("the same store does not work after unlock: %v", err)
	}
}

func TestReadLogCallbackMayWrite(t *testing.T) {
	v, _ := newTestVault(t)
	s := v.Store()
	s.AppendLog("audit", []byte("one"))
	err := s.ReadLog("audit", 1, func(seq int64, _ []byte) error {
		// A lock waiting here must not deadlock with a store call from fn.
		go v.Lock()
		time.Sleep(10 * time.Millisecond)
		_, err := s.AppendLog("other", []byte("x"))
		if err != nil && !errors.Is(err, ErrLocked) {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFolderCountsFollowChanges checks the counts kept in the folder rows
// against a count of the message rows after each kind of change.
func TestFolderCountsFollowChanges(t *testing.T) {
	s := newTestStore(t)
	check := func(step string) {
		t.Helper()
		folders, err := s.Folders("a")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range folders {
			var total, unread int
			err := s.inTx(func(tx *sql.Tx, keys sealer) error {
				id, err := folderRef(tx, keys, "a", f.Name, false)
				if err != nil {
					return err
				}
				return tx.QueryRow(`SELECT count(*), coalesce(sum(instr(lower(flags), ' \seen ') = 0), 0)
					FROM messages WHERE folder_id = ?`, id).Scan(&total, &unread)
			})
			if err != nil {
				t.Fatal(err)
			}
			if f.Total != total || f.Unread != unread {
				t.Errorf("after %s, %s has counts %d and %d unread, expected %d and %d from its rows", step, f.Name, f.Total, f.Unread, total, unread)
			}
		}
	}

	var batch []*Message
	for uid := uint32(1); uid <= 6; uid++ {
		var flags []string
		if uid%2 == 0 {
			flags = []string{`\Seen`}
		}
		batch = append(batch, &Message{Account: "a", Folder: "INBOX", UID: uid, Flags: flags, Raw: []byte("Subject: x\r\n\r\ny")})
	}
	batch = append(batch, &Message{Account: "a", Folder: "Sent", UID: 1, Flags: []string{`\Seen`}, Raw: []byte("Subject: s\r\n\r\ny")})
	if err := s.PutMessages(batch); err != nil {
		t.Fatal(err)
	}
	check("storing")

	if err := s.SetFlags("a", "INBOX", 1, []string{`\Seen`, `\Flagged`}, 2); err != nil {
		t.Fatal(err)
	}
	if err := s.SetFlags("a", "INBOX", 2, []string{`\Answered`}, 2); err != nil {
		t.Fatal(err)
	}
	if err := s.SetFlags("a", "INBOX", 3, []string{`\Flagged`}, 2); err != nil {
		t.Fatal(err)
	}
	check("changing flags")

	replaced := &Message{Account: "a", Folder: "INBOX", UID: 4, Raw: []byte("Subject: new\r\n\r\nz")}
	if err := s.PutMessage(replaced); err != nil {
		t.Fatal(err)
	}
	check("replacing a read message with an unread one")

	if err := s.DeleteMessages("a", "INBOX", []uint32{1, 2, 99}); err != nil {
		t.Fatal(err)
	}
	check("deleting")

	if err := s.ResetFolder("a", "Sent", 77); err != nil {
		t.Fatal(err)
	}
	check("resetting a folder")

	if err := s.DeleteFolder("a", "INBOX"); err != nil {
		t.Fatal(err)
	}
	check("deleting a folder")
}

// TestReadsDoNotWaitForWriter holds the write lock on another connection,
// as a sync's store transaction does, and expects listing, folders and
// opening a message to finish without waiting for it.
func TestReadsDoNotWaitForWriter(t *testing.T) {
	s := newTestStore(t)
	m := &Message{Account: "a", Folder: "INBOX", UID: 1, Raw: []byte("Subject: x\r\n\r\ny")}
	mustPut(t, s, m)

	conn, err := s.db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(t.Context(), "ROLLBACK")

	done := make(chan error, 1)
	go func() {
		if _, err := s.List("a", "INBOX", 0, 10); err != nil {
			done <- err
			return
		}
		if _, err := s.Folders("a"); err != nil {
			done <- err
			return
		}
		_, err := s.Message(m.ID)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("reads waited for the writer's lock")
	}
}

// Every way a message leaves the cache must take its sealed bytes with
// it, so no body of deleted mail stays in the file.
func TestRemovedMessagesLeaveNoBodies(t *testing.T) {
	s := newTestStore(t)
	bodies := func() int {
		var n int
		if err := s.db.QueryRow(`SELECT count(*) FROM bodies`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for uid := uint32(1); uid <= 3; uid++ {
		mustPut(t, s, &Message{Account: "a", Folder: "INBOX", UID: uid, Raw: buildMail(mailOptions{Subject: "body"})})
	}
	mustPut(t, s, &Message{Account: "a", Folder: "Archive", UID: 1, Raw: buildMail(mailOptions{Subject: "body"})})
	// A stored message stored again keeps one body.
	mustPut(t, s, &Message{Account: "a", Folder: "INBOX", UID: 1, Raw: buildMail(mailOptions{Subject: "new body"})})
	if n := bodies(); n != 4 {
		t.Fatalf("%d bodies for 4 messages", n)
	}

	if err := s.DeleteMessages("a", "INBOX", []uint32{1}); err != nil {
		t.Fatal(err)
	}
	if n := bodies(); n != 3 {
		t.Errorf("%d bodies after deleting one of 4 messages, want 3", n)
	}
	if err := s.ResetFolder("a", "INBOX", 2); err != nil {
		t.Fatal(err)
	}
	if n := bodies(); n != 1 {
		t.Errorf("%d bodies after resetting INBOX, want the 1 of Archive", n)
	}
	if err := s.DeleteFolder("a", "Archive"); err != nil {
		t.Fatal(err)
	}
	if n := bodies(); n != 0 {
		t.Errorf("%d bodies after deleting every message, want 0", n)
	}
}
