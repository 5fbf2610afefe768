package cache

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// searchCount returns how many messages Search finds for one word.
func searchCount(t *testing.T, s *Store, word string) int {
	t.Helper()
	res, err := s.Search(Query{Words: []string{word}})
	if err != nil {
		t.Fatal(err)
	}
	return len(res)
}

// TestAttackReplaceTwiceBeforeFlush indexes a message, then replaces it
// twice with no search in between, so the second replacement finds the
// message not yet indexed again. Only the words of the last version may
// find it.
func TestAttackReplaceTwiceBeforeFlush(t *testing.T) {
	day := time.Date(2026, 5, 2, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		thirdDate time.Time
	}{
		{"same date", day},
		{"date changed", day.AddDate(0, 0, 3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			m := &Message{Account: "a", Folder: "INBOX", UID: 7,
				Raw: buildMail(mailOptions{Subject: "alpha beta", Body: "first", Date: day})}
			id := mustPut(t, s, m)
			if searchCount(t, s, "alpha") != 1 {
				t.Fatal("first version not found by its subject")
			}

			m.Raw = buildMail(mailOptions{Subject: "alpha", Body: "second", Date: day})
			mustPut(t, s, m)
			m.Raw = buildMail(mailOptions{Subject: "gamma", Body: "third", Date: tc.thirdDate})
			mustPut(t, s, m)

			for word, want := range map[string]int{"alpha": 0, "beta": 0, "first": 0, "second": 0, "gamma": 1, "third": 1} {
				if got := searchCount(t, s, word); got != want {
					t.Errorf("%q finds %d messages after two replacements, want %d", word, got, want)
				}
			}
			checkIndexRows(t, s, id)
		})
	}
}

// TestAttackDeleteReplacedBeforeFlush deletes a message that was replaced
// but not indexed again, then stores an unrelated message, which takes the
// freed row id. The deleted message's words must not find the new one.
func TestAttackDeleteReplacedBeforeFlush(t *testing.T) {
	s := newTestStore(t)
	day := time.Date(2026, 5, 2, 8, 0, 0, 0, time.UTC)
	m := &Message{Account: "a", Folder: "INBOX", UID: 7,
		Raw: buildMail(mailOptions{Subject: "Jonah Example biopsy", Body: "first", Date: day})}
	oldID := mustPut(t, s, m)
	if searchCount(t, s, "biopsy") != 1 {
		t.Fatal("message not found by its subject")
	}
	m.Raw = buildMail(mailOptions{Subject: "Jonah Example biopsy", Body: "corrected", Date: day})
	mustPut(t, s, m)
	if err := s.DeleteMessages("a", "INBOX", []uint32{7}); err != nil {
		t.Fatal(err)
	}

	other := &Message{Account: "a", Folder: "Archive", UID: 1,
		Raw: buildMail(mailOptions{Subject: "rota", Body: "unrelated", Date: day})}
	newID := mustPut(t, s, other)
	if newID != oldID {
		t.Logf("row id %d was not reused (new id %d), so only orphan rows are checked", oldID, newID)
	}
	for _, word := range []string{"biopsy", "jonah", "example"} {
		if got := searchCount(t, s, word); got != 0 {
			t.Errorf("%q finds %d messages after the only message with it was deleted", word, got)
		}
	}
	var orphans int
	if err := s.db.QueryRow(`SELECT count(*) FROM terms WHERE message NOT IN (SELECT id FROM messages)`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d index rows point at deleted messages", orphans)
	}
}

// TestAttackReplaceOrders replaces an indexed message in each order sync
// and users can cause, with a search between the steps, and checks that
// exactly the last version's words find it.
func TestAttackReplaceOrders(t *testing.T) {
	day := time.Date(2026, 5, 2, 8, 0, 0, 0, time.UTC)
	full := buildMail(mailOptions{Subject: "Potassium result", Body: "creatinine normal", Date: day})
	header := full[:strings.Index(string(full), "\r\n\r\n")+4]
	moved := buildMail(mailOptions{Subject: "Potassium result", Body: "creatinine normal", Date: day.AddDate(0, 0, 1)})
	shorter := buildMail(mailOptions{Subject: "Potassium", Body: "normal", Date: day})

	type version struct {
		raw        []byte
		headerOnly bool
	}
	steps := map[string][]version{
		"header then full":  {{header, true}, {full, false}},
		"full then header":  {{full, false}, {header, true}},
		"date changed":      {{full, false}, {moved, false}},
		"words removed":     {{full, false}, {shorter, false}},
		"header full moved": {{header, true}, {full, false}, {moved, false}, {header, true}},
	}
	vocabulary := []string{"potassium", "result", "creatinine", "normal"}
	for name, versions := range steps {
		t.Run(name, func(t *testing.T) {
			s := newTestStore(t)
			m := &Message{Account: "a", Folder: "INBOX", UID: 3}
			for i, v := range versions {
				m.Raw, m.HeaderOnly = v.raw, v.headerOnly
				id := mustPut(t, s, m)
				text := strings.ToLower(string(v.raw))
				if v.headerOnly {
					text = strings.ToLower(string(header))
				}
				for _, word := range vocabulary {
					want := 0
					if slices.Contains(words(text), word) {
						want = 1
					}
					if got := searchCount(t, s, word); got != want {
						t.Errorf("step %d: %q finds %d messages, want %d", i, word, got, want)
					}
				}
				checkIndexRows(t, s, id)
			}
		})
	}
}

// TestAttackEachWordRandomText compares eachWord with the definition in
// TestEachWordMatchesFields on random text built from runes at the edges
// of the splitter: ASCII boundaries, case mappings that change length,
// title case, combining marks, digits of other scripts and invalid bytes.
func TestAttackEachWordRandomText(t *testing.T) {
	pieces := []string{
		"a", "Z", "0", "9", "@", "[", "`", "{", "/", ":", " ", "\t",
		"İ", "ı", "ß", "ẞ", "Σ", "ς", "ǅ", "ᾈ", "\u212a", "\u0301", "\u0345",
		"٣", "\u2160", "Ⓐ", "\ufffd", "\xff", "\xc3", "\xe2\x82", "東", "\u00a0",
	}
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
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(80) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		text := b.String()
		if got, want := words(text), reference(text); !slices.Equal(got, want) {
			t.Fatalf("words(%q) = %q, want %q", text, got, want)
		}
	}
}

// TestAttackMaxTermsPerMessage stores a message with more distinct words
// than maxTermsPerMessage. Storing must succeed, the postings must match
// the sealed tag list, and the subject must still find the message.
func TestAttackMaxTermsPerMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("stores over 20,000 distinct words, about 10 s with -race")
	}
	var body strings.Builder
	for i := range maxTermsPerMessage + 500 {
		body.WriteString("w")
		body.WriteString(strings.Repeat("x", i%5))
		body.WriteString(itoa36(i))
		body.WriteString(" ")
	}
	s := newTestStore(t)
	m := &Message{Account: "a", Folder: "INBOX", UID: 1,
		Raw: buildMail(mailOptions{Subject: "zzsubjectword", Body: body.String()})}
	id := mustPut(t, s, m)
	if got := searchCount(t, s, "zzsubjectword"); got != 1 {
		t.Errorf("subject word finds %d messages in a message over the term cap, want 1", got)
	}
	if n := checkIndexRows(t, s, id); n > maxTermsPerMessage {
		t.Errorf("message has %d index rows, want at most %d", n, maxTermsPerMessage)
	}
}

func itoa36(i int) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 36 {
		b = append([]byte{digits[i%36]}, b...)
	}
	return string(b)
}

// TestAttackPrepareThenRawRewritten prepares a message, rewrites its Raw
// in place with other text of the same length, and stores it. The stored
// summary and the index must describe the text that was stored.
func TestAttackPrepareThenRawRewritten(t *testing.T) {
	s := newTestStore(t)
	day := time.Date(2026, 5, 2, 8, 0, 0, 0, time.UTC)
	m := &Message{Account: "a", Folder: "INBOX", UID: 1,
		Raw: buildMail(mailOptions{Subject: "Potassium", Body: "aaaa", Date: day})}
	if err := s.Prepare(m); err != nil {
		t.Fatal(err)
	}
	copy(m.Raw, buildMail(mailOptions{Subject: "Magnesium", Body: "aaaa", Date: day}))
	mustPut(t, s, m)

	list, err := s.List("a", "INBOX", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Subject != "Magnesium" {
		t.Errorf("message list %+v, want one message with subject Magnesium", list)
	}
	if n := searchCount(t, s, "magnesium"); n != 1 {
		t.Errorf("new subject word finds %d messages, want 1", n)
	}
	if n := searchCount(t, s, "potassium"); n != 0 {
		t.Errorf("old subject word finds %d messages, want 0", n)
	}
}

// TestAttackPrepareThenRelock prepares messages, locks and unlocks the
// vault, and stores them: the index must be built with the keys of the
// new session, so searching finds them.
func TestAttackPrepareThenRelock(t *testing.T) {
	v, _ := newTestVault(t)
	s := v.Store()
	m := &Message{Account: "a", Folder: "INBOX", UID: 1,
		Raw: buildMail(mailOptions{Subject: "Phosphate", Body: "level"})}
	if err := s.Prepare(m); err != nil {
		t.Fatal(err)
	}
	v.Lock()
	if err := s.PutMessage(m); err == nil {
		t.Fatal("PutMessage stored a message while the vault was locked")
	}
	if err := v.Unlock([]byte("correct horse")); err != nil {
		t.Fatal(err)
	}
	s = v.Store()
	mustPut(t, s, m)
	if n := searchCount(t, s, "phosphate"); n != 1 {
		t.Errorf("prepared message finds %d messages after lock and unlock, want 1", n)
	}
}

// TestAttackConcurrentStoreAndSearch stores prepared batches on one
// goroutine, as sync's store goroutine does, while another searches and
// lists folders every 5 ms, as the message list can during a sync. Run
// with -race, it checks the store's shared state, and afterwards every
// message must be found once.
func TestAttackConcurrentStoreAndSearch(t *testing.T) {
	storeWhileSearching(t, 5*time.Millisecond)
}

// TestAttackStoreStarvedBySearches searches without a pause while a
// batch waits to be stored. A search that took the write lock would hold
// it back to back with the next one, and the writer's busy handler could
// lose for longer than busy_timeout.
func TestAttackStoreStarvedBySearches(t *testing.T) {
	storeWhileSearching(t, 0)
}

func storeWhileSearching(t *testing.T, readerPause time.Duration) {
	s := newTestStore(t)
	const batches, perBatch = 10, 20
	done := make(chan error, 1)
	go func() {
		for b := range batches {
			var ms []*Message
			for i := range perBatch {
				uid := uint32(b*perBatch + i + 1)
				m := &Message{Account: "a", Folder: "INBOX", UID: uid,
					Raw: buildMail(mailOptions{Subject: "batch u" + itoa36(int(uid)), Body: "shared words here"})}
				if err := s.Prepare(m); err != nil {
					done <- err
					return
				}
				ms = append(ms, m)
			}
			if err := s.PutMessages(ms); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()

	var writeErr error
	for finished := false; !finished; {
		select {
		case writeErr = <-done:
			finished = true
		default:
			if _, err := s.Search(Query{Words: []string{"shared"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Folders("a"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(readerPause)
		}
	}
	if writeErr != nil {
		t.Fatalf("storing while searching: %v", writeErr)
	}
	if got := searchCount(t, s, "shared"); got != batches*perBatch {
		t.Errorf("shared word finds %d messages, want %d", got, batches*perBatch)
	}
	for uid := 1; uid <= batches*perBatch; uid++ {
		if got := searchCount(t, s, "u"+itoa36(uid)); got != 1 {
			t.Errorf("subject word of UID %d finds %d messages, want 1", uid, got)
		}
	}
}

// TestAttackSearchNormalization stores a name written with a combining
// diaeresis (NFD, as macOS writes file names and some mailers write text)
// and searches for it in the precomposed form (NFC) that keyboards type.
// Both are the same name, so the search must find it.
func TestAttackSearchNormalization(t *testing.T) {
	s := newTestStore(t)
	m := &Message{Account: "a", Folder: "INBOX", UID: 1,
		Raw: buildMail(mailOptions{Subject: "Befund", Body: "Patientin Mu\u0308ller, Labor"})}
	mustPut(t, s, m)
	if got := searchCount(t, s, "m\u00fcller"); got != 1 {
		t.Errorf("NFC query finds %d messages with the NFD name, want 1", got)
	}
}
