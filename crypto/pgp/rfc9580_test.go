package pgp

import (
	"errors"
	"path/filepath"
	"testing"

	"securemail/crypto"
)

// TestRFC9580Messages decrypts rpgp's RFC 9580 sample messages (SEIPD v1
// and v2) with their keys, v4 and v6, and verifies their cleartext-signed
// samples.
func TestRFC9580Messages(t *testing.T) {
	dirs, err := filepath.Glob("testdata/rpgp/rfc9580/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		if name == "README" || name == "v6-legacy_illegal" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			key := readTestKey(t, filepath.Join("..", "rpgp", "rfc9580", name, "tsk.asc"))
			ring := NewKeyRing(key)
			messages, _ := filepath.Glob(filepath.Join(dir, "enc-seipdv*.msg"))
			if len(messages) == 0 {
				t.Fatal("no sample messages")
			}
			for _, message := range messages {
				plaintext, status, err := decryptMessage(readTestdata(t, filepath.Join("rpgp", "rfc9580", name, filepath.Base(message))), ring, testNow, false)
				if err != nil {
					t.Errorf("%s: %v", filepath.Base(message), err)
					continue
				}
				if string(plaintext) != "hello world\n" {
					t.Errorf("%s: plaintext = %q", filepath.Base(message), plaintext)
				}
				if !status.Encryption.IntegrityProtected {
					t.Errorf("%s: not integrity-protected", filepath.Base(message))
				}
			}

			// Only some sample folders have a cleartext-signed message.
			csf := filepath.Join("rpgp", "rfc9580", name, "csf.msg")
			if matches, _ := filepath.Glob(filepath.Join("testdata", csf)); len(matches) == 0 {
				return
			}
			entity := append([]byte("Content-Type: text/plain; charset=utf-8\r\n\r\n"), readTestdata(t, csf)...)
			text, err := OpenInline(entity, ring, testNow)
			if err != nil {
				t.Fatalf("csf.msg: %v", err)
			}
			if got := text.Blocks[0].Status.Signature.State; got != crypto.GoodSignature {
				t.Errorf("csf.msg: signature state = %v, want good signature", got)
			}
		})
	}
}

// TestIllegalV6KeyRejected checks that a v6 key with a legacy Curve25519
// algorithm, which RFC 9580 §5.5.5.6 forbids, is rejected on import.
func TestIllegalV6KeyRejected(t *testing.T) {
	_, err := ReadKey(readTestdata(t, "rpgp/rfc9580/v6-legacy_illegal/tsk.asc"))
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("error = %v, want ErrMalformed", err)
	}
}
