package client

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	"securemail/cache"
)

// anchorService names the OS keyring entries that hold each profile's
// newest audit sequence number.
const anchorService = "SecureMail audit anchor"

// keyringAnchor keeps the audit trail's newest sequence number in the OS
// keyring, outside the profile folder. Someone who copies an older
// database into the profile cannot roll the keyring entry back with it.
type keyringAnchor struct {
	keyring cache.Keyring
	user    string
}

func (a keyringAnchor) LoadSeq() (int64, error) {
	v, err := a.keyring.Get(anchorService, a.user)
	if errors.Is(err, cache.ErrKeyringEntryMissing) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	seq, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("client: audit anchor in the OS keyring is not a number")
	}
	return seq, nil
}

func (a keyringAnchor) SaveSeq(seq int64) error {
	return a.keyring.Set(anchorService, a.user, strconv.FormatInt(seq, 10))
}

// auditAnchor returns the anchor for this profile, or nil for a
// passphrase-only vault, which has no OS keyring to keep it in.
func (c *Client) auditAnchor() *keyringAnchor {
	if c.vault.Mode() != cache.ModeDeviceSecret {
		return nil
	}
	kr := c.opts.Keyring
	if kr == nil {
		kr = cache.SystemKeyring{}
	}
	dir, err := filepath.Abs(c.opts.Dir)
	if err != nil {
		dir = c.opts.Dir
	}
	return &keyringAnchor{keyring: kr, user: c.opts.Name + ":" + dir}
}
