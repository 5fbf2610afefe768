// Package discovery finds recipients' public keys and certificates:
// OpenPGP keys in a Web Key Directory (draft-koch-openpgp-webkey-service,
// advanced then direct method), on a Verifying Key Server (the
// keys.openpgp.org VKS API) and in Autocrypt headers on received mail
// (Autocrypt Level 1), and S/MIME certificates in an LDAP directory over
// TLS. It also writes the Autocrypt header for outgoing mail.
//
// A discovered key is a candidate, not a trusted key: the caller applies
// trust on first use and tells the user when a known key changes. Every
// lookup takes an injected HTTP client or CA pool, so tests talk only to
// servers on loopback.
package discovery
