// Package smime reads and writes S/MIME (RFC 8551) MIME entities: it
// signs (multipart/signed and opaque signed-data), encrypts (CMS
// EnvelopedData with AES-256-CBC and AuthEnvelopedData with AES-256-GCM),
// and opens one cryptographic layer at a time, returning a crypto.Layer
// with a precise status. It also owns S/MIME identities (certificate,
// chain and private key imported from PKCS#12 or PEM) and certificate
// validation for email protection.
//
// The CMS code (RFC 5652, 5083, 5084, 5753) is written here on
// encoding/asn1 and golang.org/x/crypto/cryptobyte because the available
// CMS library keeps its algorithm choices in package-level variables,
// puts GCM inside EnvelopedData instead of AuthEnvelopedData and has no
// key agreement. PKCS#12 files that go-pkcs12 rejects (BER from NSS,
// more than two safes) are read by a small decoder of our own.
// Persisting keys and harvested certificates belongs to the key store in
// package crypto, not here. The package never logs.
package smime
