package pgp

import "errors"

// Errors that callers choose a path on. Every error returned by this
// package that belongs to one of these classes wraps the matching value.
var (
	// ErrNoIntegrity marks encrypted data without integrity protection
	// (a Symmetrically Encrypted Data packet without MDC). Such data is
	// rejected and none of its plaintext is returned.
	ErrNoIntegrity = errors.New("pgp: encrypted data has no integrity protection")

	// ErrDecryptionFailed marks data whose decryption or integrity check
	// failed, or whose decrypted packets are malformed. No plaintext is
	// returned.
	ErrDecryptionFailed = errors.New("pgp: decryption failed")

	// ErrNoKey marks a message encrypted to none of the available secret
	// keys.
	ErrNoKey = errors.New("pgp: no secret key for this message")

	// ErrNotOpenPGP marks an entity that contains no OpenPGP structure
	// this package opens.
	ErrNotOpenPGP = errors.New("pgp: entity is not OpenPGP")

	// ErrMalformed marks input whose MIME or OpenPGP structure is invalid.
	ErrMalformed = errors.New("pgp: malformed input")

	// ErrTooLarge marks input, or decompressed or decrypted data, over the
	// size limits in Limits.
	ErrTooLarge = errors.New("pgp: data exceeds the size limit")

	// ErrKeyUnusable marks a key that cannot be used for the requested
	// operation: expired, revoked, locked, public only, or without a
	// subkey for that use.
	ErrKeyUnusable = errors.New("pgp: key is not usable for this operation")

	// ErrBadPassphrase marks a passphrase that does not unlock a key.
	ErrBadPassphrase = errors.New("pgp: wrong passphrase")
)
