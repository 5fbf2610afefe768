package smime

import (
	"crypto/x509"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	mailcrypto "securemail/crypto"
)

// fuzzSetup returns identities that can open the seeds and options that
// trust their CA. It avoids RSA key generation, which would slow every
// fuzz worker's start, by using the RFC 9216 RSA key.
func fuzzSetup(f testing.TB) ([]*Identity, *OpenOptions, [][]byte) {
	pki := newTestPKI(f)
	bobPEM, err := os.ReadFile("testdata/rfc9216/lamps-bob.encrypt.crt")
	if err != nil {
		f.Fatal(err)
	}
	bobKey, err := os.ReadFile("testdata/rfc9216/lamps-bob.decrypt.p8.pem")
	if err != nil {
		f.Fatal(err)
	}
	rsaID, err := ImportPEM(bobPEM, bobKey)
	if err != nil {
		f.Fatal(err)
	}
	ecID := pki.issue(f, "bob@example.org", "p256", nil)
	recipients := []*x509.Certificate{rsaID.Certificate, ecID.Certificate}

	var seeds [][]byte
	for _, opaque := range []bool{false, true} {
		signed, err := SignEntity([]byte(sampleEntity), ecID, opaque)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, signed)
	}
	for _, opts := range []EncryptOptions{{}, {Cipher: AES256CBC, KeyTransport: RSAPKCS1v15}} {
		encrypted, err := EncryptEntity([]byte(sampleEntity), recipients, &opts)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, encrypted)
	}
	files, _ := filepath.Glob("testdata/rfc9216/*.p7m")
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, append([]byte("Content-Type: application/pkcs7-mime\r\nContent-Transfer-Encoding: binary\r\n\r\n"), data...))
	}
	for _, name := range []string{"alice.sig.SHA256.opaque.eml", "alice.dsig.SHA256.multipart.eml", "alice.env.eml"} {
		data, err := os.ReadFile(filepath.Join("testdata/thunderbird", name))
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	return []*Identity{rsaID, ecID}, pki.openOptions(), seeds
}

func checkLayerInvariants(t *testing.T, layer *mailcrypto.Layer, err error) {
	if err != nil {
		if layer != nil {
			t.Fatalf("layer returned together with error %v", err)
		}
		return
	}
	if layer == nil {
		t.Fatal("nil layer without an error")
	}
	enc := layer.Status.Encryption
	if strings.HasSuffix(enc.Algorithm, "-GCM") != enc.IntegrityProtected {
		t.Fatalf("algorithm %q with IntegrityProtected %v", enc.Algorithm, enc.IntegrityProtected)
	}
	sig := layer.Status.Signature
	if sig.State == mailcrypto.GoodSignature && sig.Fingerprint == "" {
		t.Fatal("good signature without a fingerprint")
	}
}

func FuzzOpenEntity(f *testing.F) {
	ids, opts, seeds := fuzzSetup(f)
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		layer, err := OpenEntity(data, ids, opts)
		checkLayerInvariants(t, layer, err)
	})
}

// FuzzVerifySignedData mutates the CMS blob of a detached signature while
// the signed content stays fixed, so every accepted mutation must verify
// the same bytes.
func FuzzVerifySignedData(f *testing.F) {
	_, opts, _ := fuzzSetup(f)
	pki := newTestPKI(f)
	signer := pki.issue(f, "carol@example.org", "p256", nil)
	opts.Roots.AddCert(pki.caCert)
	signed, err := SignEntity([]byte(sampleEntity), signer, false)
	if err != nil {
		f.Fatal(err)
	}
	parts, err := splitMultipart(signed[strings.Index(string(signed), "\r\n\r\n")+4:], boundaryOf(f, signed), 2)
	if err != nil {
		f.Fatal(err)
	}
	sigPart, err := parseEntity(parts[1])
	if err != nil {
		f.Fatal(err)
	}
	der, err := sigPart.decodedBody()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(der)
	rsaSample, err := os.ReadFile("testdata/rfc9216/signedByAliceRSAPSS.p7m")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(rsaSample)

	f.Fuzz(func(t *testing.T, data []byte) {
		entity := []byte("Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=b\r\n\r\n" +
			"--b\r\n" + sampleEntity + "\r\n--b\r\nContent-Type: application/pkcs7-signature\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString(data) + "\r\n--b--\r\n")
		layer, err := OpenEntity(entity, nil, opts)
		checkLayerInvariants(t, layer, err)
		if err == nil && string(layer.Entity) != sampleEntity {
			t.Fatalf("entity changed to %q", layer.Entity)
		}
	})
}

func boundaryOf(f *testing.F, entity []byte) string {
	e, err := parseEntity(entity)
	if err != nil {
		f.Fatal(err)
	}
	return e.params["boundary"]
}
