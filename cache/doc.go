// Package cache owns the vault (device secret in the OS keyring, Argon2id
// passphrase, wrapped data key), the encrypted SQLite store and its search
// index, and the idle lock. Message content, keys and tokens are sealed with
// AES-256-GCM before they reach disk.
package cache
