package account

import (
	"io"
	"net"
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

// startRecordCutProxy forwards connections to target. On its first
// connection it closes both sides at the first TLS record boundary after
// limit bytes from the server, as a network that drops between two
// records does. crypto/tls reports an end of stream there as a plain
// io.EOF, so the client sees a clean end inside whatever it was reading.
func startRecordCutProxy(t *testing.T, target string, limit int) *cutProxy {
	t.Helper()
	p := &cutProxy{}
	p.cutting.Store(true)
	p.port = listenLoopback(t, func(client net.Conn) {
		server, err := net.Dial("tcp", target)
		if err != nil {
			client.Close()
			return
		}
		if !p.cutting.CompareAndSwap(true, false) {
			pipe(client, server)
			return
		}
		go func() { io.Copy(server, client); server.Close() }()
		defer client.Close()
		defer server.Close()
		header := make([]byte, 5)
		for forwarded := 0; forwarded < limit; {
			if _, err := io.ReadFull(server, header); err != nil {
				return
			}
			record := make([]byte, 5+int(header[3])<<8+int(header[4]))
			copy(record, header)
			if _, err := io.ReadFull(server, record[5:]); err != nil {
				return
			}
			if _, err := client.Write(record); err != nil {
				return
			}
			forwarded += len(record)
		}
		p.cuts.Add(1)
	})
	return p
}

// TestStackCutBetweenRecordsInBody cuts the connection between two TLS
// records in the middle of a message's literal. The message must not be
// stored cut short: the sync fetches it again and the cache matches the
// server byte for byte.
func TestStackCutBetweenRecordsInBody(t *testing.T) {
	f := newSyncFixture(t, ImplicitTLS)
	f.fill(t, 1, "r", func(int) int { return 300_000 })

	proxy := startRecordCutProxy(t, f.stack.Addr(f.stack.Ports.IMAPS), 150_000)
	proxied := *f.cfg
	proxied.IMAP.Port = proxy.port
	store := newMemStore()
	s := NewSyncer(&proxied, f.cred, store)
	defer s.Close()

	for round := 0; round < 3; round++ {
		report, err := s.SyncFolder(testContext(t), f.folder, nil)
		if err == nil && report.Err() == nil {
			break
		}
	}
	if proxy.cuts.Load() != 1 {
		t.Fatalf("the proxy cut %d connections, want 1; the test proves nothing", proxy.cuts.Load())
	}
	assertConverged(t, f.other, store, f.cfg.ID, f.folder)
}
