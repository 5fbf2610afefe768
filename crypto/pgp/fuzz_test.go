package pgp

import (
	"testing"

	"securemail/crypto"
)

// FuzzOpenEntity feeds arbitrary entities to OpenEntity and OpenInline.
// Neither may panic, and no error may come with a result.
func FuzzOpenEntity(f *testing.F) {
	for _, name := range []string{
		"eml/alice-broken-exchange.eml",
		"eml/bob-enc-inline-nbsp-qp.eml",
		"eml/inline-signed-latin1.eml",
		"eml/signed-by-0xfbfcc82a015e7330-to-0xf231550c4f47e38e-unencrypted.eml",
		"hp/pgpmime-sign+enc.eml",
	} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(sampleEntity))
	ring := NewKeyRing(aliceSecret(f), bobSecret(f))

	f.Fuzz(func(t *testing.T, entity []byte) {
		layer, err := OpenEntity(entity, ring, testNow)
		if err != nil && layer != nil {
			t.Errorf("OpenEntity returned a layer with error %v", err)
		}
		if err == nil && layer.Status.Signature.State == crypto.GoodSignature && layer.Status.Signature.Fingerprint == "" {
			t.Error("good signature without a fingerprint")
		}
		text, err := OpenInline(entity, ring, testNow)
		if err != nil && text != nil {
			t.Errorf("OpenInline returned text with error %v", err)
		}
		if err == nil {
			for _, block := range text.Blocks {
				if block.Start < 0 || block.End < block.Start || block.End > len(text.Text) {
					t.Errorf("block range %d..%d outside text of %d bytes", block.Start, block.End, len(text.Text))
				}
			}
		}
	})
}

// FuzzVerifyDetached feeds arbitrary signatures over fixed data. Only the
// real signature may verify as good.
func FuzzVerifyDetached(f *testing.F) {
	alice := aliceSecret(f)
	signed, err := SignEntity([]byte(sampleEntity), alice, testNow)
	if err != nil {
		f.Fatal(err)
	}
	p, err := parsePart(signed)
	if err != nil {
		f.Fatal(err)
	}
	parts, err := splitMultipart(p.body, p.params["boundary"])
	if err != nil {
		f.Fatal(err)
	}
	sigPart, err := parsePart(parts[1])
	if err != nil {
		f.Fatal(err)
	}
	binary, err := readArmoredOrBinary(sigPart.body, "PGP SIGNATURE")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sigPart.body)
	f.Add(binary)
	f.Add(readTestdata(f, "rpgp/sigs/unknown_hash.sig.asc"))
	ring := NewKeyRing(publicOf(f, alice), publicOf(f, bobSecret(f)))

	f.Fuzz(func(t *testing.T, signature []byte) {
		sig := VerifyDetached(parts[0], signature, ring, testNow)
		if sig.State == crypto.GoodSignature && sig.Fingerprint != alice.Fingerprint() {
			t.Errorf("good signature from %q, only alice signed", sig.Fingerprint)
		}
		if sig.State != crypto.GoodSignature && sig.State != crypto.BadSignature &&
			sig.State != crypto.UnknownKey && sig.State != crypto.UnsupportedAlgorithm &&
			sig.State != crypto.ExpiredKey && sig.State != crypto.RevokedKey {
			t.Errorf("unexpected state %v", sig.State)
		}
	})
}
