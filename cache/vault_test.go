package cache

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"
)

// snapshot returns a hash of every file under dir, to prove that a
// failed call changed nothing on disk.
func snapshot(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := make(map[string][32]byte)
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = sha256.Sum256(b)
		return nil
	})
	return out
}

func TestVaultUnlockLockCycle(t *testing.T) {
	v, kr := newTestVault(t)
	id := mustPut(t, v.Store(), &Message{Account: "a", Folder: "INBOX", UID: 1, Raw: []byte("Subject: hello\r\n\r\nbody")})
	if v.Mode() != ModeDeviceSecret {
		t.Errorf("Mode = %v", v.Mode())
	}
	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	if !v.Locked() {
		t.Fatal("vault is not locked after Lock")
	}

	v2, err := Open(v.Dir(), "default", testOptions(kr))
	if err != nil {
		t.Fatal(err)
	}
	if !v2.Locked() {
		t.Fatal("Open returned an unlocked vault")
	}
	if err := v2.Unlock([]byte("correct horse")); err != nil {
		t.Fatal(err)
	}
	defer v2.Lock()
	m, err := v2.Store().Message(id)
	if err != nil || string(m.Raw) != "Subject: hello\r\n\r\nbody" {
		t.Errorf("Message after reopen = %v, %v", m, err)
	}
}

func TestVaultLockWipesKeys(t *testing.T) {
	v, _ := newTestVault(t)
	ks := v.Store().keys.(*keySet)
	ks.aead("messages", "raw")
	dataKey := ks.dataKey
	derived := append([][]byte(nil), ks.derived...)

	tmpFile := filepath.Join(v.TempDir(), "attachment.bin")
	if err := os.WriteFile(tmpFile, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := v.Lock(); err != nil {
		t.Fatal(err)
	}
	for i, k := range append(derived, dataKey) {
		for _, b := range k {
			if b != 0 {
				t.Fatalf("key %d is not zeroed after Lock", i)
			}
		}
	}
	if _, err := os.Stat(tmpFile); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temp file survived Lock: %v", err)
	}
}

func TestVaultUnlockErrorsChangeNothing(t *testing.T) {
	type setup func(t *testing.T, dir string, kr *memKeyring) (profile string, opts Options)
	defaults := func(t *testing.T, dir string, kr *memKeyring) (string, Options) { return "default", testOptions(kr) }

	for _, tc := range []struct {
		name       string
		passphrase string
		prepare    setup
		want       error
	}{
		{"wrong passphrase", "wrong", defaults, ErrWrongPassphrase},
		{"keyring unreachable", "correct horse", func(t *testing.T, dir string, kr *memKeyring) (string, Options) {
			kr.failWith = ErrKeyringUnavailable
			return "default", testOptions(kr)
		}, ErrKeyringUnavailable},
		{"keyring locked", "correct horse", func(t *testing.T, dir string, kr *memKeyring) (string, Options) {
			kr.failWith = ErrKeyringLocked
			return "default", testOptions(kr)
		}, ErrKeyringLocked},
		{"keyring entry missing", "correct horse", func(t *testing.T, dir string, kr *memKeyring) (string, Options) {
			kr.secrets = map[string]string{}
			return "default", testOptions(kr)
		}, ErrKeyringEntryMissing},
		{"keyring entry of another vault", "correct horse", func(t *testing.T, dir string, kr *memKeyring) (string, Options) {
			for k := range kr.secrets {
				kr.secrets[k] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
			}
			return "default", testOptions(kr)
		}, ErrKeyringMismatch},
		{"header from another profile", "correct horse", func(t *testing.T, dir string, kr *memKeyring) (string, Options) {
			return "other", testOptions(kr)
		}, ErrForeignHeader},
		{"corrupted header", "correct horse", func(t *testing.T, dir string, kr *memKeyring) (string, Options) {
			p := filepath.Join(dir, headerFile)
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 0x04
			os.WriteFile(p, b, 0o600)
			return "default", testOptions(kr)
		}, ErrCorruptHeader},
		{"truncated header", "correct horse", func(t *testing.T, dir string, kr *memKeyring) (string, Options) {
			p := filepath.Join(dir, headerFile)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o600)
			return "default", testOptions(kr)
		}, ErrCorruptHeader},
		{"missing header", "correct horse", func(t *testing.T, dir string, kr *memKeyring) (string, Options) {
			os.Remove(filepath.Join(dir, headerFile))
			return "default", testOptions(kr)
		}, ErrNoVault},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, kr := newTestVault(t)
			mustPut(t, v.Store(), &Message{Account: "a", Folder: "INBOX", UID: 1, Raw: []byte("Subject: x\r\n\r\ny")})
			v.Lock()
			profile, opts := tc.prepare(t, v.Dir(), kr)
			before := snapshot(t, v.Dir())

			v2, err := Open(v.Dir(), profile, opts)
			if err == nil {
				err = v2.Unlock([]byte(tc.passphrase))
			}
			wantErr(t, err, tc.want)
			if after := snapshot(t, v.Dir()); !reflect.DeepEqual(before, after) {
				t.Errorf("files changed after a failed unlock")
			}
		})
	}
}

func TestVaultFailedUnlockDelays(t *testing.T) {
	v, kr := newTestVault(t)
	v.Lock()

	var (
		slept  []time.Duration
		events []Event
	)
	opts := testOptions(kr)
	opts.Sleep = func(d time.Duration) { slept = append(slept, d) }
	opts.OnEvent = func(e Event) { events = append(events, e) }
	opts.Now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	v2, err := Open(v.Dir(), "default", opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6; i++ {
		wantErr(t, v2.Unlock([]byte("wrong")), ErrWrongPassphrase)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}
	if !reflect.DeepEqual(slept, want) {
		t.Errorf("delays = %v, expected %v", slept, want)
	}
	if len(events) != 6 || events[5].Kind != EventUnlockFailed || events[5].Failures != 6 || events[5].Delay != 8*time.Second {
		t.Errorf("last event = %+v of %d", events[len(events)-1], len(events))
	}
	if !errors.Is(events[0].Err, ErrWrongPassphrase) || events[0].Profile != "default" || events[0].Time.IsZero() {
		t.Errorf("first event = %+v", events[0])
	}

	if err := v2.Unlock([]byte("correct horse")); err != nil {
		t.Fatal(err)
	}
	if last := events[len(events)-1]; last.Kind != EventUnlocked {
		t.Errorf("event after success = %v", last.Kind)
	}
	v2.Lock()
	slept = nil
	wantErr(t, v2.Unlock([]byte("wrong")), ErrWrongPassphrase)
	if len(slept) != 0 {
		t.Errorf("a success did not reset the delay: slept %v", slept)
	}
}

func TestVaultDelayCap(t *testing.T) {
	v := &Vault{opts: Options{FreeAttempts: 3, MaxDelay: 30 * time.Second}}
	for failures, want := range map[int]time.Duration{0: 0, 2: 0, 3: time.Second, 7: 16 * time.Second, 8: 30 * time.Second, 1000: 30 * time.Second} {
		if got := v.delay(failures); got != want {
			t.Errorf("delay(%d) = %v, expected %v", failures, got, want)
		}
	}
}

func TestVaultChangePassphrase(t *testing.T) {
	v, kr := newTestVault(t)
	id := mustPut(t, v.Store(), &Message{Account: "a", Folder: "INBOX", UID: 1, Raw: []byte("Subject: x\r\n\r\nkept")})
	dbBefore := snapshot(t, filepath.Join(v.Dir()))

	wantErr(t, v.ChangePassphrase([]byte("wrong"), []byte("new pass")), ErrWrongPassphrase)
	if err := v.ChangePassphrase([]byte("correct horse"), []byte("new pass")); err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, v.Dir())
	for p, sum := range dbBefore {
		if filepath.Base(p) == "cache.db" && after[p] != sum {
			t.Errorf("ChangePassphrase rewrote the database")
		}
	}
	v.Lock()

	v2, _ := Open(v.Dir(), "default", testOptions(kr))
	wantErr(t, v2.Unlock([]byte("correct horse")), ErrWrongPassphrase)
	if err := v2.Unlock([]byte("new pass")); err != nil {
		t.Fatal(err)
	}
	defer v2.Lock()
	if m, err := v2.Store().Message(id); err != nil || string(m.Raw) != "Subject: x\r\n\r\nkept" {
		t.Errorf("Message after passphrase change = %v, %v", m, err)
	}
}

func TestVaultDestroy(t *testing.T) {
	v, kr := newTestVault(t)
	if len(kr.secrets) != 1 {
		t.Fatalf("keyring has %d entries, expected 1", len(kr.secrets))
	}
	if err := v.Destroy(); err != nil {
		t.Fatal(err)
	}
	if len(kr.secrets) != 0 {
		t.Errorf("keyring entry survived Destroy")
	}
	if _, err := os.Stat(v.Dir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("profile folder survived Destroy: %v", err)
	}
}

func TestVaultPassphraseOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	kr := newMemKeyring()
	_, err := Create(dir, "default", []byte("pw"), ModePassphraseOnly, testOptions(kr))
	wantErr(t, err, ErrPassphraseOnlyNotAllowed)

	opts := testOptions(kr)
	opts.AllowPassphraseOnly = true
	v, err := Create(dir, "default", []byte("pw"), ModePassphraseOnly, opts)
	if err != nil {
		t.Fatal(err)
	}
	if v.Mode() != ModePassphraseOnly || len(kr.secrets) != 0 {
		t.Errorf("mode = %v with %d keyring entries", v.Mode(), len(kr.secrets))
	}
	v.Lock()

	_, err = Open(dir, "default", testOptions(kr))
	wantErr(t, err, ErrPassphraseOnlyNotAllowed)

	kr.failWith = ErrKeyringUnavailable
	v2, err := Open(dir, "default", opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := v2.Unlock([]byte("pw")); err != nil {
		t.Errorf("passphrase-only unlock needs the keyring: %v", err)
	}
	v2.Lock()
}

func TestVaultCreateTwice(t *testing.T) {
	v, kr := newTestVault(t)
	_, err := Create(v.Dir(), "default", []byte("x"), ModeDeviceSecret, testOptions(kr))
	wantErr(t, err, ErrVaultExists)
}

func TestVaultCreateKeyringDown(t *testing.T) {
	kr := newMemKeyring()
	kr.failWith = ErrKeyringUnavailable
	dir := filepath.Join(t.TempDir(), "p")
	_, err := Create(dir, "default", []byte("x"), ModeDeviceSecret, testOptions(kr))
	wantErr(t, err, ErrKeyringUnavailable)
	if _, err := os.Stat(filepath.Join(dir, headerFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a header was written without a device secret")
	}
}

func TestVaultDefaultKDF(t *testing.T) {
	if DefaultKDF.MemoryKiB < 64*1024 || DefaultKDF.Time < 3 {
		t.Fatalf("DefaultKDF = %+v is below 64 MiB and 3 passes", DefaultKDF)
	}
	kr := newMemKeyring()
	opts := testOptions(kr)
	opts.KDF = KDFParams{}
	v, err := Create(filepath.Join(t.TempDir(), "p"), "default", []byte("pw"), ModeDeviceSecret, opts)
	if err != nil {
		t.Fatal(err)
	}
	v.Lock()
	b, _ := os.ReadFile(filepath.Join(v.Dir(), headerFile))
	var h header
	json.Unmarshal(b, &h)
	if h.KDF != DefaultKDF {
		t.Errorf("header KDF = %+v, expected %+v", h.KDF, DefaultKDF)
	}
}

func TestVaultHeaderKDFBounds(t *testing.T) {
	for _, p := range []KDFParams{{0, 64, 1}, {1, 1, 1}, {1, 64, 0}, {65, 64, 1}, {1, maxKDFMemoryKiB + 1, 1}} {
		if err := p.validate(); err == nil {
			t.Errorf("validate(%+v) accepted out-of-range parameters", p)
		}
	}
}

func TestVaultEntriesPerProfile(t *testing.T) {
	kr := newMemKeyring()
	root := t.TempDir()
	for _, name := range []string{"work", "home"} {
		v, err := Create(filepath.Join(root, name), name, []byte("pw"), ModeDeviceSecret, testOptions(kr))
		if err != nil {
			t.Fatal(err)
		}
		v.Lock()
	}
	var users []string
	for k := range kr.secrets {
		users = append(users, k)
	}
	sort.Strings(users)
	if len(users) != 2 {
		t.Errorf("keyring entries = %q, expected one per profile", users)
	}
}
