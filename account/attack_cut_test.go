package account

import (
	"bytes"
	"testing"

	"github.com/emersion/go-imap/v2"

	"securemail/cache"
)

// TestAttackStackCutsRealStore syncs through a proxy that cuts every
// connection at a random byte, into the sealed store, whose batch writes,
// prepared messages and store goroutine the memStore variant of this test
// does not use. Once a sync completes, the cache must match the server,
// each message must be found once by its own subject word, and the
// folder counts must match.
func TestAttackStackCutsRealStore(t *testing.T) {
	f := newSyncFixture(t, ImplicitTLS)
	st, cfg, cred, folder, other := f.stack, f.cfg, f.cred, f.folder, f.other
	const n = 30
	ids := f.fill(t, n, "k", func(i int) int { return (i % 6) * 5000 })

	proxy := startCutProxy(t, st.Addr(st.Ports.IMAPS), 50000)
	proxied := *cfg
	proxied.IMAP.Port = proxy.port
	store := newCacheStore(t, t.TempDir())
	s := NewSyncer(&proxied, cred, store)
	defer s.Close()

	var completed bool
	for round := 0; round < 300 && !completed; round++ {
		report, err := s.SyncFolder(testContext(t), folder, nil)
		completed = err == nil && report.Err() == nil
	}
	if proxy.cuts.Load() == 0 {
		t.Fatal("the proxy never cut a connection; the test proves nothing")
	}
	t.Logf("%d connections cut", proxy.cuts.Load())
	proxy.cutting.Store(false)
	mustSyncFolder(t, s, folder)

	if _, err := other.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := other.Fetch(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, &imap.FetchOptions{
		UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	cached := cachedRaw(t, store, cfg.ID, folder)
	if len(cached) != len(msgs) {
		t.Errorf("cache has %d messages, server %d", len(cached), len(msgs))
	}
	for _, m := range msgs {
		if !bytes.Equal(cached[uint32(m.UID)], m.BodySection[0].Bytes) {
			t.Errorf("UID %d cached bytes differ from the server", m.UID)
		}
	}

	for _, id := range ids {
		res, err := store.Search(cache.Query{Account: cfg.ID, Folder: folder, Words: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 1 {
			t.Errorf("subject word %s finds %d messages, want 1", id, len(res))
		}
	}
	folders, err := store.Folders(cfg.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range folders {
		if f.Name == folder && (f.Total != n || f.Unread != n) {
			t.Errorf("folder counts total %d unread %d, want %d and %d", f.Total, f.Unread, n, n)
		}
	}
}
