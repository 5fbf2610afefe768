package pgp

import (
	"bytes"

	"github.com/ProtonMail/go-crypto/openpgp"
	openpgpv2 "github.com/ProtonMail/go-crypto/openpgp/v2"
	gopenpgp "github.com/ProtonMail/gopenpgp/v2/crypto"
)

// messageKeyRing adapts a KeyFinder to go-crypto's v2 KeyRing for reading
// one message. go-crypto v2 has its own entity type, so each key is
// converted on first use. After the message is read, wipe clears the
// secret material of the converted copies.
type messageKeyRing struct {
	finder    KeyFinder
	converted map[*Key]*openpgpv2.Entity
	originals map[*openpgpv2.Entity]*Key
}

func (r *messageKeyRing) KeysById(id uint64) []openpgpv2.Key {
	return openpgpv2.EntityList(r.EntitiesById(id)).KeysById(id)
}

// EntitiesById returns the secret keys with the key ID first, then the
// public ones. ID 0 is a hidden recipient (RFC 9580) and matches
// every secret key.
func (r *messageKeyRing) EntitiesById(id uint64) []*openpgpv2.Entity {
	var out []*openpgpv2.Entity
	for _, k := range r.finder.DecryptionKeys() {
		if id == 0 || k.hasKeyID(id) {
			out = r.appendConverted(out, k)
		}
	}
	if id == 0 {
		return out
	}
	for _, k := range r.finder.PublicKeysByID(id) {
		out = r.appendConverted(out, k)
	}
	return out
}

func (r *messageKeyRing) appendConverted(out []*openpgpv2.Entity, k *Key) []*openpgpv2.Entity {
	if k == nil {
		return out
	}
	if e, ok := r.converted[k]; ok {
		return append(out, e)
	}
	e := convertToV2(k)
	if e == nil {
		return out
	}
	if r.converted == nil {
		r.converted = map[*Key]*openpgpv2.Entity{}
		r.originals = map[*openpgpv2.Entity]*Key{}
	}
	r.converted[k] = e
	r.originals[e] = k
	return append(out, e)
}

// original returns the key that e was converted from.
func (r *messageKeyRing) original(e *openpgpv2.Entity) *Key {
	return r.originals[e]
}

// convertToV2 re-reads k's serialized form as a v2 entity, or returns nil
// when that fails (a key that cannot serialize cannot be used anyway).
func convertToV2(k *Key) *openpgpv2.Entity {
	serialized, err := k.key.Serialize()
	defer wipeBytes(serialized)
	if err != nil {
		return nil
	}
	list, err := openpgpv2.ReadKeyRing(bytes.NewReader(serialized))
	if err != nil || len(list) != 1 {
		return nil
	}
	return list[0]
}

// wipe clears the secret material of every converted key. The packet
// types are shared between go-crypto's v1 and v2 APIs, so gopenpgp's
// wiping code clears them through a v1 entity that holds the same private
// key packets.
func (r *messageKeyRing) wipe() {
	for _, e := range r.converted {
		shell := &openpgp.Entity{PrivateKey: e.PrivateKey}
		for _, sub := range e.Subkeys {
			shell.Subkeys = append(shell.Subkeys, openpgp.Subkey{PrivateKey: sub.PrivateKey})
		}
		if k, err := gopenpgp.NewKeyFromEntity(shell); err == nil {
			k.ClearPrivateParams()
		}
	}
}
