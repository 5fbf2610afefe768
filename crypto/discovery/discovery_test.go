package discovery

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	pgpcrypto "github.com/ProtonMail/gopenpgp/v2/crypto"
)

func TestWKDHashMatchesDraftVector(t *testing.T) {
	// The example from the WKD draft, also what gpg --with-wkd-hash prints.
	if got, want := WKDHash("Joe.Doe"), "iy9q119eutrkn8s1mk4r39qejnbu3n5q"; got != want {
		t.Fatalf("WKDHash(Joe.Doe) = %q, want %q", got, want)
	}
}

func TestWKDURLs(t *testing.T) {
	adv, dir, err := WKDURLs("Joe.Doe@Example.ORG")
	if err != nil {
		t.Fatal(err)
	}
	wantAdv := "https://openpgpkey.example.org/.well-known/openpgpkey/example.org/hu/iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe"
	wantDir := "https://example.org/.well-known/openpgpkey/hu/iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe"
	if adv != wantAdv {
		t.Errorf("advanced = %q, want %q", adv, wantAdv)
	}
	if dir != wantDir {
		t.Errorf("direct = %q, want %q", dir, wantDir)
	}
	if _, _, err := WKDURLs("no-at-sign"); err == nil {
		t.Error("WKDURLs accepted an address without @")
	}
}

// testKey makes a fresh X25519 key with one user ID.
func testKey(t *testing.T, name, email string) *pgpcrypto.Key {
	t.Helper()
	k, err := pgpcrypto.GenerateKey(name, email, "x25519", 0)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func publicBytes(t *testing.T, k *pgpcrypto.Key) []byte {
	t.Helper()
	b, err := k.GetPublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loopbackHTTPS serves handler over TLS on 127.0.0.1 with a certificate
// for hosts, and returns a client that resolves every host name to that
// server and trusts only the test CA.
func loopbackHTTPS(t *testing.T, hosts []string, handler http.Handler) *http.Client {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "discovery test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)

	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: hosts[0]},
		DNSNames:     hosts,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}

	srv := httptest.NewUnstartedServer(handler)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER}, PrivateKey: leafKey}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)

	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	addr := srv.Listener.Addr().String()
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return dialer.DialContext(ctx, network, addr)
			},
		},
	}
}

func TestWKDAdvancedMethod(t *testing.T) {
	key := testKey(t, "Dana Okafor", "dana@clinic.test")
	hash := WKDHash("dana")
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openpgpkey/clinic.test/hu/"+hash, func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "openpgpkey.clinic.test" {
			http.NotFound(w, r)
			return
		}
		w.Write(publicBytes(t, key))
	})
	client := loopbackHTTPS(t, []string{"openpgpkey.clinic.test", "clinic.test"}, mux)

	keys, err := WKD{Client: client}.Lookup(context.Background(), "Dana Okafor <dana@clinic.test>")
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	if len(keys) != 1 {
		t.Fatalf("got %d keys, want 1", len(keys))
	}
	if keys[0].Source != "wkd-advanced" {
		t.Errorf("source = %q, want wkd-advanced", keys[0].Source)
	}
	if !strings.EqualFold(keys[0].Fingerprint, key.GetFingerprint()) {
		t.Errorf("fingerprint = %s, want %s", keys[0].Fingerprint, key.GetFingerprint())
	}
}

func TestWKDFallsBackToDirect(t *testing.T) {
	key := testKey(t, "Eli Brandt", "eli@clinic.test")
	hash := WKDHash("eli")
	var advancedHits int
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openpgpkey/clinic.test/hu/"+hash, func(w http.ResponseWriter, r *http.Request) {
		advancedHits++
		http.NotFound(w, r)
	})
	mux.HandleFunc("/.well-known/openpgpkey/hu/"+hash, func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "clinic.test" {
			http.NotFound(w, r)
			return
		}
		w.Write(publicBytes(t, key))
	})
	client := loopbackHTTPS(t, []string{"openpgpkey.clinic.test", "clinic.test"}, mux)

	keys, err := WKD{Client: client}.Lookup(context.Background(), "eli@clinic.test")
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	if advancedHits != 1 {
		t.Errorf("advanced method tried %d times, want 1", advancedHits)
	}
	if keys[0].Source != "wkd-direct" {
		t.Errorf("source = %q, want wkd-direct", keys[0].Source)
	}
}

func TestWKDNotFoundAndWrongUserID(t *testing.T) {
	other := testKey(t, "Someone Else", "someone@elsewhere.test")
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openpgpkey/clinic.test/hu/"+WKDHash("mallory"), func(w http.ResponseWriter, r *http.Request) {
		w.Write(publicBytes(t, other))
	})
	client := loopbackHTTPS(t, []string{"openpgpkey.clinic.test", "clinic.test"}, mux)

	if _, err := (WKD{Client: client}).Lookup(context.Background(), "nobody@clinic.test"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing key: err = %v, want ErrNotFound", err)
	}
	_, err := WKD{Client: client}.Lookup(context.Background(), "mallory@clinic.test")
	if err == nil || !strings.Contains(err.Error(), "no user ID") {
		t.Errorf("key for another address: err = %v, want the no-matching-user-ID error", err)
	}
}

func TestWKDRejectsUntrustedCertificate(t *testing.T) {
	mux := http.NewServeMux()
	client := loopbackHTTPS(t, []string{"openpgpkey.clinic.test", "clinic.test"}, mux)
	// Same server, but a client that trusts only the system roots.
	tr := client.Transport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{}
	strict := &http.Client{Transport: tr, Timeout: 5 * time.Second}

	_, err := WKD{Client: strict}.Lookup(context.Background(), "dana@clinic.test")
	if err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want a certificate verification failure", err)
	}
}

func TestWKDRejectsOversizedResponse(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, maxKeyBytes+10))
	})
	client := loopbackHTTPS(t, []string{"openpgpkey.clinic.test", "clinic.test"}, mux)
	_, err := WKD{Client: client}.Lookup(context.Background(), "dana@clinic.test")
	if err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("err = %v, want the size limit error", err)
	}
}

func TestVKSLookup(t *testing.T) {
	key := testKey(t, "Farah Nunez", "farah@lab.test")
	armored, err := key.GetArmoredPublicKey()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/vks/v1/by-email/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/vks/v1/by-email/farah@lab.test" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/pgp-keys")
		w.Write([]byte(armored))
	})
	client := loopbackHTTPS(t, []string{"keys.test"}, mux)
	vks := VKS{Client: client, Base: "https://keys.test"}

	keys, err := vks.Lookup(context.Background(), "Farah@Lab.test")
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	if keys[0].Source != "vks" {
		t.Errorf("source = %q, want vks", keys[0].Source)
	}
	if _, err := vks.Lookup(context.Background(), "ghost@lab.test"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing key: err = %v, want ErrNotFound", err)
	}
	if _, err := (VKS{Client: client, Base: "http://keys.test"}).Lookup(context.Background(), "farah@lab.test"); err == nil {
		t.Error("plain http key server accepted")
	}
}

func TestAutocryptRoundTrip(t *testing.T) {
	key := testKey(t, "Gita Rao", "gita@clinic.test")
	value, err := FormatAutocrypt("Gita Rao <Gita@clinic.test>", Mutual, publicBytes(t, key))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(value, "\r\n") {
		if len(line) > 78 {
			t.Errorf("header line of %d characters: %q", len(line), line)
		}
	}

	ac, found, err := FromHeaders("gita@clinic.test", []string{value})
	if err != nil {
		t.Fatalf("FromHeaders: %v", err)
	}
	if ac.PreferEncrypt != Mutual {
		t.Error("prefer-encrypt=mutual lost")
	}
	if !strings.EqualFold(found.Fingerprint, key.GetFingerprint()) {
		t.Errorf("fingerprint = %s, want %s", found.Fingerprint, key.GetFingerprint())
	}
}

func TestAutocryptIgnoredHeaders(t *testing.T) {
	key := testKey(t, "Hana Ito", "hana@clinic.test")
	good, err := FormatAutocrypt("hana@clinic.test", NoPreference, publicBytes(t, key))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		from   string
		values []string
	}{
		{"no header", "hana@clinic.test", nil},
		{"address differs from sender", "other@clinic.test", []string{good}},
		{"two headers for the sender", "hana@clinic.test", []string{good, good}},
		{"unknown critical attribute", "hana@clinic.test", []string{"future=1; " + good}},
		{"bad base64", "hana@clinic.test", []string{"addr=hana@clinic.test; keydata=!!!"}},
		{"missing keydata", "hana@clinic.test", []string{"addr=hana@clinic.test"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := FromHeaders(tc.from, tc.values); err == nil {
				t.Fatal("header accepted, want it ignored")
			}
		})
	}

	// A non-critical attribute is ignored, not the whole header.
	if _, _, err := FromHeaders("hana@clinic.test", []string{"_note=x; " + good}); err != nil {
		t.Errorf("non-critical attribute rejected the header: %v", err)
	}
}

func FuzzParseAutocrypt(f *testing.F) {
	f.Add("addr=a@b.test; keydata=AAAA")
	f.Add("addr=a@b.test; prefer-encrypt=mutual; _x=1; keydata=\r\n AAAA")
	f.Add(";;=;")
	f.Fuzz(func(t *testing.T, s string) {
		ac, err := ParseAutocrypt(s)
		if err == nil && (ac.Address == "" || len(ac.KeyData) == 0) {
			t.Fatalf("accepted %q without addr or keydata", s)
		}
	})
}
