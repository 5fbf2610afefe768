package account

import (
	"testing"
)

// TestStackSyncConvergesAcrossCuts syncs through a proxy that cuts every
// connection after a random number of bytes, until a sync completes, and
// then checks that the cache matches the server and that no message was
// stored twice.
func TestStackSyncConvergesAcrossCuts(t *testing.T) {
	f := newSyncFixture(t, ImplicitTLS)
	st, cfg, cred, folder, other := f.stack, f.cfg, f.cred, f.folder, f.other
	const n = 40
	f.fill(t, n, "c", func(i int) int { return (i % 8) * 4000 })

	proxy := startCutProxy(t, st.Addr(st.Ports.IMAPS), 60000)
	proxied := *cfg
	proxied.IMAP.Port = proxy.port
	store := newMemStore()
	s := NewSyncer(&proxied, cred, store)
	defer s.Close()

	var completed bool
	for round := 0; round < 300 && !completed; round++ {
		report, err := s.SyncFolder(testContext(t), folder, nil)
		completed = err == nil && report.Err() == nil && len(store.messages(cfg.ID, folder)) == n
	}
	if proxy.cuts.Load() == 0 {
		t.Fatal("the proxy never cut a connection; the test proves nothing")
	}
	t.Logf("%d connections cut", proxy.cuts.Load())

	proxy.cutting.Store(false)
	mustSyncFolder(t, s, folder)
	assertConverged(t, other, store, cfg.ID, folder)
	if store.Data.Puts != 2*n {
		t.Errorf("store received %d messages, want %d (one header and one body each)", store.Data.Puts, 2*n)
	}
}
