package pgp

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// attackEntity generates an Ed25519 key with a Curve25519 encryption
// subkey, created at created, for building hostile copies by hand.
func attackEntity(t *testing.T, name string, created time.Time) *openpgp.Entity {
	t.Helper()
	config := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Time: func() time.Time { return created }}
	e, err := openpgp.NewEntity(name, "", strings.ToLower(name)+"@lab.example", config)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// publicBytes serializes the public parts of e.
func publicBytes(t *testing.T, e *openpgp.Entity) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := e.Serialize(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// publicCopy reads the public parts of e back as a new entity that the
// test can change without touching e.
func publicCopy(t *testing.T, e *openpgp.Entity) *openpgp.Entity {
	t.Helper()
	c, err := openpgp.ReadEntity(packet.NewReader(bytes.NewReader(publicBytes(t, e))))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func configAt(at time.Time) *packet.Config {
	return &packet.Config{Time: func() time.Time { return at }}
}

// TestAttackMergeForeignSubkey attaches Bob's encryption subkey, with
// Bob's own binding signature, to a copy of Alice's key. Merging that
// copy must not give Alice's binding a subkey that Bob can decrypt.
func TestAttackMergeForeignSubkey(t *testing.T) {
	created := time.Now().Add(-time.Hour)
	alice := attackEntity(t, "Alice", created)
	bob := attackEntity(t, "Bob", created)
	stored := publicBytes(t, alice)

	hostile := publicCopy(t, alice)
	bobCopy := publicCopy(t, bob)
	hostile.Subkeys = append(hostile.Subkeys, bobCopy.Subkeys...)
	bobSubkey := bobCopy.Subkeys[0].PublicKey.Fingerprint

	merged, err := MergePublic(stored, publicBytes(t, hostile))
	if err != nil {
		// Rejecting the whole copy is also safe.
		t.Logf("the hostile copy is rejected: %v", err)
		return
	}
	for _, sub := range mustRead(t, merged).entity().Subkeys {
		if bytes.Equal(sub.PublicKey.Fingerprint, bobSubkey) {
			t.Fatalf("the merged key contains Bob's subkey %X, bound by Bob's signature", bobSubkey)
		}
	}
}

// TestAttackMergeRevocationByOtherKey adds a key revocation issued by Bob
// to a copy of Alice's key. Bob is no designated revoker, so the merged
// key must stay usable.
func TestAttackMergeRevocationByOtherKey(t *testing.T) {
	now := time.Now()
	created := now.Add(-time.Hour)
	alice := attackEntity(t, "Alice", created)
	bob := attackEntity(t, "Bob", created)
	stored := publicBytes(t, alice)

	hostile := publicCopy(t, alice)
	reason := packet.KeyCompromised
	config := configAt(now.Add(-time.Minute))
	rev := &packet.Signature{
		Version:           bob.PrivateKey.Version,
		SigType:           packet.SigTypeKeyRevocation,
		PubKeyAlgo:        bob.PrivateKey.PubKeyAlgo,
		Hash:              config.Hash(),
		CreationTime:      config.Now(),
		IssuerKeyId:       &bob.PrivateKey.KeyId,
		IssuerFingerprint: bob.PrivateKey.Fingerprint,
		RevocationReason:  &reason,
	}
	if err := rev.RevokeKey(alice.PrimaryKey, bob.PrivateKey, config); err != nil {
		t.Fatal(err)
	}
	hostile.Revocations = append(hostile.Revocations, rev)

	merged, err := MergePublic(stored, publicBytes(t, hostile))
	if err != nil {
		// Rejecting the copy keeps the stored one, which is safe too.
		t.Logf("the hostile copy is rejected: %v", err)
		return
	}
	k := mustRead(t, merged)
	if k.Revoked(now) {
		t.Error("a revocation issued by another key revoked the merged key")
	}
	if !k.CanEncrypt(now) {
		t.Error("the merged key cannot encrypt after a revocation by another key")
	}
}

// TestAttackMergeDropsEncryptionFlag merges a copy whose newer subkey
// binding signature, made by Alice, allows signing only. The owner's
// latest statement wins, so the merged key must no longer encrypt.
func TestAttackMergeDropsEncryptionFlag(t *testing.T) {
	now := time.Now()
	created := now.Add(-time.Hour)
	alice := attackEntity(t, "Alice", created)
	stored := publicBytes(t, alice)
	if !mustRead(t, stored).CanEncrypt(now) {
		t.Fatal("the generated key cannot encrypt; the case does not apply")
	}

	newer := publicCopy(t, alice)
	sub := &newer.Subkeys[0]
	config := configAt(now.Add(-time.Minute))
	sig := &packet.Signature{
		Version:           alice.PrivateKey.Version,
		SigType:           packet.SigTypeSubkeyBinding,
		PubKeyAlgo:        alice.PrivateKey.PubKeyAlgo,
		Hash:              config.Hash(),
		CreationTime:      config.Now(),
		IssuerKeyId:       &alice.PrivateKey.KeyId,
		IssuerFingerprint: alice.PrivateKey.Fingerprint,
		FlagsValid:        true,
		FlagSign:          false,
	}
	if err := sig.SignKey(sub.PublicKey, alice.PrivateKey, config); err != nil {
		t.Fatal(err)
	}
	sub.Sig = sig

	k := mustMerge(t, stored, publicBytes(t, newer))
	if k.CanEncrypt(now) {
		t.Error("the merged key still encrypts after a newer binding signature removed the encryption flags")
	}
}

// TestAttackMergeShortensExpiry merges a copy whose newer user ID
// self-signature gives the key one day of life. The merged key must
// expire then, not keep the unlimited life of the stored copy.
func TestAttackMergeShortensExpiry(t *testing.T) {
	now := time.Now()
	created := now.Add(-time.Hour)
	alice := attackEntity(t, "Alice", created)
	stored := publicBytes(t, alice)
	if !mustRead(t, stored).ExpiresAt().IsZero() {
		t.Fatal("the generated key expires; the case needs one that does not")
	}

	newer := publicCopy(t, alice)
	var id *openpgp.Identity
	for _, have := range newer.Identities {
		id = have
	}
	config := configAt(now.Add(-time.Minute))
	lifetime := uint32(24 * 60 * 60)
	sig := &packet.Signature{
		Version:           alice.PrivateKey.Version,
		SigType:           packet.SigTypePositiveCert,
		PubKeyAlgo:        alice.PrivateKey.PubKeyAlgo,
		Hash:              config.Hash(),
		CreationTime:      config.Now(),
		IssuerKeyId:       &alice.PrivateKey.KeyId,
		IssuerFingerprint: alice.PrivateKey.Fingerprint,
		KeyLifetimeSecs:   &lifetime,
		FlagsValid:        true,
		FlagSign:          true,
		FlagCertify:       true,
		IsPrimaryId:       new(bool),
	}
	*sig.IsPrimaryId = true
	if err := sig.SignUserId(id.Name, alice.PrimaryKey, alice.PrivateKey, config); err != nil {
		t.Fatal(err)
	}
	id.Signatures = append(id.Signatures, sig)
	id.SelfSignature = sig

	k := mustMerge(t, stored, publicBytes(t, newer))
	want := created.Add(24 * time.Hour).Truncate(time.Second)
	if got := k.ExpiresAt(); !got.Equal(want) {
		t.Errorf("merged key expires at %v, want %v from the newer self-signature", got, want)
	}
	if k.CanEncrypt(now.Add(48 * time.Hour)) {
		t.Error("the merged key still encrypts two days on, after the primary key expired")
	}
}

// TestAttackMergeFutureRevocation merges a copy with a revocation dated
// a month ahead. Merge must keep it, so the key reads as revoked from
// that date on and a compromise revocation reads as revoked at once.
func TestAttackMergeFutureRevocation(t *testing.T) {
	now := time.Now()
	created := now.Add(-time.Hour)
	later := now.Add(30 * 24 * time.Hour)
	for _, reason := range []packet.ReasonForRevocation{packet.KeySuperseded, packet.KeyCompromised} {
		t.Run(fmt.Sprintf("reason %d", reason), func(t *testing.T) {
			alice := attackEntity(t, "Alice", created)
			stored := publicBytes(t, alice)
			if err := alice.RevokeKey(reason, "", configAt(later)); err != nil {
				t.Fatal(err)
			}
			k := mustMerge(t, stored, publicBytes(t, alice))
			if !k.Revoked(later.Add(time.Hour)) {
				t.Error("the merged key is not revoked after the revocation's date, so the revocation was dropped")
			}
			if reason == packet.KeyCompromised && !k.Revoked(now) {
				t.Error("a compromise revocation dated ahead does not revoke the merged key now")
			}
		})
	}
}

// TestAttackMergeGrowsPastKeyLimit merges two copies of one key, each
// with its own set of long user IDs and each under the 512 KiB cap that
// discovery applies to a downloaded key. The stored copy then grows past
// that cap, and every copy seen since adds more.
func TestAttackMergeGrowsPastKeyLimit(t *testing.T) {
	const discoveryLimit = 512 << 10
	now := time.Now()
	alice := attackEntity(t, "Alice", now.Add(-time.Hour))
	stored := publicBytes(t, alice)

	padding := strings.Repeat("x", 4000)
	config := configAt(now.Add(-time.Minute))
	var names []string
	for i := range 160 {
		name := fmt.Sprintf("Alice %d %s", i, padding)
		if err := alice.AddUserId(name, "", fmt.Sprintf("alice%d@lab.example", i), config); err != nil {
			t.Fatal(err)
		}
		for n := range alice.Identities {
			if strings.HasPrefix(n, fmt.Sprintf("Alice %d ", i)) {
				names = append(names, n)
			}
		}
	}
	halves := [2][]string{names[:80], names[80:]}
	merged, largest := stored, 0
	for _, drop := range halves {
		c := publicCopy(t, alice)
		for _, n := range drop {
			delete(c.Identities, n)
		}
		seen := publicBytes(t, c)
		if len(seen) > discoveryLimit {
			t.Fatalf("a copy of %d bytes is over the discovery limit; the case needs smaller copies", len(seen))
		}
		largest = max(largest, len(seen))
		var err error
		merged, err = MergePublic(merged, seen)
		if err != nil {
			// Rejecting the copy that would make the key too large is
			// what the test looks for.
			return
		}
	}
	if len(merged) > discoveryLimit {
		t.Errorf("copies of %d KiB each grew the stored key to %d KiB, past the %d KiB discovery cap",
			largest>>10, len(merged)>>10, discoveryLimit>>10)
	}
}

// TestAttackMergeExpiredRevocation merges a copy with a superseded-key
// revocation whose signature expired an hour ago. Merge must keep the
// packet, because it never drops a revocation, and whether it still
// counts is go-crypto's reading of the signature expiry.
func TestAttackMergeExpiredRevocation(t *testing.T) {
	now := time.Now()
	alice := attackEntity(t, "Alice", now.Add(-3*time.Hour))
	stored := publicBytes(t, alice)
	config := &packet.Config{Time: func() time.Time { return now.Add(-2 * time.Hour) }, SigLifetimeSecs: 60 * 60}
	if err := alice.RevokeKey(packet.KeySuperseded, "", config); err != nil {
		t.Fatal(err)
	}
	if alice.Revocations[0].SigLifetimeSecs == nil {
		t.Fatal("go-crypto wrote the revocation without an expiry; the case does not apply")
	}

	k := mustMerge(t, stored, publicBytes(t, alice))
	if n := len(k.entity().Revocations); n != 1 {
		t.Errorf("the merged key has %d revocations, expected the expired one", n)
	}
	if !k.Revoked(now.Add(-90 * time.Minute)) {
		t.Error("the merged key is not revoked while its revocation was still valid")
	}
}
