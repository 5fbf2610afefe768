package cache

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestSearchFilters(t *testing.T) {
	s := newTestStore(t)
	day := func(d int) time.Time { return time.Date(2026, 4, d, 10, 0, 0, 0, time.UTC) }
	msgs := []struct {
		folder    string
		encrypted bool
		date      time.Time
		mail      mailOptions
	}{
		{"INBOX", false, day(1), mailOptions{From: "Ann Lee <ann@clinic.example>", To: "bob@lab.example", Subject: "Potassium results",
			Body: "The potassium level is elevated.", AttachmentName: "panel-report.txt", Attachment: "creatinine normal"}},
		{"INBOX", true, day(2), mailOptions{From: "bob@lab.example", To: "Ann Lee <ann@clinic.example>", Cc: "carol@clinic.example",
			Subject: "Re: Potassium results", Body: "-----BEGIN PGP MESSAGE-----"}},
		{"Archive", false, day(3), mailOptions{From: "carol@clinic.example", To: "ann@clinic.example", Subject: "Rota",
			Body: "Night shift rotation for <b>March</b>."}},
	}
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		ids[i] = mustPut(t, s, &Message{Account: "a", Folder: m.folder, UID: uint32(i + 1), Date: m.date, Encrypted: m.encrypted, Raw: buildMail(m.mail)})
	}
	yes, no := true, false

	for _, tc := range []struct {
		name string
		q    Query
		want []int64
	}{
		{"word in body", Query{Words: []string{"elevated"}}, []int64{ids[0]}},
		{"word in subject", Query{Words: []string{"potassium"}}, []int64{ids[1], ids[0]}},
		{"word upper case", Query{Words: []string{"POTASSIUM"}}, []int64{ids[1], ids[0]}},
		{"word in attachment name", Query{Words: []string{"panel"}}, []int64{ids[0]}},
		{"word in attachment text", Query{Words: []string{"creatinine"}}, []int64{ids[0]}},
		{"word in address", Query{Words: []string{"carol"}}, []int64{ids[2], ids[1]}},
		{"word between markup", Query{Words: []string{"march"}}, []int64{ids[2]}},
		{"two words", Query{Words: []string{"night", "rotation"}}, []int64{ids[2]}},
		{"two words no match", Query{Words: []string{"night", "potassium"}}, nil},
		{"prefix", Query{Prefixes: []string{"pota"}}, []int64{ids[1], ids[0]}},
		{"prefix long", Query{Prefixes: []string{"rotation"}}, []int64{ids[2]}},
		{"prefix page", Query{Prefixes: []string{"pot"}, Offset: 1, Limit: 1}, []int64{ids[0]}},
		{"prefix past the end", Query{Prefixes: []string{"pot"}, Offset: 5}, nil},
		{"prefix of many words", Query{Prefixes: []string{"re" + "s"}}, []int64{ids[1], ids[0]}},
		{"two prefixes", Query{Prefixes: []string{"rota", "nigh"}}, []int64{ids[2]}},
		{"prefix with folder", Query{Prefixes: []string{"pot"}, Folder: "Archive"}, nil},
		{"prefix whole short word", Query{Prefixes: []string{"rota"}}, []int64{ids[2]}},
		{"sender address", Query{From: "ann@clinic.example"}, []int64{ids[0]}},
		{"sender address mixed case", Query{From: "Ann@Clinic.Example"}, []int64{ids[0]}},
		{"sender name", Query{From: "lee"}, []int64{ids[0]}},
		{"recipient to", Query{To: "ann@clinic.example"}, []int64{ids[2], ids[1]}},
		{"recipient cc", Query{To: "carol@clinic.example"}, []int64{ids[1]}},
		{"subject", Query{Subject: "results"}, []int64{ids[1], ids[0]}},
		{"subject not body", Query{Subject: "elevated"}, nil},
		{"folder", Query{Account: "a", Folder: "Archive"}, []int64{ids[2]}},
		{"folder without account", Query{Folder: "INBOX"}, []int64{ids[1], ids[0]}},
		{"other account", Query{Account: "b"}, nil},
		{"encrypted", Query{Encrypted: &yes}, []int64{ids[1]}},
		{"not encrypted with word", Query{Encrypted: &no, Words: []string{"potassium"}}, []int64{ids[0]}},
		{"since", Query{Since: day(2)}, []int64{ids[2], ids[1]}},
		{"before", Query{Before: day(2)}, []int64{ids[0]}},
		{"date range with word", Query{Since: day(2), Before: day(3), Prefixes: []string{"potas"}}, []int64{ids[1]}},
		{"limit", Query{Limit: 1}, []int64{ids[2]}},
		{"offset", Query{Offset: 1, Limit: 1}, []int64{ids[1]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Search(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs []int64
			for _, g := range got {
				gotIDs = append(gotIDs, g.ID)
			}
			if len(gotIDs) != len(tc.want) {
				t.Fatalf("ids = %v, expected %v", gotIDs, tc.want)
			}
			for i := range gotIDs {
				if gotIDs[i] != tc.want[i] {
					t.Fatalf("ids = %v, expected %v", gotIDs, tc.want)
				}
			}
		})
	}
}

func TestSearchInvalidQuery(t *testing.T) {
	s := newTestStore(t)
	for _, q := range []Query{
		{Prefixes: []string{"ab"}},
		{Prefixes: []string{"two words"}},
		{Words: []string{"!"}},
		{Subject: "x"},
		{Limit: -1},
	} {
		if _, err := s.Search(q); !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("Search(%+v) error = %v, expected ErrInvalidQuery", q, err)
		}
	}
}

func TestIndexText(t *testing.T) {
	s := newTestStore(t)
	id := mustPut(t, s, &Message{Account: "a", Folder: "INBOX", UID: 1, Encrypted: true,
		Raw: buildMail(mailOptions{Subject: "Encrypted message", Body: "-----BEGIN PGP MESSAGE-----"})})
	if res, _ := s.Search(Query{Words: []string{"warfarin"}}); len(res) != 0 {
		t.Fatalf("found a word before it was indexed")
	}
	if err := s.IndexText(id, "Dose of warfarin changed"); err != nil {
		t.Fatal(err)
	}
	if err := s.IndexText(id, "warfarin again"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []Query{{Words: []string{"warfarin"}}, {Prefixes: []string{"warf"}}, {Words: []string{"encrypted"}}} {
		if res, err := s.Search(q); err != nil || len(res) != 1 {
			t.Errorf("Search(%+v) = %d hits, %v; expected 1", q, len(res), err)
		}
	}
	if err := s.DeleteMessages("a", "INBOX", []uint32{1}); err != nil {
		t.Fatal(err)
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM terms`).Scan(&n)
	if n != 0 {
		t.Errorf("%d index rows remain after deleting the message", n)
	}
	if err := s.IndexText(id, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("IndexText of a deleted message: %v", err)
	}
}

func TestIndexFlushes(t *testing.T) {
	s := newTestStore(t)
	pending := func() int {
		var n int
		s.db.QueryRow(`SELECT count(*) FROM messages WHERE indexed = 0`).Scan(&n)
		return n
	}
	mustPut(t, s, &Message{Account: "a", Folder: "INBOX", UID: 1, Raw: buildMail(mailOptions{Subject: "waiting"})})
	if pending() != 1 {
		t.Fatalf("pending = %d after one store, expected 1", pending())
	}
	if res, err := s.Search(Query{Words: []string{"waiting"}}); err != nil || len(res) != 1 {
		t.Fatalf("a pending message is not searchable: %d hits, %v", len(res), err)
	}
	if pending() != 1 {
		t.Errorf("pending = %d after a search, expected 1 because a search only reads", pending())
	}

	batch := make([]*Message, flushThreshold)
	for i := range batch {
		batch[i] = &Message{Account: "a", Folder: "INBOX", UID: uint32(i + 2), Raw: []byte("Subject: batch\r\n\r\nx")}
	}
	if err := s.PutMessages(batch); err != nil {
		t.Fatal(err)
	}
	if pending() != 0 {
		t.Errorf("pending = %d after a batch of %d, expected a flush", pending(), flushThreshold)
	}
	var rows int
	s.db.QueryRow(`SELECT count(*) FROM terms WHERE message = ?`, batch[0].ID).Scan(&rows)
	if rows == 0 {
		t.Errorf("flushed message has no index rows")
	}
}

func TestIndexRowsMatchTagLists(t *testing.T) {
	s := newTestStore(t)
	// 3 messages of 150 distinct words each: the flush and the prefix
	// dictionary write whole batches of rowsPerInsert rows and a
	// remainder one row at a time.
	var ids []int64
	for m := range 3 {
		var body strings.Builder
		for w := range 150 {
			fmt.Fprintf(&body, "word%dx%d ", m, w)
		}
		raw := buildMail(mailOptions{Subject: "many words", Body: body.String()})
		ids = append(ids, mustPut(t, s, &Message{Account: "a", Folder: "INBOX", UID: uint32(m + 1), Raw: raw}))
	}
	for _, id := range ids {
		if n := checkIndexRows(t, s, id); n < 150 {
			t.Errorf("message %d has %d tags, expected at least 150", id, n)
		}
	}

	// Each word is its own longest prefix, so every word must find its
	// message through the prefix dictionary.
	for m, id := range ids {
		for w := range 150 {
			word := fmt.Sprintf("word%dx%d", m, w)
			res, err := s.Search(Query{Prefixes: []string{word}})
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 1 || res[0].ID != id {
				t.Errorf("prefix %s found %d messages, expected message %d only", word, len(res), id)
			}
		}
	}
}

// checkIndexRows flushes the index and then checks that the postings of
// message id are exactly the tags in its sealed term list and that it is
// marked indexed, and returns the number of tags.
func checkIndexRows(t *testing.T, s *Store, id int64) int {
	t.Helper()
	flushAll(t, s)

	var want []int64
	err := s.inTx(func(tx *sql.Tx, keys sealer) error {
		tags, _, indexed, err := loadTerms(tx, keys, id)
		if !indexed {
			t.Errorf("message %d is not marked indexed after a flush", id)
		}
		want = tags
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	rows, err := s.db.Query(`SELECT tag FROM terms WHERE message = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []int64
	for rows.Next() {
		var tag int64
		if err := rows.Scan(&tag); err != nil {
			t.Fatal(err)
		}
		got = append(got, tag)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("message %d has %d index rows, expected its %d tags", id, len(got), len(want))
	}
	return len(want)
}

// TestIndexReplacedMessage stores a header, indexes it, and replaces it
// with the whole message as sync does, then with other text and another
// date: the postings must follow each version exactly.
func TestIndexReplacedMessage(t *testing.T) {
	s := newTestStore(t)
	day := time.Date(2026, 5, 2, 8, 0, 0, 0, time.UTC)
	full := buildMail(mailOptions{Subject: "Potassium result", Body: "creatinine normal", Date: day})
	header := full[:strings.Index(string(full), "\r\n\r\n")+4]
	m := &Message{Account: "a", Folder: "INBOX", UID: 7, Raw: header, HeaderOnly: true}
	id := mustPut(t, s, m)
	search := func(word string) int {
		t.Helper()
		res, err := s.Search(Query{Words: []string{word}})
		if err != nil {
			t.Fatal(err)
		}
		return len(res)
	}
	if search("potassium") != 1 || search("creatinine") != 0 {
		t.Fatalf("header-only message: expected the subject word only")
	}
	checkIndexRows(t, s, id)

	m.Raw, m.HeaderOnly = full, false
	mustPut(t, s, m)
	if search("potassium") != 1 || search("creatinine") != 1 {
		t.Errorf("whole message: subject or body word not found")
	}
	checkIndexRows(t, s, id)

	m.Raw = buildMail(mailOptions{Subject: "Sodium result", Body: "glucose high", Date: day.AddDate(0, 0, 1)})
	mustPut(t, s, m)
	for word, want := range map[string]int{"potassium": 0, "creatinine": 0, "sodium": 1, "glucose": 1, "result": 1} {
		if got := search(word); got != want {
			t.Errorf("after replacing the text, %q finds %d messages, expected %d", word, got, want)
		}
	}
	checkIndexRows(t, s, id)
}

// TestEachWordMatchesFields compares the word splitter with a plain
// definition built from the standard library and NFC, on text with upper
// case, non-Latin letters, digits, invalid UTF-8 and words at the length
// limits.
func TestEachWordMatchesFields(t *testing.T) {
	reference := func(text string) []string {
		var out []string
		for _, w := range strings.FieldsFunc(norm.NFC.String(text), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}) {
			if n := utf8.RuneCountInString(w); n >= minWordRunes && n <= maxWordRunes {
				out = append(out, strings.ToLower(w))
			}
		}
		return out
	}
	for _, text := range []string{
		"",
		"a",
		"Hello, World! x1 INR 2.5",
		"Müller ÖSTERREICH straße ΣΟΦΙΑ σοφία 東京都 ٣٤٥",
		"bad\xff\xfebytes mid\xc3word end\xe2\x82",
		"tab\tsep\nline\r\nCRLF--dash__under",
		strings.Repeat("y", maxWordRunes) + " " + strings.Repeat("z", maxWordRunes+1) + " " + strings.Repeat("é", maxWordRunes),
		"Ǆemal ǅemal ǆemal İstanbul KELVIN\u212a",
	} {
		var got []string
		eachWord(text, func(w string) { got = append(got, w) })
		if want := reference(text); !slices.Equal(got, want) {
			t.Errorf("eachWord(%q) = %q, expected %q", text, got, want)
		}
	}
}
