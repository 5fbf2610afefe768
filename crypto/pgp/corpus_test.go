package pgp

import (
	"bufio"
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"securemail/crypto"
)

// corpusRing holds the keys the Thunderbird and header-protection samples
// were made with: Alice's and Bob's secret keys and Carol's public key.
func corpusRing(t *testing.T) *KeyRing {
	return NewKeyRing(aliceSecret(t), bobSecret(t),
		readTestKey(t, "carol@example.com-0x3099ff1238852b9f-pub.asc"))
}

// TestOpenEntityCorpus opens the PGP/MIME samples. Layered samples
// (a signature inside the encryption) report NotSigned for this layer,
// because the dispatcher opens the inner multipart/signed next.
func TestOpenEntityCorpus(t *testing.T) {
	cases := []struct {
		file      string
		encrypted bool
		state     crypto.SignatureState
		signer    string // a part of the signer's user ID
		err       error
	}{
		{file: "eml/alice-broken-exchange.eml", encrypted: true, state: crypto.NotSigned},
		{file: "eml/bob-to-alice-signed-damaged-signature.eml", state: crypto.BadSignature},
		{file: "eml/openpgp__stripped_sig.eml", state: crypto.BadSignature},
		{file: "eml/encrypted-and-signed-alice-to-bob-nonascii.eml", encrypted: true, state: crypto.NotSigned},
		{file: "eml/encrypted-to-alice-as-hidden-recipient.eml", encrypted: true, state: crypto.NotSigned},
		{file: "eml/inner-smime-sig-in-pgp-encrypted.eml", encrypted: true, state: crypto.NotSigned},
		{file: "eml/outer-pgp-sig-inner-pgp-enc.eml", state: crypto.BadSignature},
		{file: "eml/outer-pgp-sig-inner-pgp-enc-sig.eml", state: crypto.BadSignature},
		{file: "eml/outer-pgp-sig-inner-pgp-enc-with-mixed.eml", state: crypto.BadSignature},
		{file: "eml/signed-by-0x3099ff1238852b9f-to-0xf231550c4f47e38e-unencrypted.eml", state: crypto.GoodSignature, signer: "carol@example.com"},
		{file: "eml/signed-by-0x3099ff1238852b9f-to-0xf231550c4f47e38e-unencrypted-with-key.eml", state: crypto.GoodSignature, signer: "carol@example.com"},
		{file: "eml/signed-by-0xfbfcc82a015e7330-to-0xf231550c4f47e38e-unencrypted.eml", state: crypto.GoodSignature, signer: "bob@openpgp.example"},
		{file: "eml/signed-by-0xfbfcc82a015e7330-to-0xf231550c4f47e38e-unencrypted-with-key.eml", state: crypto.GoodSignature, signer: "bob@openpgp.example"},
		{file: "eml/signed-by-0xfbfcc82a015e7330-encrypted-to-0xf231550c4f47e38e.eml", encrypted: true, state: crypto.NotSigned},
		{file: "eml/signed-by-0x3099ff1238852b9f-encrypted-to-0xf231550c4f47e38e.eml", encrypted: true, state: crypto.NotSigned},
		{file: "eml/signed-encrypted-autocrypt-gossip.eml", encrypted: true, state: crypto.GoodSignature, signer: "bob@openpgp.example"},
		{file: "eml/signed-mismatch-email-date.eml", state: crypto.GoodSignature, signer: "bob@openpgp.example"},
		{file: "eml/unsigned-encrypted-to-0xf231550c4f47e38e-from-0x3099ff1238852b9f.eml", encrypted: true, state: crypto.NotSigned},
		{file: "eml/unsigned-encrypted-to-0xf231550c4f47e38e-from-0xfbfcc82a015e7330.eml", encrypted: true, state: crypto.NotSigned},
		{file: "eml/enc-to-carol@pgp.icu-revoked.eml", err: ErrNoKey},
		{file: "eml/sigspoof-git-commit.eml", err: ErrMalformed},
		{file: "eml/dual-signed-uncommon-content-type.eml", err: ErrNotOpenPGP},
		{file: "eml/unsigned-unencrypted-from-bob-to-alice.eml", err: ErrNotOpenPGP},
		{file: "eml/multiple-signatures.eml", err: ErrNotOpenPGP},
		{file: "hp/pgpmime-signed.eml", state: crypto.GoodSignature, signer: "alice@openpgp.example"},
		{file: "hp/pgpmime-sign+enc.eml", encrypted: true, state: crypto.GoodSignature, signer: "alice@openpgp.example"},
		{file: "hp/pgpmime-sign+enc+legacy-disp.eml", encrypted: true, state: crypto.GoodSignature, signer: "alice@openpgp.example"},
		{file: "hp/pgpmime-enc+legacy-disp.eml", encrypted: true, state: crypto.NotSigned},
		{file: "hp/pgpmime-layered.eml", encrypted: true, state: crypto.NotSigned},
		{file: "hp/pgpmime-layered+legacy-disp.eml", encrypted: true, state: crypto.NotSigned},
	}
	ring := corpusRing(t)
	for _, tc := range cases {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			layer, err := OpenEntity(readTestdata(t, tc.file), ring, testNow)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error = %v, want %v", err, tc.err)
				}
				if layer != nil {
					t.Error("layer returned together with an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("OpenEntity: %v", err)
			}
			if len(layer.Entity) == 0 {
				t.Error("inner entity is empty")
			}
			if _, err := parsePart(layer.Entity); err != nil {
				t.Errorf("inner entity does not parse as MIME: %v", err)
			}
			enc := layer.Status.Encryption
			if tc.encrypted != (enc.Scheme == crypto.SchemeOpenPGP) {
				t.Errorf("encryption scheme = %v, want encrypted = %v", enc.Scheme, tc.encrypted)
			}
			if tc.encrypted && !enc.IntegrityProtected {
				t.Error("encrypted layer without integrity protection")
			}
			sig := layer.Status.Signature
			if sig.State != tc.state {
				t.Errorf("signature state = %v, want %v", sig.State, tc.state)
			}
			if !strings.Contains(sig.Signer, tc.signer) {
				t.Errorf("signer = %q, want it to contain %q", sig.Signer, tc.signer)
			}
			if tc.state == crypto.GoodSignature && len(sig.Fingerprint) != 40 {
				t.Errorf("fingerprint = %q, want 40 hex digits", sig.Fingerprint)
			}
		})
	}
}

// TestProtectedHeadersInner checks that the decrypted header-protection
// samples carry the protected subject of their published inner form.
func TestProtectedHeadersInner(t *testing.T) {
	ring := NewKeyRing(readTestKey(t, "../hp/bob@openpgp.example.sec.asc"),
		readTestKey(t, "../hp/alice@openpgp.example.pub.asc"))
	for _, name := range []string{"pgpmime-sign+enc", "pgpmime-enc+legacy-disp", "pgpmime-layered"} {
		t.Run(name, func(t *testing.T) {
			layer, err := OpenEntity(readTestdata(t, "hp/"+name+".eml"), ring, testNow)
			if err != nil {
				t.Fatalf("OpenEntity: %v", err)
			}
			subject := headerLine(readTestdata(t, "hp/"+name+".inner"), "Subject:")
			if subject == "" {
				t.Fatal("no Subject in the .inner sample")
			}
			if !bytes.Contains(layer.Entity, []byte(subject)) {
				t.Errorf("decrypted entity lacks %q", subject)
			}
		})
	}
}

func headerLine(data []byte, prefix string) string {
	scanner := bufio.NewScanner(bytes.NewReader(data))
	for scanner.Scan() {
		if strings.HasPrefix(scanner.Text(), prefix) {
			return strings.TrimRight(scanner.Text(), "\r")
		}
	}
	return ""
}

func TestOpenInlineCorpus(t *testing.T) {
	cases := []struct {
		file      string
		encrypted bool
		state     crypto.SignatureState
		partial   bool
		contains  string
		err       error
	}{
		{file: "eml/alice-signed.eml", state: crypto.GoodSignature, contains: "can we meet tomorrow?"},
		{file: "eml/alice-utf.eml", state: crypto.GoodSignature, contains: "£10.00"},
		{file: "eml/alice-partially-encrypted.eml", encrypted: true, state: crypto.NotSigned, partial: true},
		{file: "eml/bob-enc-inline-nbsp-qp.eml", encrypted: true, state: crypto.NotSigned, contains: "My real name is not Bob."},
		{file: "eml/inline-signed-latin1.eml", state: crypto.UnknownKey, contains: "àèìòù"},
		{file: "eml/inline-signed-utf8.eml", state: crypto.UnknownKey, contains: "àèìòù"},
		{file: "eml/partial-encrypt-for-alice-plaintext.eml", encrypted: true, state: crypto.NotSigned, partial: true, contains: "lucky melody"},
		{file: "eml/partial-signed-from-bob-plaintext.eml", state: crypto.GoodSignature, partial: true, contains: "lucky melody"},
		{file: "eml/partial-signed-from-carol-plaintext.eml", state: crypto.GoodSignature, partial: true, contains: "lucky melody"},
		{file: "eml/signed-inline-indented.eml", state: crypto.GoodSignature, contains: "     £ 5.00"},
		{file: "eml/partial-encrypt-for-carol-plaintext.eml", err: ErrNoKey},
		{file: "eml/unsigned-unencrypted-from-bob-to-alice.eml", err: ErrNotOpenPGP},
		{file: "eml/alice-broken-exchange.eml", err: ErrNotOpenPGP},
	}
	ring := corpusRing(t)
	for _, tc := range cases {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			text, err := OpenInline(readTestdata(t, tc.file), ring, testNow)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error = %v, want %v", err, tc.err)
				}
				if text != nil {
					t.Error("text returned together with an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("OpenInline: %v", err)
			}
			if len(text.Blocks) != 1 {
				t.Fatalf("found %d blocks, want 1", len(text.Blocks))
			}
			block := text.Blocks[0]
			if got := block.Status.Signature.State; got != tc.state {
				t.Errorf("signature state = %v, want %v", got, tc.state)
			}
			if got := block.Status.Encryption.Scheme == crypto.SchemeOpenPGP; got != tc.encrypted {
				t.Errorf("encrypted = %v, want %v", got, tc.encrypted)
			}
			if text.Partial != tc.partial {
				t.Errorf("Partial = %v, want %v", text.Partial, tc.partial)
			}
			content := text.Text[block.Start:block.End]
			if !strings.Contains(content, tc.contains) {
				t.Errorf("block content %q lacks %q", content, tc.contains)
			}
			if strings.Contains(text.Text, "-----BEGIN PGP") {
				t.Error("text still contains an armor line")
			}
		})
	}
}
