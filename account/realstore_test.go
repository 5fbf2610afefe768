package account

import (
	"bytes"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"securemail/cache"
)

// *cache.Store is the store sync and the outbox write to in the product.
var (
	_ Store       = (*cache.Store)(nil)
	_ OutboxStore = (*cache.Store)(nil)
	_ batchStore  = (*cache.Store)(nil)
)

// testKeyring is an in-memory OS keyring for the vault; the cache
// package's own tests cover the real Secret Service.
type testKeyring struct {
	mu      sync.Mutex
	secrets map[string]string
}

func (k *testKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.secrets[service+"\x00"+user]
	if !ok {
		return "", cache.ErrKeyringEntryMissing
	}
	return s, nil
}

func (k *testKeyring) Set(service, user, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.secrets[service+"\x00"+user] = secret
	return nil
}

func (k *testKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.secrets, service+"\x00"+user)
	return nil
}

// newCacheStore creates a sealed store in a temporary profile, with small
// Argon2 parameters because the defaults are tested in package cache.
func newCacheStore(tb testing.TB, dir string) *cache.Store {
	tb.Helper()
	options := cache.Options{
		Keyring: &testKeyring{secrets: map[string]string{}},
		KDF:     cache.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1},
		Sleep:   func(time.Duration) {},
	}
	vault, err := cache.Create(filepath.Join(dir, "profile"), "default", []byte("vault passphrase"), cache.ModeDeviceSecret, options)
	if err != nil {
		tb.Fatalf("cache.Create: %v", err)
	}
	tb.Cleanup(func() { vault.Lock() })
	return vault.Store()
}

func cachedRaw(t *testing.T, store *cache.Store, account, folder string) map[uint32][]byte {
	t.Helper()
	summaries, err := store.List(account, folder, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint32][]byte{}
	for _, s := range summaries {
		m, err := store.Message(s.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[m.UID] = m.Raw
	}
	return out
}

func TestCacheStoreSync(t *testing.T) {
	ca := newTestCA(t)
	server := startMemIMAP(t, ca, ImplicitTLS)
	for i := 1; i <= 150; i++ { // more than one store transaction
		server.appendMessage(t, "INBOX", testMessage(i, 20*i))
	}
	store := newCacheStore(t, t.TempDir())
	s := NewSyncer(testConfig(ca, server.addr, ImplicitTLS), Password(testPassword), store)
	defer s.Close()
	report := syncOK(t, s)
	if report.Headers != 150 || report.Bodies != 150 {
		t.Errorf("fetched %d headers and %d bodies, want 150 each", report.Headers, report.Bodies)
	}

	raw := cachedRaw(t, store, "acct", "INBOX")
	if len(raw) != 150 {
		t.Fatalf("sealed store lists %d messages, want 150", len(raw))
	}
	for uid, b := range raw {
		if !bytes.Equal(b, testMessage(int(uid), 20*int(uid))) {
			t.Errorf("UID %d differs after a round trip through the sealed store", uid)
		}
	}

	if err := s.MarkRead(testContext(t), "INBOX", []uint32{7}, true); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(testContext(t), "INBOX", []uint32{8}); err != nil {
		t.Fatal(err)
	}
	report = syncOK(t, s)
	states, err := store.UIDStates("acct", "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 149 {
		t.Errorf("INBOX has %d messages after a delete, want 149", len(states))
	}
	for _, st := range states {
		if st.UID == 7 && !sameFlags(st.Flags, []string{string(imap.FlagSeen)}) {
			t.Errorf("UID 7 flags %v, want \\Seen", st.Flags)
		}
	}
	if trash, _ := store.UIDStates("acct", "Trash"); len(trash) != 1 {
		t.Errorf("Trash has %d messages, want the deleted one", len(trash))
	}
}

func TestCacheStoreOutbox(t *testing.T) {
	f := newOutboxFixture(t, StartTLS, false)
	store := newCacheStore(t, t.TempDir())
	syncer := NewSyncer(f.cfg, Password(testPassword), store)
	defer syncer.Close()
	outbox := NewOutbox(f.cfg, Password(testPassword), store, syncer)
	it := outboxItem(1)
	if err := outbox.Enqueue(it); err != nil {
		t.Fatal(err)
	}
	if err := outbox.Flush(testContext(t)); err != nil {
		t.Fatal(err)
	}
	got, err := store.OutboxGet(it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != cache.OutboxDone || len(f.smtp.received()) != 1 {
		t.Errorf("state %v with %d sent, want Done and 1", got.State, len(f.smtp.received()))
	}
}
