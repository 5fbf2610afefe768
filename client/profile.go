package client

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"securemail/audit"
	"securemail/cache"
	"securemail/crypto"
	"securemail/policy"
)

// DefaultProfileName names the profile when the caller gives none. The
// OS keyring entry of the device secret is per profile name.
const DefaultProfileName = "default"

// DefaultProfileDir returns the folder of the default profile: under the
// OS's per-user configuration folder (for example ~/.config/SecureMail on
// Linux, %AppData%\SecureMail on Windows, ~/Library/Application
// Support/SecureMail on macOS).
func DefaultProfileDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("client: no per-user configuration folder: %w; pass --profile", err)
	}
	return filepath.Join(dir, "SecureMail", "profiles", DefaultProfileName), nil
}

// Options configure a Client.
type Options struct {
	// Dir is the profile folder.
	Dir string
	// Name is the profile name; empty means DefaultProfileName.
	Name string
	// Policy is the effective policy. Nil loads it from the OS-standard
	// places.
	Policy *policy.Effective
	// PolicyReport is the report of loading the policy, recorded in the
	// audit trail at the first unlock.
	PolicyReport *policy.Report
	// Keyring holds the device secret; nil means the OS keyring.
	Keyring cache.Keyring
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// TLSRoots, when set, replaces the system roots and the policy's CAs
	// for mail servers; the demo and the tests use it for their own CA.
	TLSRoots *x509.CertPool
	// HTTPClient does key discovery lookups; nil means a client with the
	// policy's TLS rules.
	HTTPClient *http.Client
	// NoDiscovery turns key discovery off, for the demo and for tests
	// that must not reach beyond loopback.
	NoDiscovery bool
	// UserSettingsFile is the file SetUserSetting saves the user's settings to.
	// When Policy is nil it defaults to the user file of the OS-standard
	// policy locations; otherwise empty means changes are not saved.
	UserSettingsFile string

	// kdf replaces the Argon2id cost in this package's tests, which would
	// otherwise spend seconds per vault under the race detector.
	kdf *cache.KDFParams
}

// Client is one profile: its vault and cache, keys, accounts, policy and
// audit trail. Its methods are safe for concurrent use.
type Client struct {
	opts   Options
	policy *policy.Effective
	vault  *cache.Vault

	mu      sync.Mutex
	session *session // nil while locked
	// pendingEvents are vault events that happened while the trail was
	// closed, such as failed unlocks; they are appended at the next
	// unlock.
	pendingEvents []audit.Event
	// auditErr is the last failure to append to the audit trail.
	auditErr error
	// flushMu lets one FlushOutbox run at a time. The outbox does not
	// claim an item before submitting it, so two runs could both send
	// it; the profile lock keeps other processes out.
	flushMu sync.Mutex
	// policyRejections are the policy sources and values that Open's
	// policy load skipped.
	policyRejections []policy.Rejection
}

// session is the state that exists only while the vault is unlocked.
type session struct {
	store   *cache.Store
	trail   *audit.Trail
	trust   *crypto.Directory
	own     crypto.OwnKeys
	keys    *keyCache
	history *history
	ops     *opsConns
}

var (
	// ErrLocked is returned by every method that needs the vault open.
	ErrLocked = errors.New("client: the vault is locked; unlock it first")
	// ErrNoProfile means the profile folder has no vault yet.
	ErrNoProfile = errors.New("client: no vault in this profile; create one first")
)

func (o *Options) fill() error {
	if o.Dir == "" {
		dir, err := DefaultProfileDir()
		if err != nil {
			return err
		}
		o.Dir = dir
	}
	if o.Name == "" {
		o.Name = DefaultProfileName
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Policy == nil {
		loc := policy.DefaultLocations()
		eff, report := policy.Load(loc)
		o.Policy = eff
		o.PolicyReport = &report
		if o.UserSettingsFile == "" {
			o.UserSettingsFile = loc.UserFile
		}
	}
	return nil
}

func (o *Options) vaultOptions(c *Client) cache.Options {
	s := o.Policy.Settings()
	return cache.Options{
		Keyring:             o.Keyring,
		KDF:                 kdfFromPolicy(s, o.kdf),
		AllowPassphraseOnly: s.Vault.PassphraseOnlyAllowed,
		Now:                 o.Now,
		OnEvent:             c.vaultEvent,
	}
}

// MinPassphraseRunes is the shortest vault passphrase a new profile
// accepts. The passphrase is the user's only secret: a copy of the disk
// together with the keyring entry still needs it, so its length is what
// resists guessing.
const MinPassphraseRunes = 12

// CheckNewPassphrase returns an error when passphrase is too short for a
// new vault.
func CheckNewPassphrase(passphrase []byte) error {
	if n := utf8.RuneCount(passphrase); n < MinPassphraseRunes {
		return fmt.Errorf("client: the passphrase has %d characters; use at least %d, for example four or more unrelated words", n, MinPassphraseRunes)
	}
	return nil
}

// Exists reports whether dir holds a vault.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "vault.json"))
	return err == nil
}

// Create makes a new vault in opts.Dir protected by passphrase and
// returns the client unlocked. passphraseOnly requests a vault without a
// device secret, which only the policy can allow.
func Create(opts Options, passphrase []byte, passphraseOnly bool) (*Client, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	c := &Client{opts: opts, policy: opts.Policy}
	mode := cache.ModeDeviceSecret
	if passphraseOnly {
		mode = cache.ModePassphraseOnly
	}
	v, err := cache.Create(opts.Dir, opts.Name, passphrase, mode, opts.vaultOptions(c))
	if err != nil {
		return nil, err
	}
	c.vault = v
	if err := c.startSession(); err != nil {
		v.Lock()
		return nil, err
	}
	return c, nil
}

// Open opens the vault in opts.Dir, locked.
func Open(opts Options) (*Client, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(opts.Dir); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (%s)", ErrNoProfile, opts.Dir)
	}
	c := &Client{opts: opts, policy: opts.Policy}
	if opts.PolicyReport != nil {
		c.policyRejections = slices.Clone(opts.PolicyReport.Rejections)
	}
	v, err := cache.Open(opts.Dir, opts.Name, opts.vaultOptions(c))
	if err != nil {
		return nil, err
	}
	c.vault = v
	return c, nil
}

// Policy returns the effective policy.
func (c *Client) Policy() *policy.Effective { return c.policy }

// PolicyRejections returns what the policy load of Open skipped, such as
// a user settings file that is not valid JSON, for the caller to show.
// The audit trail records them at the first unlock.
func (c *Client) PolicyRejections() []policy.Rejection {
	return slices.Clone(c.policyRejections)
}

// Dir returns the profile folder.
func (c *Client) Dir() string { return c.opts.Dir }

// VaultMode reports whether the vault uses a device secret from the OS
// keyring or the passphrase alone, for the UI to show.
func (c *Client) VaultMode() cache.Mode { return c.vault.Mode() }

// Locked reports whether the vault is locked.
func (c *Client) Locked() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session == nil
}

// Unlock opens the vault with passphrase. Wrong passphrases are slowed
// down by the vault and recorded in the audit trail at the next unlock.
func (c *Client) Unlock(passphrase []byte) error {
	if err := c.vault.Unlock(passphrase); err != nil {
		return err
	}
	return c.startSession()
}

func (c *Client) startSession() error {
	store := c.vault.Store()
	auditOpts := &audit.Options{Now: c.opts.Now}
	if a := c.auditAnchor(); a != nil {
		auditOpts.Anchor = a
	}
	trail, err := audit.Open(store, auditOpts)
	if err != nil {
		return fmt.Errorf("client: opening the audit trail: %w", err)
	}
	s := &session{
		store: store,
		trail: trail,
		trust: &crypto.Directory{Store: store, Now: c.opts.Now, Merge: mergeKeyCopies},
		own:   crypto.OwnKeys{Store: store},
	}
	s.keys = newKeyCache()
	s.history = &history{store: store}
	s.ops = newOpsConns()

	c.mu.Lock()
	c.session = s
	pending := c.pendingEvents
	c.pendingEvents = nil
	stored, storedErr := takeUnlockFailures(c.opts.Dir)
	c.mu.Unlock()

	for _, reason := range stored {
		c.record(audit.UnlockFailed(reason))
	}
	if storedErr != nil {
		c.setAuditErr(storedErr)
	}
	for _, e := range pending {
		c.record(e)
	}
	method := "device-secret"
	if c.vault.Mode() == cache.ModePassphraseOnly {
		method = "passphrase-only"
	}
	c.record(audit.VaultUnlocked(method))
	if r := c.opts.PolicyReport; r != nil {
		c.recordPolicyReport(*r)
		c.opts.PolicyReport = nil
	}
	if days := c.policy.Settings().Audit.RetentionDays; days > 0 {
		if _, err := trail.PruneRetention(days); err != nil {
			c.setAuditErr(fmt.Errorf("client: pruning the audit trail: %w", err))
		}
	}
	return nil
}

func (c *Client) setAuditErr(err error) {
	c.mu.Lock()
	c.auditErr = err
	c.mu.Unlock()
}

// ForwardAudit sends the audit entries not yet forwarded to the
// organisation's collector that the policy names, pseudonymised. It
// returns how many were sent; with no forwarding target it does nothing.
func (c *Client) ForwardAudit(ctx context.Context, hostname string) (int, error) {
	s, err := c.current()
	if err != nil {
		return 0, err
	}
	sink, key, err := audit.SinkFromPolicy(c.policy.Settings(), hostname)
	if err != nil || sink == nil {
		return 0, err
	}
	defer sink.Close()
	return s.trail.Forward(ctx, sink, key)
}

// Lock reasons recorded in the audit trail.
const (
	LockManual   = "manual"
	LockIdle     = "idle"
	LockSleep    = "sleep"
	LockScreen   = "screen-locked"
	LockShutdown = "shutdown"
)

// Lock records the lock with reason (one of the Lock constants), wipes
// every key held in memory and locks the vault, which wipes the data key
// and removes the profile's temporary files.
func (c *Client) Lock(reason string) error {
	switch reason {
	case LockManual, LockIdle, LockSleep, LockScreen, LockShutdown:
	default:
		reason = "other"
	}
	c.mu.Lock()
	s := c.session
	c.session = nil
	c.mu.Unlock()
	if s != nil {
		if _, err := s.trail.Append(audit.VaultLocked(reason)); err != nil {
			c.setAuditErr(err)
		}
	}
	// The vault locks before the keys are wiped, so a call still running
	// cannot load them again from an open store.
	if s != nil {
		s.ops.close()
	}
	err := c.vault.Lock()
	if s != nil {
		s.keys.wipe()
	}
	return err
}

// ChangePassphrase rewraps the data key under a new passphrase.
func (c *Client) ChangePassphrase(oldPassphrase, newPassphrase []byte) error {
	return c.vault.ChangePassphrase(oldPassphrase, newPassphrase)
}

// Destroy wipes the keyring entry and deletes the profile.
func (c *Client) Destroy() error {
	c.mu.Lock()
	s := c.session
	c.session = nil
	c.mu.Unlock()
	if s != nil {
		s.ops.close()
		s.keys.wipe()
	}
	anchor := c.auditAnchor()
	if err := c.vault.Destroy(); err != nil {
		return err
	}
	if anchor != nil {
		// The profile is gone; a missing entry is not an error here.
		anchor.keyring.Delete(anchorService, anchor.user)
	}
	return nil
}

func (c *Client) current() (*session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil {
		return nil, ErrLocked
	}
	return c.session, nil
}

func (c *Client) vaultEvent(e cache.Event) {
	if e.Kind != cache.EventUnlockFailed {
		return
	}
	reason := unlockFailureReason(e.Err)
	ev := audit.UnlockFailed(reason)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session != nil {
		c.session.trail.Append(ev)
		return
	}
	// A headless command exits right after a failed unlock, so the
	// failure is stored in the profile until the next unlock of any
	// process records it. Memory is the fallback when the file cannot be
	// written.
	if err := storeUnlockFailure(c.opts.Dir, reason); err != nil {
		c.pendingEvents = append(c.pendingEvents, ev)
	}
}

func unlockFailureReason(err error) string {
	switch {
	case errors.Is(err, cache.ErrWrongPassphrase):
		return "wrong-passphrase"
	case errors.Is(err, cache.ErrKeyringEntryMissing):
		return "keyring-entry-missing"
	case errors.Is(err, cache.ErrKeyringUnavailable), errors.Is(err, cache.ErrKeyringLocked):
		return "keyring-unavailable"
	default:
		return "vault-unreadable"
	}
}

// record appends e to the audit trail. An audit failure must not stop a
// clinician from working, but it must not vanish either, so it is kept
// and returned by AuditErr.
func (c *Client) record(e audit.Event) {
	s, err := c.current()
	if err != nil {
		return
	}
	if _, err := s.trail.Append(e); err != nil {
		c.setAuditErr(err)
	}
}

func (c *Client) recordPolicyReport(r policy.Report) {
	for _, e := range audit.PolicyEvents(r, c.policy.FallBack) {
		c.record(e)
	}
}

// AuditErr returns the last error met while appending to the audit
// trail, or nil.
func (c *Client) AuditErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.auditErr
}

// kdfFromPolicy returns the Argon2id cost for a new vault: the policy's,
// but never below the vault's default.
func kdfFromPolicy(s policy.Settings, override *cache.KDFParams) cache.KDFParams {
	if override != nil {
		return *override
	}
	p := cache.DefaultKDF
	a := s.Vault.Argon2
	if a.MemoryKiB > int(p.MemoryKiB) {
		p.MemoryKiB = uint32(a.MemoryKiB)
	}
	if a.Iterations > int(p.Time) {
		p.Time = uint32(a.Iterations)
	}
	if a.Parallelism > int(p.Threads) && a.Parallelism <= 255 {
		p.Threads = uint8(a.Parallelism)
	}
	return p
}
