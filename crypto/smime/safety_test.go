package smime

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	mailcrypto "securemail/crypto"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// cmsFromEntity returns the decoded CMS blob of an application/pkcs7-mime
// entity made by this package.
func cmsFromEntity(t *testing.T, entity []byte) []byte {
	t.Helper()
	e, err := parseEntity(entity)
	if err != nil {
		t.Fatal(err)
	}
	der, err := e.decodedBody()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func entityFromCMS(der []byte) []byte {
	return []byte("Content-Type: application/pkcs7-mime\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(der) + "\r\n")
}

func TestGCMTamperedCiphertextRejected(t *testing.T) {
	pki := newTestPKI(t)
	bob := pki.issue(t, "bob@example.org", "rsa", nil)
	encrypted, err := EncryptEntity([]byte(sampleEntity), []*x509.Certificate{bob.Certificate}, nil)
	if err != nil {
		t.Fatal(err)
	}
	der := cmsFromEntity(t, encrypted)
	// The ciphertext ends 16 bytes of tag plus 2 bytes of header before
	// the end; flip a bit in its last byte.
	tampered := bytes.Clone(der)
	tampered[len(tampered)-19] ^= 0x01

	layer, err := OpenEntity(entityFromCMS(tampered), []*Identity{bob}, nil)
	if !errors.Is(err, ErrDecryptionFailed) {
		t.Fatalf("err = %v, want ErrDecryptionFailed", err)
	}
	if layer != nil {
		t.Fatal("a layer was returned for a message whose tag did not verify")
	}
}

func TestCBCTamperingNotDetected(t *testing.T) {
	pki := newTestPKI(t)
	bob := pki.issue(t, "bob@example.org", "rsa", nil)
	encrypted, err := EncryptEntity([]byte(sampleEntity), []*x509.Certificate{bob.Certificate}, &EncryptOptions{Cipher: AES256CBC})
	if err != nil {
		t.Fatal(err)
	}
	der := cmsFromEntity(t, encrypted)
	// Flipping a bit in the third-to-last ciphertext block garbles that
	// block and flips one bit of the next, and the padding in the last
	// block stays valid.
	tampered := bytes.Clone(der)
	tampered[len(tampered)-40] ^= 0x01

	layer, err := OpenEntity(entityFromCMS(tampered), []*Identity{bob}, nil)
	if err != nil {
		t.Fatalf("OpenEntity: %v", err)
	}
	if string(layer.Entity) == sampleEntity {
		t.Fatal("tampering did not change the plaintext; the test is not testing anything")
	}
	if layer.Status.Encryption.IntegrityProtected {
		t.Error("CBC content reported as integrity protected")
	}
}

func TestSignatureOverChangedContent(t *testing.T) {
	pki := newTestPKI(t)
	alice := pki.issue(t, "alice@example.org", "rsa", nil)
	signed, err := SignEntity([]byte(sampleEntity), alice, false)
	if err != nil {
		t.Fatal(err)
	}
	changed := bytes.Replace(signed, []byte("Lab results"), []byte("Lab resulTs"), 1)
	layer, err := OpenEntity(changed, nil, pki.openOptions())
	if err != nil {
		t.Fatal(err)
	}
	if layer.Status.Signature.State != mailcrypto.BadSignature {
		t.Errorf("state = %v, want bad signature", layer.Status.Signature.State)
	}
	if layer.Status.Signature.Signer != "" {
		t.Errorf("bad signature names signer %q", layer.Status.Signature.Signer)
	}
	if layer.Status.Signature.Fingerprint != "" {
		t.Errorf("bad signature names fingerprint %q", layer.Status.Signature.Fingerprint)
	}
}

func TestSignatureSurvivesLFConversion(t *testing.T) {
	pki := newTestPKI(t)
	alice := pki.issue(t, "alice@example.org", "p256", nil)
	signed, err := SignEntity([]byte(sampleEntity), alice, false)
	if err != nil {
		t.Fatal(err)
	}
	lf := bytes.ReplaceAll(signed, []byte("\r\n"), []byte("\n"))
	layer, err := OpenEntity(lf, nil, pki.openOptions())
	if err != nil {
		t.Fatal(err)
	}
	if layer.Status.Signature.State != mailcrypto.GoodSignature {
		t.Errorf("state = %v, want good signature", layer.Status.Signature.State)
	}
}

func TestSignatureStates(t *testing.T) {
	pki := newTestPKI(t)
	other := newTestPKI(t)
	expired := pki.issue(t, "old@example.org", "rsa", &certOptions{notAfter: testNow.Add(-24 * time.Hour)})
	noEmailUsage := pki.issue(t, "web@example.org", "rsa", &certOptions{extUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	stranger := other.issue(t, "stranger@example.org", "rsa", nil)
	cases := []struct {
		name string
		id   *Identity
		want mailcrypto.SignatureState
	}{
		{"expired", expired, mailcrypto.ExpiredKey},
		{"wrong extended key usage", noEmailUsage, mailcrypto.UntrustedCertificate},
		{"unknown CA", stranger, mailcrypto.UntrustedCertificate},
	}
	for _, c := range cases {
		signed, err := SignEntity([]byte(sampleEntity), c.id, true)
		if err != nil {
			t.Fatal(err)
		}
		layer, err := OpenEntity(signed, nil, pki.openOptions())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if layer.Status.Signature.State != c.want {
			t.Errorf("%s: state = %v, want %v", c.name, layer.Status.Signature.State, c.want)
		}
	}
}

func TestSignedDataWithoutSignersIsNotSigned(t *testing.T) {
	// A SignedData without signers (a certs-only message) proves nothing.
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidData)
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						b.AddASN1OctetString([]byte(sampleEntity))
					})
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {})
			})
		})
	})
	layer, err := OpenEntity(entityFromCMS(b.BytesOrPanic()), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if layer.Status.Signature.State != mailcrypto.NotSigned {
		t.Errorf("state = %v, want not signed", layer.Status.Signature.State)
	}
}

func TestConcurrentEncryptOptions(t *testing.T) {
	// Options are per call, so concurrent calls with different ciphers
	// must not affect each other.
	pki := newTestPKI(t)
	bob := pki.issue(t, "bob@example.org", "rsa", nil)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts := &EncryptOptions{Cipher: ContentCipher(i % 2)}
			encrypted, err := EncryptEntity([]byte(sampleEntity), []*x509.Certificate{bob.Certificate}, opts)
			if err != nil {
				errs <- err
				return
			}
			want := "smime-type=authEnveloped-data"
			if opts.Cipher == AES256CBC {
				want = "smime-type=enveloped-data"
			}
			if !bytes.Contains(encrypted, []byte(want)) {
				errs <- errors.New("wrong smime-type for " + opts.Cipher.String())
				return
			}
			layer, err := OpenEntity(encrypted, []*Identity{bob}, nil)
			if err != nil {
				errs <- err
				return
			}
			if layer.Status.Encryption.Algorithm != opts.Cipher.String() {
				errs <- errors.New("algorithm " + layer.Status.Encryption.Algorithm + " for " + opts.Cipher.String())
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestOpenRejectsOversizedEntity(t *testing.T) {
	big := append([]byte("Content-Type: application/pkcs7-mime\r\n\r\n"), make([]byte, 1024)...)
	_, err := OpenEntity(big, nil, &OpenOptions{MaxEntitySize: 512})
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "exceeds the maximum") {
		t.Fatalf("err = %v, want a size error", err)
	}
}

func TestBERNestingCapped(t *testing.T) {
	// 200 nested indefinite-length SEQUENCEs exceed maxBERDepth.
	var der []byte
	for range 200 {
		der = append(der, 0x30, 0x80)
	}
	for range 200 {
		der = append(der, 0, 0)
	}
	_, err := OpenEntity(entityFromCMS(der), nil, nil)
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
}

func TestBERIndefiniteAndSegmentedOctetString(t *testing.T) {
	// SEQUENCE (indefinite) { OCTET STRING (constructed, indefinite)
	// { "ab", "cd" } }
	ber := []byte{0x30, 0x80, 0x24, 0x80, 0x04, 0x02, 'a', 'b', 0x04, 0x02, 'c', 'd', 0, 0, 0, 0}
	der, n, err := normalizeBER(ber)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(ber) {
		t.Errorf("consumed %d bytes, want %d", n, len(ber))
	}
	want := []byte{0x30, 0x06, 0x04, 0x04, 'a', 'b', 'c', 'd'}
	if !bytes.Equal(der, want) {
		t.Errorf("der = % x, want % x", der, want)
	}
}

func TestOpenNonSMIME(t *testing.T) {
	_, err := OpenEntity([]byte(sampleEntity), nil, nil)
	if !errors.Is(err, ErrNotSMIME) {
		t.Fatalf("err = %v, want ErrNotSMIME", err)
	}
}

func TestOpenOctetStreamAttachment(t *testing.T) {
	pki := newTestPKI(t)
	alice := pki.issue(t, "alice@example.org", "rsa", nil)
	signed, err := SignEntity([]byte(sampleEntity), alice, true)
	if err != nil {
		t.Fatal(err)
	}
	der := cmsFromEntity(t, signed)
	attachment := []byte("Content-Type: application/octet-stream\r\n" +
		"Content-Disposition: attachment; filename=\"SMIME.P7M\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString(der) + "\r\n")
	layer, err := OpenEntity(attachment, nil, pki.openOptions())
	if err != nil {
		t.Fatal(err)
	}
	if layer.Status.Signature.State != mailcrypto.GoodSignature {
		t.Errorf("state = %v", layer.Status.Signature.State)
	}

	legacy := bytes.Replace(signed, []byte("application/pkcs7-mime"), []byte("application/x-pkcs7-mime"), 1)
	layer, err = OpenEntity(legacy, nil, pki.openOptions())
	if err != nil {
		t.Fatal(err)
	}
	if layer.Status.Signature.State != mailcrypto.GoodSignature {
		t.Errorf("x-pkcs7-mime: state = %v", layer.Status.Signature.State)
	}
}

func TestHarvestCertificates(t *testing.T) {
	pki := newTestPKI(t)
	alice := pki.issue(t, "alice@example.org", "p256", nil)
	signed, err := SignEntity([]byte(sampleEntity), alice, false)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := HarvestCertificates(signed, pki.openOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 1 || !certs[0].Equal(alice.Certificate) {
		t.Fatalf("harvested %d certificates, want Alice's", len(certs))
	}

	changed := bytes.Replace(signed, []byte("Lab results"), []byte("Lab resulTs"), 1)
	certs, err = HarvestCertificates(changed, pki.openOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 0 {
		t.Fatalf("harvested %d certificates from a bad signature", len(certs))
	}
}

func TestEncryptRejectsNilRecipient(t *testing.T) {
	_, err := EncryptEntity([]byte(sampleEntity), []*x509.Certificate{nil}, nil)
	if err == nil {
		t.Fatal("nil recipient certificate was accepted")
	}
}
