// Package discovery finds recipients' OpenPGP public keys: Web Key
// Directory (draft-koch-openpgp-webkey-service, advanced then direct
// method), a Verifying Key Server (the keys.openpgp.org VKS API), and
// Autocrypt headers on received mail (Autocrypt Level 1). It also writes
// the Autocrypt header for outgoing mail.
//
// A discovered key is a candidate, not a trusted key: the caller applies
// trust on first use and tells the user when a known key changes. Every
// lookup takes an injected *http.Client, so tests talk only to servers on
// loopback.
package discovery
