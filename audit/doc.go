// Package audit keeps the tamper-evident audit trail: append-only entries
// chained by a keyed hash, sealed in the vault, with export, verification
// and PHI-free forwarding for the organisation.
//
// Each entry is JSON holding its sequence number, time, event and the MAC
// of the entry before it. Its own MAC is HMAC-SHA256 under a random
// 32-byte chain key kept as a sealed record. A head record holds the
// sequence number and MAC of the newest entry, so Verify can tell an
// entry removed from the end from a log that never had it. Pruning stores
// a checkpoint signed under the chain key before deleting, and the chain
// continues from it.
//
// With an Anchor (package client keeps one in the OS keyring), a trail
// whose newest entries were removed together with its head record is
// reported by VerifyAnchored. NOTE: without an anchor (a passphrase-only
// vault), or for someone who can also roll back the keyring entry, no
// local check detects that rollback; forwarding to the organisation's
// collector, which keeps each entry's MAC, is the remedy.
//
// Events come from the typed constructors. No event field holds a
// subject, a body or a file name, and Event.Validate rejects free text in
// code fields. The justification a user types is the only free text.
// MessageSent masks the identifiers in it that the PHI scanner finds. It
// stays in the local trail and is dropped from forwarded records, where
// addresses and Message-IDs become keyed pseudonyms (see Pseudonym).
package audit
