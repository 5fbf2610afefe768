package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Vault header errors.
var (
	// ErrNoVault means the profile folder has no vault header yet.
	ErrNoVault = fmt.Errorf("cache: no vault in this profile; create one first: %w", os.ErrNotExist)
	// ErrCorruptHeader means the vault header does not parse or fails its
	// checksum. The data key cannot be recovered from it.
	ErrCorruptHeader = errors.New("cache: the vault header is corrupted; restore the profile from a backup")
	// ErrForeignHeader means the header belongs to another profile, for
	// example after profile folders were copied over each other.
	ErrForeignHeader = errors.New("cache: the vault header belongs to another profile; check which profile folder is in use")
)

const (
	headerFile   = "vault.json"
	headerFormat = 1
)

// KDFParams are the Argon2id cost parameters.
type KDFParams struct {
	Time      uint32 `json:"time"`       // passes over memory
	MemoryKiB uint32 `json:"memory_kib"` // memory in KiB
	Threads   uint8  `json:"threads"`
}

// DefaultKDF is used when Options.KDF is zero: 64 MiB and 3 passes, the
// minimum the vault design requires. Policy may raise it.
var DefaultKDF = KDFParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}

// Bounds on parameters read from a header, so a damaged or hostile header
// cannot make an unlock take hours or exhaust memory.
const (
	maxKDFTime      = 64
	maxKDFMemoryKiB = 4 << 20 // 4 GiB
)

func (p KDFParams) validate() error {
	if p.Time < 1 || p.Time > maxKDFTime || p.MemoryKiB < 8*uint32(max(p.Threads, 1)) || p.MemoryKiB > maxKDFMemoryKiB || p.Threads < 1 {
		return fmt.Errorf("cache: Argon2id parameters time=%d memory=%d KiB threads=%d are out of range (time 1-%d, memory up to %d KiB, threads 1-255)",
			p.Time, p.MemoryKiB, p.Threads, maxKDFTime, maxKDFMemoryKiB)
	}
	return nil
}

// header is the vault file. Everything in it is public: it holds the
// data key only wrapped under the key-encryption key.
type header struct {
	Format  int    `json:"format"`
	Profile string `json:"profile"`
	// VaultID is random per vault; it names the keyring entry and salts
	// the key derivation.
	VaultID string    `json:"vault_id"`
	Mode    Mode      `json:"mode"`
	KDF     KDFParams `json:"kdf"`
	Salt    []byte    `json:"salt"`
	// DeviceCheck is an HMAC of the vault id under the device secret. It
	// distinguishes a wrong keyring entry from a wrong passphrase.
	DeviceCheck []byte `json:"device_check,omitempty"`
	WrappedKey  []byte `json:"wrapped_key"`
	// Checksum is SHA-256 over the header encoded with an empty checksum.
	// It catches damage, not forgery: a forged header can only fail to
	// unlock, because the wrapped key is authenticated.
	Checksum string `json:"checksum"`
}

func (h *header) checksum() (string, error) {
	c := *h
	c.Checksum = ""
	b, err := json.Marshal(&c)
	if err != nil {
		return "", fmt.Errorf("cache: encode vault header: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// readHeader reads and checks the header of the profile in dir. It
// changes nothing on disk.
func readHeader(dir, profile string) (*header, error) {
	b, err := os.ReadFile(filepath.Join(dir, headerFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoVault
	}
	if err != nil {
		return nil, fmt.Errorf("cache: read vault header in %s: %w", dir, err)
	}

	var h header
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptHeader, err)
	}
	sum, err := h.checksum()
	if err != nil {
		return nil, err
	}
	if h.Checksum != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorruptHeader)
	}
	if h.Format != headerFormat {
		return nil, fmt.Errorf("%w: format %d, this build reads format %d", ErrCorruptHeader, h.Format, headerFormat)
	}
	if h.Profile != profile {
		return nil, fmt.Errorf("%w: the header is for profile %q, expected %q", ErrForeignHeader, h.Profile, profile)
	}
	if err := h.KDF.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptHeader, err)
	}
	if h.VaultID == "" || len(h.Salt) < 16 || len(h.WrappedKey) != nonceSize+32+tagSize {
		return nil, fmt.Errorf("%w: missing vault id, salt or wrapped key", ErrCorruptHeader)
	}
	if h.Mode != ModeDeviceSecret && h.Mode != ModePassphraseOnly {
		return nil, fmt.Errorf("%w: unknown mode %d", ErrCorruptHeader, h.Mode)
	}
	if h.Mode == ModeDeviceSecret && len(h.DeviceCheck) != 32 {
		return nil, fmt.Errorf("%w: missing device check", ErrCorruptHeader)
	}
	return &h, nil
}

// writeHeader replaces the header atomically: a crash leaves either the
// old or the new header, never a mix.
func writeHeader(dir string, h *header) error {
	sum, err := h.checksum()
	if err != nil {
		return err
	}
	h.Checksum = sum
	b, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return fmt.Errorf("cache: encode vault header: %w", err)
	}

	tmp, err := os.CreateTemp(dir, headerFile+".*.tmp")
	if err != nil {
		return fmt.Errorf("cache: write vault header in %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("cache: write vault header: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("cache: write vault header: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cache: write vault header: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, headerFile)); err != nil {
		return fmt.Errorf("cache: replace vault header: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("cache: sync profile folder %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("cache: sync profile folder %s: %w", dir, err)
	}
	return nil
}
