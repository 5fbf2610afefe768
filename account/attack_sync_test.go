package account

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"securemail/cache"
)

// faultyStore is a memStore whose SetFlags and PutMessage fail for the
// UIDs in failFlags and failPut while those sets are not empty.
type faultyStore struct {
	*memStore
	mu        sync.Mutex
	failFlags map[uint32]bool
	failPut   map[uint32]bool
}

var errStoreFault = errors.New("injected store fault")

func (s *faultyStore) SetFlags(account, folder string, uid uint32, flags []string, modSeq uint64) error {
	s.mu.Lock()
	fail := s.failFlags[uid]
	s.mu.Unlock()
	if fail {
		return errStoreFault
	}
	return s.memStore.SetFlags(account, folder, uid, flags, modSeq)
}

func (s *faultyStore) PutMessage(m *cache.Message) error {
	s.mu.Lock()
	fail := s.failPut[m.UID]
	s.mu.Unlock()
	if fail {
		return errStoreFault
	}
	return s.memStore.PutMessage(m)
}

func (s *faultyStore) heal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failFlags, s.failPut = nil, nil
}

// errorUIDs returns the UIDs the report names in its message errors.
func errorUIDs(report *Report) []uint32 {
	var uids []uint32
	for _, e := range report.MessageErrors {
		uids = append(uids, e.UID)
	}
	slices.Sort(uids)
	return uids
}

// TestAttackSyncPutErrorIsRetried fails the store for two messages of a
// first sync. The report must name exactly those two, and the next sync
// must fetch them, because the folder's marks were not advanced.
func TestAttackSyncPutErrorIsRetried(t *testing.T) {
	ca := newTestCA(t)
	server := startMemIMAP(t, ca, ImplicitTLS)
	for i := 1; i <= 120; i++ { // more than one store batch
		server.appendMessage(t, "INBOX", testMessage(i, 100))
	}
	store := &faultyStore{memStore: newMemStore(), failPut: map[uint32]bool{7: true, 110: true}}
	s := NewSyncer(testConfig(ca, server.addr, ImplicitTLS), Password(testPassword), store)
	defer s.Close()

	report, err := s.SyncFolder(testContext(t), "INBOX", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := errorUIDs(report); !slices.Equal(got, []uint32{7, 110}) {
		t.Errorf("report names UIDs %v, want [7 110]", got)
	}
	if _, ok := store.messages("acct", "INBOX")[7]; ok {
		t.Error("UID 7 is cached although the store failed it")
	}

	store.heal()
	mustSyncFolder(t, s, "INBOX")
	cached := store.messages("acct", "INBOX")
	if len(cached) != 120 {
		t.Errorf("cache has %d messages after the retry, want 120", len(cached))
	}
	for _, uid := range []uint32{7, 110} {
		if m := cached[uid]; m == nil || m.HeaderOnly {
			t.Errorf("UID %d not fetched whole by the next sync", uid)
		}
	}
}

// TestAttackStackFlagErrorIsRetried fails the store of one flag change
// that arrives through CONDSTORE. The next sync must still bring that
// flag, so the folder's HIGHESTMODSEQ must not move past a change that
// was not stored.
func TestAttackStackFlagErrorIsRetried(t *testing.T) {
	f := newSyncFixture(t, ImplicitTLS)
	cfg, cred, folder, other := f.cfg, f.cred, f.folder, f.other
	f.fill(t, 3, "f", func(int) int { return 200 })

	store := &faultyStore{memStore: newMemStore()}
	s := NewSyncer(cfg, cred, store)
	defer s.Close()
	mustSyncFolder(t, s, folder)
	if store.Data.Folders[folderKey(cfg.ID, folder)].HighestModSeq == 0 {
		t.Fatal("no HIGHESTMODSEQ recorded: the server must offer CONDSTORE for this test")
	}

	if _, err := other.Select(folder, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	flagged := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged}, Silent: true}
	if err := other.Store(imap.UIDSetNum(1, 2), flagged, nil).Close(); err != nil {
		t.Fatal(err)
	}

	store.mu.Lock()
	store.failFlags = map[uint32]bool{2: true}
	store.mu.Unlock()
	report, err := s.SyncFolder(testContext(t), folder, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := errorUIDs(report); !slices.Equal(got, []uint32{2}) {
		t.Errorf("report names UIDs %v, want [2]", got)
	}

	store.heal()
	mustSyncFolder(t, s, folder)
	assertConverged(t, other, store.memStore, cfg.ID, folder)
}

// blockingStore is a memStore whose first PutMessage waits until release
// is closed. After closed is set, any store call is counted as a write
// to a closed store.
type blockingStore struct {
	*memStore
	entered chan struct{}
	release chan struct{}
	once    sync.Once

	mu          sync.Mutex
	closed      bool
	lateWrites  int
	storedCount int
}

func (s *blockingStore) PutMessage(m *cache.Message) error {
	s.once.Do(func() {
		close(s.entered)
		<-s.release
	})
	s.mu.Lock()
	if s.closed {
		s.lateWrites++
	}
	s.storedCount++
	s.mu.Unlock()
	return s.memStore.PutMessage(m)
}

func (s *blockingStore) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
}

// TestAttackSyncCancelDuringStore cancels a sync while a batch is being
// stored. SyncFolder must return the cancellation, wait for the batch in
// flight, report what was stored, and leave no goroutine that writes
// after it returned.
func TestAttackSyncCancelDuringStore(t *testing.T) {
	ca := newTestCA(t)
	server := startMemIMAP(t, ca, ImplicitTLS)
	for i := 1; i <= 250; i++ { // three store batches of headers
		server.appendMessage(t, "INBOX", testMessage(i, 100))
	}
	store := &blockingStore{memStore: newMemStore(), entered: make(chan struct{}), release: make(chan struct{})}
	s := NewSyncer(testConfig(ca, server.addr, ImplicitTLS), Password(testPassword), store)
	defer s.Close()

	ctx, cancel := context.WithCancel(testContext(t))
	type result struct {
		report *Report
		err    error
	}
	done := make(chan result, 1)
	go func() {
		report, err := s.SyncFolder(ctx, "INBOX", nil)
		done <- result{report, err}
	}()
	<-store.entered
	cancel()
	select {
	case <-done:
		t.Fatal("SyncFolder returned while a batch was still being stored")
	case <-time.After(200 * time.Millisecond):
	}
	close(store.release)
	res := <-done
	store.close()

	if !errors.Is(res.err, context.Canceled) && (res.report == nil || !errors.Is(res.report.Err(), context.Canceled)) {
		t.Errorf("SyncFolder error %v, report error %v; want the cancellation", res.err, reportErr(res.report))
	}
	store.mu.Lock()
	stored := store.storedCount
	store.mu.Unlock()
	if res.report != nil && res.report.Headers != stored {
		t.Errorf("report counts %d headers, store received %d", res.report.Headers, stored)
	}
	time.Sleep(100 * time.Millisecond)
	store.mu.Lock()
	defer store.mu.Unlock()
	if store.lateWrites != 0 {
		t.Errorf("%d messages were written after SyncFolder returned", store.lateWrites)
	}
	if folder := store.Data.Folders[folderKey("acct", "INBOX")]; folder.UIDNext != 0 {
		t.Errorf("folder marked synced up to UIDNEXT %d after a cancelled sync", folder.UIDNext)
	}
}

func reportErr(r *Report) error {
	if r == nil {
		return nil
	}
	return r.Err()
}

// TestAttackSyncDuplicateUIDs has a hostile server reply to each FETCH of
// UID 2 with two responses for UID 2 of different text and one for a UID
// that was not requested. The cache must hold one copy of each requested
// UID, the first the server sent, and nothing else.
func TestAttackSyncDuplicateUIDs(t *testing.T) {
	ca := newTestCA(t)
	original := fakeMessage(2)
	if !strings.Contains(original, "Subject: ") {
		t.Fatal("test message has no Subject field to change")
	}
	server := startFakeIMAP(t, ca, func(uid uint32, headerOnly bool) string {
		if uid != 2 {
			return ""
		}
		request := "BODY.PEEK[]"
		if headerOnly {
			request = "BODY.PEEK[HEADER]"
		}
		first := fetchResponse(2, headerOnly, request)
		// The same length keeps the literal's size right.
		second := strings.Replace(first, "Subject: ", "Subject:X", 1)
		return first + second + fetchResponse(9, headerOnly, request)
	})
	store := newMemStore()
	s := NewSyncer(testConfig(ca, &net.TCPAddr{Port: server.port}, ImplicitTLS), Password(testPassword), store)
	defer s.Close()
	mustSyncFolder(t, s, "INBOX")

	cached := store.messages("acct", "INBOX")
	if len(cached) != 3 {
		t.Errorf("cache has UIDs %v, want 1 to 3", keys(cached))
	}
	if m := cached[2]; m == nil || m.HeaderOnly || string(m.Raw) != original {
		t.Error("UID 2 is not the first copy the server sent, whole")
	}
	if store.Data.Puts > 6 {
		t.Errorf("store received %d puts for 3 messages, header and body each", store.Data.Puts)
	}
}
