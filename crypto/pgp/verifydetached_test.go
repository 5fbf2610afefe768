package pgp

import (
	"testing"

	"securemail/crypto"
)

// withHashAlgorithm returns the binary detached signature sig with its
// hash algorithm byte set to id.
func withHashAlgorithm(t *testing.T, sig []byte, id byte) []byte {
	t.Helper()
	// A new-format packet header: the tag byte, then one length byte
	// below 192 or two from 192 to 223. The body starts with the
	// version, the signature type, the public-key and the hash algorithm.
	if len(sig) < 8 || sig[0]&0xc0 != 0xc0 || sig[1] >= 224 {
		t.Fatalf("signature does not start with a short new-format header: % x", sig[:min(len(sig), 8)])
	}
	header := 2
	if sig[1] >= 192 {
		header = 3
	}
	out := append([]byte(nil), sig...)
	out[header+3] = id
	return out
}

// A detached signature whose hash algorithm go-crypto does not know
// cannot be checked: it is reported as such, not as an unknown key.
func TestVerifyDetachedUnknownHash(t *testing.T) {
	alice := aliceSecret(t)
	signed, err := SignEntity([]byte(sampleEntity), alice, testNow)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parsePart(signed)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := splitMultipart(p.body, p.params["boundary"])
	if err != nil {
		t.Fatal(err)
	}
	sigPart, err := parsePart(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	binary, err := readArmoredOrBinary(sigPart.body, "PGP SIGNATURE")
	if err != nil {
		t.Fatal(err)
	}
	ring := NewKeyRing(publicOf(t, alice))

	if sig := VerifyDetached(parts[0], binary, ring, testNow); sig.State != crypto.GoodSignature {
		t.Fatalf("the signature before the change: state %v, want GoodSignature", sig.State)
	}
	if sig := VerifyDetached(parts[0], withHashAlgorithm(t, binary, 99), ring, testNow); sig.State != crypto.UnsupportedAlgorithm {
		t.Errorf("signature with hash algorithm 99: state %v, want UnsupportedAlgorithm", sig.State)
	}
	if sig := VerifyDetached(parts[0], []byte("not a signature"), ring, testNow); sig.State != crypto.BadSignature {
		t.Errorf("garbage signature: state %v, want BadSignature", sig.State)
	}
	// A known hash that is not the one used only fails verification.
	if sig := VerifyDetached(parts[0], withHashAlgorithm(t, binary, 10), ring, testNow); sig.State != crypto.BadSignature {
		t.Errorf("signature with the wrong known hash: state %v, want BadSignature", sig.State)
	}
}
