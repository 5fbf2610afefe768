package cache

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// flushAll writes the postings of every message still waiting for them.
func flushAll(t *testing.T, s *Store) {
	t.Helper()
	err := s.inTx(func(tx *sql.Tx, keys sealer) error {
		return s.flushIndex(tx, keys, 1)
	})
	if err != nil {
		t.Fatalf("flush the index: %v", err)
	}
}

func pendingIDs(t *testing.T, s *Store) []int64 {
	t.Helper()
	rows, err := s.db.Query(`SELECT id FROM messages WHERE indexed = 0 ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

func searchIDs(t *testing.T, s *Store, q Query) []int64 {
	t.Helper()
	res, err := s.Search(q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	ids := make([]int64, len(res))
	for i, r := range res {
		ids[i] = r.ID
	}
	return ids
}

// equivalenceVocabulary has words that share prefixes, so prefix queries
// expand to several words.
var equivalenceVocabulary = []string{
	"potassium", "potash", "sodium", "glucose", "glucagon", "insulin",
	"warfarin", "heparin", "creatinine", "platelet", "plasma", "biopsy",
}

var (
	equivalenceSenders    = []string{"Ann Lee <ann@clinic.example>", "bob@lab.example", "Carol Diaz <carol@clinic.example>"}
	equivalenceRecipients = []string{"dan@ward.example", "Eve Moss <eve@ward.example>", "ann@clinic.example"}
)

// equivalenceMail returns a message of random words from the vocabulary.
// Dates fall on four days at two times each, so many messages share a
// date and the order must fall back to the id.
func equivalenceMail(r *rand.Rand, n int) (mailOptions, time.Time) {
	pick := func(k int) string {
		var ws []string
		for range k {
			ws = append(ws, equivalenceVocabulary[r.IntN(len(equivalenceVocabulary))])
		}
		return strings.Join(ws, " ")
	}
	date := time.Date(2026, 6, 1+r.IntN(4), 8+2*r.IntN(2), 0, 0, 0, time.UTC)
	return mailOptions{
		From:      equivalenceSenders[r.IntN(len(equivalenceSenders))],
		To:        equivalenceRecipients[r.IntN(len(equivalenceRecipients))],
		Subject:   pick(2),
		Body:      pick(4),
		MessageID: fmt.Sprintf("<eq%d@test.example>", n),
		Date:      date,
	}, date
}

// equivalenceQueries returns text queries with every kind of text
// filter, alone and with folder, account, date and encryption filters,
// each at several pages.
func equivalenceQueries() []Query {
	yes := true
	day := func(d int) time.Time { return time.Date(2026, 6, d, 0, 0, 0, 0, time.UTC) }
	var base []Query
	for _, w := range equivalenceVocabulary {
		base = append(base, Query{Words: []string{w}})
	}
	for _, p := range []string{"pot", "pota", "glu", "plat", "pla", "hep", "sodium"} {
		base = append(base, Query{Prefixes: []string{p}})
	}
	base = append(base,
		Query{Words: []string{"glucose", "insulin"}},
		Query{Words: []string{"plasma"}, Prefixes: []string{"pot"}},
		Query{Prefixes: []string{"glu", "pla"}},
		Query{From: "ann@clinic.example"},
		Query{From: "carol"},
		Query{To: "eve@ward.example"},
		Query{To: "ward"},
		Query{Subject: "heparin"},
		Query{Subject: "sodium", Prefixes: []string{"gluc"}},
		Query{Words: []string{"biopsy"}, Account: "a"},
		Query{Words: []string{"biopsy"}, Account: "a", Folder: "Archive"},
		Query{Prefixes: []string{"pot"}, Folder: "INBOX"},
		Query{Words: []string{"warfarin"}, Since: day(2), Before: day(4)},
		Query{Prefixes: []string{"ins"}, Since: day(3)},
		Query{From: "bob@lab.example", Encrypted: &yes},
		Query{Words: []string{"dose"}},
		Query{Words: []string{"absent"}},
	)
	pages := []struct{ offset, limit int }{{0, 0}, {0, 3}, {2, 3}, {5, 0}, {200, 5}}
	var out []Query
	for _, q := range base {
		for _, p := range pages {
			q.Offset, q.Limit = p.offset, p.limit
			out = append(out, q)
		}
	}
	return out
}

// TestSearchPendingMatchesFlushed stores a mix of indexed messages and
// messages waiting for their postings, among them replaced versions that
// kept some postings, a header-only row replaced by its message and
// decrypted text added to both kinds. Every text query must return what
// it returns once the whole index is flushed.
func TestSearchPendingMatchesFlushed(t *testing.T) {
	s := newTestStore(t)
	r := rand.New(rand.NewPCG(7, 11))
	const total = 48
	msgs := make([]*Message, total)
	for i := range msgs {
		opts, date := equivalenceMail(r, i)
		account, folder := "a", "INBOX"
		if i%3 == 1 {
			folder = "Archive"
		}
		if i%5 == 4 {
			account = "b"
		}
		msgs[i] = &Message{Account: account, Folder: folder, UID: uint32(i + 1), Date: date,
			Encrypted: i%4 == 0, Raw: buildMail(opts)}
	}

	// The first half is indexed, and message 0 only as a header.
	full0 := msgs[0].Raw
	msgs[0].Raw = full0[:strings.Index(string(full0), "\r\n\r\n")+4]
	msgs[0].HeaderOnly = true
	if err := s.PutMessages(msgs[:total/2]); err != nil {
		t.Fatal(err)
	}
	if err := s.IndexText(msgs[2].ID, "decrypted dose of warfarin"); err != nil {
		t.Fatal(err)
	}
	flushAll(t, s)

	// The second half waits for its postings, as do the rows changed
	// below.
	if err := s.PutMessages(msgs[total/2:]); err != nil {
		t.Fatal(err)
	}
	msgs[0].Raw, msgs[0].HeaderOnly = full0, false
	mustPut(t, s, msgs[0])
	// A new version at the same date keeps the postings of the words it
	// shares with the old one. At another date it keeps none.
	for i, sameDate := range map[int]bool{3: true, 4: false} {
		opts, date := equivalenceMail(r, 100+i)
		if sameDate {
			opts.Date, date = msgs[i].Date, msgs[i].Date
		}
		msgs[i].Raw, msgs[i].Date = buildMail(opts), date
		mustPut(t, s, msgs[i])
	}
	if err := s.IndexText(msgs[total-1].ID, "decrypted dose of heparin"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteMessages("a", "INBOX", []uint32{msgs[6].UID, msgs[total-3].UID}); err != nil {
		t.Fatal(err)
	}

	pending := pendingIDs(t, s)
	if len(pending) < total/2 {
		t.Fatalf("%d messages wait for their postings, expected at least %d", len(pending), total/2)
	}
	queries := equivalenceQueries()
	before := make([][]int64, len(queries))
	for i, q := range queries {
		before[i] = searchIDs(t, s, q)
	}
	if got := pendingIDs(t, s); !slices.Equal(got, pending) {
		t.Fatalf("searching changed the messages waiting for postings from %v to %v", pending, got)
	}

	flushAll(t, s)
	mixed := false
	for i, q := range queries {
		after := searchIDs(t, s, q)
		if !slices.Equal(before[i], after) {
			t.Errorf("Search(%+v) = %v with pending messages, expected %v as after a flush", q, before[i], after)
		}
		hasPending := slices.ContainsFunc(after, func(id int64) bool { return slices.Contains(pending, id) })
		hasIndexed := slices.ContainsFunc(after, func(id int64) bool { return !slices.Contains(pending, id) })
		mixed = mixed || (hasPending && hasIndexed)
	}
	if !mixed {
		t.Error("no query result mixes indexed and pending messages, so the merge went untested")
	}
}

// TestTextSearchWhileWriteLocked holds the write lock on another
// connection, as a sync storing a batch does, and searches text while a
// message waits for its postings: the search must neither wait for the
// lock nor write.
func TestTextSearchWhileWriteLocked(t *testing.T) {
	s := newTestStore(t)
	mustPut(t, s, &Message{Account: "a", Folder: "INBOX", UID: 1, Raw: buildMail(mailOptions{Subject: "Potassium recheck"})})

	other, err := sql.Open("sqlite", "file:"+s.path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("take the write lock: %v", err)
	}
	defer conn.ExecContext(t.Context(), "ROLLBACK")

	done := make(chan error, 1)
	go func() {
		res, err := s.Search(Query{Words: []string{"potassium"}, Prefixes: []string{"rech"}})
		if err == nil && len(res) != 1 {
			err = fmt.Errorf("found %d messages, expected 1", len(res))
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("text search while another connection writes: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("text search waited 5 s for another connection's write lock")
	}
	if n := len(pendingIDs(t, s)); n != 1 {
		t.Errorf("%d messages wait for their postings after the search, expected 1", n)
	}
}

// TestUnlockFlushesBacklog marks flushThreshold indexed messages as
// waiting, as a profile from an earlier build has them, and checks that
// unlocking writes their postings.
func TestUnlockFlushesBacklog(t *testing.T) {
	v, _ := newTestVault(t)
	s := v.Store()
	batch := make([]*Message, flushThreshold)
	for i := range batch {
		batch[i] = &Message{Account: "a", Folder: "INBOX", UID: uint32(i + 1), Raw: []byte("Subject: backlog\r\n\r\nx")}
	}
	if err := s.PutMessages(batch); err != nil {
		t.Fatal(err)
	}

	if _, err := s.db.Exec(`DELETE FROM terms`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`UPDATE messages SET indexed = 0`); err != nil {
		t.Fatal(err)
	}
	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	if err := v.Unlock([]byte("correct horse")); err != nil {
		t.Fatal(err)
	}
	s = v.Store()

	if n := len(pendingIDs(t, s)); n != 0 {
		t.Errorf("%d messages wait for their postings after unlock, expected 0", n)
	}
	var rows int
	if err := s.db.QueryRow(`SELECT count(*) FROM terms`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows < flushThreshold {
		t.Errorf("%d postings after unlock, expected at least one per message", rows)
	}
}
