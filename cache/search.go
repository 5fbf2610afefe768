package cache

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// List returns one page of the folder's messages, newest first. An empty
// folder lists every folder of the account.
func (s *Store) List(account, folder string, offset, limit int) ([]Summary, error) {
	return s.Search(Query{Account: account, Folder: folder, Offset: offset, Limit: limit})
}

// Search returns the messages that match every filter of q, newest first.
// Text filters use the blind index, so a word matches only
// as a whole word (or as a prefix for Prefixes), in lower case.
func (s *Store) Search(q Query) ([]Summary, error) {
	if q.Offset < 0 || q.Limit < 0 {
		return nil, fmt.Errorf("%w: offset %d and limit %d must not be negative", ErrInvalidQuery, q.Offset, q.Limit)
	}
	var out []Summary
	// Text filters need the pending postings written first, which makes
	// the search a write; listing and date or flag filters only read.
	run := s.inReadTx
	if len(q.Words)+len(q.Prefixes) > 0 || q.From != "" || q.To != "" || q.Subject != "" {
		run = s.inTx
	}
	err := run(func(tx *sql.Tx, keys sealer) error {
		conds, err := queryConditions(keys, &q)
		if err != nil {
			return err
		}
		if len(conds) > 0 {
			if err := s.flushIndex(tx, keys, 1); err != nil {
				return err
			}
		}
		var ids []int64
		if len(conds) > 0 && conds[0].prefix {
			ids, err = searchByPrefix(tx, keys, &q, conds)
		} else {
			query, args := buildSearch(keys, &q, conds, q.Offset, q.Limit)
			var hits []hit
			hits, err = selectHits(tx, query, args)
			ids = hitIDs(hits)
		}
		if err != nil {
			return err
		}
		out, err = loadSummaries(tx, keys, ids)
		return err
	})
	return out, err
}

// buildSearch writes the SQL for q. With text filters it walks the index
// rows of the first condition, which the (tag, date, message) primary key
// gives in date order without sorting for a single tag, and probes the
// other conditions by primary key. A prefix condition expands to the word
// tags of the prefix dictionary. Without text filters it walks the date
// index of messages.
func buildSearch(keys sealer, q *Query, conds []condition, offset, limit int) (string, []any) {
	var (
		b     strings.Builder
		where []string
		args  []any
	)
	dateCol, idCol := "m.date", "m.id"
	if len(conds) > 0 {
		dateCol, idCol = "t0.date", "t0.message"
		b.WriteString("SELECT t0.message, t0.date FROM terms t0 JOIN messages m ON m.id = t0.message")
		where = append(where, "t0.tag "+tagMatch(conds[0]))
		args = append(args, conds[0].tag)
		for _, c := range conds[1:] {
			where = append(where, "EXISTS (SELECT 1 FROM terms tx WHERE tx.tag "+tagMatch(c)+" AND tx.date = t0.date AND tx.message = t0.message)")
			args = append(args, c.tag)
		}
	} else {
		b.WriteString("SELECT m.id, m.date FROM messages m")
	}

	switch {
	case q.Folder != "" && q.Account != "":
		where = append(where, "m.folder_id IN (SELECT id FROM folders WHERE account_tag = ? AND name_tag = ?)")
		args = append(args, keys.tag(domainAccount, []byte(q.Account)), keys.tag(domainFolder, []byte(q.Folder)))
	case q.Folder != "":
		where = append(where, "m.folder_id IN (SELECT id FROM folders WHERE name_tag = ?)")
		args = append(args, keys.tag(domainFolder, []byte(q.Folder)))
	case q.Account != "":
		where = append(where, "m.folder_id IN (SELECT id FROM folders WHERE account_tag = ?)")
		args = append(args, keys.tag(domainAccount, []byte(q.Account)))
	}
	if !q.Since.IsZero() {
		where = append(where, dateCol+" >= ?")
		args = append(args, q.Since.Unix())
	}
	if !q.Before.IsZero() {
		where = append(where, dateCol+" < ?")
		args = append(args, q.Before.Unix())
	}
	if q.Encrypted != nil {
		where = append(where, "m.encrypted = ?")
		args = append(args, boolInt(*q.Encrypted))
	}

	if len(where) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(strings.Join(where, " AND "))
	}
	fmt.Fprintf(&b, " ORDER BY %s DESC, %s DESC", dateCol, idCol)
	if limit == 0 {
		limit = -1 // SQLite: no limit
	}
	b.WriteString(" LIMIT ? OFFSET ?")
	args = append(args, limit, offset)
	return b.String(), args
}

// searchByPrefix runs a query whose text filters are all prefixes. One
// query over every word of the prefix at once would have to sort all
// their rows, so it runs the query once per word of the first prefix,
// each stopping after offset+limit rows in date order, and merges.
func searchByPrefix(tx *sql.Tx, keys sealer, q *Query, conds []condition) ([]int64, error) {
	words, err := selectTags(tx, `SELECT word_tag FROM prefixes WHERE prefix_tag = ?`, conds[0].tag)
	if err != nil {
		return nil, err
	}
	perWord := 0
	if q.Limit > 0 {
		perWord = q.Offset + q.Limit
	}
	driver := append([]condition{{}}, conds[1:]...)
	query, args := buildSearch(keys, q, driver, 0, perWord)
	stmt, err := tx.Prepare(query)
	if err != nil {
		return nil, fmt.Errorf("cache: search: %w", err)
	}
	defer stmt.Close()

	seen := make(map[int64]bool)
	var hits []hit
	for _, word := range words {
		args[0] = word
		rows, err := stmt.Query(args...)
		if err != nil {
			return nil, fmt.Errorf("cache: search: %w", err)
		}
		found, err := scanHits(rows)
		if err != nil {
			return nil, err
		}
		for _, h := range found {
			if !seen[h.id] {
				seen[h.id] = true
				hits = append(hits, h)
			}
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.date != b.date {
			return cmpInt64(b.date, a.date)
		}
		return cmpInt64(b.id, a.id)
	})
	if q.Offset >= len(hits) {
		return nil, nil
	}
	hits = hits[q.Offset:]
	if q.Limit > 0 && len(hits) > q.Limit {
		hits = hits[:q.Limit]
	}
	return hitIDs(hits), nil
}

// hit is one matching message and its date, the sort key of results.
type hit struct{ id, date int64 }

func hitIDs(hits []hit) []int64 {
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.id
	}
	return ids
}

func selectHits(tx *sql.Tx, query string, args []any) ([]hit, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("cache: search: %w", err)
	}
	return scanHits(rows)
}

func scanHits(rows *sql.Rows) ([]hit, error) {
	defer rows.Close()
	var hits []hit
	for rows.Next() {
		var h hit
		if err := rows.Scan(&h.id, &h.date); err != nil {
			return nil, fmt.Errorf("cache: search: %w", err)
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cache: search: %w", err)
	}
	return hits, nil
}

func selectTags(tx *sql.Tx, query string, args ...any) ([]int64, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("cache: search: %w", err)
	}
	defer rows.Close()
	var tags []int64
	for rows.Next() {
		var t int64
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("cache: search: %w", err)
		}
		tags = append(tags, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cache: search: %w", err)
	}
	return tags, nil
}

// tagMatch returns the SQL that tests a terms.tag column against c, with
// one parameter for c.tag.
func tagMatch(c condition) string {
	if c.prefix {
		return "IN (SELECT word_tag FROM prefixes WHERE prefix_tag = ?)"
	}
	return "= ?"
}

func selectIDs(tx *sql.Tx, query string, args []any) ([]int64, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("cache: search: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("cache: search: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cache: search: %w", err)
	}
	return ids, nil
}

// folderName is an opened folders row, kept while one call loads many
// summaries of the same folders.
type folderName struct{ account, name string }

func loadSummaries(tx *sql.Tx, keys sealer, ids []int64) ([]Summary, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	stmt, err := tx.Prepare(`SELECT m.folder_id, m.uid, m.flags, m.size, m.date, m.encrypted, m.summary, f.account, f.name, f.role
		FROM messages m JOIN folders f ON f.id = m.folder_id WHERE m.id = ?`)
	if err != nil {
		return nil, fmt.Errorf("cache: prepare summary read: %w", err)
	}
	defer stmt.Close()

	folders := make(map[int64]folderName)
	out := make([]Summary, 0, len(ids))
	for _, id := range ids {
		var (
			folderID, date int64
			flags          string
			sealed         []byte
			sa, sn, sr     []byte
			fields         summaryFields
		)
		sum := Summary{ID: id}
		if err := stmt.QueryRow(id).Scan(&folderID, &sum.UID, &flags, &sum.Size, &date, &sum.Encrypted, &sealed, &sa, &sn, &sr); err != nil {
			return nil, fmt.Errorf("cache: read summary of message %d: %w", id, err)
		}
		fn, ok := folders[folderID]
		if !ok {
			account, name, _, err := openFolderNames(keys, folderID, sa, sn, sr)
			if err != nil {
				return nil, err
			}
			fn = folderName{account, name}
			folders[folderID] = fn
		}
		plain, err := keys.open("messages", "summary", rowKey(id), sealed)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(plain, &fields); err != nil {
			return nil, fmt.Errorf("cache: decode summary of message %d: %w", id, err)
		}
		zero(plain)

		sum.Account, sum.Folder = fn.account, fn.name
		sum.Flags = decodeFlags(flags)
		sum.Date = time.Unix(date, 0).UTC()
		sum.MessageID = fields.MessageID
		sum.From = fields.From
		sum.To = fields.To
		sum.Cc = fields.Cc
		sum.Subject = fields.Subject
		sum.HasAttachments = fields.HasAttachments
		out = append(out, sum)
	}
	return out, nil
}
