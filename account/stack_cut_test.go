package account

import (
	"fmt"
	"testing"

	"securemail/internal/testenv"
)

// TestStackSyncConvergesAcrossCuts syncs through a proxy that cuts every
// connection after a random number of bytes, until a sync completes, and
// then checks that the cache matches the server and that no message was
// stored twice.
func TestStackSyncConvergesAcrossCuts(t *testing.T) {
	st := testenv.Stack(t)
	user := st.User(t, stackSyncUser)
	cfg := stackConfig(st, user, ImplicitTLS, ImplicitTLS)
	cred := Password(user.Password)
	folder := stackFolder(t, cfg, cred)

	other, err := DialIMAP(testContext(t), cfg, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	const n = 40
	for i := 0; i < n; i++ {
		appendRaw(t, other, folder, stackMessage("a@clinic.test", user.Address, fmt.Sprintf("c%d-%s", i, uniqueID(t)), (i%8)*4000))
	}

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
