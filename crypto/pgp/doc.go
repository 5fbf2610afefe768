// Package pgp owns OpenPGP for SecureMail: keys (generation, import,
// export, revocation, wiping), PGP/MIME encryption and signing of MIME
// entities (RFC 3156), opening of received PGP/MIME, Exchange-mangled
// PGP/MIME and inline PGP, and the typed status of what was verified.
//
// It builds on gopenpgp v2 for keys and on ProtonMail's go-crypto for
// messages, because message processing needs an injected clock and a
// decompression limit that gopenpgp's message API does not expose. Every
// time-dependent call takes the time as an argument; the package keeps no
// clock of its own.
package pgp
