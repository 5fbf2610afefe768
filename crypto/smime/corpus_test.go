package smime

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mailcrypto "securemail/crypto"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// openAllLayers opens S/MIME layers until the entity is no longer S/MIME
// and returns each layer.
func openAllLayers(t *testing.T, raw []byte, ids []*Identity, opts *OpenOptions) ([]*mailcrypto.Layer, error) {
	t.Helper()
	var layers []*mailcrypto.Layer
	for depth := 0; depth < 8; depth++ {
		layer, err := OpenEntity(raw, ids, opts)
		if errors.Is(err, ErrNotSMIME) {
			return layers, nil
		}
		if err != nil {
			return layers, err
		}
		layers = append(layers, layer)
		raw = layer.Entity
	}
	t.Fatal("more than 8 S/MIME layers")
	return nil, nil
}

func TestThunderbirdCorpus(t *testing.T) {
	var ids []*Identity
	for _, name := range []string{"Alice.p12", "Bob.p12", "Dave.p12"} {
		id, err := ImportPKCS12(readTestdata(t, "thunderbird/"+name), "nss")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ids = append(ids, id)
	}
	caCerts, err := ParseCertificates(readTestdata(t, "thunderbird/TestCA.pem"))
	if err != nil {
		t.Fatal(err)
	}
	opts := &OpenOptions{Roots: x509pool(caCerts), IgnoreSystemRoots: true, Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}

	// NSS signed these three over bytes that differ from the part in the
	// file; `openssl cms -verify` rejects them too.
	knownBad := map[string]bool{
		"alice.env.dsig.SHA256.multipart.eml": true,
		"alice.env.dsig.SHA384.multipart.eml": true,
		"alice.env.dsig.SHA512.multipart.eml": true,
	}
	files, err := filepath.Glob("testdata/thunderbird/*.eml")
	if err != nil || len(files) < 60 {
		t.Fatalf("found %d Thunderbird messages: %v", len(files), err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		layers, err := openAllLayers(t, readTestdata(t, "thunderbird/"+name), ids, opts)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(layers) == 0 {
			t.Errorf("%s: no S/MIME layer found", name)
			continue
		}
		want := mailcrypto.GoodSignature
		switch {
		case strings.Contains(name, "SHA1"):
			want = mailcrypto.UnsupportedAlgorithm
		case strings.Contains(name, ".bad.") || strings.Contains(name, "mismatch-econtent") || knownBad[name]:
			want = mailcrypto.BadSignature
		}
		for i, layer := range layers {
			if layer.Status.Encryption.Scheme == mailcrypto.SchemeSMIME {
				if layer.Status.Encryption.Algorithm != "AES-128-CBC" || layer.Status.Encryption.IntegrityProtected {
					t.Errorf("%s layer %d: encryption = %+v", name, i, layer.Status.Encryption)
				}
				continue
			}
			sig := layer.Status.Signature
			if sig.State != want {
				t.Errorf("%s layer %d: state = %v, want %v", name, i, sig.State, want)
			}
			wantSigner := sig.State == mailcrypto.GoodSignature
			if gotSigner := sig.Signer == "Alice@example.com" || sig.Signer == "Dave@example.com"; gotSigner != wantSigner {
				t.Errorf("%s layer %d: signer = %q with state %v", name, i, sig.Signer, sig.State)
			}
		}
		innermost, err := parseEntity(layers[len(layers)-1].Entity)
		if err != nil || !strings.HasPrefix(innermost.mediaType, "text/") {
			t.Errorf("%s: innermost entity is not text: %v", name, err)
		}
	}
}

func TestProtectedHeadersCorpus(t *testing.T) {
	bob, err := ImportPKCS12(readTestdata(t, "protected-headers/bob.p12"), "bob")
	if err != nil {
		t.Fatal(err)
	}
	caCerts, err := ParseCertificates(readTestdata(t, "protected-headers/sample-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	opts := &OpenOptions{Roots: x509pool(caCerts), IgnoreSystemRoots: true, Now: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	cases := []struct {
		file   string
		layers []string // "3DES-CBC" for decryption, "good" for a good signature
		inner  string   // file the first layer's entity must equal
	}{
		{"smime-onepart-signed.eml", []string{"good"}, "smime-onepart-signed.inner"},
		{"smime-multipart-signed.eml", []string{"good"}, ""},
		{"smime-enc+legacy-disp.eml", []string{"3DES-CBC"}, "smime-enc+legacy-disp.inner"},
		{"smime-sign+enc.eml", []string{"3DES-CBC", "good"}, "smime-sign+enc.inner"},
		{"smime-sign+enc+legacy-disp.eml", []string{"3DES-CBC", "good"}, "smime-sign+enc+legacy-disp.inner"},
	}
	for _, c := range cases {
		layers, err := openAllLayers(t, readTestdata(t, "protected-headers/"+c.file), []*Identity{bob}, opts)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if len(layers) != len(c.layers) {
			t.Fatalf("%s: %d layers, want %d", c.file, len(layers), len(c.layers))
		}
		for i, want := range c.layers {
			status := layers[i].Status
			if want == "good" {
				if status.Signature.State != mailcrypto.GoodSignature || status.Signature.Signer != "alice@smime.example" {
					t.Errorf("%s layer %d: signature = %+v", c.file, i, status.Signature)
				}
				continue
			}
			if status.Encryption.Algorithm != want || status.Encryption.IntegrityProtected {
				t.Errorf("%s layer %d: encryption = %+v", c.file, i, status.Encryption)
			}
		}
		if c.inner != "" {
			want := toCRLF(readTestdata(t, "protected-headers/"+c.inner))
			if got := toCRLF(layers[0].Entity); !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
				t.Errorf("%s: first layer differs from %s", c.file, c.inner)
			}
		}
	}
}

// rfc9216Identities loads the RFC 9216 keys that can be S/MIME identities
// here. Dana's X25519 key cannot, because X25519 key agreement is not
// implemented.
func rfc9216Identities(t *testing.T) map[string]*Identity {
	t.Helper()
	ids := map[string]*Identity{}
	for name, files := range map[string][2]string{
		"alice":  {"lamps-alice.crt", "lamps-alice.p8.pem"},
		"bob":    {"lamps-bob.encrypt.crt", "lamps-bob.decrypt.p8.pem"},
		"carlos": {"lamps-carlos.crt", "lamps-carlos.p8.pem"},
	} {
		id, err := ImportPEM(readTestdata(t, "rfc9216/"+files[0]), readTestdata(t, "rfc9216/"+files[1]))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ids[name] = id
	}
	return ids
}

func TestRFC9216DanaKeyRejected(t *testing.T) {
	_, err := ImportPEM(readTestdata(t, "rfc9216/lamps-dana.encrypt.crt"), readTestdata(t, "rfc9216/lamps-dana.decrypt.p8.pem"))
	if err == nil {
		t.Fatal("X25519 identity was accepted, but X25519 key agreement is not implemented")
	}
}

func TestRFC9216Samples(t *testing.T) {
	ids := rfc9216Identities(t)
	all := []*Identity{ids["alice"], ids["bob"], ids["carlos"]}
	// The RFC 9216 CA certificates are not in the sample repository, so
	// the end-entity certificates are the trust anchors here.
	anchors := []*x509.Certificate{ids["alice"].Certificate, ids["carlos"].Certificate}
	trusted := &OpenOptions{Roots: x509pool(anchors), IgnoreSystemRoots: true, Now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), KnownCertificates: anchors}
	untrusted := &OpenOptions{IgnoreSystemRoots: true, Now: trusted.Now}
	const content = "This is some sample content."

	cases := []struct {
		file      string
		opts      *OpenOptions
		state     mailcrypto.SignatureState
		signer    string
		algorithm string
		err       error
	}{
		{"signedByAliceRSA.p7m", trusted, mailcrypto.GoodSignature, "alice@smime.example", "", nil},
		{"signedByAliceRSA.p7m", untrusted, mailcrypto.UntrustedCertificate, "alice@smime.example", "", nil},
		{"signedByAliceRSAPSS.p7m", trusted, mailcrypto.GoodSignature, "alice@smime.example", "", nil},
		{"signedByCarlosEd25519.p7m", trusted, mailcrypto.GoodSignature, "carlos@smime.example", "", nil},
		{"signedByAliceAndCarlosNoCerts.p7m", trusted, mailcrypto.GoodSignature, "", "", nil},
		{"signedByAliceAndCarlosNoCerts.p7m", untrusted, mailcrypto.UnknownKey, "", "", nil},
		{"encryptedForBobRSAOaep.p7m", trusted, mailcrypto.NotSigned, "", "AES-128-CBC", nil},
		{"encryptedForBobAndDana.p7m", trusted, mailcrypto.NotSigned, "", "AES-128-CBC", nil},
		{"encryptedKekri.p7m", trusted, 0, "", "", ErrUnsupportedAlgorithm},
		{"authEnvelopedForBobChaCha20Poly1305.p7m", trusted, 0, "", "", ErrUnsupportedAlgorithm},
		{"authEnvelopedForDanaX25519HKDF.p7m", trusted, 0, "", "", ErrUnsupportedAlgorithm},
	}
	for _, c := range cases {
		entity := append([]byte("Content-Type: application/pkcs7-mime\r\nContent-Transfer-Encoding: binary\r\n\r\n"), readTestdata(t, "rfc9216/"+c.file)...)
		layer, err := OpenEntity(entity, all, c.opts)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%s: err = %v, want %v", c.file, err, c.err)
			}
			if layer != nil {
				t.Errorf("%s: returned a layer with an error", c.file)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if string(layer.Entity) != content {
			t.Errorf("%s: entity = %q", c.file, layer.Entity)
		}
		if layer.Status.Signature.State != c.state {
			t.Errorf("%s: state = %v, want %v", c.file, layer.Status.Signature.State, c.state)
		}
		if c.signer != "" && layer.Status.Signature.Signer != c.signer {
			t.Errorf("%s: signer = %q, want %q", c.file, layer.Status.Signature.Signer, c.signer)
		}
		if layer.Status.Encryption.Algorithm != c.algorithm {
			t.Errorf("%s: algorithm = %q, want %q", c.file, layer.Status.Encryption.Algorithm, c.algorithm)
		}
	}
}

func TestRFC9216DetachedSample(t *testing.T) {
	ids := rfc9216Identities(t)
	anchors := []*x509.Certificate{ids["carlos"].Certificate}
	opts := &OpenOptions{Roots: x509pool(anchors), IgnoreSystemRoots: true, Now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	signature := base64.StdEncoding.EncodeToString(readTestdata(t, "rfc9216/signedByCarlosDetached.p7m"))
	build := func(content string) []byte {
		return []byte("Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-512; boundary=b\r\n\r\n" +
			"--b\r\n" + content + "\r\n--b\r\n" +
			"Content-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			signature + "\r\n--b--\r\n")
	}

	layer, err := OpenEntity(build("This is some sample content."), nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if layer.Status.Signature.State != mailcrypto.GoodSignature {
		t.Errorf("state = %v, want good signature", layer.Status.Signature.State)
	}

	layer, err = OpenEntity(build("This is some sample content!"), nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if layer.Status.Signature.State != mailcrypto.BadSignature {
		t.Errorf("changed content: state = %v, want bad signature", layer.Status.Signature.State)
	}
}
