package smime

import (
	"crypto/x509"
	"errors"
	"testing"

	mailcrypto "securemail/crypto"
)

func TestSignOpenRoundTrip(t *testing.T) {
	pki := newTestPKI(t)
	for _, kind := range []string{"rsa", "p256", "p384", "ed25519"} {
		for _, opaque := range []bool{false, true} {
			id := pki.issue(t, "alice@example.org", kind, nil)
			signed, err := SignEntity([]byte(sampleEntity), id, opaque)
			if err != nil {
				t.Fatalf("%s opaque=%v: SignEntity: %v", kind, opaque, err)
			}
			opts := pki.openOptions()
			opts.From = "Alice@Example.org"
			layer, err := OpenEntity(signed, nil, opts)
			if err != nil {
				t.Fatalf("%s opaque=%v: OpenEntity: %v", kind, opaque, err)
			}
			sig := layer.Status.Signature
			if sig.State != mailcrypto.GoodSignature {
				t.Errorf("%s opaque=%v: state = %v, want good signature", kind, opaque, sig.State)
			}
			if sig.Signer != "alice@example.org" {
				t.Errorf("%s opaque=%v: signer = %q", kind, opaque, sig.Signer)
			}
			if sig.Fingerprint != Fingerprint(id.Certificate) {
				t.Errorf("%s opaque=%v: fingerprint = %q", kind, opaque, sig.Fingerprint)
			}
			if !sig.MatchesFrom {
				t.Errorf("%s opaque=%v: MatchesFrom = false", kind, opaque)
			}
			if string(layer.Entity) != sampleEntity {
				t.Errorf("%s opaque=%v: entity = %q", kind, opaque, layer.Entity)
			}
		}
	}
}

func TestEncryptOpenRoundTrip(t *testing.T) {
	pki := newTestPKI(t)
	rsaID := pki.issue(t, "bob@example.org", "rsa", nil)
	ecID := pki.issue(t, "carol@example.org", "p256", nil)
	recipients := []*x509.Certificate{rsaID.Certificate, ecID.Certificate}
	cases := []struct {
		opts      EncryptOptions
		algorithm string
		integrity bool
	}{
		{EncryptOptions{}, "AES-256-GCM", true},
		{EncryptOptions{Cipher: AES256CBC}, "AES-256-CBC", false},
		{EncryptOptions{Cipher: AES256CBC, KeyTransport: RSAPKCS1v15}, "AES-256-CBC", false},
		{EncryptOptions{KeyTransport: RSAPKCS1v15}, "AES-256-GCM", true},
	}
	for _, c := range cases {
		encrypted, err := EncryptEntity([]byte(sampleEntity), recipients, &c.opts)
		if err != nil {
			t.Fatalf("%+v: EncryptEntity: %v", c.opts, err)
		}
		for _, id := range []*Identity{rsaID, ecID} {
			layer, err := OpenEntity(encrypted, []*Identity{id}, nil)
			if err != nil {
				t.Fatalf("%+v: OpenEntity for %s: %v", c.opts, id.Certificate.EmailAddresses[0], err)
			}
			if string(layer.Entity) != sampleEntity {
				t.Errorf("%+v: entity = %q", c.opts, layer.Entity)
			}
			enc := layer.Status.Encryption
			if enc.Algorithm != c.algorithm || enc.IntegrityProtected != c.integrity || enc.Scheme != mailcrypto.SchemeSMIME {
				t.Errorf("%+v: encryption = %+v", c.opts, enc)
			}
		}
	}
}

func TestOpenNotRecipient(t *testing.T) {
	pki := newTestPKI(t)
	bob := pki.issue(t, "bob@example.org", "rsa", nil)
	eve := pki.issue(t, "eve@example.org", "rsa", nil)
	encrypted, err := EncryptEntity([]byte(sampleEntity), []*x509.Certificate{bob.Certificate}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenEntity(encrypted, []*Identity{eve}, nil)
	if !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("err = %v, want ErrNotRecipient", err)
	}
}
