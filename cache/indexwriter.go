package cache

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// indexWriter stores messages and writes index rows within one
// transaction with prepared statements, and adds the prefixes of words
// that are new to the prefix dictionary.
type indexWriter struct {
	store         *Store
	tx            *sql.Tx
	keys          sealer
	folderByTags  *sql.Stmt
	messageByUID  *sql.Stmt
	nextMessageID *sql.Stmt
	insertMessage *sql.Stmt
	updateMessage *sql.Stmt
	putBody       *sql.Stmt
	insertTerm    *sql.Stmt
	deleteTerm    *sql.Stmt
	termsByID     *sql.Stmt
	// folders caches folder row ids by account and name for this
	// transaction only, so a rollback cannot leave a stale id behind.
	folders map[[2]string]int64
	// newWords are word tags this transaction added to the dictionary.
	// They join Store.knownWords only after the commit, so a rollback
	// cannot leave a word marked as known without its prefixes.
	newWords map[int64]struct{}
}

func (s *Store) newIndexWriter(tx *sql.Tx, keys sealer) (*indexWriter, error) {
	w := &indexWriter{store: s, tx: tx, keys: keys, folders: make(map[[2]string]int64), newWords: make(map[int64]struct{})}
	for _, p := range []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&w.folderByTags, queryFolderByTags},
		{&w.messageByUID, queryMessageByUID},
		{&w.nextMessageID, queryNextMessageID},
		{&w.insertMessage, queryInsertMessage},
		{&w.updateMessage, queryUpdateMessage},
		{&w.putBody, queryPutBody},
		{&w.insertTerm, queryInsertTerm},
		{&w.deleteTerm, queryDeleteTerm},
		{&w.termsByID, queryTermsByID},
	} {
		st, err := s.stmt(tx, p.query)
		if err != nil {
			return nil, err
		}
		*p.stmt = st
	}
	return w, nil
}

// folderID returns the row id of the folder, creating the folder when it
// is missing, like folderRef with create set.
func (w *indexWriter) folderID(account, name string) (int64, error) {
	key := [2]string{account, name}
	if id, ok := w.folders[key]; ok {
		return id, nil
	}
	if account == "" || name == "" {
		return folderRef(w.tx, w.keys, account, name, true) // rejects the empty name
	}
	var id int64
	err := w.folderByTags.QueryRow(w.keys.tag(domainAccount, []byte(account)), w.keys.tag(domainFolder, []byte(name))).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if id, err = folderRef(w.tx, w.keys, account, name, true); err != nil {
			return 0, err
		}
	case err != nil:
		return 0, fmt.Errorf("cache: look up folder: %w", err)
	}
	w.folders[key] = id
	return id, nil
}

func (w *indexWriter) insertTerms(tags []int64, date, id int64) error {
	for _, t := range tags {
		if _, err := w.insertTerm.Exec(t, date, id); err != nil {
			return fmt.Errorf("cache: write search index: %w", err)
		}
	}
	return nil
}

// addPrefixes puts the prefixes of the words in ts that are new to the
// prefix dictionary into it.
func (w *indexWriter) addPrefixes(ts *termSet) error {
	var rows []int64 // prefix tag, word tag, prefix tag, ...
	for tag, word := range ts.words {
		if w.store.knowsWord(tag) {
			continue
		}
		if _, ok := w.newWords[tag]; ok {
			continue
		}
		for _, p := range prefixes(word) {
			rows = append(rows, w.keys.tag(domainPrefix, []byte(p)), tag)
		}
		w.newWords[tag] = struct{}{}
	}
	if err := w.store.insertRows(w.tx, queryInsertPrefixes, queryInsertPrefix, 2, rows); err != nil {
		return fmt.Errorf("cache: write prefix dictionary: %w", err)
	}
	return nil
}

// deleteStaleTerms deletes the postings of message id that its new
// terms, at the new date, no longer have.
func (w *indexWriter) deleteStaleTerms(id, date int64, terms *termSet) error {
	tags, oldDate, _, err := scanTerms(w.termsByID.QueryRow(id), w.keys, id)
	if err != nil {
		return err
	}
	for _, t := range tags {
		if _, kept := terms.seen[t]; kept && oldDate == date {
			continue
		}
		if _, err := w.deleteTerm.Exec(t, oldDate, id); err != nil {
			return fmt.Errorf("cache: delete from search index: %w", err)
		}
	}
	return nil
}

// knowsWord reports whether the prefixes of the word with that tag are
// already in the prefix dictionary.
func (s *Store) knowsWord(tag int64) bool {
	s.knownMu.Lock()
	defer s.knownMu.Unlock()
	_, ok := s.knownWords[tag]
	return ok
}

func (s *Store) rememberWords(tags map[int64]struct{}) {
	if len(tags) == 0 {
		return
	}
	s.knownMu.Lock()
	defer s.knownMu.Unlock()
	if s.knownWords == nil {
		s.knownWords = make(map[int64]struct{}, len(tags))
	}
	for t := range tags {
		s.knownWords[t] = struct{}{}
	}
}

func (s *Store) forgetWords() {
	s.knownMu.Lock()
	defer s.knownMu.Unlock()
	s.knownWords = nil
}

// flushThreshold is how many stored messages may wait for their index
// rows before a write flushes them. A search with text filters flushes
// every pending message first.
const flushThreshold = 512

// posting is one row of the terms table.
type posting struct{ tag, date, message int64 }

// flushIndex writes the index rows of every message whose rows are still
// pending, once at least threshold are. Storing a message writes only its
// sealed tag list. Writing the rows of many messages at once, sorted by
// tag, touches each index page once, where one message at a time dirties
// a random page per word.
func (s *Store) flushIndex(tx *sql.Tx, keys sealer, threshold int) error {
	count, err := s.stmt(tx, queryCountUnindexed)
	if err != nil {
		return err
	}
	var pending int
	if err := count.QueryRow().Scan(&pending); err != nil {
		return fmt.Errorf("cache: count messages waiting for the index: %w", err)
	}
	if pending == 0 || pending < threshold {
		return nil
	}

	rows, err := tx.Query(`SELECT id, date, terms FROM messages WHERE indexed = 0`)
	if err != nil {
		return fmt.Errorf("cache: read messages waiting for the index: %w", err)
	}
	var (
		postings []posting
		ids      []int64
	)
	for rows.Next() {
		var (
			id, date int64
			sealed   []byte
		)
		if err := rows.Scan(&id, &date, &sealed); err != nil {
			rows.Close()
			return fmt.Errorf("cache: read messages waiting for the index: %w", err)
		}
		ids = append(ids, id)
		if sealed == nil {
			continue
		}
		plain, err := keys.open("messages", "terms", rowKey(id), sealed)
		if err != nil {
			rows.Close()
			return err
		}
		tags, err := decodeTags(plain)
		if err != nil {
			rows.Close()
			return err
		}
		for _, t := range tags {
			postings = append(postings, posting{t, date, id})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("cache: read messages waiting for the index: %w", err)
	}

	slices.SortFunc(postings, func(a, b posting) int {
		if a.tag != b.tag {
			return cmpInt64(a.tag, b.tag)
		}
		if a.date != b.date {
			return cmpInt64(a.date, b.date)
		}
		return cmpInt64(a.message, b.message)
	})
	values := make([]int64, 0, 3*len(postings))
	for _, p := range postings {
		values = append(values, p.tag, p.date, p.message)
	}
	if err := s.insertRows(tx, queryInsertTerms, queryInsertTerm, 3, values); err != nil {
		return fmt.Errorf("cache: write search index: %w", err)
	}
	// The transaction holds the write lock, so the rows still waiting are
	// exactly the ones read above.
	mark, err := s.stmt(tx, queryMarkIndexed)
	if err != nil {
		return err
	}
	if _, err := mark.Exec(); err != nil {
		return fmt.Errorf("cache: mark %d messages indexed: %w", len(ids), err)
	}
	return nil
}

// insertRows runs batchQuery, which inserts rowsPerInsert rows of width
// columns, for each whole batch of values, and singleQuery, which inserts
// one row, for the rest. The CPU profile of BenchmarkInsert showed each
// statement call costing more than the rows it wrote.
func (s *Store) insertRows(tx *sql.Tx, batchQuery, singleQuery string, width int, values []int64) error {
	if len(values) == 0 {
		return nil
	}
	batchLen := width * rowsPerInsert
	if len(values) >= batchLen {
		batch, err := s.stmt(tx, batchQuery)
		if err != nil {
			return err
		}
		args := make([]any, batchLen)
		for ; len(values) >= batchLen; values = values[batchLen:] {
			for i, v := range values[:batchLen] {
				args[i] = v
			}
			if _, err := batch.Exec(args...); err != nil {
				return err
			}
		}
	}
	if len(values) == 0 {
		return nil
	}
	single, err := s.stmt(tx, singleQuery)
	if err != nil {
		return err
	}
	args := make([]any, width)
	for ; len(values) > 0; values = values[width:] {
		for i, v := range values[:width] {
			args[i] = v
		}
		if _, err := single.Exec(args...); err != nil {
			return err
		}
	}
	return nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
