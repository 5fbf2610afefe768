package pgp

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gpgCopies are exports of one key made by gpg at the stages of its life
// that a stored copy can lag behind.
type gpgCopies struct {
	first     []byte // as generated, expiring in a year
	extended  []byte // after the expiry of the key and its subkey moved to three years
	revoked   []byte // after the revocation certificate was imported
	certified []byte // the extended copy with a certification by another key
}

// newGPGCopies makes a Curve25519 key with gpg and exports it at each
// stage.
func newGPGCopies(t *testing.T) gpgCopies {
	t.Helper()
	g := newGPG(t)
	g.run(nil, "--quick-gen-key", "Merge Test <merge@lab.example>", "future-default", "default", "1y")
	g.run(nil, "--quick-gen-key", "Other Signer <other@lab.example>", "future-default", "default", "1y")
	fpr := gpgFingerprint(t, g, "merge@lab.example")
	other := gpgFingerprint(t, g, "other@lab.example")

	var c gpgCopies
	c.first, _ = g.run(nil, "--export", fpr)
	g.run(nil, "--quick-set-expire", fpr, "3y")
	g.run(nil, "--quick-set-expire", fpr, "3y", "*")
	c.extended, _ = g.run(nil, "--export", fpr)

	g.run(nil, "--local-user", other, "--quick-sign-key", fpr)
	c.certified, _ = g.run(nil, "--export", fpr)

	// gpg writes a revocation certificate at key generation, with a colon
	// before its armor line so that it is not imported by accident.
	rev, err := os.ReadFile(filepath.Join(g.dir, "openpgp-revocs.d", fpr+".rev"))
	if err != nil {
		t.Fatal(err)
	}
	g.run(bytes.ReplaceAll(rev, []byte(":-----BEGIN"), []byte("-----BEGIN")), "--import")
	c.revoked, _ = g.run(nil, "--export", fpr)
	return c
}

// gpgFingerprint returns the primary key fingerprint of the key for
// address in g.
func gpgFingerprint(t *testing.T, g *gpgHome, address string) string {
	t.Helper()
	out, _ := g.run(nil, "--with-colons", "--list-keys", address)
	for _, line := range strings.Split(string(out), "\n") {
		if fields := strings.Split(line, ":"); fields[0] == "fpr" && len(fields) > 9 {
			return fields[9]
		}
	}
	t.Fatalf("no fingerprint for %s in gpg's listing:\n%s", address, out)
	return ""
}

func mustMerge(t *testing.T, stored, seen []byte) *Key {
	t.Helper()
	merged, err := MergePublic(stored, seen)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ReadKey(merged)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustRead(t *testing.T, data []byte) *Key {
	t.Helper()
	k, err := ReadKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestMergePublicWithGPGCopies(t *testing.T) {
	c := newGPGCopies(t)
	now := time.Now()
	first, extended := mustRead(t, c.first), mustRead(t, c.extended)
	if !extended.ExpiresAt().After(first.ExpiresAt().Add(365 * 24 * time.Hour)) {
		t.Fatalf("gpg's copies expire at %v and %v; the test needs a later one", first.ExpiresAt(), extended.ExpiresAt())
	}

	t.Run("newer expiry is taken", func(t *testing.T) {
		got := mustMerge(t, c.first, c.extended)
		if !got.ExpiresAt().Equal(extended.ExpiresAt()) {
			t.Errorf("merged key expires at %v, want %v", got.ExpiresAt(), extended.ExpiresAt())
		}
		if !got.CanEncrypt(now.Add(2 * 365 * 24 * time.Hour)) {
			t.Error("merged key cannot encrypt in two years, so the subkey's new expiry was lost")
		}
	})
	t.Run("older copy changes nothing", func(t *testing.T) {
		got := mustMerge(t, c.extended, c.first)
		if !got.ExpiresAt().Equal(extended.ExpiresAt()) {
			t.Errorf("merged key expires at %v, want %v", got.ExpiresAt(), extended.ExpiresAt())
		}
	})
	t.Run("revocation is taken", func(t *testing.T) {
		if !mustMerge(t, c.first, c.revoked).Revoked(now) {
			t.Error("merging the revoked copy into the stored one lost the revocation")
		}
	})
	t.Run("copy without the revocation cannot undo it", func(t *testing.T) {
		if !mustMerge(t, c.revoked, c.extended).Revoked(now) {
			t.Error("merging an unrevoked copy into a revoked one removed the revocation")
		}
	})
	t.Run("forged self-signature is rejected", func(t *testing.T) {
		_, err := MergePublic(c.first, forgeNewestSelfSignature(t, c.extended))
		if err == nil {
			t.Fatal("MergePublic accepted a self-signature whose content was changed after signing")
		}
		if !strings.Contains(err.Error(), "self-signature invalid") {
			t.Errorf("error %q does not name the invalid self-signature", err)
		}
	})
	t.Run("certifications by other keys are dropped", func(t *testing.T) {
		if n := foreignCertifications(mustRead(t, c.certified)); n != 1 {
			t.Fatalf("gpg's certified copy has %d certifications by other keys, want 1", n)
		}
		if n := foreignCertifications(mustMerge(t, c.first, c.certified)); n != 0 {
			t.Errorf("merged key kept %d certifications by other keys", n)
		}
	})
}

// forgeNewestSelfSignature changes one byte of the hashed part of the
// newest user ID self-signature in key, as a forger without the secret
// key would to move its expiry.
func forgeNewestSelfSignature(t *testing.T, key []byte) []byte {
	t.Helper()
	var sig []byte
	for _, id := range mustRead(t, key).entity().Identities {
		sig = []byte(signatureBytes(id.SelfSignature))
	}
	// go-crypto writes a new-format header of two bytes for a short
	// packet. gpg may write another header, so look for the body: the
	// version, type and two algorithm bytes, the hashed length in two
	// bytes, then the hashed subpackets.
	if len(sig) < 16 || sig[1] >= 192 {
		t.Fatalf("self-signature of %d bytes does not have the short header this test expects", len(sig))
	}
	body := sig[2:]
	at := bytes.Index(key, body)
	if at < 0 {
		t.Fatal("the newest self-signature is not found in the key")
	}
	// Flip the last byte of the first hashed subpacket's data (the
	// creation time or the issuer), whose length byte comes first.
	first := int(body[6])
	if first == 0 || first >= 192 {
		t.Fatalf("first hashed subpacket length %d is not a short one", first)
	}
	forged := bytes.Clone(key)
	forged[at+6+first] ^= 0x01
	return forged
}

// foreignCertifications counts the user ID signatures of k that another
// key issued.
func foreignCertifications(k *Key) int {
	n := 0
	primary := k.entity().PrimaryKey
	for _, id := range k.entity().Identities {
		for _, sig := range id.Signatures {
			if !sig.CheckKeyIdOrFingerprint(primary) {
				n++
			}
		}
	}
	return n
}

func TestMergePublicRejectsOtherKey(t *testing.T) {
	alice, bob := publicOf(t, aliceSecret(t)), publicOf(t, bobSecret(t))
	a, err := alice.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	b, err := bob.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := MergePublic(a, b); !errors.Is(err, ErrOtherKey) {
		t.Errorf("merge of two keys: err = %v, want ErrOtherKey", err)
	}
}

func TestMergePublicRejectsSecretKey(t *testing.T) {
	secret := aliceSecret(t)
	armored, err := secret.ArmorSecret([]byte("merge test"))
	if err != nil {
		t.Fatal(err)
	}
	public, err := publicOf(t, secret).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := MergePublic(public, []byte(armored)); !errors.Is(err, ErrMalformed) {
		t.Errorf("merge of a secret key: err = %v, want ErrMalformed", err)
	}
}

func TestMergePublicKeepsSignaturesOnce(t *testing.T) {
	pub, err := publicOf(t, aliceSecret(t)).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	once, err := MergePublic(pub, pub)
	if err != nil {
		t.Fatal(err)
	}
	twice, err := MergePublic(once, pub)
	if err != nil {
		t.Fatal(err)
	}
	count := func(data []byte) int {
		n := 0
		for _, id := range mustRead(t, data).entity().Identities {
			n += len(id.Signatures)
		}
		return n
	}
	if count(once) != count(pub) {
		t.Errorf("merged key has %d user ID signatures, the copy %d", count(once), count(pub))
	}
	if count(twice) != count(pub) {
		t.Errorf("key merged twice has %d user ID signatures, the copy %d", count(twice), count(pub))
	}
}
