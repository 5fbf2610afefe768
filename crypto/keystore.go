package crypto

import (
	"fmt"
	"strings"
)

// OwnKeys keeps the user's own private OpenPGP keys and S/MIME
// identities as sealed records, keyed by fingerprint. The bytes are the
// scheme's own encoding (an armored OpenPGP secret key, a PKCS#12 file);
// they never exist as files.
type OwnKeys struct {
	Store RecordStore
}

func ownKind(scheme Scheme) (string, error) {
	switch scheme {
	case SchemeOpenPGP:
		return "own-openpgp", nil
	case SchemeSMIME:
		return "own-smime", nil
	default:
		return "", fmt.Errorf("crypto: no key store for scheme %v", scheme)
	}
}

// Put stores secret under fingerprint, replacing what was there.
func (o OwnKeys) Put(scheme Scheme, fingerprint string, secret []byte) error {
	kind, err := ownKind(scheme)
	if err != nil {
		return err
	}
	return o.Store.PutRecord(kind, strings.ToUpper(fingerprint), secret)
}

// Get returns the secret stored under fingerprint. The caller wipes it
// after use.
func (o OwnKeys) Get(scheme Scheme, fingerprint string) ([]byte, error) {
	kind, err := ownKind(scheme)
	if err != nil {
		return nil, err
	}
	return o.Store.GetRecord(kind, strings.ToUpper(fingerprint))
}

// Fingerprints lists the stored keys of scheme.
func (o OwnKeys) Fingerprints(scheme Scheme) ([]string, error) {
	kind, err := ownKind(scheme)
	if err != nil {
		return nil, err
	}
	return o.Store.ListRecords(kind)
}

// Delete removes the key stored under fingerprint.
func (o OwnKeys) Delete(scheme Scheme, fingerprint string) error {
	kind, err := ownKind(scheme)
	if err != nil {
		return err
	}
	return o.Store.DeleteRecord(kind, strings.ToUpper(fingerprint))
}
