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
// Search only reads, so it neither waits for nor holds up a sync that
// writes at the same time.
func (s *Store) Search(q Query) ([]Summary, error) {
	if q.Offset < 0 || q.Limit < 0 {
		return nil, fmt.Errorf("%w: offset %d and limit %d must not be negative", ErrInvalidQuery, q.Offset, q.Limit)
	}
	var out []Summary
	err := s.inReadTx(func(tx *sql.Tx, keys sealer) error {
		conds, err := queryConditions(keys, &q)
		if err != nil {
			return err
		}
		var ids []int64
		if len(conds) > 0 {
			ids, err = searchText(tx, keys, &q, conds)
		} else {
			query, args := buildSearch(keys, &q, nil, q.Offset, q.Limit)
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

// searchText returns the page of q's matches for text conditions. The
// terms table has the postings of indexed messages only, so it adds the
// pending messages that searchPending matches. The postings a pending
// message kept from an earlier version are a subset of its tag list, so
// a message that the table finds is also among the pending matches, and
// the merge drops the copy.
func searchText(tx *sql.Tx, keys sealer, q *Query, conds []condition) ([]int64, error) {
	pending, err := searchPending(tx, keys, q, conds)
	if err != nil {
		return nil, err
	}
	offset, limit := q.Offset, q.Limit
	if len(pending) > 0 {
		// The page can start among the pending matches, so the table
		// query returns everything up to the end of the page.
		offset = 0
		if limit > 0 {
			limit += q.Offset
		}
	}

	var hits []hit
	if conds[0].prefix {
		hits, err = searchByPrefix(tx, keys, q, conds, offset, limit)
	} else {
		query, args := buildSearch(keys, q, conds, offset, limit)
		hits, err = selectHits(tx, query, args)
	}
	if err != nil || len(pending) == 0 {
		return hitIDs(hits), err
	}
	return hitIDs(pageHits(mergeHits(hits, pending), q.Offset, q.Limit)), nil
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

	where, args = appendFilters(where, args, keys, q, dateCol)

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

// appendFilters adds the folder, account, date and encryption filters of
// q to a WHERE clause over messages m, with dateCol as the date column.
func appendFilters(where []string, args []any, keys sealer, q *Query, dateCol string) ([]string, []any) {
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
	return where, args
}

// searchByPrefix runs a query whose text filters are all prefixes and
// returns the page of hits from offset, at most limit long (0: all). One
// query over every word of the prefix at once would have to sort all
// their rows, so it runs the query once per word of the first prefix,
// each stopping after offset+limit rows in date order, and merges.
func searchByPrefix(tx *sql.Tx, keys sealer, q *Query, conds []condition, offset, limit int) ([]hit, error) {
	words, err := selectTags(tx, queryPrefixWords, conds[0].tag)
	if err != nil {
		return nil, err
	}
	perWord := 0
	if limit > 0 {
		perWord = offset + limit
	}
	driver := append([]condition{{}}, conds[1:]...)
	query, args := buildSearch(keys, q, driver, 0, perWord)
	stmt, err := tx.Prepare(query)
	if err != nil {
		return nil, fmt.Errorf("cache: search: %w", err)
	}
	defer stmt.Close()

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
		hits = append(hits, found...)
	}
	return pageHits(mergeHits(hits, nil), offset, limit), nil
}

// queryPrefixWords lists the word tags of the prefix dictionary under one
// prefix tag.
const queryPrefixWords = `SELECT word_tag FROM prefixes WHERE prefix_tag = ?`

// mergeHits returns the hits of a and b without repeats, newest first and
// then by descending id, the order of every search result. It reorders a.
func mergeHits(a, b []hit) []hit {
	hits := append(a, b...)
	slices.SortFunc(hits, func(x, y hit) int {
		if x.date != y.date {
			return cmpInt64(y.date, x.date)
		}
		return cmpInt64(y.id, x.id)
	})
	// Copies of one message carry the same date, so they are adjacent.
	return slices.CompactFunc(hits, func(x, y hit) bool { return x.id == y.id })
}

// pageHits returns the hits from offset on, at most limit of them, or all
// of them for limit 0.
func pageHits(hits []hit, offset, limit int) []hit {
	if offset >= len(hits) {
		return nil
	}
	hits = hits[offset:]
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	return hits
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
