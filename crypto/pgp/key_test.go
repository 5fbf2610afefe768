package pgp

import (
	"crypto/rsa"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/ecdh"
	"github.com/ProtonMail/go-crypto/openpgp/eddsa"
)

func TestGenerateKeyDefaults(t *testing.T) {
	k, err := GenerateKey("Dr. Ada Example", "ada@clinic.example", &KeyOptions{Now: testNow})
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	defer k.Wipe()

	if len(k.Fingerprint()) != 40 || strings.ToUpper(k.Fingerprint()) != k.Fingerprint() {
		t.Errorf("fingerprint %q is not 40 upper-case hex digits", k.Fingerprint())
	}
	if got := k.PrimaryUserID(); got != "Dr. Ada Example <ada@clinic.example>" {
		t.Errorf("primary user ID = %q", got)
	}
	if _, ok := k.entity().PrivateKey.PrivateKey.(*eddsa.PrivateKey); !ok {
		t.Errorf("primary key is %T, want Ed25519", k.entity().PrivateKey.PrivateKey)
	}
	if !k.CanEncrypt(testNow) {
		t.Error("CanEncrypt = false")
	}
	if !k.CanSign(testNow) {
		t.Error("CanSign = false")
	}
	if k.Expired(testNow.AddDate(50, 0, 0)) {
		t.Error("key without lifetime expired")
	}
	if !k.ExpiresAt().IsZero() {
		t.Errorf("ExpiresAt = %v, want zero", k.ExpiresAt())
	}
}

func TestGenerateKeyOptions(t *testing.T) {
	opts := &KeyOptions{
		MoreUserIDs:   []UserID{{Name: "Ada Example", Email: "Ada@Hospital.example"}},
		Lifetime:      365 * 24 * time.Hour,
		SigningSubkey: true,
		Now:           testNow,
	}
	k, err := GenerateKey("Dr. Ada Example", "ada@clinic.example", opts)
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	defer k.Wipe()

	if got := k.Emails(); len(got) != 2 || got[0] != "ada@clinic.example" || got[1] != "ada@hospital.example" {
		t.Errorf("Emails = %q", got)
	}
	if !k.MatchesAddress("\"Ada\" <ADA@hospital.example>") {
		t.Error("MatchesAddress(second user ID) = false")
	}
	if k.MatchesAddress("ada@hospital.example.org") {
		t.Error("MatchesAddress(other domain) = true")
	}
	if got := len(k.entity().Subkeys); got != 2 {
		t.Errorf("subkeys = %d, want 2 (encryption and signing)", got)
	}
	if want := testNow.Add(opts.Lifetime); !k.ExpiresAt().Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v", k.ExpiresAt(), want)
	}
	if k.Expired(testNow.AddDate(0, 6, 0)) {
		t.Error("expired after 6 months")
	}
	later := testNow.AddDate(2, 0, 0)
	if !k.Expired(later) {
		t.Error("not expired after 2 years")
	}
	if k.CanEncrypt(later) || k.CanSign(later) {
		t.Error("expired key can still encrypt or sign")
	}
	_, err = EncryptEntity([]byte(sampleEntity), []*Key{k}, nil, later)
	if !errors.Is(err, ErrKeyUnusable) {
		t.Errorf("encrypt to expired key: error = %v, want ErrKeyUnusable", err)
	}
}

func TestGenerateKeyRSA(t *testing.T) {
	if testing.Short() {
		t.Skip("RSA-4096 generation takes seconds")
	}
	k, err := GenerateKey("Lab", "lab@clinic.example", &KeyOptions{Type: RSA4096, Now: testNow})
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	defer k.Wipe()
	priv, ok := k.entity().PrivateKey.PrivateKey.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("primary key is %T, want RSA", k.entity().PrivateKey.PrivateKey)
	}
	if got := priv.N.BitLen(); got != 4096 {
		t.Errorf("modulus is %d bits, want 4096", got)
	}
}

func TestSecretExportImport(t *testing.T) {
	k, err := GenerateKey("Ada", "ada@clinic.example", &KeyOptions{Now: testNow})
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	defer k.Wipe()

	if _, err := k.ArmorSecret(nil); err == nil {
		t.Error("ArmorSecret without passphrase succeeded")
	}
	armored, err := k.ArmorSecret([]byte("correct horse"))
	if err != nil {
		t.Fatalf("ArmorSecret: %v", err)
	}
	if !strings.HasPrefix(armored, "-----BEGIN PGP PRIVATE KEY BLOCK-----") {
		t.Errorf("armor starts %.40q", armored)
	}

	imported, err := ReadKey([]byte(armored))
	if err != nil {
		t.Fatalf("ReadKey: %v", err)
	}
	if !imported.IsLocked() {
		t.Fatal("imported secret key is not locked")
	}
	if imported.CanSign(testNow) {
		t.Error("locked key reports CanSign")
	}
	if _, err := imported.Unlock([]byte("wrong")); !errors.Is(err, ErrBadPassphrase) {
		t.Errorf("Unlock(wrong) error = %v, want ErrBadPassphrase", err)
	}
	unlocked, err := imported.Unlock([]byte("correct horse"))
	if err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	defer unlocked.Wipe()
	if unlocked.Fingerprint() != k.Fingerprint() {
		t.Errorf("fingerprint changed: %s != %s", unlocked.Fingerprint(), k.Fingerprint())
	}
	if !unlocked.CanSign(testNow) {
		t.Error("unlocked key cannot sign")
	}

	public, err := k.ArmorPublic()
	if err != nil {
		t.Fatalf("ArmorPublic: %v", err)
	}
	pub, err := ReadKey([]byte(public))
	if err != nil {
		t.Fatalf("ReadKey(public): %v", err)
	}
	if pub.IsPrivate() {
		t.Error("public export carries secret material")
	}
}

func TestReadKeysKeyring(t *testing.T) {
	ring := append(readTestdata(t, "keys/alice@openpgp.example-0xf231550c4f47e38e-pub.asc"),
		readTestdata(t, "keys/bob@openpgp.example-0xfbfcc82a015e7330-pub.asc")...)
	keys, err := ReadKeys(ring)
	if err != nil {
		t.Fatalf("ReadKeys: %v", err)
	}
	if len(keys) != 2 {
		t.Fatalf("read %d keys, want 2", len(keys))
	}
	if got := keys[0].Fingerprint(); got != "EB85BB5FA33A75E15E944E63F231550C4F47E38E" {
		t.Errorf("alice fingerprint = %s", got)
	}
	if got := keys[1].Fingerprint(); got != "D1A66E1A23B182C9980F788CFBFCC82A015E7330" {
		t.Errorf("bob fingerprint = %s", got)
	}

	binary, err := keys[1].Serialize()
	if err != nil {
		t.Fatalf("Serialize: %v", err)
	}
	fromBinary, err := ReadKey(binary)
	if err != nil {
		t.Fatalf("ReadKey(binary): %v", err)
	}
	if fromBinary.Fingerprint() != keys[1].Fingerprint() {
		t.Error("binary round trip changed the fingerprint")
	}
	if _, err := ReadKey(ring); !errors.Is(err, ErrMalformed) {
		t.Errorf("ReadKey(two keys) error = %v, want ErrMalformed", err)
	}
	if _, err := ReadKeys([]byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n")); err == nil {
		t.Error("ReadKeys(garbage) succeeded")
	}
}

func TestRevocationCertificate(t *testing.T) {
	k, err := GenerateKey("Ada", "ada@clinic.example", &KeyOptions{Now: testNow})
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	defer k.Wipe()
	revokedAt := testNow.Add(time.Hour)
	cert, err := k.RevocationCertificate(RevocationCompromise, "laptop lost", revokedAt)
	if err != nil {
		t.Fatalf("RevocationCertificate: %v", err)
	}
	if k.Revoked(revokedAt.Add(time.Hour)) {
		t.Fatal("making a certificate revoked the key")
	}

	pub := publicOf(t, k)
	other, err := GenerateKey("Eve", "eve@example.org", &KeyOptions{Now: testNow})
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	if err := other.ApplyRevocation([]byte(cert)); err == nil {
		t.Error("certificate applied to another key")
	}
	if err := pub.ApplyRevocation([]byte(cert)); err != nil {
		t.Fatalf("ApplyRevocation: %v", err)
	}
	if !pub.Revoked(revokedAt.Add(time.Minute)) {
		t.Error("key not revoked after ApplyRevocation")
	}
	if pub.CanEncrypt(revokedAt.Add(time.Minute)) {
		t.Error("revoked key can encrypt")
	}
}

func TestApplySampleRevocation(t *testing.T) {
	alice := readTestKey(t, "alice@openpgp.example-0xf231550c4f47e38e-pub.asc")
	if alice.Revoked(testNow) {
		t.Fatal("sample key revoked before applying the certificate")
	}
	cert := readTestdata(t, "keys/alice@openpgp.example-0xf231550c4f47e38e-rev.asc")
	if err := alice.ApplyRevocation(cert); err != nil {
		t.Fatalf("ApplyRevocation: %v", err)
	}
	if !alice.Revoked(testNow) {
		t.Error("sample key not revoked")
	}
	bob := readTestKey(t, "bob@openpgp.example-0xfbfcc82a015e7330-pub.asc")
	if err := bob.ApplyRevocation(cert); err == nil {
		t.Error("alice's certificate applied to bob's key")
	}
}

func TestWipeClearsSecretMaterial(t *testing.T) {
	k, err := GenerateKey("Ada", "ada@clinic.example", &KeyOptions{Now: testNow})
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	primary := k.entity().PrivateKey.PrivateKey.(*eddsa.PrivateKey)
	sub := k.entity().Subkeys[0].PrivateKey.PrivateKey.(*ecdh.PrivateKey)

	k.Wipe()

	if k.IsPrivate() {
		t.Error("key is still private after Wipe")
	}
	if !allZero(primary.D) {
		t.Error("Ed25519 secret scalar not zeroed")
	}
	if !allZero(sub.D) {
		t.Error("Cv25519 secret scalar not zeroed")
	}
	k.Wipe() // wiping twice is harmless
}

func TestWipeClearsRSA(t *testing.T) {
	bob := bobSecret(t)
	priv := bob.entity().PrivateKey.PrivateKey.(*rsa.PrivateKey)
	bob.Wipe()
	if !wordsZero(priv.D) {
		t.Error("RSA private exponent not zeroed")
	}
	for i, p := range priv.Primes {
		if !wordsZero(p) {
			t.Errorf("RSA prime %d not zeroed", i)
		}
	}
}

// wordsZero reports whether every word of n's storage is zero. Wiping
// zeroes the words in place without shortening n, so n.Sign() is no test.
func wordsZero(n *big.Int) bool {
	for _, w := range n.Bits() {
		if w != 0 {
			return false
		}
	}
	return len(n.Bits()) > 0
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return len(b) > 0
}
