package pgp

import (
	"bytes"
	"crypto/rand"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"securemail/crypto"
)

// rpgpRing holds the draft-bre Bob key that the rpgp robustness messages
// are encrypted to.
func rpgpRing(t *testing.T) *KeyRing {
	return NewKeyRing(readTestKey(t, "../rpgp/draft-bre-openpgp-samples-00/bob.sec.asc"))
}

// TestRobustnessSamples runs the rpgp interoperability robustness
// messages. Malformed packet sequences must fail with no plaintext; the
// lenient cases (unknown hash or algorithm in a signature) must decrypt.
func TestRobustnessSamples(t *testing.T) {
	cases := []struct {
		file      string
		plaintext string
		err       error
	}{
		{file: "literal_eating_mdc.asc", err: ErrDecryptionFailed},
		{file: "two_literals_first_compressed.asc", err: ErrDecryptionFailed},
		{file: "two_literals_first_compressed_two_times.asc", err: ErrDecryptionFailed},
		{file: "two_messages.asc", err: ErrDecryptionFailed},
		{file: "multi_message_1.asc", err: ErrDecryptionFailed},
		{file: "partial_invalid_two_fixed.asc", err: ErrDecryptionFailed},
		{file: "partial_invalid_two_fixed_empty.asc", err: ErrDecryptionFailed},
		{file: "partial_invalid_short_last.asc", err: ErrDecryptionFailed},
		// go-crypto drops signatures with unknown algorithms, so these
		// report NotSigned (see messageSignature).
		{file: "message_other_hash.asc", plaintext: "Encrypted, signed message."},
		{file: "message_other_pub_algo.asc", plaintext: "Encrypted, signed message."},
		{file: "message_future_signature.asc", plaintext: "Encrypted, signed message."},
		{file: "sigs/unknown_one_pass.sig.asc", plaintext: "Encrypted, signed message."},
		{file: "gnupg/msg_to_bob.asc", plaintext: "foo\n"},
	}
	ring := rpgpRing(t)
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			plaintext, status, err := decryptMessage(readTestdata(t, "rpgp/"+tc.file), ring, testNow, false)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error = %v, want %v", err, tc.err)
				}
				if plaintext != nil {
					t.Errorf("plaintext %q returned with an error", plaintext)
				}
				return
			}
			if err != nil {
				t.Fatalf("decrypt: %v", err)
			}
			if string(plaintext) != tc.plaintext {
				t.Errorf("plaintext = %q, want %q", plaintext, tc.plaintext)
			}
			if !status.Encryption.IntegrityProtected {
				t.Error("decrypted message not marked integrity-protected")
			}
		})
	}
}

// TestFuzzCrashers feeds rpgp's fuzzer-found packet sequences through
// every reader. They must fail without a panic, and none may verify as a
// good signature.
func TestFuzzCrashers(t *testing.T) {
	ring := rpgpRing(t)
	for _, name := range []string{
		"minimized-from-7585e756306047aba2218ebf70b24c6373e82e2a",
		"minimized-from-82b02bbac39a10c7b98d020f78153ffb75c94607",
		"crash-1b1482d11c52075aabfc75256626a56c607787f3",
		"minimized-from-e2a02fea22523e47a4d74b66bda8f455533bcfbb",
	} {
		t.Run(name, func(t *testing.T) {
			data := readTestdata(t, "rpgp/fuzz/"+name)
			plaintext, _, err := decryptMessage(data, ring, testNow, true)
			if err == nil {
				t.Errorf("crafted packet sequence opened as %q", plaintext)
			}
			if got := VerifyDetached([]byte("data"), data, ring, testNow).State; got == crypto.GoodSignature {
				t.Error("crafted packet sequence verified as a good signature")
			}
		})
	}
}

// TestDecompressionQuine checks that a compressed packet that decompresses
// to itself fails fast, both as a bare message and inside encryption.
func TestDecompressionQuine(t *testing.T) {
	quine := readTestdata(t, "rpgp/quine.out")
	ring := rpgpRing(t)

	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	if _, _, err := decryptMessage(quine, ring, testNow, true); !errors.Is(err, ErrDecryptionFailed) {
		t.Errorf("bare quine: error = %v, want ErrDecryptionFailed", err)
	}

	bob := readTestKey(t, "../rpgp/draft-bre-openpgp-samples-00/bob.sec.asc")
	sealed := encryptRawPackets(t, bob, quine)
	plaintext, _, err := decryptMessage(sealed, ring, testNow, false)
	if !errors.Is(err, ErrDecryptionFailed) {
		t.Errorf("encrypted quine: error = %v, want ErrDecryptionFailed", err)
	}
	if plaintext != nil {
		t.Error("encrypted quine returned plaintext")
	}

	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 64<<20 {
		t.Errorf("quine allocated %d MiB", grown>>20)
	}
}

// TestDecompressionLimit checks that a small compressed message that
// inflates past the plaintext limit is rejected and returns nothing.
// go-crypto v1.5.2 reports the limit as a generic parsing error (its
// defence against decryption oracles), so either typed error is accepted.
func TestDecompressionLimit(t *testing.T) {
	const limit = 1 << 20
	bomb := compressedLiteral(t, 8*limit)
	if len(bomb) > limit/64 {
		t.Fatalf("compressed bomb is %d bytes, expected a small one", len(bomb))
	}

	bob := bobSecret(t)
	ring := NewKeyRing(bob)
	plaintext, _, err := decryptMessageLimited(encryptRawPackets(t, bob, bomb), ring, testNow, false, limit)
	if !errors.Is(err, ErrDecryptionFailed) && !errors.Is(err, ErrTooLarge) {
		t.Errorf("encrypted bomb: error = %v, want ErrDecryptionFailed or ErrTooLarge", err)
	}
	if plaintext != nil {
		t.Error("encrypted bomb returned plaintext")
	}

	plaintext, _, err = decryptMessageLimited(bomb, ring, testNow, true, limit)
	if !errors.Is(err, ErrDecryptionFailed) && !errors.Is(err, ErrTooLarge) {
		t.Errorf("bare bomb: error = %v, want ErrDecryptionFailed or ErrTooLarge", err)
	}
	if plaintext != nil {
		t.Error("bare bomb returned plaintext")
	}

	small := compressedLiteral(t, limit/2)
	plaintext, _, err = decryptMessageLimited(encryptRawPackets(t, bob, small), ring, testNow, false, limit)
	if err != nil {
		t.Fatalf("message under the limit: %v", err)
	}
	if len(plaintext) != limit/2 {
		t.Errorf("plaintext is %d bytes, want %d", len(plaintext), limit/2)
	}
}

// compressedLiteral returns a ZLIB Compressed Data packet holding a
// literal data packet of size zero bytes.
func compressedLiteral(t *testing.T, size int) []byte {
	t.Helper()
	var out bytes.Buffer
	compressed, err := packet.SerializeCompressed(nopCloser{&out}, packet.CompressionZLIB,
		&packet.CompressionConfig{Level: 9})
	if err != nil {
		t.Fatalf("compress: %v", err)
	}
	literal, err := packet.SerializeLiteral(compressed, true, "", 0)
	if err != nil {
		t.Fatalf("literal: %v", err)
	}
	if _, err := literal.Write(make([]byte, size)); err != nil {
		t.Fatalf("write: %v", err)
	}
	// Closing the literal writer closes the compressed packet too.
	if err := literal.Close(); err != nil {
		t.Fatalf("close literal: %v", err)
	}
	return out.Bytes()
}

type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

// encryptRawPackets encrypts an arbitrary packet sequence to k in a SEIPD
// v1 packet, so that tests can place crafted packets behind a valid MDC.
func encryptRawPackets(t *testing.T, k *Key, inner []byte) []byte {
	t.Helper()
	encKey, ok := k.entity().EncryptionKey(testNow)
	if !ok {
		t.Fatal("test key has no encryption key")
	}
	sessionKey := make([]byte, 32)
	if _, err := rand.Read(sessionKey); err != nil {
		t.Fatal(err)
	}
	config := packetConfig(testNow)

	var out bytes.Buffer
	if err := packet.SerializeEncryptedKey(&out, encKey.PublicKey, packet.CipherAES256, sessionKey, config); err != nil {
		t.Fatalf("serialize session key: %v", err)
	}
	w, err := packet.SerializeSymmetricallyEncrypted(&out, packet.CipherAES256, false, packet.CipherSuite{}, sessionKey, config)
	if err != nil {
		t.Fatalf("serialize encrypted data: %v", err)
	}
	if _, err := w.Write(inner); err != nil {
		t.Fatalf("write: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	return out.Bytes()
}

// TestNoIntegrityRejected builds a message with a Symmetrically Encrypted
// Data packet (tag 9, no MDC) and checks that it is rejected as such.
func TestNoIntegrityRejected(t *testing.T) {
	bob := bobSecret(t)
	encKey, _ := bob.entity().EncryptionKey(testNow)
	sessionKey := make([]byte, 32)
	if _, err := rand.Read(sessionKey); err != nil {
		t.Fatal(err)
	}
	var msg bytes.Buffer
	if err := packet.SerializeEncryptedKey(&msg, encKey.PublicKey, packet.CipherAES256, sessionKey, packetConfig(testNow)); err != nil {
		t.Fatalf("serialize session key: %v", err)
	}
	body := make([]byte, 64)
	if _, err := rand.Read(body); err != nil {
		t.Fatal(err)
	}
	// Old-format packet header: tag 9, one-octet length.
	msg.Write([]byte{0x80 | 9<<2, byte(len(body))})
	msg.Write(body)

	entity := wrapPGPMIME(t, msg.Bytes())
	layer, err := OpenEntity(entity, NewKeyRing(bob), testNow)
	if !errors.Is(err, ErrNoIntegrity) {
		t.Fatalf("error = %v, want ErrNoIntegrity", err)
	}
	if layer != nil {
		t.Error("layer returned for data without integrity protection")
	}
}

// TestTamperedCiphertext flips one bit in each region of an encrypted
// message and checks that no plaintext comes back.
func TestTamperedCiphertext(t *testing.T) {
	bob := bobSecret(t)
	sealed := encryptRawPackets(t, bob, literalPacket(t, strings.Repeat("Confidential lab result. ", 40)))
	ring := NewKeyRing(bob)
	if _, _, err := decryptMessage(sealed, ring, testNow, false); err != nil {
		t.Fatalf("untampered message: %v", err)
	}
	for _, offset := range []int{len(sealed) - 1, len(sealed) - 10, len(sealed) - 30, len(sealed) / 2, len(sealed) - 500} {
		tampered := append([]byte(nil), sealed...)
		tampered[offset] ^= 0x01
		plaintext, _, err := decryptMessage(tampered, ring, testNow, false)
		if err == nil {
			t.Errorf("offset %d: tampered message decrypted", offset)
		}
		if plaintext != nil {
			t.Errorf("offset %d: plaintext returned", offset)
		}
		if !errors.Is(err, ErrDecryptionFailed) && !errors.Is(err, ErrNoKey) && !errors.Is(err, ErrMalformed) {
			t.Errorf("offset %d: error %v is not typed", offset, err)
		}
	}
}

func literalPacket(t *testing.T, text string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := packet.SerializeLiteral(nopCloser{&buf}, true, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// wrapPGPMIME puts binary OpenPGP data into a multipart/encrypted entity.
func wrapPGPMIME(t *testing.T, message []byte) []byte {
	t.Helper()
	var armored bytes.Buffer
	w, err := armor.Encode(&armored, "PGP MESSAGE", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(message); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return []byte("Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n" +
		"--b\r\nContent-Type: application/octet-stream\r\n\r\n" + armored.String() + "\r\n--b--\r\n")
}

func TestOpenEntityLimits(t *testing.T) {
	var many strings.Builder
	many.WriteString("Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; boundary=b\r\n\r\n")
	for i := 0; i <= MaxParts; i++ {
		many.WriteString("--b\r\n\r\npart\r\n")
	}
	many.WriteString("--b--\r\n")
	if _, err := OpenEntity([]byte(many.String()), NewKeyRing(), testNow); !errors.Is(err, ErrMalformed) {
		t.Errorf("too many parts: error = %v, want ErrMalformed", err)
	}

	// OpenEntity and OpenInline call checkEntitySize first; checking it
	// directly saves allocating 256 MiB under the race detector.
	if err := checkEntitySize(MaxEntitySize + 1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge entity: error = %v, want ErrTooLarge", err)
	}
	if err := checkEntitySize(MaxEntitySize); err != nil {
		t.Errorf("entity at the limit: %v", err)
	}
}

func TestSignedOnlyPGPMIMEPayloadRejected(t *testing.T) {
	alice := aliceSecret(t)
	signedOnly := literalPacket(t, "not encrypted")
	_, err := OpenEntity(wrapPGPMIME(t, signedOnly), NewKeyRing(alice), testNow)
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("error = %v, want ErrMalformed", err)
	}
}

func TestExpiredAndRevokedSigner(t *testing.T) {
	signer, err := GenerateKey("Ada", "ada@clinic.example", &KeyOptions{Now: testNow, Lifetime: 24 * 3600e9})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := SignEntity([]byte(sampleEntity), signer, testNow)
	if err != nil {
		t.Fatal(err)
	}
	pub := publicOf(t, signer)
	ring := NewKeyRing(pub)

	later := testNow.AddDate(0, 0, 3)
	layer, err := OpenEntity(signed, ring, later)
	if err != nil {
		t.Fatal(err)
	}
	if got := layer.Status.Signature.State; got != crypto.ExpiredKey {
		t.Errorf("after expiry: state = %v, want expired key", got)
	}

	cert, err := signer.RevocationCertificate(RevocationCompromise, "", testNow.Add(3600e9))
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.ApplyRevocation([]byte(cert)); err != nil {
		t.Fatal(err)
	}
	layer, err = OpenEntity(signed, ring, testNow.Add(2*3600e9))
	if err != nil {
		t.Fatal(err)
	}
	if got := layer.Status.Signature.State; got != crypto.RevokedKey {
		t.Errorf("after revocation: state = %v, want revoked key", got)
	}
	if got := layer.Status.Signature.Fingerprint; got != signer.Fingerprint() {
		t.Errorf("fingerprint = %q, want %q", got, signer.Fingerprint())
	}
}
