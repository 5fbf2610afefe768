package pgp

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"securemail/crypto"
)

func TestEncryptEntityRoundTrip(t *testing.T) {
	alice := aliceSecret(t)
	bob := bobSecret(t)

	sealed, err := EncryptEntity([]byte(sampleEntity), []*Key{publicOf(t, bob)}, alice, testNow)
	if err != nil {
		t.Fatalf("EncryptEntity: %v", err)
	}
	if !bytes.HasPrefix(sealed, []byte("Content-Type: multipart/encrypted;")) {
		t.Fatalf("output does not start with multipart/encrypted: %.80q", sealed)
	}
	if bytes.Contains(sealed, []byte("Patient")) {
		t.Fatal("output contains plaintext")
	}

	layer, err := OpenEntity(sealed, NewKeyRing(bob, publicOf(t, alice)), testNow)
	if err != nil {
		t.Fatalf("OpenEntity: %v", err)
	}
	if string(layer.Entity) != sampleEntity {
		t.Errorf("inner entity = %q, want %q", layer.Entity, sampleEntity)
	}
	enc := layer.Status.Encryption
	if enc.Scheme != crypto.SchemeOpenPGP || !enc.IntegrityProtected {
		t.Errorf("encryption status = %+v", enc)
	}
	sig := layer.Status.Signature
	if sig.State != crypto.GoodSignature {
		t.Fatalf("signature state = %v, want good signature", sig.State)
	}
	if sig.Fingerprint != alice.Fingerprint() {
		t.Errorf("signer fingerprint = %s, want %s", sig.Fingerprint, alice.Fingerprint())
	}
	if !strings.Contains(sig.Signer, "alice@openpgp.example") {
		t.Errorf("signer = %q", sig.Signer)
	}
}

func TestEncryptEntityUnsigned(t *testing.T) {
	bob := bobSecret(t)
	sealed, err := EncryptEntity([]byte(sampleEntity), []*Key{publicOf(t, bob)}, nil, testNow)
	if err != nil {
		t.Fatalf("EncryptEntity: %v", err)
	}
	layer, err := OpenEntity(sealed, NewKeyRing(bob), testNow)
	if err != nil {
		t.Fatalf("OpenEntity: %v", err)
	}
	if got := layer.Status.Signature.State; got != crypto.NotSigned {
		t.Errorf("signature state = %v, want not signed", got)
	}
}

func TestEncryptEntityUnknownSigner(t *testing.T) {
	alice := aliceSecret(t)
	bob := bobSecret(t)
	sealed, err := EncryptEntity([]byte(sampleEntity), []*Key{publicOf(t, bob)}, alice, testNow)
	if err != nil {
		t.Fatalf("EncryptEntity: %v", err)
	}
	layer, err := OpenEntity(sealed, NewKeyRing(bob), testNow)
	if err != nil {
		t.Fatalf("OpenEntity: %v", err)
	}
	if got := layer.Status.Signature.State; got != crypto.UnknownKey {
		t.Errorf("signature state = %v, want unknown key", got)
	}
	if layer.Status.Signature.Fingerprint != "" {
		t.Errorf("unknown signer has fingerprint %q", layer.Status.Signature.Fingerprint)
	}
}

func TestOpenEntityWithoutKey(t *testing.T) {
	bob := bobSecret(t)
	sealed, err := EncryptEntity([]byte(sampleEntity), []*Key{publicOf(t, bob)}, nil, testNow)
	if err != nil {
		t.Fatalf("EncryptEntity: %v", err)
	}
	layer, err := OpenEntity(sealed, NewKeyRing(aliceSecret(t)), testNow)
	if !errors.Is(err, ErrNoKey) {
		t.Fatalf("OpenEntity error = %v, want ErrNoKey", err)
	}
	if layer != nil {
		t.Error("layer returned with an error")
	}
}

func TestSignEntityRoundTrip(t *testing.T) {
	alice := aliceSecret(t)
	signed, err := SignEntity([]byte(sampleEntity), alice, testNow)
	if err != nil {
		t.Fatalf("SignEntity: %v", err)
	}
	if !bytes.Contains(signed, []byte("micalg=pgp-sha256")) {
		t.Errorf("no micalg=pgp-sha256 in %.200q", signed)
	}

	layer, err := OpenEntity(signed, NewKeyRing(publicOf(t, alice)), testNow)
	if err != nil {
		t.Fatalf("OpenEntity: %v", err)
	}
	if string(layer.Entity) != sampleEntity {
		t.Errorf("signed entity = %q, want %q", layer.Entity, sampleEntity)
	}
	if got := layer.Status.Signature.State; got != crypto.GoodSignature {
		t.Errorf("signature state = %v, want good signature", got)
	}
	if layer.Status.Encryption.Scheme != crypto.SchemeNone {
		t.Errorf("encryption scheme = %v, want none", layer.Status.Encryption.Scheme)
	}
}

func TestSignEntityTampered(t *testing.T) {
	alice := aliceSecret(t)
	signed, err := SignEntity([]byte(sampleEntity), alice, testNow)
	if err != nil {
		t.Fatalf("SignEntity: %v", err)
	}
	tampered := bytes.Replace(signed, []byte("Tuesday"), []byte("Thursda"), 1)
	layer, err := OpenEntity(tampered, NewKeyRing(publicOf(t, alice)), testNow)
	if err != nil {
		t.Fatalf("OpenEntity: %v", err)
	}
	if got := layer.Status.Signature.State; got != crypto.BadSignature {
		t.Errorf("signature state = %v, want bad signature", got)
	}
}

func TestSignEntityLFInput(t *testing.T) {
	alice := aliceSecret(t)
	lf := strings.ReplaceAll(sampleEntity, "\r\n", "\n")
	signed, err := SignEntity([]byte(lf), alice, testNow)
	if err != nil {
		t.Fatalf("SignEntity: %v", err)
	}
	// A store that keeps LF line breaks must still verify.
	stored := bytes.ReplaceAll(signed, []byte("\r\n"), []byte("\n"))
	layer, err := OpenEntity(stored, NewKeyRing(publicOf(t, alice)), testNow)
	if err != nil {
		t.Fatalf("OpenEntity: %v", err)
	}
	if got := layer.Status.Signature.State; got != crypto.GoodSignature {
		t.Errorf("signature state = %v, want good signature", got)
	}
}

func TestOpenEntityNotOpenPGP(t *testing.T) {
	_, err := OpenEntity([]byte(sampleEntity), NewKeyRing(), testNow)
	if !errors.Is(err, ErrNotOpenPGP) {
		t.Errorf("error = %v, want ErrNotOpenPGP", err)
	}
}

func TestSignerMatchesAddress(t *testing.T) {
	alice := aliceSecret(t)
	ring := NewKeyRing(publicOf(t, alice))
	signed, err := SignEntity([]byte(sampleEntity), alice, testNow)
	if err != nil {
		t.Fatalf("SignEntity: %v", err)
	}
	layer, err := OpenEntity(signed, ring, testNow)
	if err != nil {
		t.Fatalf("OpenEntity: %v", err)
	}
	sig := layer.Status.Signature
	if !SignerMatchesAddress(sig, ring, "Alice Lovelace <ALICE@openpgp.example>") {
		t.Error("signer does not match its own address")
	}
	if SignerMatchesAddress(sig, ring, "bob@openpgp.example") {
		t.Error("signer matches another address")
	}
	sig.State = crypto.BadSignature
	if SignerMatchesAddress(sig, ring, "alice@openpgp.example") {
		t.Error("bad signature matches an address")
	}
}

func TestEncryptEntityTwoRecipients(t *testing.T) {
	alice, bob := aliceSecret(t), bobSecret(t)
	sealed, err := EncryptEntity([]byte(sampleEntity), []*Key{publicOf(t, alice), publicOf(t, bob)}, nil, testNow)
	if err != nil {
		t.Fatalf("EncryptEntity: %v", err)
	}
	for _, reader := range []*Key{alice, bob} {
		layer, err := OpenEntity(sealed, NewKeyRing(reader), testNow)
		if err != nil {
			t.Errorf("%s cannot decrypt: %v", reader.PrimaryUserID(), err)
			continue
		}
		if string(layer.Entity) != sampleEntity {
			t.Errorf("%s decrypted %q", reader.PrimaryUserID(), layer.Entity)
		}
	}
}

func TestEncryptEntityRejectsUnusableKeys(t *testing.T) {
	alice := aliceSecret(t)
	revoked := readTestKey(t, "bob@openpgp.example-0xfbfcc82a015e7330-pub.asc")
	if err := revoked.ApplyRevocation(readTestdata(t, "keys/bob@openpgp.example-0xfbfcc82a015e7330-rev.asc")); err != nil {
		t.Fatalf("ApplyRevocation: %v", err)
	}
	_, err := EncryptEntity([]byte(sampleEntity), []*Key{publicOf(t, alice), revoked}, nil, testNow)
	if !errors.Is(err, ErrKeyUnusable) {
		t.Errorf("revoked recipient: error = %v, want ErrKeyUnusable", err)
	}
	if !strings.Contains(fmt.Sprint(err), revoked.Fingerprint()) {
		t.Errorf("error %q does not name the key", err)
	}

	if _, err := EncryptEntity([]byte(sampleEntity), nil, nil, testNow); err == nil {
		t.Error("encrypting to nobody succeeded")
	}
	if _, err := SignEntity([]byte(sampleEntity), publicOf(t, alice), testNow); !errors.Is(err, ErrKeyUnusable) {
		t.Errorf("sign with public key: error = %v, want ErrKeyUnusable", err)
	}
	locked := readTestKey(t, "alice@openpgp.example-0xf231550c4f47e38e-secret-with-pp.asc")
	if _, err := SignEntity([]byte(sampleEntity), locked, testNow); !errors.Is(err, ErrKeyUnusable) {
		t.Errorf("sign with locked key: error = %v, want ErrKeyUnusable", err)
	}
}

func TestOpenExchangeRepairNeedsShape(t *testing.T) {
	broken := readTestdata(t, "eml/alice-broken-exchange.eml")
	// A text part with content means a real multipart/mixed message with
	// attachments, which must not be treated as mangled PGP/MIME.
	withText := bytes.Replace(broken,
		[]byte("Content-Transfer-Encoding: quoted-printable\r\n\r\n"),
		[]byte("Content-Transfer-Encoding: quoted-printable\r\n\r\nSee the attachment.\r\n"), 1)
	if bytes.Equal(withText, broken) {
		t.Fatal("sample changed: the text part header was not found")
	}
	if _, err := OpenEntity(withText, NewKeyRing(aliceSecret(t)), testNow); !errors.Is(err, ErrNotOpenPGP) {
		t.Errorf("error = %v, want ErrNotOpenPGP", err)
	}
}
