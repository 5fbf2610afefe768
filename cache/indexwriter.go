package cache

import (
	"database/sql"
	"fmt"
)

// indexWriter writes index rows within one transaction with prepared
// statements, and adds the prefixes of words that are new to the prefix
// dictionary.
type indexWriter struct {
	store        *Store
	tx           *sql.Tx
	keys         sealer
	insertTerm   *sql.Stmt
	deleteTerm   *sql.Stmt
	insertPrefix *sql.Stmt
	// newWords are word tags this transaction added to the dictionary.
	// They join Store.knownWords only after the commit, so a rollback
	// cannot leave a word marked as known without its prefixes.
	newWords map[int64]struct{}
}

func (s *Store) newIndexWriter(tx *sql.Tx, keys sealer) (*indexWriter, error) {
	w := &indexWriter{store: s, tx: tx, keys: keys, newWords: make(map[int64]struct{})}
	var err error
	if w.insertTerm, err = tx.Prepare(`INSERT OR IGNORE INTO terms (tag, date, message) VALUES (?, ?, ?)`); err != nil {
		return nil, fmt.Errorf("cache: prepare index insert: %w", err)
	}
	if w.deleteTerm, err = tx.Prepare(`DELETE FROM terms WHERE tag = ? AND date = ? AND message = ?`); err != nil {
		w.close()
		return nil, fmt.Errorf("cache: prepare index delete: %w", err)
	}
	if w.insertPrefix, err = tx.Prepare(`INSERT OR IGNORE INTO prefixes (prefix_tag, word_tag) VALUES (?, ?)`); err != nil {
		w.close()
		return nil, fmt.Errorf("cache: prepare prefix insert: %w", err)
	}
	return w, nil
}

func (w *indexWriter) close() {
	for _, st := range []*sql.Stmt{w.insertTerm, w.deleteTerm, w.insertPrefix} {
		if st != nil {
			st.Close()
		}
	}
}

func (w *indexWriter) insertTerms(ts *termSet, date, id int64) error {
	for _, t := range ts.tags {
		if _, err := w.insertTerm.Exec(t, date, id); err != nil {
			return fmt.Errorf("cache: write search index: %w", err)
		}
	}
	for tag, word := range ts.words {
		if w.store.knowsWord(tag) {
			continue
		}
		if _, ok := w.newWords[tag]; ok {
			continue
		}
		for _, p := range prefixes(word) {
			if _, err := w.insertPrefix.Exec(w.keys.tag(domainPrefix, []byte(p)), tag); err != nil {
				return fmt.Errorf("cache: write prefix dictionary: %w", err)
			}
		}
		w.newWords[tag] = struct{}{}
	}
	return nil
}

func (w *indexWriter) deleteTerms(id int64) error {
	tags, date, err := loadTerms(w.tx, w.keys, id)
	if err != nil {
		return err
	}
	for _, t := range tags {
		if _, err := w.deleteTerm.Exec(t, date, id); err != nil {
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
