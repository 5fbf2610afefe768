package account

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"

	"securemail/cache"
	"securemail/internal/testenv"
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
	for i := 0; i < 3; i++ {
		appendRaw(t, other, folder, stackMessage("a@clinic.test", user.Address, fmt.Sprintf("f%d-%s", i, uniqueID(t)), 200))
	}

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
