package ui

import (
	"sync"

	"securemail/cache"
)

// pageSize is the number of summaries fetched at once. Each summary is
// opened from its sealed record, which a CPU profile of the benchmark
// in docs/benchmarks-gui.md put at about 0.1 ms. So a page is kept near
// one screen of rows, and a 760-pixel window shows about 20. A taller
// window needs two pages for its first screen.
const pageSize = 50

// maxPages bounds the pages kept in memory; the least recently used page
// is dropped first. That is at most 4,000 summaries however large the
// folder is.
const maxPages = 80

// pageLoader fetches one page of summaries, newest first.
type pageLoader func(offset, limit int) ([]cache.Summary, error)

// pager keeps pages of a message list so that a widget.List can show any
// row of a large folder while only a few pages are in memory. Rows that
// are not loaded yet come back as not ready, and a background load calls
// onLoaded when their page arrives.
type pager struct {
	spawn    func(func())
	load     pageLoader
	onLoaded func(err error)

	mu      sync.Mutex
	pages   map[int][]cache.Summary
	order   []int // page numbers, least recently used first
	pending map[int]bool
	// generation changes on reset so that late loads for an old folder
	// are dropped.
	generation int
}

func newPager(spawn func(func()), load pageLoader, onLoaded func(err error)) *pager {
	return &pager{
		spawn:    spawn,
		load:     load,
		onLoaded: onLoaded,
		pages:    map[int][]cache.Summary{},
		pending:  map[int]bool{},
	}
}

// row returns row i if its page is loaded, and otherwise starts loading
// the page and returns false.
func (p *pager) row(i int) (cache.Summary, bool) {
	page := i / pageSize
	p.mu.Lock()
	defer p.mu.Unlock()

	if rows, ok := p.pages[page]; ok {
		p.touch(page)
		if i%pageSize < len(rows) {
			return rows[i%pageSize], true
		}
		return cache.Summary{}, false
	}
	if !p.pending[page] {
		p.pending[page] = true
		generation := p.generation
		// spawn may run the fetch at once (in tests), so release the lock
		// first.
		p.mu.Unlock()
		p.spawn(func() { p.fetch(page, generation) })
		p.mu.Lock()
		if rows, ok := p.pages[page]; ok && i%pageSize < len(rows) {
			return rows[i%pageSize], true
		}
	}
	return cache.Summary{}, false
}

func (p *pager) fetch(page, generation int) {
	rows, err := p.load(page*pageSize, pageSize)

	p.mu.Lock()
	if generation != p.generation {
		p.mu.Unlock()
		return
	}
	delete(p.pending, page)
	if err == nil {
		p.pages[page] = rows
		p.touch(page)
		p.evict()
	}
	p.mu.Unlock()

	p.onLoaded(err)
}

// put stores rows as page, for a page fetched ahead of time.
func (p *pager) put(page int, rows []cache.Summary) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pages[page] = rows
	delete(p.pending, page)
	p.touch(page)
	p.evict()
}

// touch marks page as most recently used. The caller holds p.mu.
func (p *pager) touch(page int) {
	for i, n := range p.order {
		if n == page {
			p.order = append(p.order[:i], p.order[i+1:]...)
			break
		}
	}
	p.order = append(p.order, page)
}

// evict drops the least recently used pages beyond maxPages. The caller
// holds p.mu.
func (p *pager) evict() {
	for len(p.order) > maxPages {
		delete(p.pages, p.order[0])
		p.order = p.order[1:]
	}
}

// find returns the loaded row of message id, if any.
func (p *pager) find(id int64) (cache.Summary, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, rows := range p.pages {
		for _, r := range rows {
			if r.ID == id {
				return r, true
			}
		}
	}
	return cache.Summary{}, false
}

// update calls change on the loaded row of message id, if any, so that a
// change the user made shows without loading the page again.
func (p *pager) update(id int64, change func(*cache.Summary)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, rows := range p.pages {
		for i := range rows {
			if rows[i].ID == id {
				change(&rows[i])
			}
		}
	}
}

// reset drops every page, for a new folder or after a lock.
func (p *pager) reset(load pageLoader) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.load = load
	p.pages = map[int][]cache.Summary{}
	p.order = nil
	p.pending = map[int]bool{}
	p.generation++
}

// loadedPages returns the number of pages in memory.
func (p *pager) loadedPages() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pages)
}
