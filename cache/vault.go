package cache

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/hkdf"
)

// Mode is the protection scheme of the vault's key-encryption key.
type Mode int

const (
	// ModeDeviceSecret needs the passphrase and the device secret in the
	// OS keyring. It is the default.
	ModeDeviceSecret Mode = iota
	// ModePassphraseOnly needs only the passphrase. A copy of the profile
	// is then open to offline guessing of the passphrase, so it exists
	// only where the managed policy allows it (Options.AllowPassphraseOnly).
	ModePassphraseOnly
)

func (m Mode) String() string {
	switch m {
	case ModeDeviceSecret:
		return "passphrase and device secret"
	case ModePassphraseOnly:
		return "passphrase only"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Vault errors.
var (
	// ErrWrongPassphrase means the passphrase did not unwrap the data key.
	ErrWrongPassphrase = errors.New("cache: wrong vault passphrase")
	// ErrKeyringMismatch means the keyring entry exists but holds the
	// device secret of another vault, so the keyring or the profile was
	// replaced.
	ErrKeyringMismatch = errors.New("cache: the device secret in the OS keyring belongs to another vault; restore the matching keyring entry or profile")
	// ErrPassphraseOnlyNotAllowed means a passphrase-only vault was
	// requested or found but Options.AllowPassphraseOnly is not set.
	ErrPassphraseOnlyNotAllowed = errors.New("cache: passphrase-only vaults are not allowed by policy; use a vault with a device secret")
	// ErrVaultExists means Create found a vault already in the profile.
	ErrVaultExists = errors.New("cache: the profile already has a vault; unlock it or destroy it first")
)

// keyringService is the service name of SecureMail's keyring entries.
const keyringService = "SecureMail vault"

// Options configure a vault.
type Options struct {
	// Keyring holds the device secret; nil means SystemKeyring{}.
	Keyring Keyring
	// KDF is used when the vault is created and when its passphrase
	// changes, and a zero value means DefaultKDF. Unlock always uses the
	// parameters stored in the header. Values below DefaultKDF are
	// accepted so tests stay fast; production callers pass DefaultKDF or
	// the higher values policy sets.
	KDF KDFParams
	// AllowPassphraseOnly permits ModePassphraseOnly. Policy decides it.
	AllowPassphraseOnly bool
	// Now and Sleep replace the clock in tests; nil means the real ones.
	Now   func() time.Time
	Sleep func(time.Duration)
	// OnEvent, when set, receives every unlock, failed unlock, lock,
	// passphrase change and destroy, for the audit trail. It runs on the
	// caller's goroutine and must not call back into the vault.
	OnEvent func(Event)
	// FreeAttempts is how many failed unlocks in a row go undelayed; zero
	// means 3. Each further failure doubles the delay from one second up
	// to MaxDelay.
	FreeAttempts int
	// MaxDelay caps the delay after failed unlocks; zero means 30 s.
	MaxDelay time.Duration
}

// EventKind is the type of a vault event.
type EventKind int

const (
	EventUnlocked EventKind = iota
	EventUnlockFailed
	EventLocked
	EventPassphraseChanged
	EventDestroyed
)

func (k EventKind) String() string {
	switch k {
	case EventUnlocked:
		return "unlocked"
	case EventUnlockFailed:
		return "unlock failed"
	case EventLocked:
		return "locked"
	case EventPassphraseChanged:
		return "passphrase changed"
	case EventDestroyed:
		return "destroyed"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one vault event for the audit trail. It carries no secret.
type Event struct {
	Kind    EventKind
	Time    time.Time
	Profile string
	// Failures counts failed unlocks in a row, including this one.
	Failures int
	// Delay is how long the next unlock attempt will wait.
	Delay time.Duration
	// Err is the cause of a failed unlock.
	Err error
}

// Vault is the key hierarchy of one profile and the gate to its Store.
type Vault struct {
	dir, profile string
	opts         Options

	mu       sync.Mutex
	mode     Mode
	store    *Store
	failures int
	// profileLock holds the profile's lock file while the vault is
	// unlocked.
	profileLock *profileLock
}

func (o *Options) fill() {
	if o.Keyring == nil {
		o.Keyring = SystemKeyring{}
	}
	if o.KDF == (KDFParams{}) {
		o.KDF = DefaultKDF
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = time.Sleep
	}
	if o.FreeAttempts == 0 {
		o.FreeAttempts = 3
	}
	if o.MaxDelay == 0 {
		o.MaxDelay = 30 * time.Second
	}
}

// Create makes a new vault in the profile folder dir: a random data key,
// and in ModeDeviceSecret a random device secret in the OS keyring. The
// returned vault is unlocked.
func Create(dir, profile string, passphrase []byte, mode Mode, opts Options) (*Vault, error) {
	opts.fill()
	if profile == "" {
		return nil, fmt.Errorf("cache: profile name must not be empty")
	}
	if len(passphrase) == 0 {
		return nil, fmt.Errorf("cache: vault passphrase must not be empty")
	}
	if mode == ModePassphraseOnly && !opts.AllowPassphraseOnly {
		return nil, ErrPassphraseOnlyNotAllowed
	}
	if err := opts.KDF.validate(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, headerFile)); err == nil {
		return nil, fmt.Errorf("%w (%s)", ErrVaultExists, dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cache: create profile folder %s: %w", dir, err)
	}
	// The lock is taken before the header check, so that two first runs
	// on one folder cannot both write a header. Otherwise the loser's
	// header replaces the winner's and orphans the winner's database.
	lock, err := acquireProfileLock(dir)
	if err != nil {
		return nil, err
	}
	defer func() { releaseProfileLock(lock) }()
	if _, err := os.Stat(filepath.Join(dir, headerFile)); err == nil {
		return nil, fmt.Errorf("%w (%s)", ErrVaultExists, dir)
	}

	h := &header{Format: headerFormat, Profile: profile, Mode: mode, KDF: opts.KDF}
	vaultID := make([]byte, 16)
	if _, err := rand.Read(vaultID); err != nil {
		return nil, fmt.Errorf("cache: read random vault id: %w", err)
	}
	h.VaultID = hex.EncodeToString(vaultID)

	var device []byte
	if mode == ModeDeviceSecret {
		device = make([]byte, 32)
		defer zero(device)
		if _, err := rand.Read(device); err != nil {
			return nil, fmt.Errorf("cache: read random device secret: %w", err)
		}
		// NOTE: go-keyring takes the secret as a string, so one immutable
		// copy of the base64 device secret lives until it is collected.
		if err := opts.Keyring.Set(keyringService, keyringUser(h), base64.StdEncoding.EncodeToString(device)); err != nil {
			return nil, err
		}
		h.DeviceCheck = deviceCheck(device, h.VaultID)
	}

	dataKey := make([]byte, 32)
	if _, err := rand.Read(dataKey); err != nil {
		return nil, fmt.Errorf("cache: read random data key: %w", err)
	}
	if err := wrapDataKey(h, passphrase, device, dataKey); err != nil {
		zero(dataKey)
		return nil, err
	}
	if err := writeHeader(dir, h); err != nil {
		zero(dataKey)
		if mode == ModeDeviceSecret {
			opts.Keyring.Delete(keyringService, keyringUser(h))
		}
		return nil, err
	}

	v := &Vault{dir: dir, profile: profile, opts: opts, mode: mode, store: &Store{}}
	if err := v.openLocked(dataKey, lock); err != nil {
		return nil, err
	}
	lock = nil // the vault holds it now
	v.emit(Event{Kind: EventUnlocked})
	return v, nil
}

// Open reads the vault header of the profile in dir and returns the vault
// locked. It fails with ErrNoVault, ErrCorruptHeader, ErrForeignHeader or
// ErrPassphraseOnlyNotAllowed and changes nothing on disk.
func Open(dir, profile string, opts Options) (*Vault, error) {
	opts.fill()
	h, err := readHeader(dir, profile)
	if err != nil {
		return nil, err
	}
	if h.Mode == ModePassphraseOnly && !opts.AllowPassphraseOnly {
		return nil, ErrPassphraseOnlyNotAllowed
	}
	return &Vault{dir: dir, profile: profile, opts: opts, mode: h.Mode, store: &Store{}}, nil
}

// Mode returns how the vault is protected, for the UI to show.
func (v *Vault) Mode() Mode { return v.mode }

// Store returns the vault's store. It is the same *Store for the life of
// the vault and returns ErrLocked while the vault is locked.
func (v *Vault) Store() *Store { return v.store }

// Dir returns the profile folder.
func (v *Vault) Dir() string { return v.dir }

// TempDir returns the profile's folder for temporary files, which Lock
// empties. Anything written there must already be sealed or be removed by
// the writer; the folder only guarantees the cleanup.
func (v *Vault) TempDir() string { return filepath.Join(v.dir, "tmp") }

// Locked reports whether the data key is wiped.
func (v *Vault) Locked() bool {
	v.store.mu.RLock()
	defer v.store.mu.RUnlock()
	return v.store.keys == nil
}

// Unlock derives the key-encryption key from passphrase (and the device
// secret), unwraps the data key and opens the store. After FreeAttempts
// failures in a row each attempt first waits a growing delay. Errors:
// ErrWrongPassphrase, ErrKeyringUnavailable, ErrKeyringLocked,
// ErrKeyringEntryMissing, ErrKeyringMismatch, ErrCorruptHeader,
// ErrForeignHeader, ErrNewerSchema, ErrProfileInUse, ErrProfileLock; none
// of them changes the disk. ErrProfileInUse and ErrProfileLock do not
// count as failures.
func (v *Vault) Unlock(passphrase []byte) error {
	v.mu.Lock()
	defer v.mu.Unlock()

	if !v.Locked() {
		return nil
	}
	if d := v.delay(v.failures); d > 0 {
		v.opts.Sleep(d)
	}
	err := v.unlock(passphrase)
	if errors.Is(err, ErrProfileInUse) || errors.Is(err, ErrProfileLock) {
		// Not a failed attempt: the lock is taken only after the
		// passphrase unwrapped the data key.
		return err
	}
	if err != nil {
		v.failures++
		v.emit(Event{Kind: EventUnlockFailed, Failures: v.failures, Delay: v.delay(v.failures), Err: err})
		return err
	}
	v.failures = 0
	v.emit(Event{Kind: EventUnlocked})
	return nil
}

// delay returns the wait before the next attempt after failures.
func (v *Vault) delay(failures int) time.Duration {
	over := failures - v.opts.FreeAttempts
	if over < 0 {
		return 0
	}
	d := time.Second
	for i := 0; i < over && d < v.opts.MaxDelay; i++ {
		d *= 2
	}
	return min(d, v.opts.MaxDelay)
}

func (v *Vault) unlock(passphrase []byte) error {
	h, err := readHeader(v.dir, v.profile)
	if err != nil {
		return err
	}
	if h.Mode == ModePassphraseOnly && !v.opts.AllowPassphraseOnly {
		return ErrPassphraseOnlyNotAllowed
	}
	device, err := v.deviceSecret(h)
	if err != nil {
		return err
	}
	defer zero(device)

	dataKey, err := unwrapDataKey(h, passphrase, device)
	if err != nil {
		return err
	}
	return v.open(dataKey)
}

// deviceSecret reads and checks the device secret for h, or returns nil
// for a passphrase-only vault.
func (v *Vault) deviceSecret(h *header) ([]byte, error) {
	if h.Mode != ModeDeviceSecret {
		return nil, nil
	}
	encoded, err := v.opts.Keyring.Get(keyringService, keyringUser(h))
	if err != nil {
		return nil, err
	}
	device, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || len(device) != 32 {
		return nil, fmt.Errorf("%w: the entry is not a 32-byte secret", ErrKeyringMismatch)
	}
	if !hmac.Equal(deviceCheck(device, h.VaultID), h.DeviceCheck) {
		zero(device)
		return nil, ErrKeyringMismatch
	}
	return device, nil
}

// open takes the profile lock and makes the store usable with dataKey,
// which it takes over.
func (v *Vault) open(dataKey []byte) error {
	lock, err := acquireProfileLock(v.dir)
	if err != nil {
		zero(dataKey)
		return err
	}
	if err := v.openLocked(dataKey, lock); err != nil {
		releaseProfileLock(lock)
		return err
	}
	return nil
}

// openLocked is open with the profile lock already held. On success the
// vault keeps lock; on failure the caller still owns it.
func (v *Vault) openLocked(dataKey []byte, lock *profileLock) error {
	keys, err := newKeySet(dataKey)
	if err != nil {
		zero(dataKey)
		return err
	}
	if err := v.attach(keys); err != nil {
		return err
	}
	v.profileLock = lock
	return nil
}

// attach creates the temporary folder and opens the store with keys,
// which it wipes on failure.
func (v *Vault) attach(keys *keySet) error {
	if err := os.MkdirAll(v.TempDir(), 0o700); err != nil {
		keys.wipe()
		return fmt.Errorf("cache: create temp folder: %w", err)
	}
	if err := v.store.attach(filepath.Join(v.dir, "cache.db"), keys); err != nil {
		keys.wipe()
		return err
	}
	return nil
}

// Lock wipes the data key and every derived key, closes the database and
// deletes the profile's temporary files. Locking a locked vault does
// nothing.
func (v *Vault) Lock() error {
	v.mu.Lock()
	defer v.mu.Unlock()

	if v.Locked() {
		return nil
	}
	err := v.store.detach()
	if rmErr := os.RemoveAll(v.TempDir()); rmErr != nil && err == nil {
		err = fmt.Errorf("cache: delete temp files: %w", rmErr)
	}
	releaseProfileLock(v.profileLock)
	v.profileLock = nil
	v.emit(Event{Kind: EventLocked, Err: err})
	return err
}

// ChangePassphrase rewraps the data key under a key from newPassphrase
// and the parameters in Options.KDF. Nothing else is re-encrypted. It
// returns ErrWrongPassphrase when oldPassphrase is wrong, and
// ErrProfileInUse when the vault is locked and another vault has the
// profile unlocked.
func (v *Vault) ChangePassphrase(oldPassphrase, newPassphrase []byte) error {
	v.mu.Lock()
	defer v.mu.Unlock()

	if len(newPassphrase) == 0 {
		return fmt.Errorf("cache: new vault passphrase must not be empty")
	}
	if err := v.opts.KDF.validate(); err != nil {
		return err
	}
	// An unlocked vault holds the profile lock already. A locked one
	// takes it for the rewrite, so that no other process changes the
	// header at the same time.
	if v.Locked() {
		lock, err := acquireProfileLock(v.dir)
		if err != nil {
			return err
		}
		defer releaseProfileLock(lock)
	}
	h, err := readHeader(v.dir, v.profile)
	if err != nil {
		return err
	}
	device, err := v.deviceSecret(h)
	if err != nil {
		return err
	}
	defer zero(device)

	dataKey, err := unwrapDataKey(h, oldPassphrase, device)
	if err != nil {
		return err
	}
	defer zero(dataKey)

	h.KDF = v.opts.KDF
	if err := wrapDataKey(h, newPassphrase, device, dataKey); err != nil {
		return err
	}
	if err := writeHeader(v.dir, h); err != nil {
		return err
	}
	v.emit(Event{Kind: EventPassphraseChanged})
	return nil
}

// Destroy locks the vault, deletes its keyring entry and removes the
// whole profile folder. Nothing in it can be recovered afterwards.
func (v *Vault) Destroy() error {
	if err := v.Lock(); err != nil {
		return err
	}

	v.mu.Lock()
	defer v.mu.Unlock()
	h, err := readHeader(v.dir, v.profile)
	if err == nil && h.Mode == ModeDeviceSecret {
		err := v.opts.Keyring.Delete(keyringService, keyringUser(h))
		if err != nil && !errors.Is(err, ErrKeyringEntryMissing) {
			return err
		}
	}
	if err := os.RemoveAll(v.dir); err != nil {
		return fmt.Errorf("cache: remove profile folder %s: %w", v.dir, err)
	}
	v.emit(Event{Kind: EventDestroyed})
	return nil
}

func (v *Vault) emit(e Event) {
	if v.opts.OnEvent == nil {
		return
	}
	e.Time = v.opts.Now()
	e.Profile = v.profile
	v.opts.OnEvent(e)
}

// keyringUser names the keyring entry of one vault of one profile.
func keyringUser(h *header) string { return h.Profile + "/" + h.VaultID }

func deviceCheck(device []byte, vaultID string) []byte {
	mac := hmac.New(sha256.New, device)
	mac.Write([]byte("securemail vault v1 device check\x00" + vaultID))
	return mac.Sum(nil)
}

// keyEncryptionKey derives the key that wraps the data key: Argon2id over
// the passphrase, then HKDF-SHA256 over that output and the device secret
// (empty in passphrase-only mode), salted with the vault id.
func keyEncryptionKey(h *header, passphrase, device []byte) ([]byte, error) {
	stretched := argon2.IDKey(passphrase, h.Salt, h.KDF.Time, h.KDF.MemoryKiB, h.KDF.Threads, 32)
	defer zero(stretched)

	ikm := make([]byte, 0, len(stretched)+len(device))
	ikm = append(ikm, stretched...)
	ikm = append(ikm, device...)
	defer zero(ikm)

	info := fmt.Sprintf("securemail vault v1 key-encryption key mode=%d", h.Mode)
	kek := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, ikm, []byte(h.VaultID), []byte(info)), kek); err != nil {
		return nil, fmt.Errorf("cache: derive key-encryption key: %w", err)
	}
	return kek, nil
}

// wrapAD binds the wrapped data key to its profile, vault and mode.
func wrapAD(h *header) []byte {
	return []byte(fmt.Sprintf("securemail vault v1\x00%s\x00%s\x00%d", h.Profile, h.VaultID, h.Mode))
}

func kekCipher(h *header, passphrase, device []byte) (cipher.AEAD, error) {
	kek, err := keyEncryptionKey(h, passphrase, device)
	if err != nil {
		return nil, err
	}
	defer zero(kek)
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("cache: create key-encryption cipher: %w", err)
	}
	a, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("cache: create key-encryption cipher: %w", err)
	}
	return a, nil
}

// wrapDataKey sets a new salt in h and the data key wrapped with
// AES-256-GCM under the key-encryption key.
func wrapDataKey(h *header, passphrase, device, dataKey []byte) error {
	h.Salt = make([]byte, 16)
	if _, err := rand.Read(h.Salt); err != nil {
		return fmt.Errorf("cache: read random salt: %w", err)
	}
	a, err := kekCipher(h, passphrase, device)
	if err != nil {
		return err
	}
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("cache: read random nonce: %w", err)
	}
	h.WrappedKey = a.Seal(nonce, nonce, dataKey, wrapAD(h))
	return nil
}

func unwrapDataKey(h *header, passphrase, device []byte) ([]byte, error) {
	a, err := kekCipher(h, passphrase, device)
	if err != nil {
		return nil, err
	}
	dataKey, err := a.Open(nil, h.WrappedKey[:nonceSize], h.WrappedKey[nonceSize:], wrapAD(h))
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	return dataKey, nil
}
