// Package crypto holds what OpenPGP and S/MIME share: the typed security
// status of each MIME part, the key store with its trust decisions, and
// the dispatcher that opens a received message with the right scheme.
// The schemes themselves live in crypto/pgp and crypto/smime. It imports
// neither Fyne nor anything that deals with IMAP.
package crypto
