package crypto

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
)

// TrustLevel is how far the user trusts the key bound to an address.
type TrustLevel int

const (
	// TrustFirstUse is a key accepted the first time it was seen for an
	// address, without a fingerprint check.
	TrustFirstUse TrustLevel = iota + 1
	// TrustVerified is a key whose fingerprint the user compared with the
	// owner through another channel.
	TrustVerified
)

func (l TrustLevel) String() string {
	switch l {
	case TrustFirstUse:
		return "trusted on first use"
	case TrustVerified:
		return "verified"
	default:
		return "unknown"
	}
}

// Binding ties an address to the key or certificate used for it.
type Binding struct {
	Address     string
	Scheme      Scheme
	Fingerprint string
	Level       TrustLevel
	Source      string // "import", "wkd-advanced", "autocrypt", "signed-mail", ...
	FirstSeen   time.Time
	LastSeen    time.Time
	// Public is the binary OpenPGP public key or the DER certificate.
	Public []byte
	// Pending is a different key seen for the address since, waiting for
	// the user to accept it. It is never used for encryption until then.
	Pending *Candidate `json:",omitempty"`
	// Replaced lists fingerprints this binding used before.
	Replaced []string `json:",omitempty"`
}

// Candidate is a key seen for an address and not yet bound to it.
type Candidate struct {
	Fingerprint string
	Public      []byte
	Source      string
	SeenAt      time.Time
}

// Observation is the outcome of Directory.Observe.
type Observation int

const (
	// FirstUse bound the key because the address had none.
	FirstUse Observation = iota + 1
	// Known means the key is the one already bound.
	Known
	// Changed means the address has another key bound; the new one is
	// kept as pending and the user must be warned.
	Changed
)

// ErrFingerprintMismatch is returned by Verify when the fingerprint the
// user checked is not the one bound to the address.
var ErrFingerprintMismatch = errors.New("crypto: fingerprint does not match the key bound to this address")

const trustKind = "trust"

// Directory keeps trust-on-first-use bindings of addresses to keys and
// certificates in sealed records.
type Directory struct {
	Store RecordStore
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Merge returns the stored copy of a bound key with what a copy of
	// the same key seen since adds to it (newer self-signatures and
	// revocations, for OpenPGP). It must never drop a revocation. Nil
	// keeps the stored copy.
	Merge func(scheme Scheme, stored, seen []byte) ([]byte, error)
}

func (d *Directory) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func bindingKey(scheme Scheme, address string) string {
	return fmt.Sprintf("%d:%s", scheme, strings.ToLower(address))
}

// Lookup returns the binding for address, or an error wrapping
// fs.ErrNotExist when there is none.
func (d *Directory) Lookup(scheme Scheme, address string) (Binding, error) {
	raw, err := d.Store.GetRecord(trustKind, bindingKey(scheme, address))
	if err != nil {
		return Binding{}, err
	}
	var b Binding
	if err := json.Unmarshal(raw, &b); err != nil {
		return Binding{}, fmt.Errorf("crypto: invalid trust record for %s: %w", address, err)
	}
	// A record moved to another address's key (by editing the database)
	// must not bind that address to a stranger's key.
	if b.Address != strings.ToLower(address) || b.Scheme != scheme {
		return Binding{}, fmt.Errorf("crypto: trust record for %s names %s: the profile was tampered with", address, b.Address)
	}
	return b, nil
}

func (d *Directory) put(b Binding) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("crypto: encoding trust record: %w", err)
	}
	return d.Store.PutRecord(trustKind, bindingKey(b.Scheme, b.Address), raw)
}

// Observe records that fingerprint was seen for address. The first key
// seen is bound on first use. A different key never replaces a bound one
// silently: it is kept as pending and Observe returns Changed.
func (d *Directory) Observe(scheme Scheme, address string, c Candidate) (Observation, error) {
	address = strings.ToLower(address)
	c.Fingerprint = strings.ToUpper(c.Fingerprint)
	now := d.now()
	if c.SeenAt.IsZero() {
		c.SeenAt = now
	}

	b, err := d.Lookup(scheme, address)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		b = Binding{
			Address: address, Scheme: scheme, Fingerprint: c.Fingerprint,
			Level: TrustFirstUse, Source: c.Source, FirstSeen: now, LastSeen: now,
			Public: c.Public,
		}
		return FirstUse, d.put(b)
	case err != nil:
		return 0, err
	}

	if b.Fingerprint == c.Fingerprint {
		b.LastSeen = now
		// An unauthenticated copy (a forged Autocrypt header) must not
		// replace the stored one, which may hold a revocation that the
		// copy lacks, so only a merge may take what it adds.
		merged, err := d.merge(scheme, b.Public, c.Public)
		if err != nil {
			// The stored copy stays, and the error goes to the caller.
			return Known, errors.Join(err, d.put(b))
		}
		b.Public = merged
		return Known, d.put(b)
	}
	b.Pending = &c
	return Changed, d.put(b)
}

// AcceptPending binds the pending key to address after the user was
// warned of the change and accepted it. The new key starts at first-use
// trust, whatever the old one had.
func (d *Directory) AcceptPending(scheme Scheme, address, fingerprint string) error {
	b, err := d.Lookup(scheme, address)
	if err != nil {
		return err
	}
	if b.Pending == nil || b.Pending.Fingerprint != strings.ToUpper(fingerprint) {
		return fmt.Errorf("crypto: no pending key %s for %s", fingerprint, address)
	}
	b.Replaced = append(b.Replaced, b.Fingerprint)
	b.Fingerprint = b.Pending.Fingerprint
	b.Public = b.Pending.Public
	b.Source = b.Pending.Source
	b.Level = TrustFirstUse
	b.FirstSeen = d.now()
	b.LastSeen = b.FirstSeen
	b.Pending = nil
	return d.put(b)
}

// Verify raises the binding to TrustVerified after the user compared the
// fingerprint with its owner. Spaces in fingerprint are ignored.
func (d *Directory) Verify(scheme Scheme, address, fingerprint string) error {
	b, err := d.Lookup(scheme, address)
	if err != nil {
		return err
	}
	want := strings.ToUpper(strings.ReplaceAll(fingerprint, " ", ""))
	if b.Fingerprint != want {
		return ErrFingerprintMismatch
	}
	b.Level = TrustVerified
	return d.put(b)
}

// Bind stores a key the user imported on purpose, replacing any binding.
// An import is an explicit act, so it is not held back as a change.
func (d *Directory) Bind(scheme Scheme, address string, c Candidate, level TrustLevel) error {
	now := d.now()
	address = strings.ToLower(address)
	b := Binding{
		Address: address, Scheme: scheme, Fingerprint: strings.ToUpper(c.Fingerprint),
		Level: level, Source: c.Source, FirstSeen: now, LastSeen: now, Public: c.Public,
	}
	old, err := d.Lookup(scheme, address)
	switch {
	case err != nil:
	case old.Fingerprint != b.Fingerprint:
		b.Replaced = append(old.Replaced, old.Fingerprint)
	default:
		// A new import of the bound key adds to the stored copy, so an
		// older file cannot drop a revocation or an expiry extension.
		merged, err := d.merge(scheme, old.Public, c.Public)
		if err != nil {
			return err
		}
		b.Public = merged
	}
	return d.put(b)
}

// merge returns stored merged with seen, or whichever of them is not
// empty.
func (d *Directory) merge(scheme Scheme, stored, seen []byte) ([]byte, error) {
	switch {
	case len(stored) == 0:
		return seen, nil
	case len(seen) == 0 || d.Merge == nil:
		return stored, nil
	}
	merged, err := d.Merge(scheme, stored, seen)
	if err != nil {
		return stored, fmt.Errorf("crypto: merge a new copy of the bound %s key: %w", scheme, err)
	}
	return merged, nil
}

// Remove deletes the binding for address.
func (d *Directory) Remove(scheme Scheme, address string) error {
	return d.Store.DeleteRecord(trustKind, bindingKey(scheme, address))
}

// List returns every binding, sorted by scheme and address.
func (d *Directory) List() ([]Binding, error) {
	keys, err := d.Store.ListRecords(trustKind)
	if err != nil {
		return nil, err
	}
	out := make([]Binding, 0, len(keys))
	for _, k := range keys {
		raw, err := d.Store.GetRecord(trustKind, k)
		if err != nil {
			return nil, err
		}
		var b Binding
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, fmt.Errorf("crypto: invalid trust record %q: %w", k, err)
		}
		out = append(out, b)
	}
	return out, nil
}
