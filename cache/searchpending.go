package cache

import (
	"database/sql"
	"fmt"
	"strings"
)

// searchPending returns the messages still waiting for their postings
// (indexed = 0) that match q's filters and every condition of conds. It
// opens their sealed tag lists and matches them in memory, so a search
// finds them without writing their postings first. At most
// flushThreshold messages wait after a store commits and after unlock.
func searchPending(tx *sql.Tx, keys sealer, q *Query, conds []condition) ([]hit, error) {
	where, args := appendFilters([]string{"m.indexed = 0"}, nil, keys, q, "m.date")
	rows, err := tx.Query(`SELECT m.id, m.date, m.terms FROM messages m WHERE `+strings.Join(where, " AND "), args...)
	if err != nil {
		return nil, fmt.Errorf("cache: search messages waiting for the index: %w", err)
	}
	type pendingRow struct {
		hit
		sealed []byte
	}
	var pending []pendingRow
	for rows.Next() {
		var p pendingRow
		if err := rows.Scan(&p.id, &p.date, &p.sealed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("cache: search messages waiting for the index: %w", err)
		}
		if p.sealed != nil {
			pending = append(pending, p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cache: search messages waiting for the index: %w", err)
	}
	if len(pending) == 0 {
		return nil, nil
	}

	m, err := newTagMatcher(tx, conds)
	if err != nil {
		return nil, err
	}
	var hits []hit
	for _, p := range pending {
		plain, err := keys.open("messages", "terms", rowKey(p.id), p.sealed)
		if err != nil {
			return nil, err
		}
		tags, err := decodeTags(plain)
		if err != nil {
			return nil, err
		}
		if m.matches(tags) {
			hits = append(hits, p.hit)
		}
	}
	return hits, nil
}

// tagMatcher tests a message's tag list against the conditions of a
// query as the terms table would after a flush. A word condition needs
// its tag in the list. A prefix condition needs any word tag that the
// prefix dictionary lists under the prefix tag.
type tagMatcher struct {
	conds []condition
	// words holds the word tags of each prefix condition, by index in
	// conds, and nil for word conditions.
	words []map[int64]struct{}
	met   []bool
}

func newTagMatcher(tx *sql.Tx, conds []condition) (*tagMatcher, error) {
	m := &tagMatcher{conds: conds, words: make([]map[int64]struct{}, len(conds)), met: make([]bool, len(conds))}
	for i, c := range conds {
		if !c.prefix {
			continue
		}
		tags, err := selectTags(tx, queryPrefixWords, c.tag)
		if err != nil {
			return nil, err
		}
		set := make(map[int64]struct{}, len(tags))
		for _, t := range tags {
			set[t] = struct{}{}
		}
		m.words[i] = set
	}
	return m, nil
}

// matches reports whether tags meet every condition.
func (m *tagMatcher) matches(tags []int64) bool {
	clear(m.met)
	left := len(m.conds)
	for _, t := range tags {
		for i, c := range m.conds {
			if m.met[i] {
				continue
			}
			var hit bool
			if c.prefix {
				_, hit = m.words[i][t]
			} else {
				hit = t == c.tag
			}
			if hit {
				m.met[i] = true
				left--
			}
		}
		if left == 0 {
			return true
		}
	}
	return false
}
