package cache

import (
	"database/sql"
	"fmt"
	"strings"
)

// Queries that storing a message runs. Store.attach prepares them once,
// and database/sql then prepares each at most once per connection, where
// preparing them in every transaction made SQLite parse them again for
// every stored message.
const (
	queryFolderByTags  = `SELECT id FROM folders WHERE account_tag = ? AND name_tag = ?`
	queryMessageByUID  = `SELECT id, indexed FROM messages WHERE folder_id = ? AND uid = ?`
	queryNextMessageID = `SELECT coalesce(max(id), 0) + 1 FROM messages`
	queryInsertMessage = `INSERT INTO messages (uid_validity, modseq, flags, size, date, encrypted,
			header_only, message_id_tag, summary, terms, id, folder_id, uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	queryUpdateMessage = `UPDATE messages SET uid_validity = ?, modseq = ?, flags = ?, size = ?, date = ?, encrypted = ?,
			header_only = ?, message_id_tag = ?, summary = ?, terms = ?, indexed = 0 WHERE id = ?`
	queryPutBody = `INSERT INTO bodies (message, raw) VALUES (?, ?)
			ON CONFLICT (message) DO UPDATE SET raw = excluded.raw`
	queryInsertTerm     = `INSERT OR IGNORE INTO terms (tag, date, message) VALUES (?, ?, ?)`
	queryDeleteTerm     = `DELETE FROM terms WHERE tag = ? AND date = ? AND message = ?`
	queryInsertPrefix   = `INSERT OR IGNORE INTO prefixes (prefix_tag, word_tag) VALUES (?, ?)`
	queryCountUnindexed = `SELECT count(*) FROM messages WHERE indexed = 0`
	queryMarkIndexed    = `UPDATE messages SET indexed = 1 WHERE indexed = 0`
	queryTermsByID      = `SELECT date, terms, indexed FROM messages WHERE id = ?`
	// queryProtectedSubjects finds the subjects SetSummarySubject kept.
	queryProtectedSubjects = `SELECT content_tag, subject FROM protected_subjects WHERE account_tag = ? AND message_id_tag = ?`
)

// queryDeleteOrphanSubjects deletes the kept protected subjects whose
// account has no cached message with their Message-ID.
const queryDeleteOrphanSubjects = `DELETE FROM protected_subjects WHERE NOT EXISTS (
	SELECT 1 FROM messages m JOIN folders f ON f.id = m.folder_id
	WHERE m.message_id_tag = protected_subjects.message_id_tag AND f.account_tag = protected_subjects.account_tag)`

// rowsPerInsert is the number of rows queryInsertTerms and
// queryInsertPrefixes write. Their at most 192 parameters stay far below
// SQLITE_MAX_VARIABLE_NUMBER, which is 32,766 by default since SQLite
// 3.32.
const rowsPerInsert = 64

// queryInsertTerms and queryInsertPrefixes are queryInsertTerm and
// queryInsertPrefix for rowsPerInsert rows at once.
var (
	queryInsertTerms    = queryInsertTerm + strings.Repeat(`, (?, ?, ?)`, rowsPerInsert-1)
	queryInsertPrefixes = queryInsertPrefix + strings.Repeat(`, (?, ?)`, rowsPerInsert-1)
)

var preparedQueries = []string{
	queryFolderByTags,
	queryMessageByUID,
	queryNextMessageID,
	queryInsertMessage,
	queryUpdateMessage,
	queryPutBody,
	queryInsertTerm,
	queryInsertTerms,
	queryDeleteTerm,
	queryInsertPrefix,
	queryInsertPrefixes,
	queryCountUnindexed,
	queryMarkIndexed,
	queryTermsByID,
	queryProtectedSubjects,
}

// prepareStatements prepares every query of preparedQueries on db. It
// needs the migrated schema.
func prepareStatements(db *sql.DB) (map[string]*sql.Stmt, error) {
	stmts := make(map[string]*sql.Stmt, len(preparedQueries))
	for _, q := range preparedQueries {
		st, err := db.Prepare(q)
		if err != nil {
			closeStatements(stmts)
			return nil, fmt.Errorf("cache: prepare statement %.40q: %w", q, mapSQLError(err))
		}
		stmts[q] = st
	}
	return stmts, nil
}

func closeStatements(stmts map[string]*sql.Stmt) {
	for _, st := range stmts {
		st.Close()
	}
}

// stmt returns the statement that attach prepared for query, bound to tx.
// A query outside preparedQueries is prepared within tx instead. The
// caller must hold the store's read lock, as inTx does. Committing or
// rolling back tx closes the returned statement.
func (s *Store) stmt(tx *sql.Tx, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts[query]; ok {
		return tx.Stmt(st), nil
	}
	st, err := tx.Prepare(query)
	if err != nil {
		return nil, fmt.Errorf("cache: prepare statement %.40q: %w", query, err)
	}
	return st, nil
}
