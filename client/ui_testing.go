package client

import "securemail/cache"

// WithKDF returns opts with the vault's Argon2id cost replaced by p. It
// exists for the tests of other packages (the GUI's end-to-end test),
// which would otherwise spend seconds per unlock under the race
// detector; a real profile takes its cost from the policy.
func WithKDF(opts Options, p cache.KDFParams) Options {
	opts.kdf = &p
	return opts
}
